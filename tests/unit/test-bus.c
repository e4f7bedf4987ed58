/* test-bus.c: routing by origin, nesting, observers, the interceptor and step numbering.
 *
 * Three small actors answer on a fixture's bus: a server that echoes what it was asked, an API
 * that asks the server something while answering, and a loop that keeps calling itself.
 */
#include <string.h>

#include "sim/bus.h"

typedef struct
{
  SimBus *bus;
  GPtrArray *events;   /* (element-type utf8): what observers and handlers saw, in order */
  guint server_calls;
  guint loop_calls;
  guint drop_stage_calls[2];
  SimPhase nested_phase;   /* phase the API gives its own call to the server */
} Fixture;

static void
log_event (Fixture    *f,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
log_event (Fixture    *f,
           const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (f->events, g_strdup_vprintf (format, args));
  va_end (args);
}

/* The server answers 200 with "PATH X-Tampered-header" and logs the call. */
static void
server_handle (gpointer    actor,
               SimMessage *message)
{
  Fixture *f = actor;
  const char *tampered = sim_headers_get_one (message->request_headers, "X-Tampered");
  g_autofree char *body = g_strdup_printf ("%s %s", sim_message_get_path (message),
                                           tampered ? tampered : "-");

  f->server_calls++;
  log_event (f, "server %s step=%u", sim_message_get_path (message),
             sim_bus_get_current_step (f->bus));
  sim_message_set_response_text (message, 200, "text/plain", body);
}

/* The API asks the server while answering, then reports the server's status. */
static void
api_handle (gpointer    actor,
            SimMessage *message)
{
  Fixture *f = actor;
  g_autoptr(SimMessage) inner = sim_message_new ("POST", "https://auth.example/introspect");
  g_autofree char *body = NULL;

  sim_message_set_phase (inner, f->nested_phase);
  log_event (f, "api step=%u", sim_bus_get_current_step (f->bus));
  sim_bus_deliver (f->bus, "api", inner);
  log_event (f, "api again step=%u", sim_bus_get_current_step (f->bus));
  g_assert_cmpstr (inner->from, ==, "api");
  g_assert_cmpstr (inner->to, ==, "server");
  body = g_strdup_printf ("inner %u %s", inner->status, sim_phase_to_string (inner->phase));
  sim_message_set_response_text (message, 200, "text/plain", body);
}

/* Calls itself until the bus stops it, then passes the innermost answer outwards. */
static void
loop_handle (gpointer    actor,
             SimMessage *message)
{
  Fixture *f = actor;
  g_autoptr(SimMessage) again = sim_message_new ("GET", "https://loop.example/again");

  f->loop_calls++;
  sim_bus_deliver (f->bus, "loop", again);
  sim_message_set_response_text (message, again->status, "text/plain", "passed on");
}

static void
on_begin (gpointer           data,
          const SimExchange *exchange)
{
  Fixture *f = data;
  log_event (f, "begin %u parent=%u depth=%u %s", exchange->step, exchange->parent,
             exchange->depth, sim_message_get_path (exchange->message));
}

static void
on_end (gpointer           data,
        const SimExchange *exchange)
{
  Fixture *f = data;
  log_event (f, "end %u status=%u", exchange->step, exchange->message->status);
}

static const SimBusObserver observer = { on_begin, on_end };

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->bus = sim_bus_new ();
  f->events = g_ptr_array_new_with_free_func (g_free);
  f->nested_phase = SIM_PHASE_NONE;
  sim_bus_add_actor (f->bus, "server", "https://auth.example", server_handle, f);
  sim_bus_add_actor (f->bus, "api", "https://api.example", api_handle, f);
  sim_bus_add_actor (f->bus, "client", "https://client.example:8443", server_handle, f);
  sim_bus_add_actor (f->bus, "loop", "https://loop.example", loop_handle, f);
  sim_bus_add_observer (f->bus, &observer, f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->bus, sim_bus_free);
  g_clear_pointer (&f->events, g_ptr_array_unref);
}

static void
assert_events (Fixture           *f,
               const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < MIN (n, f->events->len); i++)
    g_assert_cmpstr (f->events->pdata[i], ==, expected[i]);
  g_assert_cmpuint (f->events->len, ==, n);
}

static SimMessage *
deliver (Fixture    *f,
         const char *method,
         const char *uri)
{
  SimMessage *m = sim_message_new (method, uri);
  sim_bus_deliver (f->bus, "browser", m);
  return m;
}

static void
test_actors (Fixture       *f,
             gconstpointer  data)
{
  g_assert_true (sim_bus_get_actor (f->bus, "server") == f);
  g_assert_null (sim_bus_get_actor (f->bus, "nobody"));
  g_assert_cmpstr (sim_bus_get_origin (f->bus, "client"), ==, "https://client.example:8443");
  g_assert_null (sim_bus_get_origin (f->bus, "nobody"));
  g_assert_cmpstr (sim_bus_name_for_origin (f->bus, "https://api.example"), ==, "api");
  g_assert_cmpstr (sim_bus_name_for_origin (f->bus, "HTTPS://API.Example"), ==, "api");
  g_assert_null (sim_bus_name_for_origin (f->bus, "http://api.example"));
  g_assert_null (sim_bus_name_for_origin (f->bus, "https://api.example:8443"));

  /* Origins are kept in lower case. */
  sim_bus_add_actor (f->bus, "mixed", "https://Mixed.Example", server_handle, f);
  g_assert_cmpstr (sim_bus_get_origin (f->bus, "mixed"), ==, "https://mixed.example");
  g_assert_cmpuint (sim_bus_get_step_count (f->bus), ==, 0);
  g_assert_cmpuint (sim_bus_get_current_step (f->bus), ==, 0);
}

static void
test_route (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(SimMessage) m = deliver (f, "POST", "https://auth.example/token");
  g_autofree char *body = sim_message_dup_response_text (m);
  const char *expected[] = {
    "begin 1 parent=0 depth=0 /token", "server /token step=1", "end 1 status=200", NULL
  };

  g_assert_cmpuint (m->status, ==, 200);
  g_assert_cmpstr (body, ==, "/token -");
  g_assert_cmpstr (m->from, ==, "browser");
  g_assert_cmpstr (m->to, ==, "server");
  g_assert_cmpuint (f->server_calls, ==, 1);
  assert_events (f, expected);
  g_assert_cmpuint (sim_bus_get_current_step (f->bus), ==, 0);
}

static void
test_route_host_case (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(SimMessage) m = deliver (f, "GET", "https://AUTH.example/authorize");

  g_assert_cmpuint (m->status, ==, 200);
  g_assert_cmpstr (m->to, ==, "server");
}

static void
test_route_port (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SimMessage) with_port = deliver (f, "GET", "https://client.example:8443/cb");
  g_autoptr(SimMessage) without = deliver (f, "GET", "https://client.example/cb");
  g_autoptr(SimMessage) other_scheme = deliver (f, "GET", "http://auth.example/token");

  g_assert_cmpuint (with_port->status, ==, 200);
  g_assert_cmpstr (with_port->to, ==, "client");
  /* Another port or scheme is another origin. */
  g_assert_cmpuint (without->status, ==, 0);
  g_assert_cmpstr (without->to, ==, "https://client.example");
  g_assert_cmpuint (other_scheme->status, ==, 0);
  g_assert_cmpstr (other_scheme->to, ==, "http://auth.example");
  g_assert_cmpuint (f->server_calls, ==, 1);
}

/* With nobody listening, the bus marks messages quiet and the narration is not written. */
static void
test_quiet_without_observers (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(SimMessage) heard = deliver (f, "GET", "https://nowhere.example/x");
  g_autoptr(SimMessage) unheard = NULL;

  g_assert_false (heard->quiet);
  g_assert_cmpuint (heard->narration->len, ==, 1);
  sim_bus_remove_observer (f->bus, f);
  unheard = deliver (f, "GET", "https://nowhere.example/x");
  g_assert_true (unheard->quiet);
  g_assert_cmpuint (unheard->narration->len, ==, 0);
  g_assert_cmpuint (unheard->status, ==, 0);
}

/* A message made while some bus has an observer may be narrated by its sender before it is
 * delivered; one made while no bus has any starts quiet. */
static void
test_born_quiet (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SimMessage) while_listened = sim_message_new ("GET", "https://auth.example/a");
  g_autoptr(SimMessage) while_unheard = NULL;

  g_assert_false (while_listened->quiet);
  sim_bus_remove_observer (f->bus, f);
  while_unheard = sim_message_new ("GET", "https://auth.example/b");
  g_assert_true (while_unheard->quiet);
  sim_bus_add_observer (f->bus, &observer, f);
  g_clear_pointer (&while_unheard, sim_message_unref);
  while_unheard = sim_message_new ("GET", "https://auth.example/c");
  g_assert_false (while_unheard->quiet);
}

static void
test_route_unknown (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SimMessage) m = deliver (f, "GET", "https://nowhere.example/x");
  const char *expected[] = { "begin 1 parent=0 depth=0 /x", "end 1 status=0", NULL };

  g_assert_cmpuint (m->status, ==, 0);
  g_assert_null (sim_message_get_response_body (m));
  g_assert_cmpstr (m->from, ==, "browser");
  g_assert_cmpstr (m->to, ==, "https://nowhere.example");
  g_assert_cmpuint (m->narration->len, ==, 1);
  g_assert_nonnull (strstr (m->narration->pdata[0], "https://nowhere.example"));
  g_assert_cmpuint (f->server_calls, ==, 0);
  g_assert_cmpuint (sim_bus_get_step_count (f->bus), ==, 1);
  assert_events (f, expected);
}

static void
test_steps (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(SimMessage) a = deliver (f, "GET", "https://auth.example/a");
  g_autoptr(SimMessage) b = deliver (f, "GET", "https://nowhere.example/b");
  g_autoptr(SimMessage) c = deliver (f, "GET", "https://auth.example/c");
  const char *expected[] = {
    "begin 1 parent=0 depth=0 /a", "server /a step=1", "end 1 status=200",
    "begin 2 parent=0 depth=0 /b", "end 2 status=0",
    "begin 3 parent=0 depth=0 /c", "server /c step=3", "end 3 status=200",
    NULL
  };

  g_assert_cmpuint (sim_bus_get_step_count (f->bus), ==, 3);
  g_assert_cmpuint (sim_bus_get_current_step (f->bus), ==, 0);
  assert_events (f, expected);
}

static void
test_nested (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(SimMessage) m = sim_message_new ("GET", "https://api.example/calendar");
  g_autofree char *body = NULL;
  const char *expected[] = {
    "begin 1 parent=0 depth=0 /calendar",
    "api step=1",
    "begin 2 parent=1 depth=1 /introspect",
    "server /introspect step=2",
    "end 2 status=200",
    "api again step=1",
    "end 1 status=200",
    NULL
  };

  sim_message_set_phase (m, SIM_PHASE_ACCESS);
  sim_bus_deliver (f->bus, "client", m);
  body = sim_message_dup_response_text (m);
  /* The nested call had no phase of its own, so it took the access phase. */
  g_assert_cmpstr (body, ==, "inner 200 access");
  g_assert_cmpuint (sim_bus_get_step_count (f->bus), ==, 2);
  g_assert_cmpuint (sim_bus_get_current_step (f->bus), ==, 0);
  assert_events (f, expected);

  /* A second top-level exchange is top-level again. */
  g_clear_pointer (&m, sim_message_unref);
  m = deliver (f, "GET", "https://auth.example/next");
  g_assert_cmpstr (f->events->pdata[7], ==, "begin 3 parent=0 depth=0 /next");
}

static void
test_nested_own_phase (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SimMessage) m = sim_message_new ("GET", "https://api.example/calendar");
  g_autofree char *body = NULL;

  f->nested_phase = SIM_PHASE_REFRESH;
  sim_message_set_phase (m, SIM_PHASE_ACCESS);
  sim_bus_deliver (f->bus, "client", m);
  body = sim_message_dup_response_text (m);
  g_assert_cmpstr (body, ==, "inner 200 refresh");
  g_assert_cmpint (m->phase, ==, SIM_PHASE_ACCESS);
}

static void
test_top_level_phase (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(SimMessage) first = sim_message_new ("GET", "https://auth.example/a");
  g_autoptr(SimMessage) second = sim_message_new ("GET", "https://auth.example/b");

  /* Only a nested message inherits: one after another, phases stay their own. */
  sim_message_set_phase (first, SIM_PHASE_CONSENT);
  sim_bus_deliver (f->bus, "client", first);
  sim_bus_deliver (f->bus, "client", second);
  g_assert_cmpint (first->phase, ==, SIM_PHASE_CONSENT);
  g_assert_cmpint (second->phase, ==, SIM_PHASE_NONE);
}

static void
test_loop (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(SimMessage) m = deliver (f, "GET", "https://loop.example/start");
  g_autofree char *last_begin = NULL;

  /* The bus runs eight levels of handlers and answers the ninth itself. */
  g_assert_cmpuint (f->loop_calls, ==, 8);
  g_assert_cmpuint (m->status, ==, 508);
  g_assert_cmpuint (sim_bus_get_step_count (f->bus), ==, 9);
  g_assert_cmpuint (sim_bus_get_current_step (f->bus), ==, 0);
  last_begin = g_strdup (f->events->pdata[8]);
  g_assert_cmpstr (last_begin, ==, "begin 9 parent=8 depth=8 /again");
  g_assert_cmpstr (f->events->pdata[9], ==, "end 9 status=508");
  g_assert_cmpstr (f->events->pdata[17], ==, "end 1 status=508");
  g_assert_cmpuint (f->events->len, ==, 18);
}

typedef struct
{
  const char *name;
  GPtrArray *log;
} NamedObserver;

static void
named_begin (gpointer           data,
             const SimExchange *exchange)
{
  NamedObserver *o = data;
  g_ptr_array_add (o->log, g_strdup_printf ("%s begin %u", o->name, exchange->step));
}

static void
named_end (gpointer           data,
           const SimExchange *exchange)
{
  NamedObserver *o = data;
  g_ptr_array_add (o->log, g_strdup_printf ("%s end %u", o->name, exchange->step));
}

static const SimBusObserver named_observer = { named_begin, named_end };

static void
test_observers (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  NamedObserver a = { "a", log }, b = { "b", log };
  g_autoptr(SimMessage) first = NULL;
  g_autoptr(SimMessage) second = NULL;

  sim_bus_remove_observer (f->bus, f);
  sim_bus_add_observer (f->bus, &named_observer, &a);
  sim_bus_add_observer (f->bus, &named_observer, &b);
  first = deliver (f, "GET", "https://auth.example/one");
  /* Observers are told in the order they were added. */
  g_assert_cmpuint (log->len, ==, 4);
  g_assert_cmpstr (log->pdata[0], ==, "a begin 1");
  g_assert_cmpstr (log->pdata[1], ==, "b begin 1");
  g_assert_cmpstr (log->pdata[2], ==, "a end 1");
  g_assert_cmpstr (log->pdata[3], ==, "b end 1");

  sim_bus_remove_observer (f->bus, &a);
  second = deliver (f, "GET", "https://auth.example/two");
  g_assert_cmpuint (log->len, ==, 6);
  g_assert_cmpstr (log->pdata[4], ==, "b begin 2");
  g_assert_cmpstr (log->pdata[5], ==, "b end 2");

  /* The fixture's own observer was removed first: only the handler logged. */
  g_assert_cmpuint (f->events->len, ==, 2);
  g_assert_cmpstr (f->events->pdata[0], ==, "server /one step=1");
}

/* Interceptors */

static gboolean
drop_interceptor (gpointer        data,
                  SimBus         *bus,
                  SimMessage     *message,
                  SimTamperStage  stage)
{
  Fixture *f = data;

  f->drop_stage_calls[stage]++;
  log_event (f, "intercept %s %s", stage == SIM_TAMPER_REQUEST ? "request" : "response",
             sim_message_get_path (message));
  return stage != SIM_TAMPER_REQUEST || !g_str_has_prefix (sim_message_get_path (message), "/drop");
}

static void
test_intercept_drop (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SimMessage) dropped = NULL;
  g_autoptr(SimMessage) kept = NULL;
  const char *expected[] = {
    "intercept request /drop",
    "begin 1 parent=0 depth=0 /drop",
    "end 1 status=0",
    "intercept request /keep",
    "begin 2 parent=0 depth=0 /keep",
    "server /keep step=2",
    "intercept response /keep",
    "end 2 status=200",
    NULL
  };

  sim_bus_set_interceptor (f->bus, drop_interceptor, f);
  dropped = deliver (f, "POST", "https://auth.example/drop");
  kept = deliver (f, "POST", "https://auth.example/keep");

  g_assert_cmpuint (dropped->status, ==, 0);
  g_assert_null (sim_message_get_response_body (dropped));
  g_assert_cmpuint (dropped->narration->len, ==, 1);
  g_assert_cmpstr (dropped->to, ==, "server");
  g_assert_cmpuint (kept->status, ==, 200);
  /* The receiver never saw the dropped message, and the step still counts. */
  g_assert_cmpuint (f->server_calls, ==, 1);
  g_assert_cmpuint (sim_bus_get_step_count (f->bus), ==, 2);
  g_assert_cmpuint (f->drop_stage_calls[SIM_TAMPER_REQUEST], ==, 2);
  g_assert_cmpuint (f->drop_stage_calls[SIM_TAMPER_RESPONSE], ==, 1);
  assert_events (f, expected);
}

static gboolean
drop_introspect (gpointer        data,
                 SimBus         *bus,
                 SimMessage     *message,
                 SimTamperStage  stage)
{
  return stage != SIM_TAMPER_REQUEST || strcmp (sim_message_get_path (message), "/introspect") != 0;
}

static void
test_intercept_drop_nested (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(SimMessage) m = sim_message_new ("GET", "https://api.example/calendar");
  g_autoptr(SimMessage) after = NULL;
  g_autofree char *body = NULL;
  const char *expected[] = {
    "begin 1 parent=0 depth=0 /calendar",
    "api step=1",
    "begin 2 parent=1 depth=1 /introspect",
    "end 2 status=0",
    "api again step=1",
    "end 1 status=200",
    "begin 3 parent=0 depth=0 /after",
    "server /after step=3",
    "end 3 status=200",
    NULL
  };

  sim_bus_set_interceptor (f->bus, drop_introspect, NULL);
  sim_message_set_phase (m, SIM_PHASE_ACCESS);
  sim_bus_deliver (f->bus, "client", m);
  /* The API saw its own call lost; its answer still reached the client. */
  body = sim_message_dup_response_text (m);
  g_assert_cmpstr (body, ==, "inner 0 access");
  g_assert_cmpuint (m->status, ==, 200);
  g_assert_cmpuint (f->server_calls, ==, 0);

  /* A dropped nested message leaves nothing "under way": the next one is top-level. */
  after = deliver (f, "GET", "https://auth.example/after");
  g_assert_cmpuint (sim_bus_get_current_step (f->bus), ==, 0);
  assert_events (f, expected);
}

static gboolean
modify_interceptor (gpointer        data,
                    SimBus         *bus,
                    SimMessage     *message,
                    SimTamperStage  stage)
{
  if (stage == SIM_TAMPER_REQUEST)
    sim_headers_replace (message->request_headers, "X-Tampered", "yes");
  else
    {
      sim_message_set_response_text (message, 418, "text/plain", "changed on the way back");
      sim_message_narrate (message, "tampered");
    }
  return TRUE;
}

static void
test_intercept_modify (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SimMessage) m = NULL;
  g_autofree char *body = NULL;
  const char *expected[] = {
    "begin 1 parent=0 depth=0 /token",
    "server /token step=1",
    "end 1 status=418",
    NULL
  };

  sim_bus_set_interceptor (f->bus, modify_interceptor, NULL);
  m = deliver (f, "POST", "https://auth.example/token");
  /* The receiver saw the changed request... */
  g_assert_cmpstr (sim_headers_get_one (m->request_headers, "X-Tampered"), ==, "yes");
  /* ...and the sender (and the observers, after it) the changed response. */
  g_assert_cmpuint (m->status, ==, 418);
  body = sim_message_dup_response_text (m);
  g_assert_cmpstr (body, ==, "changed on the way back");
  g_assert_cmpuint (m->narration->len, ==, 1);
  assert_events (f, expected);

  /* Without the interceptor, messages pass untouched. */
  sim_bus_set_interceptor (f->bus, NULL, NULL);
  g_clear_pointer (&m, sim_message_unref);
  g_clear_pointer (&body, g_free);
  m = deliver (f, "POST", "https://auth.example/token");
  body = sim_message_dup_response_text (m);
  g_assert_cmpuint (m->status, ==, 200);
  g_assert_cmpstr (body, ==, "/token -");
}

typedef struct
{
  guint requests;
  guint responses;
  GString *paths;
} Counter;

static gboolean
count_interceptor (gpointer        data,
                   SimBus         *bus,
                   SimMessage     *message,
                   SimTamperStage  stage)
{
  Counter *c = data;
  if (stage == SIM_TAMPER_REQUEST)
    c->requests++;
  else
    c->responses++;
  g_string_append_printf (c->paths, "%c%s ", stage == SIM_TAMPER_REQUEST ? '>' : '<',
                          sim_message_get_path (message));
  return TRUE;
}

static void
test_intercept_nested (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GString) paths = g_string_new (NULL);
  Counter counter = { 0, 0, paths };
  g_autoptr(SimMessage) m = NULL;

  sim_bus_set_interceptor (f->bus, count_interceptor, &counter);
  m = deliver (f, "GET", "https://api.example/calendar");
  g_assert_cmpuint (counter.requests, ==, 2);
  g_assert_cmpuint (counter.responses, ==, 2);
  g_assert_cmpstr (paths->str, ==, ">/calendar >/introspect </introspect </calendar ");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/sim/bus/actors", test_actors);
  ADD ("/sim/bus/route/origin", test_route);
  ADD ("/sim/bus/route/host-case", test_route_host_case);
  ADD ("/sim/bus/route/port-and-scheme", test_route_port);
  ADD ("/sim/bus/route/unknown", test_route_unknown);
  ADD ("/sim/bus/quiet", test_quiet_without_observers);
  ADD ("/sim/bus/quiet/born", test_born_quiet);
  ADD ("/sim/bus/steps", test_steps);
  ADD ("/sim/bus/nested", test_nested);
  ADD ("/sim/bus/nested/own-phase", test_nested_own_phase);
  ADD ("/sim/bus/nested/top-level-phase", test_top_level_phase);
  ADD ("/sim/bus/nested/loop", test_loop);
  ADD ("/sim/bus/observers", test_observers);
  ADD ("/sim/bus/intercept/drop", test_intercept_drop);
  ADD ("/sim/bus/intercept/drop-nested", test_intercept_drop_nested);
  ADD ("/sim/bus/intercept/modify", test_intercept_modify);
  ADD ("/sim/bus/intercept/nested", test_intercept_nested);
#undef ADD

  return g_test_run ();
}
