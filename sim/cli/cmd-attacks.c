/* cmd-attacks.c: `oauth-sim attacks [PATH…]`: the attack lab's matrix of attacks by defenses.
 *
 * Each attack is a pair of lessons that differ in one defense, named in their "attack" object:
 * with it off the attack must work, with it on it must fail, and each lesson's own expectations
 * must hold. Then, from the lesson where the attack works, every other defense that is off there
 * is switched on alone and the lesson played again: a defense "stops" the attack when it then
 * fails. Whether an attack worked is judged from the run (what the attacker came to know), never
 * from what a file says. The built-in lab is used unless files or folders are given.
 */
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli/attacks-profiles.h"
#include "sim/cli/cli.h"
#include "sim/scenario/run.h"
#include "sim/textwrap.h"

#define NAME_COLUMNS 40

typedef enum
{
  CELL_DOES_NOT_STOP,
  CELL_STOPS,           /* another defense, switched on alone, stops it */
  CELL_LESSON,          /* the pair's defense, and the pair behaves */
  CELL_BROKEN,          /* the pair's defense, and the pair does not behave */
} Cell;

typedef struct
{
  SimScenario *on;      /* the lesson with the defense on */
  SimScenario *off;
  gboolean on_attack_worked, on_expectations_met;
  gboolean off_attack_worked, off_expectations_met;
  GPtrArray *problems;  /* (element-type utf8) */
  Cell *cells;          /* one per defense, in oauth_defense_names () order */
} Pair;

static void
pair_free (gpointer data)
{
  Pair *pair = data;
  g_clear_pointer (&pair->on, sim_scenario_free);
  g_clear_pointer (&pair->off, sim_scenario_free);
  g_ptr_array_unref (pair->problems);
  g_free (pair->cells);
  g_free (pair);
}

static guint
defense_index (const char *name)
{
  const char *const *names = oauth_defense_names ();
  guint i;

  for (i = 0; names[i] && strcmp (names[i], name) != 0; i++)
    ;
  return i;
}

static int
compare_pairs (gconstpointer a,
               gconstpointer b)
{
  const Pair *x = *(const Pair *const *) a;
  const Pair *y = *(const Pair *const *) b;
  guint dx = defense_index (x->off->attack->defense), dy = defense_index (y->off->attack->defense);

  if (dx != dy)
    return dx < dy ? -1 : 1;
  return g_utf8_collate (x->off->attack->name, y->off->attack->name);
}

/* Plays @scenario, quietly; returns whether the attacker got its prize. */
static gboolean
play (SimScenario *scenario,
      gboolean    *expectations_met,
      guint       *runs)
{
  g_autoptr(SimRun) run = sim_run_new (scenario, FALSE, 0);
  gboolean met = sim_run_play (run);

  (*runs)++;
  if (expectations_met)
    *expectations_met = met;
  return sim_run_attack_succeeded (run);
}

static void
problem (Pair       *pair,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static void
problem (Pair       *pair,
         const char *format,
         ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (pair->problems, g_strdup_vprintf (format, args));
  va_end (args);
}

/* The two lessons must differ in their defense only; the attack's own metadata must agree. */
static gboolean
check_pairing (Pair *pair)
{
  SimAttack *a = pair->on->attack, *b = pair->off->attack;
  OAuthDefenses on = pair->on->defenses;

  *oauth_defenses_lookup (&on, a->defense) = FALSE;
  if (g_strcmp0 (a->cites, b->cites) != 0 || g_strcmp0 (a->defense, b->defense) != 0)
    problem (pair, _("%s and %s describe the attack differently"), pair->on->file, pair->off->file);
  else if (!oauth_defenses_equal (&on, &pair->off->defenses))
    problem (pair, _("%s and %s differ in more than the defense %s"), pair->on->file, pair->off->file, a->defense);
  return pair->problems->len == 0;
}

static void
judge (Pair  *pair,
       guint *runs)
{
  const char *const *names = oauth_defense_names ();
  const char *defense = pair->off->attack->defense;
  guint lesson = defense_index (defense);

  pair->on_attack_worked = play (pair->on, &pair->on_expectations_met, runs);
  pair->off_attack_worked = play (pair->off, &pair->off_expectations_met, runs);
  if (!pair->off_expectations_met)
    problem (pair, _("%s: its expectations fail"), pair->off->file);
  if (!pair->on_expectations_met)
    problem (pair, _("%s: its expectations fail"), pair->on->file);
  if (!pair->off_attack_worked)
    problem (pair, _("%s: with %s off, the attack should work, and the attacker did not get its prize"),
             pair->off->file, defense);
  if (pair->on_attack_worked)
    problem (pair, _("%s: with %s on, the attack should fail, and the attacker got its prize"),
             pair->on->file, defense);

  for (guint i = 0; names[i]; i++)
    {
      gboolean *flag = oauth_defenses_lookup (&pair->off->defenses, names[i]);
      gboolean worked;

      if (i == lesson)
        {
          pair->cells[i] = pair->off_attack_worked && !pair->on_attack_worked ? CELL_LESSON : CELL_BROKEN;
          continue;
        }
      /* on where the attack works: it does not stop it */
      if (*flag || !pair->off_attack_worked)
        {
          pair->cells[i] = CELL_DOES_NOT_STOP;
          continue;
        }
      *flag = TRUE;
      sim_scenario_apply_defenses (pair->off);
      worked = play (pair->off, NULL, runs);
      *flag = FALSE;
      sim_scenario_apply_defenses (pair->off);
      pair->cells[i] = worked ? CELL_DOES_NOT_STOP : CELL_STOPS;
    }
}

/* Loading */

static void
load_into (GHashTable  *groups,
           GPtrArray   *order,
           SimScenario *scenario,
           GString     *trouble)
{
  GPtrArray *group;

  if (scenario->attack == NULL)
    {
      g_string_append_printf (trouble, _("%s: not an attack lesson (it has no “attack” object)\n"), scenario->file);
      sim_scenario_free (scenario);
      return;
    }
  group = g_hash_table_lookup (groups, scenario->attack->name);
  if (group == NULL)
    {
      group = g_ptr_array_new ();
      g_hash_table_insert (groups, g_strdup (scenario->attack->name), group);
      g_ptr_array_add (order, group);
    }
  g_ptr_array_add (group, scenario);
}

static GPtrArray *
pair_up (GPtrArray *order,
         GString   *trouble)
{
  GPtrArray *pairs = g_ptr_array_new_with_free_func (pair_free);

  for (guint i = 0; i < order->len; i++)
    {
      GPtrArray *group = order->pdata[i];
      SimScenario *first = group->pdata[0];
      SimScenario *on = NULL, *off = NULL;
      Pair *pair;

      for (guint j = 0; j < group->len; j++)
        {
          SimScenario *s = group->pdata[j];
          SimScenario **slot = *oauth_defenses_lookup (&s->defenses, s->attack->defense) ? &on : &off;
          if (*slot == NULL)
            *slot = s;
          else
            {
              g_string_append_printf (trouble, _("%s and %s: two lessons of “%s” with %s %s; a pair has one with it on and one with it off\n"),
                                      (*slot)->file, s->file, s->attack->name, s->attack->defense,
                                      slot == &on ? _("on") : _("off"));
              sim_scenario_free (s);
            }
        }
      if (on == NULL || off == NULL)
        {
          g_string_append_printf (trouble, _("%s: “%s” has no lesson with %s %s to pair it with\n"),
                                  first->file, first->attack->name, first->attack->defense,
                                  on == NULL ? _("on") : _("off"));
          g_clear_pointer (&on, sim_scenario_free);
          g_clear_pointer (&off, sim_scenario_free);
          continue;
        }
      pair = g_new0 (Pair, 1);
      pair->on = on;
      pair->off = off;
      pair->problems = g_ptr_array_new_with_free_func (g_free);
      pair->cells = g_new0 (Cell, g_strv_length ((GStrv) oauth_defense_names ()));
      g_ptr_array_add (pairs, pair);
    }
  g_ptr_array_sort (pairs, compare_pairs);
  return pairs;
}

/* Output */

static const char *
cell_name (Cell cell)
{
  switch (cell)
    {
    case CELL_LESSON: return "stops";
    case CELL_STOPS: return "stops";
    case CELL_BROKEN: return "broken";
    case CELL_DOES_NOT_STOP:
    default: return "does-not-stop";
    }
}

static const char *
cell_mark (Cell cell)
{
  switch (cell)
    {
    case CELL_LESSON: return "■";
    case CELL_STOPS: return "●";
    case CELL_BROKEN: return "✗";
    case CELL_DOES_NOT_STOP:
    default: return "·";
    }
}

static void
print_text (GPtrArray *pairs,
            guint      runs)
{
  const char *const *names = oauth_defense_names ();
  guint n = g_strv_length ((GStrv) names);

  printf (_("Which defense stops which attack: %u attacks, computed from %u runs.\n\n"), pairs->len, runs);
  printf ("%*s", NAME_COLUMNS, "");
  for (guint i = 0; i < n; i++)
    printf ("%3u", i + 1);
  printf ("\n");
  for (guint i = 0; i < pairs->len; i++)
    {
      Pair *pair = pairs->pdata[i];
      g_autofree char *name = sim_text_truncate (pair->off->attack->name, NAME_COLUMNS - 1);
      guint pad = NAME_COLUMNS - sim_text_columns (name);

      printf ("%s%*s", name, (int) pad, "");
      for (guint j = 0; j < n; j++)
        printf ("  %s", cell_mark (pair->cells[j]));
      printf ("   %s\n", pair->problems->len ? _("FAILED") : _("ok"));
    }
  printf ("\n  %s\n  %s\n  %s\n  %s\n\n",
          _("■ the lesson's defense: with it off the attack works, with it on it fails"),
          _("● also stops it, switched on alone where the attack works"),
          _("· does not stop it there"),
          _("✗ the lesson's pair does not behave as it should"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GString) wrapped = g_string_new (NULL);
      g_autofree char *first = g_strdup_printf ("%3u  %s: ", i + 1, names[i]);
      sim_text_wrap (wrapped, oauth_defense_describe (names[i]), first, "       ", 78);
      fputs (wrapped->str, stdout);
    }
  printf ("\n");
  for (guint i = 0; i < pairs->len; i++)
    {
      Pair *pair = pairs->pdata[i];
      g_autoptr(GString) wrapped = g_string_new (NULL);
      g_autofree char *first = g_strdup_printf ("%s: ", pair->off->attack->name);
      sim_text_wrap (wrapped, pair->off->attack->cites, first, "    ", 78);
      fputs (wrapped->str, stdout);
      for (guint j = 0; j < pair->problems->len; j++)
        {
          g_autoptr(GString) problem_text = g_string_new (NULL);
          sim_text_wrap (problem_text, pair->problems->pdata[j], "  ✗ ", "    ", 78);
          fputs (problem_text->str, stdout);
        }
    }
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_bool (JsonBuilder *b,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

static void
add_run (JsonBuilder *b,
         const char  *name,
         const char  *file,
         gboolean     attack_worked,
         gboolean     expectations_met)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  add_string (b, "file", file);
  add_bool (b, "attack_worked", attack_worked);
  add_bool (b, "expectations_met", expectations_met);
  json_builder_end_object (b);
}

static void
print_json (GPtrArray *pairs,
            guint      runs,
            gboolean   ok)
{
  const char *const *names = oauth_defense_names ();
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  add_bool (b, "ok", ok);
  json_builder_set_member_name (b, "runs");
  json_builder_add_int_value (b, runs);
  json_builder_set_member_name (b, "defenses");
  json_builder_begin_array (b);
  for (guint i = 0; names[i]; i++)
    {
      json_builder_begin_object (b);
      add_string (b, "name", names[i]);
      add_string (b, "description", oauth_defense_describe (names[i]));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "attacks");
  json_builder_begin_array (b);
  for (guint i = 0; i < pairs->len; i++)
    {
      Pair *pair = pairs->pdata[i];
      SimAttack *attack = pair->off->attack;

      json_builder_begin_object (b);
      add_string (b, "name", attack->name);
      add_string (b, "cites", attack->cites);
      add_string (b, "defense", attack->defense);
      json_builder_set_member_name (b, "prize");
      json_builder_begin_array (b);
      for (guint j = 0; j < attack->prize->len; j++)
        json_builder_add_string_value (b, attack->prize->pdata[j]);
      json_builder_end_array (b);
      add_run (b, "off", pair->off->file, pair->off_attack_worked, pair->off_expectations_met);
      add_run (b, "on", pair->on->file, pair->on_attack_worked, pair->on_expectations_met);
      add_bool (b, "ok", pair->problems->len == 0);
      json_builder_set_member_name (b, "problems");
      json_builder_begin_array (b);
      for (guint j = 0; j < pair->problems->len; j++)
        json_builder_add_string_value (b, pair->problems->pdata[j]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "cells");
      json_builder_begin_object (b);
      for (guint j = 0; names[j]; j++)
        add_string (b, names[j], cell_name (pair->cells[j]));
      json_builder_end_object (b);
      json_builder_set_member_name (b, "stopped_by");
      json_builder_begin_array (b);
      for (guint j = 0; names[j]; j++)
        if (pair->cells[j] == CELL_LESSON || pair->cells[j] == CELL_STOPS)
          json_builder_add_string_value (b, names[j]);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, TRUE);
  printf ("%s\n", text);
}

static const char *const formats[] = { "text", "json", NULL };

int
cli_attacks (int    argc,
             char **argv)
{
  g_autofree char *format = NULL;
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("Output format: text (default) or json"), N_("FORMAT") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = cli_context_new ("attacks");
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autoptr(GPtrArray) pairs = NULL;
  g_autoptr(GString) trouble = g_string_new (NULL);
  g_autofree char *profile = NULL;
  gboolean ok = TRUE;
  guint runs = 0;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  cli_add_profile_option (context, TRUE);
  g_option_context_set_description (context, _("Plays every attack lesson in pairs, one with the defense at stake off and one with it on, and prints which defense stops which attack, each cell computed from the runs. Without PATH, plays the lab built into oauth-sim (docs/attack-lab.md). With --profile, plays each attack under a profile's settings instead of its lessons' switches, and prints which defense of the profile stops it (--profile all: which attacks each profile stops; docs/profiles.md). Exit status: 0 when every pair behaves as its lessons say, 1 when one does not, 2 for bad input."));
  if (!cli_parse (context, &argc, &argv, &error))
    return cli_usage_error ("attacks", error->message);
  /* The lessons load as written; the profile views put each profile under them. */
  profile = g_steal_pointer (&cli_profile);
  if (format && !g_strv_contains (formats, format))
    {
      g_autofree char *message = g_strdup_printf (_("unknown format “%s”; expected text or json"), format);
      return cli_usage_error ("attacks", message);
    }

  if (argc < 2)
    {
      g_auto(GStrv) names = cli_builtin_attack_names ();
      for (guint i = 0; names[i]; i++)
        {
          SimScenario *scenario = cli_load_builtin (names[i], &error);
          if (scenario == NULL)
            {
              g_string_append_printf (trouble, "%s\n", error->message);
              g_clear_error (&error);
              continue;
            }
          load_into (groups, order, scenario, trouble);
        }
    }
  else
    {
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
      for (int i = 1; i < argc; i++)
        cli_collect_scenarios (argv[i], files);
      for (guint i = 0; i < files->len; i++)
        {
          SimScenario *scenario = cli_load_scenario (files->pdata[i], &error);
          if (scenario == NULL)
            {
              g_string_append_printf (trouble, "%s\n", error->message);
              g_clear_error (&error);
              continue;
            }
          load_into (groups, order, scenario, trouble);
        }
    }
  pairs = pair_up (order, trouble);
  if (trouble->len)
    {
      g_auto(GStrv) lines = g_strsplit (trouble->str, "\n", -1);
      for (guint i = 0; lines[i]; i++)
        if (*lines[i])
          cli_error ("%s", lines[i]);
      return CLI_TROUBLE;
    }
  if (pairs->len == 0)
    {
      cli_error (_("no attack lessons to play"));
      return CLI_TROUBLE;
    }

  if (profile)
    {
      g_autoptr(GPtrArray) lessons = g_ptr_array_new ();
      for (guint i = 0; i < pairs->len; i++)
        g_ptr_array_add (lessons, ((Pair *) pairs->pdata[i])->off);
      if (strcmp (profile, "all") == 0)
        cli_attacks_by_profile (lessons, g_strcmp0 (format, "json") == 0);
      else
        cli_attacks_under_profile (lessons, profile, g_strcmp0 (format, "json") == 0);
      return CLI_OK;
    }

  for (guint i = 0; i < pairs->len; i++)
    {
      Pair *pair = pairs->pdata[i];
      if (check_pairing (pair))
        judge (pair, &runs);
      else
        pair->cells[defense_index (pair->off->attack->defense)] = CELL_BROKEN;
      ok = ok && pair->problems->len == 0;
    }
  if (g_strcmp0 (format, "json") == 0)
    print_json (pairs, runs, ok);
  else
    print_text (pairs, runs);
  for (guint i = 0; i < pairs->len; i++)
    {
      Pair *pair = pairs->pdata[i];
      for (guint j = 0; j < pair->problems->len; j++)
        cli_error ("%s", (char *) pair->problems->pdata[j]);
    }
  return ok ? CLI_OK : CLI_FAILED;
}
