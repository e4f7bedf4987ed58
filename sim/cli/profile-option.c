/* profile-option.c: --profile NAME, for the verbs that load a scenario (run, demo, check,
 * serve, attacks): it plays the scenario as if its "profile" said NAME, with the scenario's
 * own settings over it (docs/profiles.md). */
#include <glib/gi18n.h>

#include "sim/cli/cli.h"

char *cli_profile = NULL;
static gboolean all_allowed;

static gboolean
parse_profile (const char  *option,
               const char  *value,
               gpointer     data,
               GError     **error)
{
  gboolean all = all_allowed;
  g_autofree char *known = g_strjoinv (", ", (GStrv) oauth_profile_names ());

  if (oauth_profile_lookup (value) == NULL && !(all && g_strcmp0 (value, "all") == 0))
    {
      if (all)
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("unknown profile “%s”; expected %s or all"), value, known);
      else
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("unknown profile “%s”; expected %s"), value, known);
      return FALSE;
    }
  g_free (cli_profile);
  cli_profile = g_strdup (value);
  return TRUE;
}

/**
 * cli_add_profile_option:
 * @all: whether "all" is a value too (the attack lab's view of every profile)
 *
 * Adds --profile to @context's main entries; cli_load_scenario() and cli_load_builtin() then
 * load under it. Call before cli_parse().
 */
void
cli_add_profile_option (GOptionContext *context,
                        gboolean        all)
{
  GOptionEntry entries[] = {
    { "profile", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer) parse_profile,
      all ? N_("Play the lab under PROFILE: rfc6749, bcp9700, oauth2.1, or all for which attacks each one stops")
          : N_("Play under PROFILE (rfc6749, bcp9700 or oauth2.1) instead of the scenario's own; its explicit settings still apply"),
      N_("PROFILE") },
    G_OPTION_ENTRY_NULL
  };
  GOptionGroup *group = g_option_context_get_main_group (context);

  all_allowed = all;
  if (group == NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  else
    g_option_group_add_entries (group, entries);
}

/**
 * cli_load_profile:
 * Returns: (transfer none) (nullable): the profile to load scenarios under: --profile's, or
 *   %NULL for each scenario's own (also for the attack lab's "all", which loads lessons as
 *   they are and puts each profile under them itself).
 */
const char *
cli_load_profile (void)
{
  return oauth_profile_lookup (cli_profile) ? cli_profile : NULL;
}
