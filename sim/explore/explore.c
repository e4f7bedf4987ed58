/* explore.c: the search. Breadth-first over abstract world states, from a fresh world each
 * time: a state is reached by replaying its move sequence in a new world, which the seeded
 * generator and simulated clock make deterministic. Each state is explored once (a hash of
 * what each actor holds, the server's live records, the kinds of exchanges seen and the
 * properties' own records), so the first violation found of each property is a shortest one;
 * it is then shrunk (moves dropped while the violation stays) and written as a scenario. */
#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/resource.h>

#include "sim/explore/explore.h"
#include "actors/secrets.h"

/* What a move needs the attacker to hold, so that moves with nothing to act on are not tried. */
typedef enum
{
  NEEDS_NOTHING,
  NEEDS_CODE,
  NEEDS_REFRESH,
  NEEDS_ACCESS,
  NEEDS_OWN_CLIENT,
  NEEDS_NO_OWN_CLIENT,
} Needs;

typedef struct
{
  guint32 parent;
  guint8 move;
  guint8 depth;
  guint8 honest;      /* honest steps played */
  guint8 violated;
  guint32 enabled;    /* the moves to try from here, one bit each */
} Node;

typedef struct
{
  SimScenario *catalogue;
  guint honest;
  guint n_moves;
  Needs needs[32];
  gboolean seed_set;
  guint64 seed;
} Search;

typedef struct
{
  SimRun *run;
  SimPropertyTracker *tracker;
} World;

static const char *const actors[] = { "resource-owner", "client", "auth-server", "api", "attacker", NULL };
static const char *const attacker_held[] = {
  "client_id", "code", "state", "code_verifier", "access_token", "refresh_token", NULL
};

static void
world_clear (World *w)
{
  g_clear_pointer (&w->tracker, sim_property_tracker_free);
  g_clear_pointer (&w->run, sim_run_free);
}

static guint
world_play (Search      *s,
            World       *w,
            const guint8 *path,
            guint        length)
{
  w->run = sim_run_new (s->catalogue, s->seed_set, s->seed);
  w->tracker = sim_property_tracker_new (s->catalogue);
  for (guint i = 0; i < length; i++)
    sim_run_play_step (w->run, path[i]);
  return sim_property_tracker_update (w->tracker, w->run);
}

static guint64
mix (guint64 h,
     guint64 v)
{
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdull;
}

static int
compare_u32 (gconstpointer a,
             gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

/* Where the owner's browser is: the page's host and path, its parameters' names, and the
 * values of those that someone chose rather than drew (where a code will be sent, what is
 * asked for); a state or a challenge, drawn at random, does not count. */
static guint64
page_hash (const char *url)
{
  static const char *const chosen[] = {
    "redirect_uri", "scope", "response_type", "code_challenge_method", "server", "to", NULL
  };
  g_autoptr(SimUri) uri = url ? sim_uri_parse (url, NULL) : NULL;
  g_autoptr(SimParams) query = uri && sim_uri_get_query (uri) ? sim_params_parse (sim_uri_get_query (uri), NULL) : NULL;
  guint64 h;

  if (uri == NULL)
    return 0;
  h = mix (g_str_hash (sim_uri_get_host (uri) ? sim_uri_get_host (uri) : ""), g_str_hash (sim_uri_get_path (uri)));
  for (guint i = 0; query && i < sim_params_size (query); i++)
    {
      const char *name = sim_params_name_at (query, i);
      h = mix (h, g_str_hash (name));
      if (g_strv_contains (chosen, name))
        h = mix (h, g_str_hash (sim_params_value_at (query, i)));
    }
  return h;
}

/* The abstract state: equal for worlds that differ only in the values drawn. */
static guint64
state_hash (World *w,
            guint  honest)
{
  SimKnowledge *knowledge = sim_run_get_knowledge (w->run);
  ClientApp *client = sim_run_get_client (w->run);
  Attacker *attacker = sim_run_get_attacker (w->run);
  GPtrArray *records = sim_run_get_records (w->run);
  const char *const *kinds = oauth_secret_classifier.kinds;
  const char *const *client_held = client_app_held_names ();
  guint32 seen[256];
  guint n = 0;
  guint64 h = mix (0, honest), bits = 0;

  for (guint a = 0; actors[a]; a++)
    for (guint k = 0; kinds[k]; k++)
      bits = (bits << 1) | sim_knowledge_holds (knowledge, actors[a], kinds[k]);
  h = mix (h, bits);
  bits = 0;
  for (guint i = 0; client_held[i]; i++)
    bits = (bits << 1) | (client_app_get_held (client, client_held[i]) != NULL);
  for (guint i = 0; attacker_held[i]; i++)
    bits = (bits << 1) | (attacker_get_held (attacker, attacker_held[i]) != NULL);
  /* Which of the attacker's values are the client's own (its state, its code, its tokens):
   * the values do not count, but whose they are does. */
  for (guint i = 0; attacker_held[i]; i++)
    bits = (bits << 1) | (attacker_get_held (attacker, attacker_held[i]) != NULL
                          && g_strcmp0 (attacker_get_held (attacker, attacker_held[i]),
                                        client_app_get_held (client, attacker_held[i])) == 0);
  h = mix (h, bits);
  h = mix (h, page_hash (resource_owner_get_page_url (sim_run_get_owner (w->run))));
  h = mix (h, auth_server_count_live (sim_run_get_server (w->run)));
  h = mix (h, sim_property_tracker_hash (w->tracker));
  for (guint i = 0; i < records->len && n < G_N_ELEMENTS (seen); i++)
    {
      SimMessage *m = ((SimRecord *) records->pdata[i])->message;
      guint32 x = g_str_hash (m->from) ^ (g_str_hash (m->to ? m->to : "") * 31u)
                  ^ (g_str_hash (m->method) * 131u) ^ (g_str_hash (sim_message_get_path (m)) * 1031u)
                  ^ (m->status * 2654435761u);
      seen[n++] = x;
    }
  qsort (seen, n, sizeof seen[0], compare_u32);
  for (guint i = 0; i < n; i++)
    if (i == 0 || seen[i] != seen[i - 1])
      h = mix (h, seen[i]);
  return h ? h : 1;
}

static guint32
enabled_moves (Search *s,
               World  *w,
               guint   honest)
{
  Attacker *attacker = sim_run_get_attacker (w->run);
  guint32 mask = 0;

  for (guint m = s->honest; m < s->n_moves; m++)
    {
      gboolean ok;
      switch (s->needs[m])
        {
        case NEEDS_CODE: ok = attacker_get_held (attacker, "code") != NULL; break;
        case NEEDS_REFRESH: ok = attacker_get_held (attacker, "refresh_token") != NULL; break;
        case NEEDS_ACCESS: ok = attacker_get_held (attacker, "access_token") != NULL; break;
        case NEEDS_OWN_CLIENT: ok = attacker_get_held (attacker, "client_id") != NULL; break;
        case NEEDS_NO_OWN_CLIENT: ok = attacker_get_held (attacker, "client_id") == NULL; break;
        case NEEDS_NOTHING:
        default: ok = TRUE; break;
        }
      if (ok)
        mask |= 1u << m;
    }
  if (honest < s->honest)
    mask |= 1u << honest;
  return mask;
}

static Needs
needs_of (JsonObject *step)
{
  const char *actor = json_object_get_string_member_with_default (step, "actor", "");
  const char *action = json_object_get_string_member_with_default (step, "action", "");

  if (strcmp (actor, "attacker") != 0)
    return NEEDS_NOTHING;
  if (strcmp (action, "redeem") == 0 || strcmp (action, "forge-callback") == 0)
    return NEEDS_CODE;
  if (strcmp (action, "refresh") == 0)
    return NEEDS_REFRESH;
  if (strcmp (action, "call-api") == 0)
    return NEEDS_ACCESS;
  if (strcmp (action, "frame") == 0
      || (strcmp (action, "authorize") == 0 && !json_object_has_member (step, "client")))
    return NEEDS_OWN_CLIENT;
  if (strcmp (action, "register") == 0)
    return NEEDS_NO_OWN_CLIENT;
  return NEEDS_NOTHING;
}

/* An open-addressing set of 64-bit state hashes (0 is never a hash). */
typedef struct
{
  guint64 *slots;
  gsize size;
  gsize used;
} Seen;

static gboolean
seen_add (Seen    *set,
          guint64  h)
{
  gsize i;

  if (set->used * 2 >= set->size)
    {
      Seen bigger = { g_new0 (guint64, set->size ? set->size * 2 : 1024), set->size ? set->size * 2 : 1024, 0 };
      for (gsize j = 0; j < set->size; j++)
        if (set->slots[j])
          seen_add (&bigger, set->slots[j]);
      g_free (set->slots);
      *set = bigger;
    }
  for (i = h & (set->size - 1); set->slots[i]; i = (i + 1) & (set->size - 1))
    if (set->slots[i] == h)
      return FALSE;
  set->slots[i] = h;
  set->used++;
  return TRUE;
}

static guint
path_of (GArray *nodes,
         guint   index,
         guint8 *path)
{
  guint depth = g_array_index (nodes, Node, index).depth;

  for (guint d = depth; d > 0; d--)
    {
      Node *node = &g_array_index (nodes, Node, index);
      path[d - 1] = node->move;
      index = node->parent;
    }
  return depth;
}

static gboolean
violates (Search       *s,
          const guint8 *path,
          guint         length,
          SimProperty   property)
{
  World w = { 0 };
  guint bits = world_play (s, &w, path, length);
  world_clear (&w);
  return (bits >> property) & 1;
}

/* Drops moves one at a time, as long as the violation stays. */
static guint
shrink (Search     *s,
        guint8     *path,
        guint       length,
        SimProperty property)
{
  gboolean again = TRUE;

  while (again)
    {
      again = FALSE;
      for (guint i = 0; i < length && !again; i++)
        {
          guint8 shorter[64];
          memcpy (shorter, path, i);
          memcpy (shorter + i, path + i + 1, length - i - 1);
          if (violates (s, shorter, length - 1, property))
            {
              memcpy (path, shorter, length - 1);
              length--;
              again = TRUE;
            }
        }
    }
  /* the violation may happen before the last move: stop there */
  while (length > 1 && violates (s, path, length - 1, property))
    length--;
  return length;
}

static JsonNode *
localized (const char *en,
           const char *ko)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  json_object_set_string_member (object, "en", en);
  json_object_set_string_member (object, "ko", ko);
  json_node_take_object (node, object);
  return node;
}

/* The counterexample as a scenario: the file's world, the moves as its steps, and on the last
 * step the expectation that the violation happens. */
static char *
write_counterexample (Search       *s,
                      const char   *file,
                      JsonObject   *root,
                      JsonArray    *moves,
                      const guint8 *path,
                      guint         length,
                      SimProperty   property,
                      const char   *out_dir,
                      gboolean     *replays,
                      GError      **error)
{
  g_autoptr(JsonNode) copy = json_node_new (JSON_NODE_OBJECT);
  JsonObject *out;
  JsonArray *steps = json_array_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *base = g_path_get_basename (file);
  g_autofree char *stem = g_str_has_suffix (base, ".json") ? g_strndup (base, strlen (base) - 5) : g_strdup (base);
  g_autofree char *name = g_strdup_printf ("%s-%s.json", stem, sim_property_name (property));
  g_autofree char *path_out = g_build_filename (out_dir, name, NULL);
  g_autofree char *text = NULL;
  g_autofree char *en = NULL, *ko = NULL, *den = NULL, *dko = NULL;
  World w = { 0 };

  json_node_take_object (copy, json_object_ref (root));
  copy = json_node_copy (copy);
  out = json_node_get_object (copy);
  for (guint i = 0; i < length; i++)
    json_array_add_element (steps, json_node_copy (json_array_get_element (moves, path[i])));
  world_play (s, &w, path, length);
  json_object_set_member (json_array_get_object_element (steps, length - 1), "expect",
                          sim_property_expectation (w.tracker, property));
  world_clear (&w);
  json_object_set_array_member (out, "steps", steps);
  if (!json_object_has_member (out, "attacker"))
    json_object_set_object_member (out, "attacker", json_object_new ());
  if (s->seed_set)
    json_object_set_int_member (out, "seed", (gint64) s->seed);
  en = g_strdup_printf ("Counterexample: %s, violated in %u steps", sim_property_name (property), length);
  ko = g_strdup_printf ("반례: %s 속성이 %u단계 만에 깨집니다", sim_property_name (property), length);
  den = g_strdup_printf ("Found by oauth-sim explore from %s: the shortest sequence of moves it found, shrunk, after which the property %s (%s) does not hold. The last step's expectation says the violation happens: oauth-sim check passes on this file while the weakness is there, and fails once the defense is on.",
                         base, sim_property_name (property), sim_property_cites (property));
  dko = g_strdup_printf ("oauth-sim explore가 %s에서 찾은 가장 짧은 동작 순서를 줄인 것으로, 이 순서 뒤에는 %s 속성(%s)이 성립하지 않습니다. 마지막 단계의 기대값은 위반이 일어난다는 것입니다. 약점이 남아 있는 동안 oauth-sim check는 이 파일을 통과시키고, 방어를 켜면 실패합니다.",
                          base, sim_property_name (property), sim_property_cites (property));
  json_object_set_member (out, "title", localized (en, ko));
  json_object_set_member (out, "description", localized (den, dko));
  json_object_remove_member (out, "attack");

  json_generator_set_root (generator, copy);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);
  if (g_mkdir_with_parents (out_dir, 0755) != 0 && !g_file_test (out_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), _("cannot create %s: %s"),
                   out_dir, g_strerror (errno));
      return NULL;
    }
  {
    g_autofree char *with_newline = g_strconcat (text, "\n", NULL);
    if (!g_file_set_contents (path_out, with_newline, -1, error))
      return NULL;
  }
  /* the file must replay the violation, with its expectation holding */
  {
    g_autoptr(SimScenario) written = sim_scenario_load_file (path_out, NULL);
    g_autoptr(SimRun) run = written ? sim_run_new (written, FALSE, 0) : NULL;
    *replays = run && sim_run_play (run);
  }
  return g_steal_pointer (&path_out);
}

static SimScenario *
load_catalogue (const char *file,
                JsonObject *root,
                JsonArray  *moves,
                GError    **error)
{
  g_autoptr(JsonNode) copy = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  JsonObject *object;
  gsize length;

  json_node_take_object (copy, json_object_ref (root));
  copy = json_node_copy (copy);
  object = json_node_get_object (copy);
  json_object_set_array_member (object, "steps", json_array_ref (moves));
  if (!json_object_has_member (object, "attacker"))
    json_object_set_object_member (object, "attacker", json_object_new ());
  json_generator_set_root (generator, copy);
  text = json_generator_to_data (generator, &length);
  return sim_scenario_load_data (file, text, length, error);
}

static gsize
peak_kib (void)
{
  struct rusage usage;
  return getrusage (RUSAGE_SELF, &usage) == 0 ? (gsize) usage.ru_maxrss : 0;
}

void
sim_explore_result_clear (SimExploreResult *result)
{
  g_clear_pointer (&result->violations, g_ptr_array_unref);
}

static void
violation_free (gpointer data)
{
  SimViolation *v = data;
  g_free (v->file);
  g_free (v);
}

/**
 * sim_explore_run:
 * @file: the scenario file's name, for messages and the counterexamples' names
 * @root: the scenario file's object (already loaded once, so known to be valid)
 * @honest: the honest actors' script
 *
 * Returns: %FALSE with @error set when the world cannot be built or a file not written;
 *   else %TRUE, and @result says what was found.
 */
gboolean
sim_explore_run (const char              *file,
                 JsonObject              *root,
                 JsonArray               *honest,
                 const SimExploreOptions *options,
                 SimExploreResult        *result,
                 GError                 **error)
{
  SimMoves moves;
  Search s = { 0 };
  Seen seen = { 0 };
  g_autoptr(GArray) nodes = g_array_new (FALSE, FALSE, sizeof (Node));
  guint8 found_path[SIM_PROP_COUNT][64];
  guint found_length[SIM_PROP_COUNT] = { 0 };
  guint found = 0;
  gint64 start = g_get_monotonic_time ();
  guint depth = MIN (options->depth, 60);
  guint level_start = 0;

  memset (result, 0, sizeof *result);
  result->depth = depth;
  result->violations = g_ptr_array_new_with_free_func (violation_free);
  sim_moves_init (&moves, root, honest);
  s.honest = moves.honest;
  s.n_moves = json_array_get_length (moves.steps);
  s.seed_set = options->seed_set;
  s.seed = options->seed;
  if (s.n_moves > 32 || s.honest > 200)
    {
      g_set_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_INVALID,
                   _("%s: too many honest steps to explore (%u; at most %u)"), file, s.honest, 32 - (s.n_moves - s.honest));
      sim_moves_clear (&moves);
      return FALSE;
    }
  for (guint m = 0; m < s.n_moves; m++)
    s.needs[m] = needs_of (json_array_get_object_element (moves.steps, m));
  if (!(s.catalogue = load_catalogue (file, root, moves.steps, error)))
    {
      sim_moves_clear (&moves);
      return FALSE;
    }

  {
    World w = { 0 };
    Node root_node = { 0 };
    root_node.violated = world_play (&s, &w, NULL, 0);
    root_node.enabled = enabled_moves (&s, &w, 0);
    seen_add (&seen, state_hash (&w, 0));
    world_clear (&w);
    g_array_append_val (nodes, root_node);
    result->states = 1;
  }

  for (guint d = 0; d < depth && found < SIM_PROP_COUNT; d++)
    {
      guint level_end = nodes->len;
      if (level_start == level_end)
        break;
      for (guint i = level_start; i < level_end && found < SIM_PROP_COUNT; i++)
        {
          guint8 path[64];
          Node parent = g_array_index (nodes, Node, i);
          guint length = path_of (nodes, i, path);

          for (guint m = 0; m < s.n_moves; m++)
            {
              World w = { 0 };
              Node child = { i, m, d + 1, parent.honest + (m < s.honest), 0, 0 };
              guint fresh;

              if (!((parent.enabled >> m) & 1))
                continue;
              path[length] = m;
              child.violated = world_play (&s, &w, path, length + 1);
              result->transitions++;
              fresh = child.violated & ~parent.violated;
              for (guint p = 0; p < SIM_PROP_COUNT; p++)
                if (((fresh >> p) & 1) && found_length[p] == 0)
                  {
                    memcpy (found_path[p], path, length + 1);
                    found_length[p] = length + 1;
                    found++;
                  }
              if (seen_add (&seen, state_hash (&w, child.honest)))
                {
                  child.enabled = enabled_moves (&s, &w, child.honest);
                  g_array_append_val (nodes, child);
                  result->states++;
                }
              world_clear (&w);
            }
          if (options->progress && (result->transitions & 0x3ff) < s.n_moves)
            options->progress (options->progress_data, d + 1, result->states, result->transitions);
        }
      level_start = level_end;
      if (found < SIM_PROP_COUNT)
        result->depth_done = d + 1;
    }
  result->seconds = (g_get_monotonic_time () - start) / 1e6;
  result->peak_kib = peak_kib ();

  for (guint p = 0; p < SIM_PROP_COUNT; p++)
    {
      SimViolation *v;
      guint length;
      if (found_length[p] == 0)
        continue;
      length = shrink (&s, found_path[p], found_length[p], p);
      v = g_new0 (SimViolation, 1);
      v->property = p;
      v->steps = length;
      v->file = write_counterexample (&s, file, root, moves.steps, found_path[p], length, p,
                                      options->out_dir, &v->replays, error);
      if (v->file == NULL)
        {
          violation_free (v);
          sim_scenario_free (s.catalogue);
          sim_moves_clear (&moves);
          g_free (seen.slots);
          return FALSE;
        }
      g_ptr_array_add (result->violations, v);
    }
  sim_scenario_free (s.catalogue);
  sim_moves_clear (&moves);
  g_free (seen.slots);
  return TRUE;
}
