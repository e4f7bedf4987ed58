/* attacks-profiles.c: `oauth-sim attacks --profile P` and `--profile all`: the attack lab
 * under a profile (docs/profiles.md).
 *
 * Under a profile, each attack's steps are played with the profile's settings in place of the
 * lesson's defense switches: the app and the server follow the profile and nothing else. (The
 * lesson's own actors, its app's PKCE setting for one, stay as the lesson says.) A row says
 * whether the profile stops the attack; a cell, what one defense changes there: switched off
 * alone where the profile has it on, switched on alone where it has it off. Every cell is
 * computed from runs; the lessons' expectations, written for their own profile, are not judged.
 */
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli/attacks-profiles.h"
#include "sim/scenario/run.h"
#include "sim/textwrap.h"

#define NAME_COLUMNS 40

typedef enum
{
  MARK_RELIED_ON,       /* on under the profile; without it the attack works */
  MARK_ON,              /* on under the profile; not alone what stops the attack */
  MARK_WOULD_STOP,      /* off under the profile; switched on alone, it stops the attack */
  MARK_OFF,             /* off under the profile; alone it does not stop the attack */
} Mark;

/* Plays @lesson with exactly @defenses over @profile; whether the attacker got its prize. */
static gboolean
attack_works (SimScenario         *lesson,
              const OAuthProfile  *profile,
              const OAuthDefenses *defenses,
              guint               *runs)
{
  g_autoptr(SimRun) run = NULL;

  sim_scenario_apply_profile (lesson, profile);
  lesson->defenses = *defenses;
  sim_scenario_apply_defenses (lesson);
  run = sim_run_new (lesson, FALSE, 0);
  sim_run_play (run);
  (*runs)++;
  return sim_run_attack_succeeded (run);
}

static const char *
mark_glyph (Mark mark)
{
  switch (mark)
    {
    case MARK_RELIED_ON: return "■";
    case MARK_ON: return "○";
    case MARK_WOULD_STOP: return "●";
    case MARK_OFF:
    default: return "·";
    }
}

static const char *
mark_name (Mark mark)
{
  switch (mark)
    {
    case MARK_RELIED_ON: return "stops";
    case MARK_ON: return "on";
    case MARK_WOULD_STOP: return "would-stop";
    case MARK_OFF:
    default: return "off";
    }
}

static void
print_row_name (const char *name)
{
  g_autofree char *shown = sim_text_truncate (name, NAME_COLUMNS - 1);
  printf ("%s%*s", shown, (int) (NAME_COLUMNS - sim_text_columns (shown)), "");
}

/* Right-aligned in @width columns (printf counts bytes, and "■" is three). */
static void
print_right (const char *text,
             guint       width)
{
  guint columns = sim_text_columns (text);
  printf ("%*s%s", (int) (columns < width ? width - columns : 0), "", text);
}

static void
print_wrapped (const char *text,
               const char *first,
               const char *indent)
{
  g_autoptr(GString) wrapped = g_string_new (NULL);
  sim_text_wrap (wrapped, text, first, indent, 78);
  fputs (wrapped->str, stdout);
}

static void
print_json_root (JsonBuilder *b)
{
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = json_to_string (root, TRUE);
  printf ("%s\n", text);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

/**
 * cli_attacks_under_profile:
 * @lessons: (element-type SimScenario): one lesson of each attack, in the lab's order
 *
 * Prints the matrix of @lessons under the profile @name, as text or, with @json, as JSON.
 */
void
cli_attacks_under_profile (GPtrArray  *lessons,
                           const char *name,
                           gboolean    json)
{
  const OAuthProfile *profile = oauth_profile_lookup (name);
  const char *const *names = oauth_defense_names ();
  guint n = g_strv_length ((GStrv) names), runs = 0, stopped = 0;
  g_autofree Mark *marks = g_new0 (Mark, lessons->len * n);
  g_autofree gboolean *works = g_new0 (gboolean, lessons->len);

  for (guint i = 0; i < lessons->len; i++)
    {
      SimScenario *lesson = lessons->pdata[i];
      works[i] = attack_works (lesson, profile, &profile->defenses, &runs);
      stopped += !works[i];
      for (guint j = 0; j < n; j++)
        {
          OAuthDefenses defenses = profile->defenses;
          gboolean *flag = oauth_defenses_lookup (&defenses, names[j]);
          gboolean on = *flag;

          /* Off alone where the attack fails, on alone where it works: either can only change
           * the outcome; the other way round cannot matter to it. */
          if (on == works[i])
            {
              marks[i * n + j] = on ? MARK_ON : MARK_OFF;
              continue;
            }
          *flag = !on;
          if (attack_works (lesson, profile, &defenses, &runs) != works[i])
            marks[i * n + j] = on ? MARK_RELIED_ON : MARK_WOULD_STOP;
          else
            marks[i * n + j] = on ? MARK_ON : MARK_OFF;
        }
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
      json_builder_begin_object (b);
      add_string (b, "profile", name);
      add_string (b, "description", oauth_profile_describe (name));
      json_builder_set_member_name (b, "runs");
      json_builder_add_int_value (b, runs);
      json_builder_set_member_name (b, "attacks");
      json_builder_begin_array (b);
      for (guint i = 0; i < lessons->len; i++)
        {
          SimAttack *attack = ((SimScenario *) lessons->pdata[i])->attack;
          json_builder_begin_object (b);
          add_string (b, "name", attack->name);
          add_string (b, "cites", attack->cites);
          add_string (b, "defense", attack->defense);
          json_builder_set_member_name (b, "stopped");
          json_builder_add_boolean_value (b, !works[i]);
          json_builder_set_member_name (b, "cells");
          json_builder_begin_object (b);
          for (guint j = 0; j < n; j++)
            add_string (b, names[j], mark_name (marks[i * n + j]));
          json_builder_end_object (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      print_json_root (b);
      return;
    }

  printf (_("The attack lab under the profile %s: it stops %u of %u attacks, computed from %u runs.\n\n"),
          name, stopped, lessons->len, runs);
  printf ("%*s", NAME_COLUMNS, "");
  for (guint j = 0; j < n; j++)
    printf ("%3u", j + 1);
  printf ("\n");
  for (guint i = 0; i < lessons->len; i++)
    {
      print_row_name (((SimScenario *) lessons->pdata[i])->attack->name);
      for (guint j = 0; j < n; j++)
        printf ("  %s", mark_glyph (marks[i * n + j]));
      printf ("   %s\n", works[i] ? _("WORKS") : _("stopped"));
    }
  printf ("\n  %s\n  %s\n  %s\n  %s\n\n",
          _("■ on under this profile, and without it the attack works"),
          _("○ on under this profile, and not alone what stops the attack"),
          _("● off under this profile, and switched on alone it stops the attack"),
          _("· off under this profile, and alone it does not stop the attack"));
  print_wrapped (oauth_profile_describe (name), "  ", "  ");
  printf ("\n");
  for (guint j = 0; j < n; j++)
    {
      g_autofree char *first = g_strdup_printf ("%3u  %s: ", j + 1, names[j]);
      print_wrapped (oauth_defense_describe (names[j]), first, "       ");
    }
}

/**
 * cli_attacks_by_profile:
 * @lessons: (element-type SimScenario): one lesson of each attack, in the lab's order
 *
 * Prints which attacks each profile stops.
 */
void
cli_attacks_by_profile (GPtrArray *lessons,
                        gboolean   json)
{
  const char *const *profiles = oauth_profile_names ();
  guint n = g_strv_length ((GStrv) profiles), runs = 0;
  g_autofree gboolean *stops = g_new0 (gboolean, lessons->len * n);
  g_autofree guint *counts = g_new0 (guint, n);

  for (guint i = 0; i < lessons->len; i++)
    for (guint j = 0; j < n; j++)
      {
        const OAuthProfile *profile = oauth_profile_lookup (profiles[j]);
        stops[i * n + j] = !attack_works (lessons->pdata[i], profile, &profile->defenses, &runs);
        counts[j] += stops[i * n + j];
      }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "runs");
      json_builder_add_int_value (b, runs);
      json_builder_set_member_name (b, "profiles");
      json_builder_begin_array (b);
      for (guint j = 0; j < n; j++)
        {
          json_builder_begin_object (b);
          add_string (b, "name", profiles[j]);
          add_string (b, "description", oauth_profile_describe (profiles[j]));
          json_builder_set_member_name (b, "stops");
          json_builder_add_int_value (b, counts[j]);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "attacks");
      json_builder_begin_array (b);
      for (guint i = 0; i < lessons->len; i++)
        {
          SimAttack *attack = ((SimScenario *) lessons->pdata[i])->attack;
          json_builder_begin_object (b);
          add_string (b, "name", attack->name);
          add_string (b, "cites", attack->cites);
          json_builder_set_member_name (b, "stopped");
          json_builder_begin_object (b);
          for (guint j = 0; j < n; j++)
            {
              json_builder_set_member_name (b, profiles[j]);
              json_builder_add_boolean_value (b, stops[i * n + j]);
            }
          json_builder_end_object (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      print_json_root (b);
      return;
    }

  printf (_("Which attacks each profile stops: %u attacks, computed from %u runs.\n\n"), lessons->len, runs);
  printf ("%*s", NAME_COLUMNS, "");
  for (guint j = 0; j < n; j++)
    print_right (profiles[j], 10);
  printf ("\n");
  for (guint i = 0; i < lessons->len; i++)
    {
      print_row_name (((SimScenario *) lessons->pdata[i])->attack->name);
      for (guint j = 0; j < n; j++)
        print_right (stops[i * n + j] ? "■" : "·", 10);
      printf ("\n");
    }
  printf ("%*s", NAME_COLUMNS, "");
  for (guint j = 0; j < n; j++)
    {
      g_autofree char *count = g_strdup_printf ("%u/%u", counts[j], lessons->len);
      print_right (count, 10);
    }
  printf ("\n\n  %s\n  %s\n\n",
          _("■ stopped: under the profile's settings the attacker does not get its prize"),
          _("· the attack works under the profile"));
  for (guint j = 0; j < n; j++)
    {
      g_autofree char *first = g_strdup_printf ("  %s: ", profiles[j]);
      print_wrapped (oauth_profile_describe (profiles[j]), first, "    ");
    }
}
