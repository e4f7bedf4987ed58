/* golden-diff.c: where a JSON Lines trace first differs from its golden trace, for a reader.
 *
 * A line of the trace is 1,600 characters: two of them side by side say nothing. The first
 * differing line is parsed on both sides and walked in step: the message names the record (its
 * trace step), the JSON path of the first field that differs, e.g. $.response.headers.Location,
 * and the two values. Members are compared in the order the golden trace has them; when every
 * value agrees but the lines do not (another order, another spelling of a number), the lines
 * are shown as before.
 */
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sim/cli/cli.h"

#define VALUE_WIDTH 160   /* characters of a value shown; a narration is cut around the change */

static gboolean
is_identifier (const char *name)
{
  if (!g_ascii_isalpha (*name) && *name != '_')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

static void
append_member (GString    *path,
               const char *name)
{
  if (is_identifier (name))
    g_string_append_printf (path, ".%s", name);
  else
    {
      g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), name);
      g_autofree char *quoted = json_to_string (node, FALSE);
      g_string_append_printf (path, "[%s]", quoted);
    }
}

/* The value as JSON, cut to VALUE_WIDTH characters from @from (in characters). */
static char *
show (JsonNode *node,
      glong     from)
{
  g_autofree char *text = NULL;
  glong length;

  if (node == NULL)
    return g_strdup (_("(missing)"));
  text = json_to_string (node, FALSE);
  length = g_utf8_strlen (text, -1);
  if (length <= VALUE_WIDTH)
    return g_steal_pointer (&text);
  from = CLAMP (from, 0, MAX (0, length - VALUE_WIDTH));
  return g_strdup_printf ("%s%.*s%s", from > 0 ? "…" : "",
                          (int) (g_utf8_offset_to_pointer (text, MIN (length, from + VALUE_WIDTH))
                                 - g_utf8_offset_to_pointer (text, from)),
                          g_utf8_offset_to_pointer (text, from),
                          from + VALUE_WIDTH < length ? "…" : "");
}

/* Where two strings first differ, in characters, less some context. */
static glong
change_at (JsonNode *a,
           JsonNode *b)
{
  const char *x, *y, *start;

  if (!a || !b || !JSON_NODE_HOLDS_VALUE (a) || !JSON_NODE_HOLDS_VALUE (b)
      || json_node_get_value_type (a) != G_TYPE_STRING || json_node_get_value_type (b) != G_TYPE_STRING)
    return 0;
  x = start = json_node_get_string (a);
  y = json_node_get_string (b);
  while (*x && *x == *y)
    x++, y++;
  while (x > start && (*x & 0xc0) == 0x80)  /* back to the start of the character */
    x--;
  return g_utf8_pointer_to_offset (start, x) - 40;
}

/* Walks @a and @b in step; on the first difference, @path says where and @a_out, @b_out what. */
static gboolean
differ (JsonNode  *a,
        JsonNode  *b,
        GString   *path,
        JsonNode **a_out,
        JsonNode **b_out)
{
  if (a && b && JSON_NODE_TYPE (a) == JSON_NODE_TYPE (b))
    {
      if (JSON_NODE_HOLDS_OBJECT (a))
        {
          JsonObject *x = json_node_get_object (a), *y = json_node_get_object (b);
          g_autoptr(GList) names = json_object_get_members (x);
          g_autoptr(GList) others = json_object_get_members (y);
          gsize length = path->len;

          for (GList *l = names; l; l = l->next)
            {
              append_member (path, l->data);
              if (differ (json_object_get_member (x, l->data),
                          json_object_has_member (y, l->data) ? json_object_get_member (y, l->data) : NULL,
                          path, a_out, b_out))
                return TRUE;
              g_string_truncate (path, length);
            }
          for (GList *l = others; l; l = l->next)
            if (!json_object_has_member (x, l->data))
              {
                append_member (path, l->data);
                *a_out = NULL;
                *b_out = json_object_get_member (y, l->data);
                return TRUE;
              }
          return FALSE;
        }
      if (JSON_NODE_HOLDS_ARRAY (a))
        {
          JsonArray *x = json_node_get_array (a), *y = json_node_get_array (b);
          guint nx = json_array_get_length (x), ny = json_array_get_length (y);
          gsize length = path->len;

          for (guint i = 0; i < MAX (nx, ny); i++)
            {
              g_string_append_printf (path, "[%u]", i);
              if (differ (i < nx ? json_array_get_element (x, i) : NULL,
                          i < ny ? json_array_get_element (y, i) : NULL, path, a_out, b_out))
                return TRUE;
              g_string_truncate (path, length);
            }
          return FALSE;
        }
      if (json_node_equal (a, b))
        return FALSE;
    }
  else if (a == NULL && b == NULL)
    return FALSE;
  *a_out = a;
  *b_out = b;
  return TRUE;
}

static JsonNode *
parse (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (line == NULL || !json_parser_load_from_data (parser, line, -1, NULL))
    return NULL;
  return json_parser_steal_root (parser);
}

/* "trace step 6", or "line 14" for a record that is no step (a failed expectation). */
static char *
record_name (JsonNode *record,
             guint     line)
{
  if (record && JSON_NODE_HOLDS_OBJECT (record)
      && json_object_has_member (json_node_get_object (record), "step")
      && JSON_NODE_HOLDS_VALUE (json_object_get_member (json_node_get_object (record), "step"))
      && json_node_get_value_type (json_object_get_member (json_node_get_object (record), "step")) == G_TYPE_INT64)
    return g_strdup_printf (_("line %u (trace step %u)"), line,
                            (guint) json_object_get_int_member (json_node_get_object (record), "step"));
  return g_strdup_printf (_("line %u"), line);
}

/**
 * cli_golden_difference:
 * @expected: the golden trace
 * @actual: the run's trace
 *
 * Returns: (transfer full) (nullable): where they first differ, in lines that go after "# "
 * (the first continues a sentence, the others start "#   "), or %NULL when they are the same.
 */
char *
cli_golden_difference (const char *expected,
                       const char *actual)
{
  g_auto(GStrv) want = g_strsplit (expected, "\n", -1);
  g_auto(GStrv) got = g_strsplit (actual, "\n", -1);

  for (guint i = 0; want[i] || got[i]; i++)
    {
      g_autoptr(JsonNode) a = NULL, b = NULL;
      g_autoptr(GString) path = g_string_new ("$");
      g_autofree char *where = NULL;
      JsonNode *a_value = NULL, *b_value = NULL;

      if (want[i] && got[i] && strcmp (want[i], got[i]) == 0)
        continue;
      a = parse (want[i]);
      b = parse (got[i]);
      where = record_name (a ? a : b, i + 1);
      if (a && b && differ (a, b, path, &a_value, &b_value))
        {
          g_autofree char *shown_a = show (a_value, change_at (a_value, b_value));
          g_autofree char *shown_b = show (b_value, change_at (a_value, b_value));
          return g_strdup_printf (_("%s differs at %s\n#   expected: %s\n#   actual:   %s"),
                                  where, path->str, shown_a, shown_b);
        }
      return g_strdup_printf (_("%s differs\n#   expected: %s\n#   actual:   %s"), where,
                              want[i] ? want[i] : _("(end of file)"), got[i] ? got[i] : _("(end of file)"));
    }
  return NULL;
}
