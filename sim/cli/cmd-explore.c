/* cmd-explore.c: `oauth-sim explore FILE`: the bounded model checker (sim/explore/,
 * docs/explore.md) on a scenario's world; a summary for people or one JSON object for scripts.
 * Exit status: 0 no property violated within the bound, 1 at least one, 2 bad input. */
#include <glib/gi18n.h>
#include <gio/gio.h>
#include <stdio.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "sim/explore/explore.h"

#define DEFAULT_DEPTH 6

static void
progress (gpointer data,
          guint    depth,
          guint64  states,
          guint64  transitions)
{
  g_autofree char *s = g_strdup_printf ("%" G_GUINT64_FORMAT, states);
  g_autofree char *t = g_strdup_printf ("%" G_GUINT64_FORMAT, transitions);

  fputc ('\r', stdout);
  fprintf (stdout, _("depth %u: %s states, %s transitions…"), depth, s, t);
  fflush (stdout);
}

/* The honest actors' script: the file's own steps, or the classic lesson's. */
static JsonArray *
honest_script (JsonObject *root)
{
  JsonArray *steps = json_object_has_member (root, "steps")
                     && JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "steps"))
                     ? json_object_get_array_member (root, "steps") : NULL;
  g_autoptr(GBytes) classic = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *node;

  if (steps && json_array_get_length (steps) > 0)
    return json_array_ref (steps);
  classic = g_resources_lookup_data ("/org/oauth-sim/scenarios/classic.json", 0, NULL);
  parser = json_parser_new ();
  g_assert (classic && json_parser_load_from_data (parser, g_bytes_get_data (classic, NULL),
                                                   g_bytes_get_size (classic), NULL));
  node = json_parser_get_root (parser);
  return json_array_ref (json_object_get_array_member (json_node_get_object (node), "steps"));
}

static void
print_json (const SimExploreResult *result)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "states");
  json_builder_add_int_value (b, (gint64) result->states);
  json_builder_set_member_name (b, "transitions");
  json_builder_add_int_value (b, (gint64) result->transitions);
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, result->seconds);
  json_builder_set_member_name (b, "states_per_sec");
  json_builder_add_double_value (b, result->seconds > 0 ? result->states / result->seconds : 0);
  json_builder_set_member_name (b, "transitions_per_sec");
  json_builder_add_double_value (b, result->seconds > 0 ? result->transitions / result->seconds : 0);
  json_builder_set_member_name (b, "depth");
  json_builder_add_int_value (b, result->depth);
  json_builder_set_member_name (b, "depth_done");
  json_builder_add_int_value (b, result->depth_done);
  json_builder_set_member_name (b, "peak_kib");
  json_builder_add_int_value (b, (gint64) result->peak_kib);
  json_builder_set_member_name (b, "violations");
  json_builder_begin_array (b);
  for (guint i = 0; i < result->violations->len; i++)
    {
      SimViolation *v = result->violations->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "property");
      json_builder_add_string_value (b, sim_property_name (v->property));
      json_builder_set_member_name (b, "cites");
      json_builder_add_string_value (b, sim_property_cites (v->property));
      json_builder_set_member_name (b, "steps");
      json_builder_add_int_value (b, v->steps);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, v->file);
      json_builder_set_member_name (b, "replays");
      json_builder_add_boolean_value (b, v->replays);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

static void
print_text (const char             *file,
            const SimExploreResult *result)
{
  g_autofree char *states = g_strdup_printf ("%" G_GUINT64_FORMAT, result->states);
  g_autofree char *transitions = g_strdup_printf ("%" G_GUINT64_FORMAT, result->transitions);

  printf (_("Explored %s to depth %u: %s states, %s transitions in %.2f s (%.0f states/s, peak memory %zu KiB).\n"),
          file, result->depth, states, transitions, result->seconds,
          result->seconds > 0 ? result->states / result->seconds : 0.0, result->peak_kib);
  if (result->violations->len == 0)
    {
      printf ("%s\n", _("No property is violated within this bound."));
      return;
    }
  for (guint i = 0; i < result->violations->len; i++)
    {
      SimViolation *v = result->violations->pdata[i];
      printf (_("violated: %s (%s) in %u steps: %s\n"), sim_property_name (v->property),
              sim_property_cites (v->property), v->steps, v->file);
    }
}

int
cli_explore (int    argc,
             char **argv)
{
  int depth = DEFAULT_DEPTH;
  g_autofree char *out_dir = NULL;
  g_autofree char *format = NULL;
  g_autofree char *seed_text = NULL;
  GOptionEntry entries[] = {
    { "depth", 0, 0, G_OPTION_ARG_INT, &depth, N_("Explore sequences of at most N moves (default 6)"), N_("N") },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Write counterexamples to DIR (default: explore-out)"), N_("DIR") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("text (default) or json"), N_("FORMAT") },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, N_("Use seed S instead of the scenario's"), N_("S") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = cli_context_new ("explore");
  g_autoptr(GError) error = NULL;
  g_autoptr(SimScenario) scenario = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonArray) honest = NULL;
  SimExploreOptions options = { 0 };
  SimExploreResult result;
  gboolean json;
  int status;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context, _("Plays every interleaving of the honest actors' steps (the file's, or the classic lesson's) with the attacker's moves, up to the depth, checks the security properties after every move, and writes each violation as a scenario file that replays it. Exit status: 0 when no property is violated within the bound, 1 when one is, 2 on bad input."));
  if (!cli_parse (context, &argc, &argv, &error))
    return cli_usage_error ("explore", error->message);
  if (argc != 2)
    return cli_usage_error ("explore", argc < 2 ? _("explore needs a scenario FILE") : _("explore takes one FILE"));
  if (depth < 1 || depth > 60)
    return cli_usage_error ("explore", _("--depth must be between 1 and 60"));
  if (format && g_strcmp0 (format, "text") != 0 && g_strcmp0 (format, "json") != 0)
    return cli_usage_error ("explore", _("--format must be text or json"));
  json = g_strcmp0 (format, "json") == 0;
  if (seed_text)
    {
      if (!g_ascii_string_to_unsigned (seed_text, 10, 0, G_MAXUINT64, &options.seed, NULL))
        return cli_usage_error ("explore", _("--seed needs a whole number"));
      options.seed_set = TRUE;
    }

  if (!(scenario = cli_load_scenario (argv[1], &error)))
    {
      cli_error ("%s", error->message);
      return CLI_TROUBLE;
    }
  if (!json_parser_load_from_file (parser, argv[1], &error))
    {
      cli_error ("%s", error->message);
      return CLI_TROUBLE;
    }
  honest = honest_script (json_node_get_object (json_parser_get_root (parser)));

  options.depth = depth;
  options.out_dir = out_dir ? out_dir : "explore-out";
  if (!json && isatty (STDOUT_FILENO))
    options.progress = progress;
  if (!sim_explore_run (argv[1], json_node_get_object (json_parser_get_root (parser)), honest,
                        &options, &result, &error))
    {
      cli_error ("%s", error->message);
      return CLI_TROUBLE;
    }
  if (options.progress)
    fputs ("\r\033[K", stdout);
  if (json)
    print_json (&result);
  else
    print_text (argv[1], &result);
  status = result.violations->len ? CLI_FAILED : CLI_OK;
  sim_explore_result_clear (&result);
  return status;
}
