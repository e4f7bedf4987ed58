/* lang.c: the language of every message and of the narration: `--lang ko` or `--lang en`
 * anywhere on the command line, otherwise the environment (sim/language.c decides), and a
 * locale that lets gettext and the terminal follow that decision. */
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/language.h"

/* Installed catalogs first; from a build tree, the ones meson built beside the program. */
static const char *
catalog_dir (void)
{
  g_autofree char *installed = g_build_filename (LOCALEDIR, "ko", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);

  if (g_file_test (installed, G_FILE_TEST_EXISTS))
    return LOCALEDIR;
  return BUILD_LOCALEDIR;
}

/* Takes --lang out of argv, so that verbs never see it. */
static char *
take_lang (int   *argc,
           char **argv)
{
  char *lang = NULL;

  for (int i = 1; i < *argc; i++)
    {
      int used = 0;
      if (strcmp (argv[i], "--lang") == 0 && i + 1 < *argc)
        {
          g_free (lang);
          lang = g_strdup (argv[i + 1]);
          used = 2;
        }
      else if (g_str_has_prefix (argv[i], "--lang="))
        {
          g_free (lang);
          lang = g_strdup (argv[i] + strlen ("--lang="));
          used = 1;
        }
      if (used)
        {
          memmove (&argv[i], &argv[i + used], (*argc - i - used + 1) * sizeof (char *));
          *argc -= used;
          i--;
        }
    }
  return lang;
}

/* Keeps the locale's categories that this machine has, and makes sure of two things whatever
 * it lacks: text comes out as UTF-8 (oauth-sim writes UTF-8 in any case), and LC_MESSAGES is
 * not C, where gettext would ignore LANGUAGE. C.UTF-8 is always there and is not "C". */
static void
setup_locale (void)
{
  const char *messages;

  if (setlocale (LC_ALL, "") == NULL)
    {
      /* e.g. LANG=ko_KR.UTF-8 on a machine without that locale: take what exists */
      static const int categories[] = { LC_CTYPE, LC_NUMERIC, LC_TIME, LC_COLLATE, LC_MONETARY, LC_MESSAGES };
      for (guint i = 0; i < G_N_ELEMENTS (categories); i++)
        if (setlocale (categories[i], "") == NULL)
          setlocale (categories[i], "C.UTF-8");
    }
  if (!g_get_charset (NULL))
    setlocale (LC_CTYPE, "C.UTF-8");
  messages = setlocale (LC_MESSAGES, NULL);
  if (messages == NULL || strcmp (messages, "C") == 0 || strcmp (messages, "POSIX") == 0)
    setlocale (LC_MESSAGES, "C.UTF-8");
}

/**
 * cli_setup_language:
 *
 * Decides the run's language once (sim_language_choose(): --lang, else the environment in
 * gettext's order) and points gettext at it through LANGUAGE, so that messages and the
 * scenario's own texts agree. Returns FALSE (after saying why) for a language oauth-sim does
 * not speak.
 */
gboolean
cli_setup_language (int   *argc,
                    char **argv)
{
  g_autofree char *lang = take_lang (argc, argv);
  const char *language;

  setup_locale ();
  bindtextdomain (GETTEXT_PACKAGE, catalog_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  language = sim_language_choose (lang);
  if (language == NULL)
    {
      /* the environment's language says so */
      g_setenv ("LANGUAGE", sim_language_choose (NULL), TRUE);
      cli_error (_("unknown language “%s”; oauth-sim speaks en and ko"), lang);
      return FALSE;
    }
  /* English has no catalog: LANGUAGE=en gives the messages as written, not the locale's. */
  g_setenv ("LANGUAGE", language, TRUE);
  return TRUE;
}
