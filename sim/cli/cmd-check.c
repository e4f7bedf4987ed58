/* cmd-check.c: `oauth-sim check PATH...`: scenario files as regression tests, reported in TAP.
 *
 * A folder stands for every *.json below it, in sorted order. A scenario passes when all its
 * expectations hold and, when a golden trace FILE.golden.jsonl stands beside it, when its JSON
 * Lines trace is byte-identical to that file (--update-golden rewrites them).
 */
#include <glib/gi18n.h>
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/scenario/run.h"

static char *
golden_path (const char *file)
{
  g_autofree char *stem = g_str_has_suffix (file, ".json") ? g_strndup (file, strlen (file) - 5)
                                                          : g_strdup (file);
  return g_strconcat (stem, ".golden.jsonl", NULL);
}

typedef enum
{
  RESULT_PASS,
  RESULT_FAIL,
  RESULT_BAD,
} Result;

static Result
check_one (const char *file,
           gboolean    update_golden,
           GString    *diagnostics,
           char      **title)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SimScenario) scenario = cli_load_scenario (file, &error);
  g_autoptr(SimRun) run = NULL;
  g_autoptr(SimTracer) tracer = NULL;
  g_autofree char *golden = NULL;
  g_autofree char *trace = NULL;
  g_autofree char *expected = NULL;
  GPtrArray *failures;
  Result result = RESULT_PASS;

  if (scenario == NULL)
    {
      g_string_append_printf (diagnostics, "# oauth-sim: %s\n", error->message);
      return RESULT_BAD;
    }
  *title = g_strdup (scenario->title);
  run = sim_run_new (scenario, FALSE, 0);
  tracer = sim_tracer_new (sim_run_get_world (run)->bus, sim_run_get_world (run)->clock);
  sim_tracer_add_sink (tracer, sim_sink_jsonl_new (), NULL);
  sim_run_set_tracer (run, tracer);
  sim_run_play (run);

  failures = sim_run_get_failures (run);
  for (guint i = 0; i < failures->len; i++)
    {
      g_string_append_printf (diagnostics, "# %s\n", (char *) failures->pdata[i]);
      result = RESULT_FAIL;
    }

  golden = golden_path (file);
  trace = sim_tracer_steal_output (tracer, 0);
  if (update_golden)
    {
      if (!g_file_set_contents (golden, trace, -1, &error))
        {
          g_string_append_printf (diagnostics, "# oauth-sim: %s\n", error->message);
          return RESULT_BAD;
        }
      g_string_append_printf (diagnostics, _("# wrote %s\n"), golden);
    }
  /* A golden trace is of the scenario as written, not under another profile. */
  else if (cli_profile == NULL && g_file_get_contents (golden, &expected, NULL, NULL))
    {
      g_autofree char *difference = cli_golden_difference (expected, trace);
      if (difference)
        {
          g_string_append_printf (diagnostics, _("# %s: the trace differs from the golden trace: %s\n"),
                                  golden, difference);
          result = RESULT_FAIL;
        }
    }
  return result;
}

int
cli_check (int    argc,
           char **argv)
{
  gboolean update_golden = FALSE;
  GOptionEntry entries[] = {
    { "update-golden", 0, 0, G_OPTION_ARG_NONE, &update_golden,
      N_("Write each scenario's JSON Lines trace to FILE.golden.jsonl instead of comparing"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = cli_context_new ("check");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint passed = 0, failed = 0, bad = 0;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  cli_add_profile_option (context, FALSE);
  g_option_context_set_description (context, _("Runs every scenario as a test and prints TAP: a plan, one “ok” or “not ok” line per scenario with the reasons, and a summary. With --profile, golden traces are not compared: they are of the scenarios as written. Exit status: 0 when all pass, 1 when an expectation fails, 2 when a file cannot be read."));
  if (!cli_parse (context, &argc, &argv, &error))
    return cli_usage_error ("check", error->message);
  if (update_golden && cli_profile)
    return cli_usage_error ("check", _("--update-golden writes the traces of the scenarios as written; it cannot be used with --profile"));
  if (argc < 2)
    return cli_usage_error ("check", _("check needs at least one scenario file or folder"));

  for (int i = 1; i < argc; i++)
    {
      guint before = files->len;
      cli_collect_scenarios (argv[i], files);
      if (files->len == before)
        {
          /* an empty folder checks nothing: say so rather than pass */
          cli_error (_("%s: no scenario files (*.json) in this folder"), argv[i]);
          return CLI_TROUBLE;
        }
    }

  printf ("1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(GString) diagnostics = g_string_new (NULL);
      g_autofree char *title = NULL;
      Result result = check_one (files->pdata[i], update_golden, diagnostics, &title);
      const char *file = files->pdata[i];

      if (result == RESULT_PASS)
        passed++;
      else if (result == RESULT_FAIL)
        failed++;
      else
        bad++;
      printf ("%s %u - %s%s%s\n", result == RESULT_PASS ? "ok" : "not ok", i + 1, file,
              title ? ": " : "", title ? title : "");
      fputs (diagnostics->str, stdout);
      fflush (stdout);
    }
  printf ("%u passed, %u failed\n", passed, failed + bad);
  return bad ? CLI_TROUBLE : failed ? CLI_FAILED : CLI_OK;
}
