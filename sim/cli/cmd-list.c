/* cmd-list.c: `oauth-sim list [PATH]`: scenarios and their one-line titles; the catalog's
 * lessons, by the names `run` and `check` take, when no PATH is given. */
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"

int
cli_list (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = cli_context_new ("list");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  int status = CLI_OK;

  g_option_context_set_description (context, _("Without PATH, lists every lesson and attack of the catalog by name (play one with “oauth-sim run NAME”, from any folder). With a file or folder, lists each scenario file and its title; a file that does not load is reported on stderr."));
  if (!cli_parse (context, &argc, &argv, &error))
    return cli_usage_error ("list", error->message);

  if (argc < 2)
    {
      g_autoptr(GPtrArray) names = cli_catalog_names ();
      int width = 0;

      /* The names are ASCII: the longest sets the column the titles start in. */
      for (guint i = 0; i < names->len; i++)
        width = MAX (width, (int) strlen (names->pdata[i]));
      for (guint i = 0; i < names->len; i++)
        {
          g_autoptr(SimScenario) scenario = cli_load_scenario (names->pdata[i], NULL);
          printf ("%-*s  %s\n", width, (char *) names->pdata[i], scenario ? scenario->title : "?");
        }
      return CLI_OK;
    }

  for (int i = 1; i < argc; i++)
    cli_collect_scenarios (argv[i], files);
  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(SimScenario) scenario = cli_load_scenario (files->pdata[i], &error);
      if (scenario == NULL)
        {
          cli_error ("%s", error->message);
          g_clear_error (&error);
          status = CLI_TROUBLE;
          continue;
        }
      printf ("%s\t%s\n", (char *) files->pdata[i], scenario->title);
    }
  return status;
}
