/* main.c: oauth-sim's entry point: locale, logging to stderr, and the verb dispatcher. */
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/textwrap.h"

static int cli_help (int argc, char **argv);

static const CliVerb verbs[] = {
  { "demo", N_("[OPTION…]"), N_("Play the built-in classic lesson"), cli_demo },
  { "run", N_("FILE [OPTION…]"), N_("Play a scenario file"), cli_run },
  { "check", N_("PATH… [OPTION…]"), N_("Run scenario files or folders as tests (TAP)"), cli_check },
  { "list", N_("[PATH]"), N_("List scenarios and their titles"), cli_list },
  { "serve", N_("[OPTION…]"), N_("Serve the actors over real HTTP on loopback, for real browsers"), cli_serve },
  { "attacks", N_("[PATH…] [OPTION…]"), N_("Play the attack lab and show which defense stops which attack"), cli_attacks },
  { "bench", N_("[OPTION…]"), N_("Measure how fast complete flows play"), cli_bench },
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
 * Returns: (transfer full): an option context whose help reads "oauth-sim VERB PARAMETERS".
 */
GOptionContext *
cli_context_new (const char *name)
{
  const CliVerb *verb = cli_find_verb (name);
  g_autofree char *parameters = NULL;
  GOptionContext *context;

  g_assert (verb != NULL);
  parameters = g_strdup_printf ("%s %s", name, _(verb->parameters));
  context = g_option_context_new (parameters);

  g_option_context_set_summary (context, _(verb->summary));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  return context;
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
  const CliVerb *verb;
  char *help_argv[] = { argv[0], (char *) "--help", NULL };

  if (argc < 2)
    {
      usage (stdout);
      return CLI_OK;
    }
  verb = cli_find_verb (argv[1]);
  if (verb == NULL || verb->run == cli_help)
    {
      if (verb == NULL)
        {
          cli_error (_("unknown verb “%s”"), argv[1]);
          usage (stderr);
          return CLI_TROUBLE;
        }
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
