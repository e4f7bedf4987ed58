/* cmd-run.c: `oauth-sim run FILE` and `oauth-sim demo`: play a scenario and show its trace. */
#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "sim/scenario/run.h"

static gboolean
parse_seed (const char  *option,
            const char  *value,
            gpointer     data,
            GError     **error)
{
  CliTraceOptions *options = data;
  guint64 seed = 0;

  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &seed, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--seed takes a whole number from 0 to %" PRId64 ", not “%s”"), (gint64) G_MAXINT64, value);
      return FALSE;
    }
  options->seed = (gint64) seed;
  options->seed_set = TRUE;
  return TRUE;
}

/**
 * cli_trace_options_group:
 * Returns: (transfer full): the options run and demo share.
 */
GOptionGroup *
cli_trace_options_group (CliTraceOptions *options)
{
  GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer) parse_seed,
      N_("Use seed N instead of the scenario's: every code, token and secret changes"), N_("N") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &options->format,
      N_("Trace format: text (default), jsonl, mermaid or html"), N_("FORMAT") },
    { "show-knowledge", 0, 0, G_OPTION_ARG_NONE, &options->show_knowledge,
      N_("After each step, show which secrets each actor holds"), NULL },
    { "step", 0, 0, G_OPTION_ARG_NONE, &options->step,
      N_("Pause after each step (Enter: next, b: back, a number: jump, q: quit)"), NULL },
    { "until", 0, 0, G_OPTION_ARG_STRING, &options->until,
      N_("Play up to the start of PHASE, then pause"), N_("PHASE") },
    G_OPTION_ENTRY_NULL
  };
  GOptionGroup *group = g_option_group_new ("trace", _("Trace options:"), _("Show trace options"),
                                            options, NULL);

  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  return group;
}

void
cli_trace_options_clear (CliTraceOptions *options)
{
  g_clear_pointer (&options->format, g_free);
  g_clear_pointer (&options->until, g_free);
}

/* Cuts the trace where each step begins: chunk N holds step N, the answers that come back
 * before step N+1 begins, and the remarks announcing what comes next. */
typedef struct
{
  SimTracer *tracer;
  GPtrArray *chunks;
  GString *prelude;
} Collector;

static void
collect_text (Collector *collector)
{
  g_autofree char *text = sim_tracer_steal_output (collector->tracer, 0);
  CliChunk *current;
  char *joined;

  if (collector->chunks->len == 0)
    {
      g_string_append (collector->prelude, text);
      return;
    }
  current = collector->chunks->pdata[collector->chunks->len - 1];
  joined = g_strconcat (current->text ? current->text : "", text, NULL);
  g_free (current->text);
  current->text = joined;
}

static void
collect_step (gpointer           data,
              const SimExchange *exchange)
{
  Collector *collector = data;
  CliChunk *chunk = g_new0 (CliChunk, 1);

  collect_text (collector);
  chunk->text = collector->chunks->len == 0 ? g_string_free (g_steal_pointer (&collector->prelude), FALSE)
                                            : g_strdup ("");
  chunk->step = exchange->step;
  chunk->phase = exchange->message->phase;
  g_ptr_array_add (collector->chunks, chunk);
}

static void
chunk_free (gpointer data)
{
  CliChunk *chunk = data;
  g_free (chunk->text);
  g_free (chunk);
}

static const SimBusObserver collector_observer = { collect_step, NULL };

static const char *const trace_formats[] = { "text", "jsonl", "mermaid", "html", NULL };

/* The formats other than text: for scripts (jsonl), documents (mermaid) and a browser (html). */
static SimSink *
data_sink_new (const char *format)
{
  if (strcmp (format, "mermaid") == 0)
    return sim_sink_mermaid_new ();
  if (strcmp (format, "html") == 0)
    return sim_sink_html_new ();
  return sim_sink_jsonl_new ();
}

/**
 * cli_play:
 *
 * Plays @scenario with the trace the options ask for; prints failed expectations to stderr.
 *
 * Returns: the exit status.
 */
int
cli_play (SimScenario     *scenario,
          CliTraceOptions *options)
{
  g_autoptr(SimRun) run = NULL;
  g_autoptr(SimTracer) tracer = NULL;
  g_autoptr(GPtrArray) chunks = NULL;
  Collector collector = { 0 };
  SimPhase until = SIM_PHASE_NONE;
  const char *format = options->format ? options->format : "text";
  gboolean text = strcmp (format, "text") == 0;
  gboolean interactive = (options->step || options->until) && isatty (STDIN_FILENO) && text;
  gboolean ok;
  GPtrArray *failures;

  if (!g_strv_contains (trace_formats, format))
    {
      g_autofree char *message = g_strdup_printf (_("unknown format “%s”; expected text, jsonl, mermaid or html"), format);
      return cli_usage_error (options->verb, message);
    }
  if (options->until && !sim_phase_from_string (options->until, &until))
    {
      g_autofree char *message = g_strdup_printf (_("unknown phase “%s”; expected registration, consent, code-exchange, token-request, access, refresh or revocation"),
                                                  options->until);
      return cli_usage_error (options->verb, message);
    }

  run = sim_run_new (scenario, options->seed_set, (guint64) options->seed);
  if (interactive)
    {
      /* Before the tracer, so a step's text is cut off before the tracer writes it. */
      chunks = g_ptr_array_new_with_free_func (chunk_free);
      collector.chunks = chunks;
      collector.prelude = g_string_new (NULL);
      sim_bus_add_observer (sim_run_get_world (run)->bus, &collector_observer, &collector);
    }
  tracer = sim_tracer_new (sim_run_get_world (run)->bus, sim_run_get_world (run)->clock);
  collector.tracer = tracer;
  if (text)
    {
      SimTextOptions text_options = cli_text_options (options->show_knowledge);
      sim_tracer_add_sink (tracer, sim_sink_text_new (&text_options), interactive ? NULL : stdout);
    }
  else
    sim_tracer_add_sink (tracer, data_sink_new (format), stdout);
  sim_run_set_tracer (run, tracer);
  ok = sim_run_play (run);

  if (interactive)
    {
      collect_text (&collector);
      if (collector.prelude)
        {
          /* no step at all: the whole trace is one page */
          CliChunk *only = g_new0 (CliChunk, 1);
          only->text = g_string_free (g_steal_pointer (&collector.prelude), FALSE);
          g_ptr_array_add (chunks, only);
        }
      sim_bus_remove_observer (sim_run_get_world (run)->bus, &collector);
      cli_step_through (chunks, options->until ? (int) until : -1);
    }

  failures = sim_run_get_failures (run);
  for (guint i = 0; i < failures->len; i++)
    cli_error ("%s", (char *) failures->pdata[i]);
  return ok ? CLI_OK : CLI_FAILED;
}

int
cli_run (int    argc,
         char **argv)
{
  g_auto(CliTraceOptions) options = { "run" };
  g_autoptr(GOptionContext) context = cli_context_new ("run");
  g_autoptr(GError) error = NULL;
  g_autoptr(SimScenario) scenario = NULL;

  g_option_context_set_main_group (context, cli_trace_options_group (&options));
  cli_add_profile_option (context, FALSE);
  g_option_context_set_description (context, _("Plays the scenario FILE and prints its trace. FILE may also be a lesson's name as “oauth-sim list” shows it (attacks/csrf-off), from any folder. Exit status: 0 when every expectation holds, 1 when one fails, 2 for bad input."));
  if (!cli_parse (context, &argc, &argv, &error))
    return cli_usage_error ("run", error->message);
  if (argc != 2)
    return cli_usage_error ("run", argc < 2 ? _("run needs a scenario FILE") : _("run takes one FILE"));
  scenario = cli_load_scenario (argv[1], &error);
  if (scenario == NULL)
    {
      cli_error ("%s", error->message);
      return CLI_TROUBLE;
    }
  return cli_play (scenario, &options);
}

int
cli_demo (int    argc,
          char **argv)
{
  g_auto(CliTraceOptions) options = { "demo" };
  g_autoptr(GOptionContext) context = cli_context_new ("demo");
  g_autoptr(GError) error = NULL;
  g_autoptr(SimScenario) scenario = NULL;

  g_option_context_set_main_group (context, cli_trace_options_group (&options));
  cli_add_profile_option (context, FALSE);
  g_option_context_set_description (context, _("Plays the classic lesson built into oauth-sim: registration, consent, code exchange, access and refresh. It takes the same options as run."));
  if (!cli_parse (context, &argc, &argv, &error))
    return cli_usage_error ("demo", error->message);
  if (argc != 1)
    return cli_usage_error ("demo", _("demo takes no FILE; use “oauth-sim run FILE” to play a file"));
  scenario = cli_load_builtin ("classic", &error);
  if (scenario == NULL)
    {
      cli_error ("%s", error->message);
      return CLI_TROUBLE;
    }
  return cli_play (scenario, &options);
}
