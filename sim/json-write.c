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

#define BYTES(b) (G_GUINT64_CONSTANT (0x0101010101010101) * (b))

/* Whether any of the eight bytes in @v needs an escape: one below 0x20 (NUL too, which only
 * sends the bytes to the slow path), '"', '\\' or 0x7f. Exact, for all eight at once. */
static inline gboolean
any_escape (guint64 v)
{
  guint64 quote = v ^ BYTES ('"');
  guint64 backslash = v ^ BYTES ('\\');
  guint64 del = v ^ BYTES (0x7f);
  guint64 found = (v - BYTES (0x20)) & ~v;

  found |= (quote - BYTES (1)) & ~quote;
  found |= (backslash - BYTES (1)) & ~backslash;
  found |= (del - BYTES (1)) & ~del;
  return (found & BYTES (0x80)) != 0;
}

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
  gsize size = length < 0 ? strlen (text) : (gsize) length;
  const guchar *p = (const guchar *) text;
  const guchar *end = p + size;
  const guchar *run = p;
  gsize start = out->len;
  char *w;

  /* Room for the worst case, six bytes a byte (\u00XX) and the quotes, then written in place:
   * the sinks reuse their buffers, so this grows them only the first few times. */
  g_string_set_size (out, start + 6 * size + 2);
  w = out->str + start;
  *w++ = '"';
  while (p < end)
    {
      guint64 eight;
      char escape;

      if (end - p >= 8)
        {
          memcpy (&eight, p, sizeof eight);
          if (!any_escape (eight))
            {
              p += 8;
              continue;
            }
        }
      escape = escapes[*p];
      if (G_LIKELY (escape == 0))
        {
          p++;
          continue;
        }
      memcpy (w, run, p - run);
      w += p - run;
      *w++ = '\\';
      *w++ = escape;
      if (escape == 'u')
        {
          *w++ = '0';
          *w++ = '0';
          *w++ = hex[*p >> 4];
          *w++ = hex[*p & 15];
        }
      run = ++p;
    }
  memcpy (w, run, p - run);
  w += p - run;
  *w++ = '"';
  g_string_truncate (out, w - out->str);
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
