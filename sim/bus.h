/* bus.h: synchronous, deterministic delivery of messages between named actors.
 *
 * The bus knows nothing of OAuth. An actor registers a name and the origin it answers for
 * ("https://auth.example"); sim_bus_deliver() routes a request by its URI's origin, runs the
 * actor's handler to fill in the response, and tells every observer when an exchange begins
 * and ends. A handler may deliver further messages (the API asking the server about a token):
 * those exchanges nest inside the first and carry its step number as their parent.
 *
 * In serve mode each actor runs in its own thread behind a real HTTP server. Its route then has
 * a forwarder: sim_bus_deliver() hands the message to it (it performs the HTTP request), and the
 * thread that runs the actor calls sim_bus_receive(), which numbers the exchange, tells the
 * observers and runs the handler. Step numbers and observers are shared under one lock; each
 * thread has its own stack of exchanges under way.
 */
#pragma once

#include "sim/message.h"

G_BEGIN_DECLS

typedef struct _SimBus SimBus;

typedef void (*SimHandler) (gpointer    actor,
                            SimMessage *message);

typedef struct
{
  guint step;          /* 1, 2, 3 ... in the order exchanges begin */
  guint parent;        /* the step this one nests in, 0 for none */
  guint depth;         /* 0 for a top-level exchange */
  SimMessage *message; /* (not owned) */
} SimExchange;

typedef struct
{
  void (*begin) (gpointer data, const SimExchange *exchange);
  void (*end)   (gpointer data, const SimExchange *exchange);
} SimBusObserver;

typedef enum
{
  SIM_TAMPER_REQUEST,   /* before the receiver sees it */
  SIM_TAMPER_RESPONSE,  /* before the sender sees the answer */
} SimTamperStage;

/* Who sent a message that arrives from elsewhere (serve mode). */
typedef struct
{
  const char *from;    /* an actor's name, or a short description of an outside sender */
  guint parent;        /* the step the sender was answering, 0 for none */
  guint depth;         /* the depth the exchange takes: 0 for a top-level one */
} SimSender;

/* Carries @message to an actor that runs elsewhere and fills in its response (status 0 when
 * nobody answered). Runs in the sender's thread; the receiving side reports the exchange. */
typedef void (*SimForwarder) (gpointer         data,
                              const SimSender *sender,
                              SimMessage      *message);

/* An interceptor may change the message in place; it returns FALSE to drop it (the sender then
 * sees status 0, as if the network lost it). */
typedef gboolean (*SimInterceptor) (gpointer        data,
                                    SimBus         *bus,
                                    SimMessage     *message,
                                    SimTamperStage  stage);

SimBus     *sim_bus_new               (void);
void        sim_bus_free              (SimBus        *self);
void        sim_bus_add_actor         (SimBus        *self,
                                       const char    *name,
                                       const char    *origin,
                                       SimHandler     handler,
                                       gpointer       actor);
gpointer    sim_bus_get_actor         (SimBus        *self,
                                       const char    *name);
const char *sim_bus_get_origin        (SimBus        *self,
                                       const char    *name);
const char *sim_bus_name_for_origin   (SimBus        *self,
                                       const char    *origin);
void        sim_bus_add_observer      (SimBus               *self,
                                       const SimBusObserver *observer,
                                       gpointer              data);
void        sim_bus_remove_observer   (SimBus               *self,
                                       gpointer              data);
void        sim_bus_set_interceptor   (SimBus        *self,
                                       SimInterceptor interceptor,
                                       gpointer       data);
void        sim_bus_deliver           (SimBus        *self,
                                       const char    *from,
                                       SimMessage    *message);
void        sim_bus_set_forwarder     (SimBus        *self,
                                       const char    *name,
                                       SimForwarder   forwarder,
                                       gpointer       data);
void        sim_bus_receive           (SimBus          *self,
                                       const char      *to,
                                       const SimSender *sender,
                                       SimMessage      *message);
guint       sim_bus_get_step_count    (SimBus        *self);
guint       sim_bus_get_current_step  (SimBus        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimBus, sim_bus_free)

G_END_DECLS
