/* lang.c: the language of every message and of the narration: `--lang ko` or `--lang en`
 * anywhere on the command line, otherwise the locale. */
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "sim/cli/cli.h"

static const char *const languages[] = { "en", "ko", NULL };

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

/**
 * cli_setup_language:
 *
 * Sets the locale and the message catalog. Returns FALSE (after saying why) for a language
 * oauth-sim does not speak.
 */
gboolean
cli_setup_language (int   *argc,
                    char **argv)
{
  g_autofree char *lang = take_lang (argc, argv);
  const char *messages;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, catalog_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  if (lang == NULL)
    return TRUE;
  if (!g_strv_contains (languages, lang))
    {
      cli_error (_("unknown language “%s”; oauth-sim speaks en and ko"), lang);
      return FALSE;
    }
  g_setenv ("LANGUAGE", lang, TRUE);
  /* gettext ignores LANGUAGE in the C locale; C.UTF-8 is always there and is not "C". */
  messages = setlocale (LC_MESSAGES, NULL);
  if (messages == NULL || strcmp (messages, "C") == 0 || strcmp (messages, "POSIX") == 0)
    {
      setlocale (LC_MESSAGES, "C.UTF-8");
      setlocale (LC_CTYPE, "C.UTF-8");
    }
  return TRUE;
}
