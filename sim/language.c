/* language.c: which of oauth-sim's languages (en, ko) the messages are in: LANGUAGE first, as
 * gettext reads it, then the locale. */
#include "sim/language.h"

/**
 * sim_language:
 * Returns: (transfer none): "ko" when messages are Korean, else "en".
 */
const char *
sim_language (void)
{
  const char *language = g_getenv ("LANGUAGE");
  const char *const *names;

  if (language && *language)
    return g_str_has_prefix (language, "ko") ? "ko" : "en";
  names = g_get_language_names ();
  return names[0] && g_str_has_prefix (names[0], "ko") ? "ko" : "en";
}
