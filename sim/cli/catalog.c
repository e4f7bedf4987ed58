/* catalog.c: where the scenario catalog (every lesson and attack in scenarios/) is, so that a
 * lesson can be named the way `oauth-sim list` shows it (`consent/access-denied`,
 * `attacks/csrf-off`) from any folder.
 *
 * Installed, the catalog is PKGDATADIR/scenarios, found from where the program itself is
 * (bin/../share/oauth-sim/scenarios), so that a tree installed under any prefix or DESTDIR
 * finds its own; run from the build folder, it is the source tree's scenarios/. */
#include <glib/gi18n.h>
#include <gio/gio.h>
#include <string.h>

#include "sim/cli/cli.h"

/* The folder the running program is in, or NULL where /proc/self/exe cannot be read. */
static char *
program_dir (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  return exe ? g_path_get_dirname (exe) : NULL;
}

/* The catalog folder, or NULL when there is none (a program copied somewhere alone still
 * has its built-in lessons). */
static char *
find_catalog_dir (void)
{
  g_autofree char *dir = program_dir ();
  g_autofree char *canonical_build = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *installed = NULL;

  if (dir == NULL)
    return NULL;
  canonical_build = g_canonicalize_filename (BUILD_ROOT, NULL);
  if (strcmp (dir, canonical_build) == 0)
    return g_build_filename (SOURCE_ROOT, "scenarios", NULL);
  /* dir is PREFIX/BINDIR; the catalog is PREFIX/PKGDATADIR/scenarios. */
  if (!g_path_is_absolute (BINDIR) && g_str_has_suffix (dir, "/" BINDIR))
    {
      prefix = g_strndup (dir, strlen (dir) - strlen ("/" BINDIR));
      installed = g_build_filename (prefix, PKGDATADIR, "scenarios", NULL);
      if (g_file_test (installed, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&installed);
      g_clear_pointer (&installed, g_free);
    }
  /* Installed with an absolute --bindir or --datadir: where meson was told it would be. */
  installed = g_build_filename (PREFIX, PKGDATADIR, "scenarios", NULL);
  return g_file_test (installed, G_FILE_TEST_IS_DIR) ? g_steal_pointer (&installed) : NULL;
}

/**
 * cli_catalog_dir:
 * Returns: (transfer full) (nullable): the catalog folder, or NULL when there is none.
 */
char *
cli_catalog_dir (void)
{
  /* Looked for once: `list` loads every lesson by name. */
  static char *found;
  static gsize looked;

  if (g_once_init_enter (&looked))
    {
      found = find_catalog_dir ();
      g_once_init_leave (&looked, 1);
    }
  return g_strdup (found);
}

/* NAME or NAME.json in the catalog, if it is there. */
static char *
catalog_file (const char *name)
{
  g_autofree char *dir = cli_catalog_dir ();
  g_autofree char *file = NULL;

  if (dir == NULL || g_path_is_absolute (name) || strstr (name, "..") != NULL)
    return NULL;
  file = g_build_filename (dir, name, NULL);
  if (!g_str_has_suffix (name, ".json"))
    {
      char *with_suffix = g_strconcat (file, ".json", NULL);
      g_free (file);
      file = with_suffix;
    }
  return g_file_test (file, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&file) : NULL;
}

/**
 * cli_load_scenario:
 * @path: a scenario file, or a lesson's name in the catalog or among the built-in lessons
 *   (`attacks/csrf-off`, with or without `.json`)
 *
 * A file that exists is always the one loaded; a name is looked up only when no such file is
 * there, so a student's own copy in the current folder wins.
 */
SimScenario *
cli_load_scenario (const char  *path,
                   GError     **error)
{
  g_autofree char *file = NULL;
  g_autofree char *name = NULL;
  SimScenario *builtin;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return sim_scenario_load_file_as (path, cli_load_profile (), error);
  if ((file = catalog_file (path)) != NULL)
    return sim_scenario_load_file_as (file, cli_load_profile (), error);
  name = g_str_has_suffix (path, ".json") ? g_strndup (path, strlen (path) - 5) : g_strdup (path);
  if ((builtin = cli_load_builtin (name, NULL)) != NULL)
    return builtin;
  return sim_scenario_load_file (path, error);  /* says that there is no such file */
}

/* The catalog's own top-level lessons (classic) before the folders of lessons. */
static int
compare_catalog_names (gconstpointer a,
                       gconstpointer b)
{
  const char *x = *(const char **) a, *y = *(const char **) b;
  gboolean x_nested = strchr (x, '/') != NULL, y_nested = strchr (y, '/') != NULL;

  if (x_nested != y_nested)
    return x_nested - y_nested;
  return strcmp (x, y);
}

/**
 * cli_catalog_names:
 * Returns: (transfer full) (element-type utf8): every lesson the catalog has, as names
 *   relative to it without `.json`, top-level lessons first, then by name; the built-in
 *   lessons when there is no catalog.
 */
GPtrArray *
cli_catalog_names (void)
{
  g_autofree char *dir = cli_catalog_dir ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) files = NULL;

  if (dir == NULL)
    {
      g_auto(GStrv) lessons = cli_builtin_names ();
      g_auto(GStrv) attacks = cli_builtin_attack_names ();
      for (guint i = 0; lessons[i]; i++)
        g_ptr_array_add (names, g_strdup (lessons[i]));
      for (guint i = 0; attacks[i]; i++)
        g_ptr_array_add (names, g_strdup (attacks[i]));
      return g_steal_pointer (&names);
    }
  files = g_ptr_array_new_with_free_func (g_free);
  cli_collect_scenarios (dir, files);
  for (guint i = 0; i < files->len; i++)
    {
      const char *file = (const char *) files->pdata[i] + strlen (dir) + 1;
      g_ptr_array_add (names, g_strndup (file, strlen (file) - strlen (".json")));
    }
  g_ptr_array_sort (names, compare_catalog_names);
  return g_steal_pointer (&names);
}
