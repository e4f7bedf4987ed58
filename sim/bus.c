/* bus.c: routes each request to the actor that owns its origin, synchronously.
 *
 * One thread in a simulation; in serve mode one thread per actor, each delivering through a
 * forwarder and receiving from its HTTP server. The lock covers step numbering, the per-thread
 * stacks and the observers, so a trace sink is never called from two threads at once. It is
 * recursive because an observer may ask the bus for the current step. Handlers and the
 * interceptor run outside it: they deliver further messages. */
#include <glib/gi18n-lib.h>

#include "sim/bus.h"

#define MAX_DEPTH 8

typedef struct
{
  char *name;
  char *origin;
  SimUri *origin_uri;      /* the same, parsed, to compare with request URIs */
  SimHandler handler;
  gpointer actor;
  SimForwarder forwarder;  /* set: the actor runs elsewhere (serve mode) */
  gpointer forwarder_data;
} Route;

typedef struct
{
  const SimBusObserver *vtable;
  gpointer data;
} Observer;

struct _SimBus
{
  GRecMutex lock;
  GPtrArray *routes;     /* (element-type Route), in registration order; set up before use */
  GArray *observers;     /* (element-type Observer) */
  SimInterceptor interceptor;
  gpointer interceptor_data;
  guint step_count;
  GHashTable *stacks;    /* GThread -> GArray (element-type SimExchange): exchanges under way
                            in that thread; an entry goes when its stack empties */
};

static void
route_free (gpointer data)
{
  Route *route = data;
  g_free (route->name);
  g_free (route->origin);
  g_clear_pointer (&route->origin_uri, sim_uri_unref);
  g_free (route);
}

/**
 * sim_bus_new:
 * Returns: (transfer full): an empty bus.
 */
SimBus *
sim_bus_new (void)
{
  SimBus *self = g_new0 (SimBus, 1);
  self->routes = g_ptr_array_new_with_free_func (route_free);
  self->observers = g_array_new (FALSE, FALSE, sizeof (Observer));
  self->stacks = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_array_unref);
  g_rec_mutex_init (&self->lock);
  return self;
}

void
sim_bus_free (SimBus *self)
{
  if (!self)
    return;
  for (guint i = 0; i < self->observers->len; i++)
    sim_message_count_listener (FALSE);
  g_ptr_array_unref (self->routes);
  g_array_unref (self->observers);
  g_hash_table_unref (self->stacks);
  g_rec_mutex_clear (&self->lock);
  g_free (self);
}

/**
 * sim_bus_add_actor:
 * @origin: "scheme://host[:port]" that this actor answers for
 * @actor: (not owned): passed back to @handler
 */
void
sim_bus_add_actor (SimBus     *self,
                   const char *name,
                   const char *origin,
                   SimHandler  handler,
                   gpointer    actor)
{
  Route *route;

  g_return_if_fail (self != NULL && name != NULL && origin != NULL);
  route = g_new0 (Route, 1);
  route->name = g_strdup (name);
  route->origin = g_ascii_strdown (origin, -1);
  route->origin_uri = sim_uri_parse (route->origin, NULL);
  route->handler = handler;
  route->actor = actor;
  g_ptr_array_add (self->routes, route);
}

static Route *
find_by_name (SimBus     *self,
              const char *name)
{
  for (guint i = 0; i < self->routes->len; i++)
    {
      Route *route = self->routes->pdata[i];
      if (g_strcmp0 (route->name, name) == 0)
        return route;
    }
  return NULL;
}

static Route *
find_by_origin (SimBus     *self,
                const char *origin)
{
  g_autofree char *lower = g_ascii_strdown (origin, -1);

  for (guint i = 0; i < self->routes->len; i++)
    {
      Route *route = self->routes->pdata[i];
      if (g_strcmp0 (route->origin, lower) == 0)
        return route;
    }
  return NULL;
}

static Route *
find_for_message (SimBus     *self,
                  SimMessage *message)
{
  for (guint i = 0; i < self->routes->len; i++)
    {
      Route *route = self->routes->pdata[i];
      if (route->origin_uri && sim_uri_same_origin (message->uri, route->origin_uri))
        return route;
    }
  return NULL;
}

/**
 * sim_bus_get_actor:
 * Returns: (transfer none) (nullable): the actor registered as @name.
 */
gpointer
sim_bus_get_actor (SimBus     *self,
                   const char *name)
{
  Route *route = find_by_name (self, name);
  return route ? route->actor : NULL;
}

/**
 * sim_bus_get_origin:
 * Returns: (transfer none) (nullable): the origin the actor @name answers for.
 */
const char *
sim_bus_get_origin (SimBus     *self,
                    const char *name)
{
  Route *route = find_by_name (self, name);
  return route ? route->origin : NULL;
}

/**
 * sim_bus_name_for_origin:
 * Returns: (transfer none) (nullable): the name of the actor answering for @origin.
 */
const char *
sim_bus_name_for_origin (SimBus     *self,
                         const char *origin)
{
  Route *route = find_by_origin (self, origin);
  return route ? route->name : NULL;
}

void
sim_bus_add_observer (SimBus               *self,
                      const SimBusObserver *observer,
                      gpointer              data)
{
  Observer entry = { observer, data };

  g_rec_mutex_lock (&self->lock);
  g_array_append_val (self->observers, entry);
  sim_message_count_listener (TRUE);
  g_rec_mutex_unlock (&self->lock);
}

void
sim_bus_remove_observer (SimBus   *self,
                         gpointer  data)
{
  g_rec_mutex_lock (&self->lock);
  for (guint i = 0; i < self->observers->len; i++)
    if (g_array_index (self->observers, Observer, i).data == data)
      {
        g_array_remove_index (self->observers, i);
        sim_message_count_listener (FALSE);
        break;
      }
  g_rec_mutex_unlock (&self->lock);
}

/**
 * sim_bus_set_forwarder:
 * @name: an actor added with sim_bus_add_actor()
 * @forwarder: (nullable): how to reach it; %NULL runs its handler in the sender's thread again
 *
 * Says that the actor @name runs elsewhere (serve mode: in its own thread, behind HTTP).
 * Messages delivered to it go to @forwarder, and whoever runs it reports each one with
 * sim_bus_receive().
 */
void
sim_bus_set_forwarder (SimBus       *self,
                       const char   *name,
                       SimForwarder  forwarder,
                       gpointer      data)
{
  Route *route;

  g_return_if_fail (self != NULL && name != NULL);
  route = find_by_name (self, name);
  g_return_if_fail (route != NULL);
  route->forwarder = forwarder;
  route->forwarder_data = data;
}

void
sim_bus_set_interceptor (SimBus         *self,
                         SimInterceptor  interceptor,
                         gpointer        data)
{
  self->interceptor = interceptor;
  self->interceptor_data = data;
}

guint
sim_bus_get_step_count (SimBus *self)
{
  guint count;

  g_rec_mutex_lock (&self->lock);
  count = self->step_count;
  g_rec_mutex_unlock (&self->lock);
  return count;
}

/* Call with the lock held. Returns: (nullable): the exchange this thread has under way. */
static SimExchange *
thread_top (SimBus *self)
{
  GArray *stack = g_hash_table_lookup (self->stacks, g_thread_self ());
  return stack && stack->len ? &g_array_index (stack, SimExchange, stack->len - 1) : NULL;
}

static void
push_exchange (SimBus            *self,
               const SimExchange *exchange)
{
  GArray *stack = g_hash_table_lookup (self->stacks, g_thread_self ());

  if (stack == NULL)
    {
      stack = g_array_new (FALSE, FALSE, sizeof (SimExchange));
      g_hash_table_insert (self->stacks, g_thread_self (), stack);
    }
  g_array_append_val (stack, *exchange);
}

static void
pop_exchange (SimBus *self)
{
  GArray *stack = g_hash_table_lookup (self->stacks, g_thread_self ());

  g_assert (stack != NULL && stack->len > 0);
  g_array_set_size (stack, stack->len - 1);
  if (stack->len == 0)
    g_hash_table_remove (self->stacks, g_thread_self ());
}

/* The step under way in the calling thread, 0 when none is. */
guint
sim_bus_get_current_step (SimBus *self)
{
  SimExchange *top;
  guint step;

  g_rec_mutex_lock (&self->lock);
  top = thread_top (self);
  step = top ? top->step : 0;
  g_rec_mutex_unlock (&self->lock);
  return step;
}

static void
notify (SimBus            *self,
        const SimExchange *exchange,
        gboolean           begin)
{
  g_rec_mutex_lock (&self->lock);
  for (guint i = 0; i < self->observers->len; i++)
    {
      Observer *o = &g_array_index (self->observers, Observer, i);
      if (begin && o->vtable->begin)
        o->vtable->begin (o->data, exchange);
      else if (!begin && o->vtable->end)
        o->vtable->end (o->data, exchange);
    }
  g_rec_mutex_unlock (&self->lock);
}

static void
answer_unreachable (SimMessage *message,
                    const char *origin)
{
  sim_message_set_response (message, SOUP_STATUS_NONE, NULL, NULL);
  sim_message_narrate (message, _("Nobody answers at %s: the message is lost."), origin);
}

/* Runs one numbered exchange in the calling thread: interceptor, observers, handler. */
static void
run_exchange (SimBus      *self,
              Route       *route,
              SimExchange *exchange,
              const char  *origin)
{
  SimMessage *message = exchange->message;

  if (self->interceptor
      && !self->interceptor (self->interceptor_data, self, message, SIM_TAMPER_REQUEST))
    {
      notify (self, exchange, TRUE);
      sim_message_set_response (message, SOUP_STATUS_NONE, NULL, NULL);
      sim_message_narrate (message, _("The message was dropped on its way: nobody received it."));
      notify (self, exchange, FALSE);
      return;
    }

  g_rec_mutex_lock (&self->lock);
  notify (self, exchange, TRUE);
  push_exchange (self, exchange);
  g_rec_mutex_unlock (&self->lock);

  if (route == NULL)
    answer_unreachable (message, origin);
  else if (exchange->depth + 1 > MAX_DEPTH)
    {
      sim_message_set_response_text (message, 508, "text/plain", "loop detected");
      sim_message_narrate (message, _("Messages nested too deeply: the bus stops the loop here."));
    }
  else
    route->handler (route->actor, message);

  g_rec_mutex_lock (&self->lock);
  pop_exchange (self);
  g_rec_mutex_unlock (&self->lock);

  if (self->interceptor)
    self->interceptor (self->interceptor_data, self, message, SIM_TAMPER_RESPONSE);

  notify (self, exchange, FALSE);
}

/**
 * sim_bus_deliver:
 * @from: the name of the sending actor
 * @message: (transfer none): a request; on return it carries the response
 *
 * Runs the receiving actor's handler synchronously, or, for an actor that runs elsewhere, hands
 * the message to its forwarder. A message to an origin that no actor owns, one that nests too
 * deeply, or one that an interceptor drops comes back with status 0.
 */
void
sim_bus_deliver (SimBus     *self,
                 const char *from,
                 SimMessage *message)
{
  g_autofree char *origin = NULL;
  SimExchange exchange = { 0 };
  SimExchange *top;
  Route *route;

  g_return_if_fail (self != NULL && from != NULL && message != NULL);

  route = find_for_message (self, message);
  if (route == NULL)
    origin = sim_message_dup_origin (message);

  g_free (message->from);
  message->from = g_strdup (from);
  g_free (message->to);
  message->to = g_strdup (route ? route->name : origin);

  g_rec_mutex_lock (&self->lock);
  /* Narration is for observers: with none, the actors need not write it. */
  message->quiet = self->observers->len == 0;
  top = thread_top (self);
  /* A message sent while answering another belongs to the same phase unless its sender says. */
  if (message->phase == SIM_PHASE_NONE && top)
    message->phase = top->message->phase;
  if (route && route->forwarder)
    {
      SimSender sender = { from, top ? top->step : 0, top ? top->depth + 1 : 0 };
      g_rec_mutex_unlock (&self->lock);
      route->forwarder (route->forwarder_data, &sender, message);
      return;
    }
  exchange.step = ++self->step_count;
  exchange.parent = top ? top->step : 0;
  exchange.depth = top ? top->depth + 1 : 0;
  exchange.message = message;
  g_rec_mutex_unlock (&self->lock);

  run_exchange (self, route, &exchange, origin);
}

/**
 * sim_bus_receive:
 * @to: the name of the receiving actor, which must have a handler
 * @sender: who sent @message, and the step it nests in
 * @message: (transfer none): a request that came from elsewhere; on return it carries the
 *   response
 *
 * The receiving end of a forwarder (serve mode): numbers the exchange, tells the observers and
 * runs the actor's handler in the calling thread, which must be the one that owns the actor.
 */
void
sim_bus_receive (SimBus          *self,
                 const char      *to,
                 const SimSender *sender,
                 SimMessage      *message)
{
  SimExchange exchange = { 0 };
  Route *route;

  g_return_if_fail (self != NULL && to != NULL && sender != NULL && message != NULL);
  route = find_by_name (self, to);
  g_return_if_fail (route != NULL && route->handler != NULL);

  g_free (message->from);
  message->from = g_strdup (sender->from ? sender->from : "?");
  g_free (message->to);
  message->to = g_strdup (route->name);

  g_rec_mutex_lock (&self->lock);
  message->quiet = self->observers->len == 0;
  exchange.step = ++self->step_count;
  exchange.parent = sender->parent;
  exchange.depth = sender->depth;
  exchange.message = message;
  g_rec_mutex_unlock (&self->lock);

  run_exchange (self, route, &exchange, NULL);
}
