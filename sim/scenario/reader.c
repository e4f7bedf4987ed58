/* reader.c: typed reading of scenario objects, with "did you mean" for misspelt names. */
#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "sim/scenario/reader.h"
#include "sim/language.h"

static const char *
type_name (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return _("an object");
  if (JSON_NODE_HOLDS_ARRAY (node))
    return _("an array");
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING: return _("a string");
    case G_TYPE_BOOLEAN: return _("true or false");
    case G_TYPE_DOUBLE: return _("a number with a fraction");
    default: return _("a number");
    }
}

static void
wrong_type (SimReader  *r,
            JsonObject *object,
            const char *name,
            const char *expected)
{
  JsonNode *node = json_object_get_member (object, name);
  sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, name),
                     _("'%s' must be %s, not %s"), name, expected, type_name (node));
}

/* Edits to turn @a into @b, a swap of two neighbours counting as one ("titel" is one edit from
 * "title"): the optimal string alignment distance. */
static guint
edit_distance (const char *a,
               const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *d = g_new0 (guint, (la + 1) * (lb + 1));
#define D(i, j) d[(i) * (lb + 1) + (j)]

  for (gsize i = 0; i <= la; i++)
    D (i, 0) = i;
  for (gsize j = 0; j <= lb; j++)
    D (0, j) = j;
  for (gsize i = 1; i <= la; i++)
    for (gsize j = 1; j <= lb; j++)
      {
        guint cost = a[i - 1] == b[j - 1] ? 0 : 1;
        D (i, j) = MIN (MIN (D (i - 1, j) + 1, D (i, j - 1) + 1), D (i - 1, j - 1) + cost);
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
          D (i, j) = MIN (D (i, j), D (i - 2, j - 2) + 1);
      }
  return D (la, lb);
#undef D
}

/**
 * sim_reader_closest:
 * Returns: (transfer none) (nullable): the candidate nearest @word, if near enough to suggest.
 */
const char *
sim_reader_closest (const char        *word,
                    const char *const *candidates)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;
  guint limit = MAX (1, strlen (word) / 3);

  for (guint i = 0; candidates[i]; i++)
    {
      guint d = edit_distance (word, candidates[i]);
      if (d < best_distance)
        {
          best_distance = d;
          best = candidates[i];
        }
    }
  return best_distance <= MIN (limit, 3) ? best : NULL;
}

char *
sim_reader_join (const char *const *words)
{
  g_autoptr(GString) out = g_string_new (NULL);
  for (guint i = 0; words[i]; i++)
    g_string_append_printf (out, "%s'%s'", i ? ", " : "", words[i]);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Refuses members that are not in @allowed, suggesting the nearest one. */
gboolean
sim_reader_check_fields (SimReader         *r,
                         JsonObject        *object,
                         const char        *where,
                         const char *const *allowed)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l; l = l->next)
    {
      const char *name = l->data;
      const char *suggestion;
      g_autofree char *known = NULL;

      if (g_strv_contains (allowed, name))
        continue;
      suggestion = sim_reader_closest (name, allowed);
      if (suggestion)
        sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, name),
                           _("unknown field '%s' in %s (did you mean '%s'?)"), name, where, suggestion);
      else
        {
          known = sim_reader_join (allowed);
          sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, name),
                             _("unknown field '%s' in %s; expected one of %s"), name, where, known);
        }
      return FALSE;
    }
  return TRUE;
}

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return json_object_has_member (object, name) ? json_object_get_member (object, name) : NULL;
}

/* Reports a required member that is not there; always FALSE. */
static gboolean
missing (SimReader  *r,
         JsonObject *object,
         const char *name)
{
  sim_doc_set_error (r->doc, r->error, sim_doc_object_pos (r->doc, object),
                     _("missing required field '%s'"), name);
  return FALSE;
}

static gboolean
is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

gboolean
sim_reader_string (SimReader   *r,
                   JsonObject  *object,
                   const char  *name,
                   gboolean     required,
                   char       **out)
{
  JsonNode *node = member (object, name);

  if (node == NULL)
    return !required || missing (r, object, name);
  if (!is_string (node))
    {
      wrong_type (r, object, name, _("a string"));
      return FALSE;
    }
  g_free (*out);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

gboolean
sim_reader_choice (SimReader         *r,
                   JsonObject        *object,
                   const char        *name,
                   const char *const *choices,
                   char             **out)
{
  g_autofree char *value = NULL;
  g_autofree char *known = NULL;
  const char *suggestion;

  if (!sim_reader_string (r, object, name, FALSE, &value))
    return FALSE;
  if (value == NULL || g_strv_contains (choices, value))
    {
      if (value)
        {
          g_free (*out);
          *out = g_steal_pointer (&value);
        }
      return TRUE;
    }
  suggestion = sim_reader_closest (value, choices);
  known = sim_reader_join (choices);
  if (suggestion)
    sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, name),
                       _("'%s' cannot be '%s' (did you mean '%s'?)"), name, value, suggestion);
  else
    sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, name),
                       _("'%s' cannot be '%s'; expected one of %s"), name, value, known);
  return FALSE;
}

gboolean
sim_reader_int (SimReader  *r,
                JsonObject *object,
                const char *name,
                gint64      min,
                gint64      max,
                gint64     *out)
{
  JsonNode *node = member (object, name);
  gint64 value;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      wrong_type (r, object, name, _("a whole number"));
      return FALSE;
    }
  value = json_node_get_int (node);
  if (value < min || value > max)
    {
      sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, name),
                         _("'%s' must be from %" PRId64 " to %" PRId64 ", not %" PRId64),
                         name, min, max, value);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

gboolean
sim_reader_bool (SimReader  *r,
                 JsonObject *object,
                 const char *name,
                 gboolean   *out)
{
  JsonNode *node = member (object, name);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      wrong_type (r, object, name, _("true or false"));
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

/* A list of strings: an array of strings, or one string standing for a list of one. */
gboolean
sim_reader_strings (SimReader   *r,
                    JsonObject  *object,
                    const char  *name,
                    GPtrArray  **out)
{
  JsonNode *node = member (object, name);
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  g_clear_pointer (out, g_ptr_array_unref);
  *out = g_ptr_array_new_with_free_func (g_free);
  if (is_string (node))
    {
      g_ptr_array_add (*out, g_strdup (json_node_get_string (node)));
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      wrong_type (r, object, name, _("an array of strings"));
      return FALSE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      if (!is_string (element))
        {
          sim_doc_set_error (r->doc, r->error, sim_doc_element_pos (r->doc, array, i),
                             _("'%s' must hold strings only, not %s"), name, type_name (element));
          return FALSE;
        }
      g_ptr_array_add (*out, g_strdup (json_node_get_string (element)));
    }
  return TRUE;
}

gboolean
sim_reader_object (SimReader   *r,
                   JsonObject  *object,
                   const char  *name,
                   gboolean     required,
                   JsonObject **out)
{
  JsonNode *node = member (object, name);

  *out = NULL;
  if (node == NULL)
    return !required || missing (r, object, name);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      wrong_type (r, object, name, _("an object"));
      return FALSE;
    }
  *out = json_node_get_object (node);
  return TRUE;
}

/* An object of strings (or null, when @allow_null), read in file order. */
gboolean
sim_reader_string_map (SimReader   *r,
                       JsonObject  *object,
                       const char  *name,
                       gboolean     allow_null,
                       GPtrArray  **names,
                       GPtrArray  **values)
{
  JsonObject *map = NULL;
  g_autoptr(GList) members = NULL;

  if (!sim_reader_object (r, object, name, FALSE, &map))
    return FALSE;
  if (map == NULL)
    return TRUE;
  *names = g_ptr_array_new_with_free_func (g_free);
  *values = g_ptr_array_new_with_free_func (g_free);
  members = json_object_get_members (map);
  for (GList *l = members; l; l = l->next)
    {
      JsonNode *node = json_object_get_member (map, l->data);
      if (allow_null && JSON_NODE_HOLDS_NULL (node))
        {
          g_ptr_array_add (*names, g_strdup (l->data));
          g_ptr_array_add (*values, NULL);
          continue;
        }
      if (!is_string (node))
        {
          wrong_type (r, map, l->data, allow_null ? _("a string or null") : _("a string"));
          return FALSE;
        }
      g_ptr_array_add (*names, g_strdup (l->data));
      g_ptr_array_add (*values, g_strdup (json_node_get_string (node)));
    }
  return TRUE;
}

/* Texts for people may come in several languages: "Hello" or {"en": "Hello", "ko": "안녕하세요"}.
 * The run's language is picked, else English, which such an object must have. */
static const char *const text_languages[] = { "en", "ko", NULL };

static gboolean
pick_text (SimReader   *r,
           JsonObject  *parent,
           const char  *name,
           JsonNode    *node,
           SimPos       pos,
           char       **out)
{
  JsonObject *texts;
  g_autoptr(GList) languages = NULL;
  const char *wanted = sim_language ();

  if (is_string (node))
    {
      g_free (*out);
      *out = g_strdup (json_node_get_string (node));
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      sim_doc_set_error (r->doc, r->error, pos,
                         _("'%s' must be a string, or an object of translations such as {\"en\": \"…\", \"ko\": \"…\"}, not %s"),
                         name, type_name (node));
      return FALSE;
    }
  texts = json_node_get_object (node);
  languages = json_object_get_members (texts);
  for (GList *l = languages; l; l = l->next)
    {
      JsonNode *text = json_object_get_member (texts, l->data);
      if (!g_strv_contains (text_languages, l->data))
        {
          sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, texts, l->data),
                             _("'%s' has a text in '%s'; oauth-sim speaks 'en' and 'ko'"), name,
                             (char *) l->data);
          return FALSE;
        }
      if (!is_string (text))
        {
          wrong_type (r, texts, l->data, _("a string"));
          return FALSE;
        }
    }
  if (!json_object_has_member (texts, "en"))
    {
      sim_doc_set_error (r->doc, r->error, pos, _("'%s' needs an English text, \"en\", to fall back on"), name);
      return FALSE;
    }
  g_free (*out);
  *out = g_strdup (json_object_get_string_member (texts, json_object_has_member (texts, wanted) ? wanted : "en"));
  return TRUE;
}

gboolean
sim_reader_text (SimReader   *r,
                 JsonObject  *object,
                 const char  *name,
                 gboolean     required,
                 char       **out)
{
  JsonNode *node = member (object, name);

  if (node == NULL)
    return !required || missing (r, object, name);
  return pick_text (r, object, name, node, sim_doc_member_pos (r->doc, object, name), out);
}

/* A list of texts: one text, or an array of them. */
gboolean
sim_reader_texts (SimReader   *r,
                  JsonObject  *object,
                  const char  *name,
                  GPtrArray  **out)
{
  JsonNode *node = member (object, name);
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  g_clear_pointer (out, g_ptr_array_unref);
  *out = g_ptr_array_new_with_free_func (g_free);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      char *text = NULL;
      if (!pick_text (r, object, name, node, sim_doc_member_pos (r->doc, object, name), &text))
        return FALSE;
      g_ptr_array_add (*out, text);
      return TRUE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      char *text = NULL;
      if (!pick_text (r, object, name, json_array_get_element (array, i),
                      sim_doc_element_pos (r->doc, array, i), &text))
        return FALSE;
      g_ptr_array_add (*out, text);
    }
  return TRUE;
}
