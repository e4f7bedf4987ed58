/* json-write.c: JSON text as json-glib's generator writes it, without building a tree.
 *
 * The generator's rules, which tests/unit/test-json-write.c holds against json_to_string():
 * a string is copied byte for byte (bytes above 0x7f too, valid UTF-8 or not) except '"' and
 * '\\', which get a backslash, \b \f \n \r \t, and the other bytes from 0x01 to 0x1e and 0x7f,
 * which become \u00XX in lower-case hex; 0x1f is copied as it is. A double is g_ascii_dtostr's
 * text, with ".0" when that has no '.'. Members keep their order, and nothing separates tokens
 * but ',' and ':'.
 */
#include <string.h>

#include "sim/json-write.h"

/* 0: copied; 'u': \u00XX; otherwise the letter after the backslash. */
static const char escapes[256] = {
  ['\x01'] = 'u', ['\x02'] = 'u', ['\x03'] = 'u', ['\x04'] = 'u', ['\x05'] = 'u',
  ['\x06'] = 'u', ['\x07'] = 'u', ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\x0b'] = 'u',
  ['\f'] = 'f', ['\r'] = 'r', ['\x0e'] = 'u', ['\x0f'] = 'u', ['\x10'] = 'u', ['\x11'] = 'u',
  ['\x12'] = 'u', ['\x13'] = 'u', ['\x14'] = 'u', ['\x15'] = 'u', ['\x16'] = 'u',
  ['\x17'] = 'u', ['\x18'] = 'u', ['\x19'] = 'u', ['\x1a'] = 'u', ['\x1b'] = 'u',
  ['\x1c'] = 'u', ['\x1d'] = 'u', ['\x1e'] = 'u', ['"'] = '"', ['\\'] = '\\', ['\x7f'] = 'u',
};

/**
 * sim_json_write_string:
 * @text: the string's bytes, none of them NUL
 * @length: how many; -1: up to the NUL that ends @text
 *
 * Appends @text as a JSON string, quotes included.
 */
void
sim_json_write_string (GString    *out,
                       const char *text,
                       gssize      length)
{
  static const char hex[] = "0123456789abcdef";
  const guchar *p = (const guchar *) text;
  const guchar *end = p + (length < 0 ? strlen (text) : (gsize) length);
  const guchar *run = p;

  g_string_append_c (out, '"');
  for (; p < end; p++)
    {
      char escape = escapes[*p];

      if (G_LIKELY (escape == 0))
        continue;
      g_string_append_len (out, (const char *) run, p - run);
      g_string_append_c (out, '\\');
      if (escape == 'u')
        {
          char u[5] = { 'u', '0', '0', hex[*p >> 4], hex[*p & 15] };
          g_string_append_len (out, u, sizeof u);
        }
      else
        g_string_append_c (out, escape);
      run = p + 1;
    }
  g_string_append_len (out, (const char *) run, p - run);
  g_string_append_c (out, '"');
}

/* As "%" G_GINT64_FORMAT would write it, without a printf. */
void
sim_json_write_int (GString *out,
                    gint64   value)
{
  char digits[24];
  char *p = digits + sizeof digits;
  guint64 magnitude = value < 0 ? -(guint64) value : (guint64) value;

  do
    {
      *--p = '0' + magnitude % 10;
      magnitude /= 10;
    }
  while (magnitude > 0);
  if (value < 0)
    *--p = '-';
  g_string_append_len (out, p, digits + sizeof digits - p);
}

static void
write_double (GString *out,
              double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_dtostr (buffer, sizeof buffer, value);
  g_string_append (out, buffer);
  /* json-glib 1.6 marks a double without a '.' as one, even after an exponent ("1e+21.0"). */
  if (strchr (buffer, '.') == NULL)
    g_string_append (out, ".0");
}

static void
write_array (GString   *out,
             JsonArray *array)
{
  guint length = json_array_get_length (array);

  g_string_append_c (out, '[');
  for (guint i = 0; i < length; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      sim_json_write_node (out, json_array_get_element (array, i));
    }
  g_string_append_c (out, ']');
}

typedef struct
{
  GString *out;
  gboolean first;
} MemberWriter;

static void
write_member (JsonObject  *object,
              const char  *name,
              JsonNode    *node,
              gpointer     data)
{
  MemberWriter *writer = data;

  if (!writer->first)
    g_string_append_c (writer->out, ',');
  writer->first = FALSE;
  sim_json_write_string (writer->out, name, -1);
  g_string_append_c (writer->out, ':');
  sim_json_write_node (writer->out, node);
}

/* Members in the order the generator takes them: the order they were first set. */
void
sim_json_write_object (GString    *out,
                       JsonObject *object)
{
  MemberWriter writer = { out, TRUE };

  g_string_append_c (out, '{');
  json_object_foreach_member (object, write_member, &writer);
  g_string_append_c (out, '}');
}

void
sim_json_write_node (GString  *out,
                     JsonNode *node)
{
  g_return_if_fail (node != NULL);

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      sim_json_write_object (out, json_node_get_object (node));
      return;
    case JSON_NODE_ARRAY:
      write_array (out, json_node_get_array (node));
      return;
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      return;
    case JSON_NODE_VALUE:
    default:
      break;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      sim_json_write_int (out, json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      write_double (out, json_node_get_double (node));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;
    case G_TYPE_STRING:
      sim_json_write_string (out, json_node_get_string (node), -1);
      break;
    default:
      /* A value node holding nothing: the generator writes nothing either. */
      break;
    }
}
