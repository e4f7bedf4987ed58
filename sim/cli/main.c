/* main.c: oauth-sim's entry point: locale, logging to stderr, and the verb dispatcher. */
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/textwrap.h"

static int cli_help (int argc, char **argv);

static const CliVerb verbs[] = {
  { "demo", NULL, N_("Play the built-in classic lesson"), cli_demo },
  { "run", N_("FILE"), N_("Play a scenario file"), cli_run },
  { "check", N_("PATH…"), N_("Run scenario files or folders as tests (TAP)"), cli_check },
  { "list", N_("[PATH]"), N_("List scenarios and their titles"), cli_list },
  { "serve", NULL, N_("Serve the actors over real HTTP on loopback, for real browsers"), cli_serve },
  { "attacks", N_("[PATH…]"), N_("Play the attack lab and show which defense stops which attack"), cli_attacks },
  { "explore", N_("FILE"), N_("Search the world for attacks and write each as a scenario"), cli_explore },
  { "bench", NULL, N_("Measure how fast complete flows play"), cli_bench },
  { "help", N_("[VERB]"), N_("Show help for oauth-sim or for one verb"), cli_help },
};

const CliVerb *
cli_find_verb (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (g_strcmp0 (verbs[i].name, name) == 0)
      return &verbs[i];
  return NULL;
}

void
cli_error (const char *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "oauth-sim: %s\n", message);
}

/**
 * cli_context_new:
 * Returns: (transfer full): an option context whose help reads
 *   "oauth-sim VERB [OPTION…] PARAMETERS" (GLib writes the program name and "[OPTION…]").
 */
GOptionContext *
cli_context_new (const char *name)
{
  const CliVerb *verb = cli_find_verb (name);
  g_autofree char *program = g_strconcat ("oauth-sim ", name, NULL);
  GOptionContext *context;

  g_assert (verb != NULL);
  g_set_prgname (program);
  context = g_option_context_new (verb->parameters ? _(verb->parameters) : NULL);
  g_option_context_set_summary (context, _(verb->summary));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  return context;
}

/**
 * cli_parse:
 *
 * Adds the options every verb takes to @context, after its own, and parses the command line.
 * --lang never reaches GOption (lang.c takes it out of argv first, wherever it stands); it is
 * listed so that each verb's help shows it.
 */
gboolean
cli_parse (GOptionContext   *context,
           int              *argc,
           char           ***argv,
           GError          **error)
{
  static char *lang_listed_only = NULL;
  const GOptionEntry common[] = {
    { "no-color", 0, 0, G_OPTION_ARG_NONE, &cli_no_color,
      N_("Never use colour (there is none off a terminal or with NO_COLOR set)"), NULL },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &lang_listed_only,
      N_("Language of messages and narration: en or ko (default: from LANGUAGE, LC_ALL, LC_MESSAGES, LANG)"), N_("LANG") },
    G_OPTION_ENTRY_NULL
  };

  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);
  return g_option_context_parse (context, argc, argv, error);
}

int
cli_usage_error (const char *verb,
                 const char *message)
{
  cli_error ("%s", message);
  fprintf (stderr, _("Try “oauth-sim help %s” for more.\n"), verb);
  return CLI_TROUBLE;
}

static void
usage (FILE *out)
{
  g_autoptr(GString) about = g_string_new (NULL);

  sim_text_wrap (about, _("An educational simulator of the OAuth 2 authorization code flow: four actors exchange real HTTP messages on a traced bus, step by step."),
                 "", "", 78);
  fprintf (out, "%s\n  oauth-sim %s\n\n%s", _("Usage:"), _("VERB [ARGUMENT…]"), about->str);
  fprintf (out, "\n%s\n", _("Verbs:"));
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    fprintf (out, "  %-8s %s\n", verbs[i].name, _(verbs[i].summary));
  fprintf (out, "\n%s\n", _("Use “oauth-sim help VERB” or “oauth-sim VERB --help” for a verb's options."));
  g_string_truncate (about, 0);
  sim_text_wrap (about, _("Every verb takes --lang ko or --lang en: the language of messages and narration (default: the locale)."),
                 "", "", 78);
  fputs (about->str, out);
}

static int
cli_help (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = cli_context_new ("help");
  g_autoptr(GError) error = NULL;
  const CliVerb *verb;
  char *help_argv[] = { NULL, (char *) "--help", NULL };

  g_option_context_set_description (context, _("Without VERB, lists the verbs; with one, shows its options, as “oauth-sim VERB --help” does."));
  if (!cli_parse (context, &argc, &argv, &error))
    return cli_usage_error ("help", error->message);
  if (argc > 2)
    return cli_usage_error ("help", _("help takes one VERB"));
  if (argc < 2)
    {
      usage (stdout);
      return CLI_OK;
    }
  verb = cli_find_verb (argv[1]);
  if (verb == NULL)
    {
      cli_error (_("unknown verb “%s”"), argv[1]);
      usage (stderr);
      return CLI_TROUBLE;
    }
  if (verb->run == cli_help)
    {
      usage (stdout);
      return CLI_OK;
    }
  help_argv[0] = argv[1];
  return verb->run (2, help_argv);
}

int
main (int    argc,
      char **argv)
{
  const CliVerb *verb;

  g_log_writer_default_set_use_stderr (TRUE);
  if (!cli_setup_language (&argc, argv))
    return CLI_TROUBLE;

  if (argc < 2)
    {
      usage (stderr);
      return CLI_TROUBLE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      usage (stdout);
      return CLI_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("oauth-sim %s\n", PACKAGE_VERSION);
      return CLI_OK;
    }
  verb = cli_find_verb (argv[1]);
  if (verb == NULL)
    {
      cli_error (_("unknown verb “%s”"), argv[1]);
      usage (stderr);
      return CLI_TROUBLE;
    }
  return verb->run (argc - 1, argv + 1);
}
