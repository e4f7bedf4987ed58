/* cmd-serve.c: `oauth-sim serve`: the lesson's world on real HTTP, for real browsers.
 *
 * The same actors as in a simulation, built the same way as sim/scenario/run.c builds them,
 * but with the real clock, the kernel's entropy, and http://127.0.0.1:PORT origins; the
 * transport (sim/transport-http.c) puts each behind its own SoupServer. The first three lines
 * on stdout name the three servers; the live trace follows. SIGINT or SIGTERM stops it.
 */
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/tracer.h"
#include "sim/transport-http.h"
#include "actors/api.h"

#define DEFAULT_PORT 9400
#define RESOURCE_ID "calendar-api"

typedef struct
{
  gint port;
  char *host;
  char *scenario;
  char *format;
} ServeOptions;

static void
serve_options_clear (ServeOptions *options)
{
  g_clear_pointer (&options->host, g_free);
  g_clear_pointer (&options->scenario, g_free);
  g_clear_pointer (&options->format, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ServeOptions, serve_options_clear)

/* The actors, and what the phase guess needs to know about the client. */
typedef struct
{
  SimWorld *world;
  AuthServer *server;
  CalendarApi *api;
  ClientApp *client;
  char *callback_path;
} Serve;

static void
serve_clear (Serve *serve)
{
  g_clear_pointer (&serve->client, client_app_free);
  g_clear_pointer (&serve->api, calendar_api_free);
  g_clear_pointer (&serve->server, auth_server_free);
  g_clear_pointer (&serve->world, sim_world_free);
  g_clear_pointer (&serve->callback_path, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Serve, serve_clear)

/* The live trace, written by a thread of its own.
 *
 * The tracer writes and flushes each step as the sinks render it, twice a step, from the actor
 * thread that answers: under load that is two write() calls a request on the busiest thread,
 * each waking whoever reads the terminal or the pipe. Here the sink's text goes to a buffer and
 * a writer thread writes what has gathered: at once when it was waiting, so a step appears when
 * it happens, and at most every LIVE_PAUSE_US while steps keep coming, so that under load one
 * write carries many steps. The bytes and their order are the same; only the write() calls are
 * fewer. */

#define LIVE_PAUSE_US 5000
/* A batch this large is followed by the next one at once, without the pause: under wrk the
 * trace comes at 30 MB/s, and a pause would let the pending text reach LIVE_MAX_PENDING. */
#define LIVE_BATCH (64 * 1024)
/* A reader slower than the steps (a terminal scrolling), or a writer thread kept off the cores
 * for more than about 30 ms under wrk, holds the actors back, as a blocking write() did,
 * instead of letting the buffer grow: beyond this, a step waits for the writer. */
#define LIVE_MAX_PENDING (1024 * 1024)

typedef struct
{
  SimSink parent;          /* its out stays empty: the tracer has nothing to write */
  SimSink *inner;          /* (owned) the text or JSON Lines sink */
  FILE *stream;
  GThread *writer;         /* (nullable) once stopped */
  GMutex lock;
  GCond wake;
  GCond taken;             /* the writer has taken the pending text */
  GString *pending;        /* under the lock: rendered, not yet written */
  gboolean waiting;        /* under the lock: the writer waits for text */
  gboolean stopping;       /* under the lock: write what is left and end */
} LiveSink;

static gpointer
live_writer (gpointer data)
{
  LiveSink *self = data;
  g_autoptr(GString) writing = g_string_new (NULL);

  g_mutex_lock (&self->lock);
  for (;;)
    {
      GString *swap;

      while (self->pending->len == 0 && !self->stopping)
        {
          self->waiting = TRUE;
          g_cond_wait (&self->wake, &self->lock);
          self->waiting = FALSE;
        }
      if (self->pending->len == 0)
        break;
      swap = self->pending;
      self->pending = writing;
      writing = swap;
      g_cond_broadcast (&self->taken);
      g_mutex_unlock (&self->lock);

      fwrite (writing->str, 1, writing->len, self->stream);
      fflush (self->stream);
      /* Let the next steps gather; a step that comes while nothing else does is written at
       * once, since the writer is then waiting. */
      if (writing->len < LIVE_BATCH)
        g_usleep (LIVE_PAUSE_US);
      g_string_truncate (writing, 0);

      g_mutex_lock (&self->lock);
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* Called under the bus's lock, after the inner sink has rendered something. */
static void
live_take (LiveSink *self)
{
  GString *out = self->inner->out;

  if (out->len == 0)
    return;
  g_mutex_lock (&self->lock);
  while (self->pending->len > LIVE_MAX_PENDING && !self->stopping)
    g_cond_wait (&self->taken, &self->lock);
  g_string_append_len (self->pending, out->str, out->len);
  if (self->waiting)
    g_cond_signal (&self->wake);
  g_mutex_unlock (&self->lock);
  g_string_truncate (out, 0);
}

/* Ends the writer once it has written everything, then writes what came after. */
static void
live_stop (LiveSink *self)
{
  if (self->writer)
    {
      g_mutex_lock (&self->lock);
      self->stopping = TRUE;
      g_cond_signal (&self->wake);
      g_cond_broadcast (&self->taken);
      g_mutex_unlock (&self->lock);
      g_thread_join (g_steal_pointer (&self->writer));
    }
  if (self->pending->len > 0)
    {
      fwrite (self->pending->str, 1, self->pending->len, self->stream);
      fflush (self->stream);
      g_string_truncate (self->pending, 0);
    }
}

static void
live_begin (SimSink            *sink,
            const SimTraceStep *step)
{
  LiveSink *self = (LiveSink *) sink;

  if (self->inner->klass->begin)
    self->inner->klass->begin (self->inner, step);
  live_take (self);
}

static void
live_end (SimSink            *sink,
          const SimTraceStep *step)
{
  LiveSink *self = (LiveSink *) sink;

  if (self->inner->klass->end)
    self->inner->klass->end (self->inner, step);
  live_take (self);
}

static void
live_remark (SimSink    *sink,
             SimRemark   kind,
             const char *text)
{
  LiveSink *self = (LiveSink *) sink;

  if (self->inner->klass->remark)
    self->inner->klass->remark (self->inner, kind, text);
  live_take (self);
}

/* The last words, and everything before them, are written when this returns. */
static void
live_finish (SimSink *sink)
{
  LiveSink *self = (LiveSink *) sink;

  if (self->inner->klass->finish)
    self->inner->klass->finish (self->inner);
  live_take (self);
  live_stop (self);
}

static void
live_destroy (SimSink *sink)
{
  LiveSink *self = (LiveSink *) sink;

  live_stop (self);
  sim_sink_free (self->inner);
  g_string_free (self->pending, TRUE);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->wake);
  g_cond_clear (&self->taken);
  g_free (self);
}

static const SimSinkClass live_sink_class = {
  .begin = live_begin,
  .end = live_end,
  .remark = live_remark,
  .finish = live_finish,
  .destroy = live_destroy,
};

/* Returns: (transfer full): a sink that renders with @inner and writes to @stream from a
 * thread of its own. Give it to the tracer with no stream. */
static SimSink *
live_sink_new (SimSink *inner,
               FILE    *stream)
{
  LiveSink *self = g_new0 (LiveSink, 1);

  self->parent.klass = &live_sink_class;
  self->parent.out = g_string_new (NULL);
  self->inner = inner;
  self->stream = stream;
  self->pending = g_string_new (NULL);
  g_mutex_init (&self->lock);
  g_cond_init (&self->wake);
  g_cond_init (&self->taken);
  self->writer = g_thread_new ("trace-writer", live_writer, self);
  return &self->parent;
}

/* A request from a browser or another program carries no phase; in the simulation the owner's
 * browser names one with each action. This is the same naming, from the path. */
static SimPhase
outside_phase (gpointer    data,
               const char *actor,
               SimMessage *message)
{
  Serve *serve = data;
  const char *path = sim_message_get_path (message);

  if (strcmp (actor, "api") == 0)
    return SIM_PHASE_ACCESS;
  if (strcmp (actor, "client") == 0)
    {
      if (strcmp (path, serve->callback_path) == 0)
        return SIM_PHASE_CODE_EXCHANGE;
      if (strcmp (path, "/calendar") == 0)
        return SIM_PHASE_ACCESS;
      return SIM_PHASE_CONSENT;
    }
  if (strcmp (path, "/register") == 0 || g_str_has_prefix (path, "/.well-known/"))
    return SIM_PHASE_REGISTRATION;
  if (strcmp (path, "/authorize") == 0 || strcmp (path, "/consent") == 0)
    return SIM_PHASE_CONSENT;
  if (strcmp (path, "/introspect") == 0)
    return SIM_PHASE_ACCESS;
  if (strcmp (path, "/revoke") == 0)
    return SIM_PHASE_REVOCATION;
  if (strcmp (path, "/token") == 0)
    {
      g_autoptr(SimParams) form = sim_message_get_form (message, NULL);
      const char *grant = form ? sim_params_get (form, "grant_type") : NULL;
      return g_strcmp0 (grant, "refresh_token") == 0 ? SIM_PHASE_REFRESH : SIM_PHASE_CODE_EXCHANGE;
    }
  return SIM_PHASE_NONE;
}

/* Runs in the client's thread before it answers anyone: a real client registers first. */
static gboolean
register_client (gpointer   actor,
                 GError   **error)
{
  g_autoptr(SimMessage) message = client_app_register (actor);

  if (message->status != SOUP_STATUS_CREATED)
    {
      const char *why = client_app_get_held (actor, "error");
      g_set_error (error, SIM_HTTP_ERROR, SIM_HTTP_ERROR_START,
                   _("registration answered %u (%s)"), message->status, why ? why : "?");
      return FALSE;
    }
  return TRUE;
}

static void
add_default_events (CalendarApi *api,
                    const char  *owner)
{
  /* The same two events as a simulation without events of its own (sim/scenario/run.c). */
  calendar_api_add_event (api, owner, "Team meeting", "2026-03-02T10:00:00Z");
  calendar_api_add_event (api, owner, "Dentist", "2026-03-03T15:30:00Z");
}

static char *
path_of (const char *uri,
         const char *fallback)
{
  g_autoptr(GUri) parsed = uri ? g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL) : NULL;
  const char *path = parsed ? g_uri_get_path (parsed) : NULL;
  return g_strdup (path && *path ? path : fallback);
}

/* Builds the scenario's world at the given origins; see sim_run_new() for the simulation. */
static void
build_world (Serve       *serve,
             SimScenario *scenario,
             SimHttp     *http,
             const char  *server_origin,
             const char  *api_origin,
             const char  *client_origin)
{
  AuthServerConfig server = scenario->server;
  ClientConfig client = scenario->client;
  g_autofree char *api_secret = sim_rng_token (serve->world->rng, "rs_", 18);
  g_autofree char *introspect = g_strconcat (server_origin, "/introspect", NULL);
  g_autofree char *redirect_uri = NULL;

  server.issuer = (char *) server_origin;
  serve->server = auth_server_new (serve->world, &server);
  auth_server_add_user (serve->server, scenario->owner.username, scenario->owner.password);
  auth_server_set_user_claims (serve->server, scenario->owner.username, scenario->owner.name,
                               scenario->owner.email);
  for (guint i = 0; i < scenario->scopes->len; i++)
    {
      SimScope *scope = scenario->scopes->pdata[i];
      auth_server_add_scope (serve->server, scope->name, scope->description);
    }
  auth_server_add_resource (serve->server, RESOURCE_ID, api_secret);

  serve->api = calendar_api_new (serve->world, api_origin, introspect, RESOURCE_ID, api_secret);
  if (server.dpop)
    calendar_api_set_dpop (serve->api, server.dpop_nonce);
  if (scenario->events->len == 0)
    add_default_events (serve->api, scenario->owner.username);
  for (guint i = 0; i < scenario->events->len; i++)
    {
      SimEvent *event = scenario->events->pdata[i];
      calendar_api_add_event (serve->api, event->owner, event->title, event->start);
    }

  serve->callback_path = path_of (scenario->client.redirect_uri, "/callback");
  redirect_uri = g_strconcat (client_origin, serve->callback_path, NULL);
  client.origin = (char *) client_origin;
  client.redirect_uri = redirect_uri;
  client.server = (char *) server_origin;
  client.api = (char *) api_origin;
  serve->client = client_app_new (serve->world, &client);

  sim_http_add_actor (http, "auth-server", auth_server_handle, serve->server, NULL);
  sim_http_add_actor (http, "api", calendar_api_handle, serve->api, NULL);
  sim_http_add_actor (http, "client", client_app_handle, serve->client, register_client);
  sim_http_set_phase_func (http, outside_phase, serve);
}

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

/* Serves @scenario's world until @loop quits; returns the exit status. */
static int
serve_scenario (SimScenario  *scenario,
                ServeOptions *options,
                GMainLoop    *loop)
{
  /* Freed last: the transport and the tracer below use its world. */
  g_auto(Serve) serve = { 0 };
  g_autoptr(SimHttp) http = NULL;
  g_autoptr(SimTracer) tracer = NULL;
  g_autoptr(GError) error = NULL;
  SimSink *sink;
  static const char *const names[] = { "auth-server", "api", "client" };
  const char *host = options->host ? options->host : "127.0.0.1";
  const char *origins[G_N_ELEMENTS (names)];

  serve.world = sim_world_new (sim_clock_new_real (), sim_rng_new_system ());
  http = sim_http_new (serve.world->bus);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      guint port = options->port ? (guint) options->port + i : 0;
      origins[i] = sim_http_listen (http, names[i], host, port, &error);
      if (origins[i] == NULL)
        {
          cli_error ("%s", error->message);
          return CLI_TROUBLE;
        }
    }
  build_world (&serve, scenario, http, origins[0], origins[1], origins[2]);

  tracer = sim_tracer_new (serve.world->bus, serve.world->clock);
  if (g_strcmp0 (options->format, "jsonl") == 0)
    sink = sim_sink_jsonl_new ();
  else
    {
      SimTextOptions text = cli_text_options (FALSE);
      sink = sim_sink_text_new (&text);
    }
  sim_tracer_add_sink (tracer, live_sink_new (sink, stdout), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    printf ("%s %s\n", names[i], origins[i]);
  fflush (stdout);
  /* No actor's thread runs yet, so nothing else writes to the sinks. */
  sim_tracer_remark (tracer, SIM_REMARK_TITLE, _("Serve mode: %s"), scenario->title);
  sim_tracer_remark (tracer, SIM_REMARK_TEXT,
                     _("Open %s/ in a browser and sign in as %s, password %s. Every request that any browser or program makes to these three servers appears below as a step. Ctrl+C stops."),
                     origins[2], scenario->owner.username, scenario->owner.password);

  if (!sim_http_start (http, &error))
    {
      cli_error ("%s", error->message);
      return CLI_TROUBLE;
    }
  g_main_loop_run (loop);

  /* Every thread has ended before the tracer writes its last words. */
  sim_http_stop (http);
  sim_tracer_finish (tracer);
  fflush (stdout);
  return CLI_OK;
}

int
cli_serve (int    argc,
           char **argv)
{
  g_auto(ServeOptions) options = { DEFAULT_PORT, NULL, NULL, NULL };
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &options.port,
      N_("The authorization server's port; the API takes N+1 and the client N+2 (default 9400; 0: any free ports)"), N_("N") },
    { "host", 0, 0, G_OPTION_ARG_STRING, &options.host,
      N_("The IPv4 address to serve on (default 127.0.0.1)"), N_("ADDR") },
    { "scenario", 0, 0, G_OPTION_ARG_FILENAME, &options.scenario,
      N_("Take the owner, scopes, events and settings from a scenario FILE instead of the classic lesson"), N_("FILE") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &options.format,
      N_("Trace format: text (default) or jsonl"), N_("FORMAT") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = cli_context_new ("serve");
  g_autoptr(GError) error = NULL;
  g_autoptr(SimScenario) scenario = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  guint sigint, sigterm;
  int status;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  cli_add_profile_option (context, FALSE);
  g_option_context_set_description (context, _("Serves the authorization server, the API and the demo client over real HTTP, each on its own port, with the same actors and checks as the simulation. Open the client's URL in a browser and sign in as the scenario's owner (alice, password wonderland, in the classic lesson). The first three lines name the servers; the live trace follows. Ctrl+C stops it."));
  if (!cli_parse (context, &argc, &argv, &error))
    return cli_usage_error ("serve", error->message);
  if (argc != 1)
    return cli_usage_error ("serve", _("serve takes no FILE; use --scenario FILE"));
  if (options.port < 0 || options.port > 65533)
    return cli_usage_error ("serve", _("--port takes a number from 0 to 65533 (the API and the client use the next two)"));
  if (options.format && strcmp (options.format, "jsonl") != 0 && strcmp (options.format, "text") != 0)
    {
      g_autofree char *message = g_strdup_printf (_("unknown format “%s”; expected text or jsonl"), options.format);
      return cli_usage_error ("serve", message);
    }

  scenario = options.scenario ? cli_load_scenario (options.scenario, &error)
                              : cli_load_builtin ("classic", &error);
  if (scenario == NULL)
    {
      cli_error ("%s", error->message);
      return CLI_TROUBLE;
    }

  /* Before any thread starts: a signal that comes during start-up is seen when the loop runs. */
  loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, on_signal, loop);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, loop);
  status = serve_scenario (scenario, &options, loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  return status;
}
