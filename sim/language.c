/* language.c: the one language a run speaks, en or ko. It is decided once: `--lang` when the
 * command line gives it (sim_language_choose()), else the environment in gettext's order
 * (LANGUAGE, then LC_ALL, LC_MESSAGES, LANG). Both the message catalog (sim/cli/lang.c points
 * gettext at it) and the texts a scenario gives in several languages follow that decision, so
 * a run is never half in one language, whichever locales the machine has. */
#include <string.h>

#include "sim/language.h"

static const char *chosen;

/* "ko", "ko_KR", "ko_KR.UTF-8", "ko@…" are Korean; "kok" (Konkani) is not. */
static gboolean
names_language (const char *name,
                const char *language)
{
  gsize length = strlen (language);

  /* strchr() finds the terminating NUL too: "ko" itself matches */
  return strncmp (name, language, length) == 0 && strchr ("_.@", name[length]) != NULL;
}

static const char *
spoken (const char *name)
{
  if (names_language (name, "ko"))
    return "ko";
  if (names_language (name, "en"))
    return "en";
  return NULL;
}

/* The locale that decides messages when LANGUAGE does not: the first of LC_ALL, LC_MESSAGES,
 * LANG that is set and not empty. */
static const char *
messages_locale (void)
{
  static const char *const variables[] = { "LC_ALL", "LC_MESSAGES", "LANG" };

  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      const char *value = g_getenv (variables[i]);
      if (value && *value)
        return value;
    }
  return NULL;
}

static const char *
from_environment (void)
{
  const char *language = g_getenv ("LANGUAGE");
  const char *locale = messages_locale ();
  const char *found;

  /* As gettext does, a locale set to C or POSIX means untranslated messages (LC_ALL=C, as
   * scripts set it), whatever LANGUAGE says. Unlike gettext, no locale at all does not: C.UTF-8
   * stands in for it (lang.c), so LANGUAGE=ko alone asks for Korean and gets it. */
  if (language && *language && g_strcmp0 (locale, "C") != 0 && g_strcmp0 (locale, "POSIX") != 0)
    {
      g_auto(GStrv) entries = g_strsplit (language, ":", -1);
      /* the first entry oauth-sim speaks, as gettext takes the first catalog it finds */
      for (guint i = 0; entries[i]; i++)
        if ((found = spoken (entries[i])))
          return found;
      return "en";
    }
  return locale && (found = spoken (locale)) ? found : "en";
}

/**
 * sim_language_choose:
 * @requested: (nullable): the language the command line asks for ("en" or "ko"), or NULL to
 *   take it from the environment
 *
 * Decides the run's language once; later calls to sim_language() return it.
 *
 * Returns: (transfer none) (nullable): "en" or "ko"; NULL when @requested is another language
 *   (nothing is decided then).
 */
const char *
sim_language_choose (const char *requested)
{
  if (requested == NULL)
    chosen = from_environment ();
  else if (strcmp (requested, "en") == 0 || strcmp (requested, "ko") == 0)
    chosen = strcmp (requested, "ko") == 0 ? "ko" : "en";
  else
    return NULL;
  return chosen;
}

/**
 * sim_language:
 * Returns: (transfer none): "ko" when the run speaks Korean, else "en": the decision of
 *   sim_language_choose(), or the environment's when nothing was decided.
 */
const char *
sim_language (void)
{
  if (chosen == NULL)
    chosen = from_environment ();
  return chosen;
}
