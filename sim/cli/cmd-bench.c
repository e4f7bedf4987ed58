/* cmd-bench.c: `oauth-sim bench`: how fast the simulator plays complete flows, and whether its
 * memory follows the live state rather than the history.
 *
 * One world (one server, one API) serves every flow. Each flow is the classic lesson played by
 * a fresh client and one owner from a pool: registration, consent, code exchange with PKCE, API
 * access with introspection, an hour later a refresh with rotation, access again. The flow ends
 * with the client's registration deleted (as RFC 7592 §2.3 would), so that the server does not
 * keep one client per flow forever. The simulated clock moves an hour per flow, so codes,
 * tokens and grants expire and the server can forget them. Everything goes through the actors
 * and the bus, as a scenario does; the first pass has no tracer at all, the second writes the
 * JSON Lines trace to /dev/null.
 */
#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <inttypes.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#ifdef HAVE_MIMALLOC
#include <mimalloc.h>
#endif
#include "sim/cli/cli.h"
#include "sim/tracer.h"
#include "actors/api.h"
#include "actors/auth-server.h"
#include "actors/client.h"
#include "actors/resource-owner.h"

#define START_TIME 1772442000  /* 2026-03-02T09:00:00Z, the classic lesson's start */
#define SERVER_ORIGIN "https://auth.example"
#define API_ORIGIN "https://api.example"
#define CLIENT_ORIGIN "https://client.example"
#define N_OWNERS 100
#define HOUR_AND_A_SECOND 3601

typedef struct
{
  SimWorld *world;
  AuthServer *server;
  CalendarApi *api;
  ClientConfig client_config;
  ClientApp *client;               /* the client of the flow under way */
  ResourceOwner *owners[N_OWNERS];
  SimTracer *tracer;               /* (nullable) */
  FILE *sink_stream;               /* (nullable) */
} Bench;

/* The bus knows one client origin; it answers for whichever client is playing its flow. */
static void
bench_client_handle (gpointer    data,
                     SimMessage *message)
{
  Bench *self = data;
  client_app_handle (self->client, message);
}

static void
bench_free (Bench *self)
{
  if (!self)
    return;
  g_clear_pointer (&self->tracer, sim_tracer_free);
  if (self->sink_stream)
    fclose (self->sink_stream);
  for (guint i = 0; i < N_OWNERS; i++)
    resource_owner_free (self->owners[i]);
  client_config_clear (&self->client_config);
  calendar_api_free (self->api);
  auth_server_free (self->server);
  sim_world_free (self->world);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Bench, bench_free)

static Bench *
bench_new (gboolean  traced,
           GError  **error)
{
  g_autoptr(Bench) self = g_new0 (Bench, 1);
  AuthServerConfig server_config;
  g_autofree char *api_secret = NULL;

  self->world = sim_world_new (sim_clock_new_simulated (START_TIME), sim_rng_new_seeded (42));

  auth_server_config_init (&server_config);
  self->server = auth_server_new (self->world, &server_config);
  auth_server_config_clear (&server_config);
  auth_server_add_scope (self->server, "calendar.read", "See your calendar events");
  auth_server_add_scope (self->server, "calendar.write", "Add events to your calendar");
  api_secret = sim_rng_token (self->world->rng, "rs_", 18);
  auth_server_add_resource (self->server, "calendar-api", api_secret);
  self->api = calendar_api_new (self->world, API_ORIGIN, SERVER_ORIGIN "/introspect",
                                "calendar-api", api_secret);

  for (guint i = 0; i < N_OWNERS; i++)
    {
      OwnerConfig owner;
      owner_config_init (&owner);
      g_free (owner.username);
      owner.username = g_strdup_printf ("owner%02u", i);
      owner.approve_scopes = g_strdup ("calendar.read");
      auth_server_add_user (self->server, owner.username, owner.password);
      calendar_api_add_event (self->api, owner.username, "Team meeting", "2026-03-02T10:00:00Z");
      calendar_api_add_event (self->api, owner.username, "Dentist", "2026-03-03T15:30:00Z");
      self->owners[i] = resource_owner_new (self->world, &owner);
      owner_config_clear (&owner);
    }

  client_config_init (&self->client_config);
  g_free (self->client_config.scope);
  self->client_config.scope = g_strdup ("calendar.read calendar.write");

  sim_bus_add_actor (self->world->bus, "auth-server", SERVER_ORIGIN, auth_server_handle, self->server);
  sim_bus_add_actor (self->world->bus, "api", API_ORIGIN, calendar_api_handle, self->api);
  sim_bus_add_actor (self->world->bus, "client", CLIENT_ORIGIN, bench_client_handle, self);

  if (traced)
    {
      self->sink_stream = fopen ("/dev/null", "w");
      if (self->sink_stream == NULL)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       _("cannot open /dev/null: %s"), g_strerror (errno));
          return NULL;
        }
      self->tracer = sim_tracer_new (self->world->bus, self->world->clock);
      sim_tracer_add_sink (self->tracer, sim_sink_jsonl_new (), self->sink_stream);
    }
  return g_steal_pointer (&self);
}

/* Takes @message (transfer full) and tells whether it ended with @status. */
static gboolean
ended_with (SimMessage *message,
            guint       status)
{
  gboolean ok = message != NULL && message->status == status;
  g_clear_pointer (&message, sim_message_unref);
  return ok;
}

/* One complete flow; FALSE, naming the stage, if any exchange did not answer as it should. */
static gboolean
bench_flow (Bench       *self,
            guint        index,
            const char **failed_stage)
{
  ResourceOwner *owner = self->owners[index % N_OWNERS];
  gboolean ok = FALSE;

  self->client = client_app_new (self->world, &self->client_config);
  if (!ended_with (client_app_register (self->client), SOUP_STATUS_CREATED))
    *failed_stage = "registration";
  else if (!ended_with (resource_owner_visit (owner, CLIENT_ORIGIN "/connect", SIM_PHASE_CONSENT),
                        SOUP_STATUS_OK))
    *failed_stage = "connect";
  else if (!ended_with (resource_owner_consent (owner, NULL, -1, NULL), SOUP_STATUS_OK)
           || client_app_get_held (self->client, "access_token") == NULL)
    *failed_stage = "consent and code exchange";
  else if (!ended_with (client_app_call_api (self->client, "GET", "/calendar/events", NULL),
                        SOUP_STATUS_OK))
    *failed_stage = "access";
  else
    {
      sim_clock_advance (self->world->clock, HOUR_AND_A_SECOND);
      if (!ended_with (client_app_refresh (self->client, NULL), SOUP_STATUS_OK))
        *failed_stage = "refresh";
      else if (!ended_with (client_app_call_api (self->client, "GET", "/calendar/events", NULL),
                            SOUP_STATUS_OK))
        *failed_stage = "access after refresh";
      else
        ok = TRUE;
    }
  if (client_app_get_held (self->client, "client_id"))
    auth_server_remove_client (self->server, client_app_get_held (self->client, "client_id"));
  g_clear_pointer (&self->client, client_app_free);
  return ok;
}

typedef struct
{
  double seconds;      /* wall clock */
  double cpu_seconds;  /* this process's CPU time */
  guint messages;
  guint live;          /* codes, tokens and pending requests the server still holds at the end */
} PassResult;

static double
cpu_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static gboolean
bench_pass (gboolean     traced,
            guint        flows,
            PassResult  *result,
            GError     **error)
{
  g_autoptr(Bench) bench = bench_new (traced, error);
  const char *stage = NULL;
  gint64 start;
  double cpu_start;

  if (bench == NULL)
    return FALSE;
  start = g_get_monotonic_time ();
  cpu_start = cpu_now ();
  for (guint i = 0; i < flows; i++)
    if (!bench_flow (bench, i, &stage))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     _("flow %u failed at its %s; nothing to measure"), i + 1, stage);
        return FALSE;
      }
  result->seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  result->cpu_seconds = cpu_now () - cpu_start;
  result->messages = sim_bus_get_step_count (bench->world->bus);
  result->live = auth_server_count_live (bench->server);
  return TRUE;
}

static long
peak_rss_kb (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;
  return usage.ru_maxrss;  /* Linux: kilobytes */
}

/* 0 for a pass that did not run. */
static double
per_second (double count,
            double seconds)
{
  return seconds > 0 ? count / seconds : 0;
}

static void
add_number (GString    *out,
            const char *name,
            const char *format,
            double      value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append_printf (out, ", \"%s\": %s", name,
                          g_ascii_formatd (buffer, sizeof buffer, format, value));
}

/* The allocator the program runs on (meson option mimalloc). */
static const char *
allocator_name (void)
{
#ifdef HAVE_MIMALLOC
  static char name[32];
  int version = mi_version ();

  g_snprintf (name, sizeof name, "mimalloc %d.%d.%d", version / 100, version / 10 % 10, version % 10);
  return name;
#else
  return "glibc malloc";
#endif
}

/* Numbers written with g_ascii_formatd, the same in every locale. */
static void
print_json (guint64           flows,
            const PassResult *plain,
            const PassResult *traced,
            long              rss)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_string_append_printf (out, "{\"flows\": %" G_GUINT64_FORMAT, flows);
  add_number (out, "seconds", "%.6f", plain->seconds);
  add_number (out, "flows_per_sec", "%.1f", per_second (flows, plain->seconds));
  add_number (out, "us_per_flow", "%.3f", plain->seconds * 1e6 / (double) flows);
  add_number (out, "traced_flows_per_sec", "%.1f", per_second (flows, traced->seconds));
  g_string_append_printf (out, ", \"peak_rss_kb\": %ld", rss);
  g_string_append_printf (out, ", \"messages_per_flow\": %" G_GUINT64_FORMAT,
                          MAX (plain->messages, traced->messages) / flows);
  add_number (out, "traced_seconds", "%.6f", traced->seconds);
  add_number (out, "cpu_seconds", "%.6f", plain->cpu_seconds);
  g_string_append_printf (out, ", \"live_records\": %u", MAX (plain->live, traced->live));
  g_string_append_printf (out, ", \"allocator\": \"%s\"}", allocator_name ());
  printf ("%s\n", out->str);
}

int
cli_bench (int    argc,
           char **argv)
{
  gint64 flows = 100000;
  gboolean json = FALSE;
  g_autofree char *pass = NULL;
  gboolean run_plain, run_traced;
  GOptionEntry entries[] = {
    { "flows", 0, 0, G_OPTION_ARG_INT64, &flows, N_("Play N flows in each pass (default 100000)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("End with one line of JSON holding the figures"), NULL },
    { "pass", 0, 0, G_OPTION_ARG_STRING, &pass,
      N_("Play only the untraced or the traced pass, for a profiler (default both)"), N_("PASS") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = cli_context_new ("bench");
  g_autoptr(GError) error = NULL;
  PassResult plain = { 0 }, traced = { 0 };
  const PassResult *first;
  long rss;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context, _("Plays N complete flows of the classic lesson in one world (registration, consent, code exchange with PKCE, access with introspection, refresh with rotation, access again), first with no tracer, then with the JSON Lines trace written to /dev/null, and prints flows per second, microseconds per flow, messages per second and peak memory. The simulated clock moves an hour per flow, so expired codes and tokens are forgotten as it goes."));
  if (!cli_parse (context, &argc, &argv, &error))
    return cli_usage_error ("bench", error->message);
  if (argc != 1)
    return cli_usage_error ("bench", _("bench takes no FILE"));
  if (flows < 1 || flows > G_MAXUINT32 / 16)
    return cli_usage_error ("bench", _("--flows takes a whole number from 1 to 268435455"));

  run_plain = pass == NULL || strcmp (pass, "both") == 0 || strcmp (pass, "untraced") == 0;
  run_traced = pass == NULL || strcmp (pass, "both") == 0 || strcmp (pass, "traced") == 0;
  if (!run_plain && !run_traced)
    return cli_usage_error ("bench", _("--pass takes untraced, traced or both"));

  if ((run_plain && !bench_pass (FALSE, (guint) flows, &plain, &error))
      || (run_traced && !bench_pass (TRUE, (guint) flows, &traced, &error)))
    {
      cli_error ("%s", error->message);
      return CLI_TROUBLE;
    }
  rss = peak_rss_kb ();
  first = run_plain ? &plain : &traced;
  printf (_("%" PRId64 " flows of %u messages each, one world, the clock moving an hour per flow\n"),
          flows, first->messages / (guint) flows);
  if (run_plain)
    printf (_("untraced: %10.0f flows/s  %8.2f µs/flow  %10.0f messages/s  (%.2f s, %.2f s CPU)\n"),
            per_second (flows, plain.seconds), plain.seconds * 1e6 / (double) flows,
            per_second (plain.messages, plain.seconds), plain.seconds, plain.cpu_seconds);
  if (run_traced)
    printf (_("traced:   %10.0f flows/s  %8.2f µs/flow  %10.0f messages/s  (%.2f s, %.2f s CPU; JSON Lines to /dev/null)\n"),
            per_second (flows, traced.seconds), traced.seconds * 1e6 / (double) flows,
            per_second (traced.messages, traced.seconds), traced.seconds, traced.cpu_seconds);
  printf (_("peak RSS: %ld kB; the server still holds %u codes, tokens and requests\n"), rss, first->live);
  printf (_("allocator: %s\n"), allocator_name ());
  if (json)
    print_json ((guint64) flows, &plain, &traced, rss);
  return CLI_OK;
}
