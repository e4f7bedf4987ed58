/* transport-http.h: the same actors behind real HTTP servers on loopback (serve mode).
 *
 * Each actor gets a listening socket, a thread with its own GMainContext and a SoupServer on it.
 * A request that arrives is converted to a SimMessage and handed to the bus with
 * sim_bus_receive(), so the tracer shows it and the actor's own handler answers it; the answer
 * is copied back. When an actor delivers a message to another actor on the bus, the bus's
 * forwarder sends it as a real HTTP request with a per-thread SoupSession. Nothing here knows
 * OAuth: the transport only moves messages.
 */
#pragma once

#include <gio/gio.h>

#include "sim/bus.h"

G_BEGIN_DECLS

/* Request bodies larger than this are answered 413 before any actor sees them. */
#define SIM_HTTP_MAX_BODY (64 * 1024)

typedef struct _SimHttp SimHttp;

/* Runs in an actor's own thread before it starts answering; FALSE with @error stops serve. */
typedef gboolean (*SimHttpStartFunc) (gpointer   actor,
                                      GError   **error);

/* Gives a phase to a request that came from outside (a browser, curl, another OAuth client):
 * inside messages carry their sender's phase, outside ones only what the path suggests. */
typedef SimPhase (*SimHttpPhaseFunc) (gpointer    data,
                                      const char *actor_name,
                                      SimMessage *message);

SimHttp    *sim_http_new           (SimBus            *bus);
void        sim_http_free          (SimHttp           *self);
const char *sim_http_listen        (SimHttp           *self,
                                    const char        *name,
                                    const char        *address,
                                    guint              port,
                                    GError           **error);
void        sim_http_add_actor     (SimHttp           *self,
                                    const char        *name,
                                    SimHandler         handler,
                                    gpointer           actor,
                                    SimHttpStartFunc   on_start);
void        sim_http_set_phase_func (SimHttp          *self,
                                    SimHttpPhaseFunc   func,
                                    gpointer           data);
gboolean    sim_http_start         (SimHttp           *self,
                                    GError           **error);
void        sim_http_stop          (SimHttp           *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimHttp, sim_http_free)

#define SIM_HTTP_ERROR (sim_http_error_quark ())
GQuark sim_http_error_quark (void);

typedef enum
{
  SIM_HTTP_ERROR_ADDRESS = 1,   /* not an address this transport can serve on */
  SIM_HTTP_ERROR_START,         /* an actor could not start */
} SimHttpError;

G_END_DECLS
