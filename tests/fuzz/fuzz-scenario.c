/* fuzz-scenario.c: libFuzzer target for the scenario loader, and for playing what it accepts.
 *
 * Any bytes go to sim_scenario_load_data(); a scenario that loads is then played with every
 * trace sink attached (JSON Lines, text, Mermaid, HTML), as `oauth-sim check` and `run` would.
 * Criticals and warnings abort, so a member read without being checked, or any other misuse of
 * GLib, counts as a crash.
 */
#include <stdint.h>
#include <stdlib.h>

#include "sim/scenario/run.h"
#include "sim/tracer.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A critical or a warning is a crash: abort (not G_BREAKPOINT's SIGTRAP), so that libFuzzer
 * keeps the input. */
static GLogWriterOutput
fatal_writer (GLogLevelFlags   log_level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  GLogWriterOutput written = g_log_writer_default (log_level, fields, n_fields, user_data);

  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
  return written;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_writer_default_set_use_stderr (TRUE);
  g_log_set_writer_func (fatal_writer, NULL, NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SimScenario) scenario = sim_scenario_load_data ("fuzz.json", (const char *) data, size, &error);
  g_autoptr(SimRun) run = NULL;
  g_autoptr(SimTracer) tracer = NULL;
  SimTextOptions text = { FALSE, 78 };

  if (scenario == NULL)
    {
      g_assert (error != NULL && error->message != NULL);
      return 0;
    }
  g_assert (error == NULL);
  run = sim_run_new (scenario, FALSE, 0);
  tracer = sim_tracer_new (sim_run_get_world (run)->bus, sim_run_get_world (run)->clock);
  sim_tracer_add_sink (tracer, sim_sink_jsonl_new (), NULL);
  sim_tracer_add_sink (tracer, sim_sink_text_new (&text), NULL);
  sim_tracer_add_sink (tracer, sim_sink_mermaid_new (), NULL);
  sim_tracer_add_sink (tracer, sim_sink_html_new (), NULL);
  sim_run_set_tracer (run, tracer);
  sim_run_play (run);
  g_free (sim_tracer_steal_output (tracer, 0));
  g_free (sim_tracer_steal_output (tracer, 1));
  g_free (sim_tracer_steal_output (tracer, 2));
  g_free (sim_tracer_steal_output (tracer, 3));
  return 0;
}
