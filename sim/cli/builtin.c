/* builtin.c: the lessons compiled into the binary (GResource), so `oauth-sim demo` works from
 * any folder, and the scenario files below a folder. */
#include <glib/gi18n.h>
#include <gio/gio.h>
#include <string.h>

#include "sim/cli/cli.h"

#define BUILTIN_PATH "/org/oauth-sim/scenarios/"

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/**
 * cli_builtin_names:
 * Returns: (transfer full): the built-in lessons' names ("classic", ...), sorted.
 */
GStrv
cli_builtin_names (void)
{
  g_auto(GStrv) children = g_resources_enumerate_children (BUILTIN_PATH, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; children && children[i]; i++)
    if (g_str_has_suffix (children[i], ".json"))
      g_ptr_array_add (names, g_strndup (children[i], strlen (children[i]) - 5));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/**
 * cli_builtin_attack_names:
 * Returns: (transfer full): the attack lab's built-in lessons ("attacks/csrf-on", ...), sorted.
 */
GStrv
cli_builtin_attack_names (void)
{
  g_auto(GStrv) children = g_resources_enumerate_children (BUILTIN_PATH "attacks/", 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; children && children[i]; i++)
    if (g_str_has_suffix (children[i], ".json"))
      g_ptr_array_add (names, g_strdup_printf ("attacks/%.*s", (int) strlen (children[i]) - 5, children[i]));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

SimScenario *
cli_load_builtin (const char  *name,
                  GError     **error)
{
  g_autofree char *path = g_strconcat (BUILTIN_PATH, name, ".json", NULL);
  g_autofree char *label = g_strconcat ("builtin:", name, ".json", NULL);
  g_autoptr(GBytes) data = g_resources_lookup_data (path, 0, NULL);

  if (data == NULL)
    {
      g_set_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_IO, _("no built-in lesson “%s”"), name);
      return NULL;
    }
  return sim_scenario_load_data_as (label, g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                    cli_load_profile (), error);
}

/**
 * cli_collect_scenarios:
 * @files: (element-type filename): where to add what @path stands for: the file itself, or
 *   every *.json below a folder, in sorted order (golden traces, *.golden.jsonl, are not
 *   scenarios)
 */
void
cli_collect_scenarios (const char *path,
                       GPtrArray  *files)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) found = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || !(dir = g_dir_open (path, 0, NULL)))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  found = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) || g_str_has_suffix (name, ".json"))
        g_ptr_array_add (found, g_steal_pointer (&child));
    }
  g_ptr_array_sort (found, compare_names);
  for (guint i = 0; i < found->len; i++)
    cli_collect_scenarios (found->pdata[i], files);
}
