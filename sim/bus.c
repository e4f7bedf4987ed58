/* bus.c: routes each request to the actor that owns its origin, synchronously. */
#include <glib/gi18n-lib.h>

#include "sim/bus.h"

#define MAX_DEPTH 8

typedef struct
{
  char *name;
  char *origin;
  SimHandler handler;
  gpointer actor;
} Route;

typedef struct
{
  const SimBusObserver *vtable;
  gpointer data;
} Observer;

struct _SimBus
{
  GPtrArray *routes;     /* (element-type Route), in registration order */
  GArray *observers;     /* (element-type Observer) */
  SimInterceptor interceptor;
  gpointer interceptor_data;
  guint step_count;
  GArray *stack;         /* (element-type SimExchange): exchanges under way */
};

static void
route_free (gpointer data)
{
  Route *route = data;
  g_free (route->name);
  g_free (route->origin);
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
  self->stack = g_array_new (FALSE, FALSE, sizeof (SimExchange));
  return self;
}

void
sim_bus_free (SimBus *self)
{
  if (!self)
    return;
  g_ptr_array_unref (self->routes);
  g_array_unref (self->observers);
  g_array_unref (self->stack);
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
  g_array_append_val (self->observers, entry);
}

void
sim_bus_remove_observer (SimBus   *self,
                         gpointer  data)
{
  for (guint i = 0; i < self->observers->len; i++)
    if (g_array_index (self->observers, Observer, i).data == data)
      {
        g_array_remove_index (self->observers, i);
        return;
      }
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
  return self->step_count;
}

/* The step under way, 0 when none is. */
guint
sim_bus_get_current_step (SimBus *self)
{
  return self->stack->len ? g_array_index (self->stack, SimExchange, self->stack->len - 1).step : 0;
}

static void
notify (SimBus            *self,
        const SimExchange *exchange,
        gboolean           begin)
{
  for (guint i = 0; i < self->observers->len; i++)
    {
      Observer *o = &g_array_index (self->observers, Observer, i);
      if (begin && o->vtable->begin)
        o->vtable->begin (o->data, exchange);
      else if (!begin && o->vtable->end)
        o->vtable->end (o->data, exchange);
    }
}

static void
answer_unreachable (SimMessage *message,
                    const char *origin)
{
  sim_message_set_response (message, SOUP_STATUS_NONE, NULL, NULL);
  sim_message_narrate (message, _("Nobody answers at %s: the message is lost."), origin);
}

/**
 * sim_bus_deliver:
 * @from: the name of the sending actor
 * @message: (transfer none): a request; on return it carries the response
 *
 * Runs the receiving actor's handler synchronously. A message to an origin that no actor owns,
 * one that nests too deeply, or one that an interceptor drops comes back with status 0.
 */
void
sim_bus_deliver (SimBus     *self,
                 const char *from,
                 SimMessage *message)
{
  g_autofree char *origin = NULL;
  SimExchange exchange = { 0 };
  Route *route;

  g_return_if_fail (self != NULL && from != NULL && message != NULL);

  origin = sim_message_dup_origin (message);
  route = find_by_origin (self, origin);

  g_free (message->from);
  message->from = g_strdup (from);
  g_free (message->to);
  message->to = g_strdup (route ? route->name : origin);

  exchange.step = ++self->step_count;
  exchange.parent = sim_bus_get_current_step (self);
  exchange.depth = self->stack->len;
  exchange.message = message;
  /* A message sent while answering another belongs to the same phase unless its sender says. */
  if (message->phase == SIM_PHASE_NONE && self->stack->len > 0)
    message->phase = g_array_index (self->stack, SimExchange, self->stack->len - 1).message->phase;

  if (self->interceptor
      && !self->interceptor (self->interceptor_data, self, message, SIM_TAMPER_REQUEST))
    {
      notify (self, &exchange, TRUE);
      sim_message_set_response (message, SOUP_STATUS_NONE, NULL, NULL);
      sim_message_narrate (message, _("The message was dropped on its way: nobody received it."));
      notify (self, &exchange, FALSE);
      return;
    }

  notify (self, &exchange, TRUE);
  g_array_append_val (self->stack, exchange);

  if (route == NULL)
    answer_unreachable (message, origin);
  else if (self->stack->len > MAX_DEPTH)
    {
      sim_message_set_response_text (message, 508, "text/plain", "loop detected");
      sim_message_narrate (message, _("Messages nested too deeply: the bus stops the loop here."));
    }
  else
    route->handler (route->actor, message);

  g_array_set_size (self->stack, self->stack->len - 1);

  if (self->interceptor)
    self->interceptor (self->interceptor_data, self, message, SIM_TAMPER_RESPONSE);

  notify (self, &exchange, FALSE);
}
