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

/* Reading JSON text to tell whether it is already json-glib's: see sim_json_is_canonical(). */

#define MAX_DEPTH 32
#define MAX_MEMBERS 32

typedef struct
{
  const guchar *p;
  const guchar *end;
  guint depth;
} Reader;

static gboolean canonical_value (Reader *r);

static int
lower_hex (guchar c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* A string whose every character is written the one way the generator writes it. */
static gboolean
canonical_string (Reader *r)
{
  const guchar *p = r->p + 1;
  const guchar *end = r->end;

  for (;;)
    {
      guint64 eight;
      int hi, lo;

      if (end - p >= 8)
        {
          memcpy (&eight, p, sizeof eight);
          if (!any_escape (eight))
            {
              p += 8;
              continue;
            }
        }
      if (p >= end)
        return FALSE;
      if (*p == '"')
        break;
      if (*p < 0x20 || *p == 0x7f)
        return FALSE;
      if (*p != '\\')
        {
          p++;
          continue;
        }
      if (end - p < 2)
        return FALSE;
      switch (p[1])
        {
        case '"':
        case '\\':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          p += 2;
          continue;
        case 'u':
          /* Only \u00XX, lower case, for a byte the generator writes so. */
          if (end - p < 6 || p[2] != '0' || p[3] != '0')
            return FALSE;
          hi = lower_hex (p[4]);
          lo = lower_hex (p[5]);
          if (hi < 0 || lo < 0 || escapes[hi * 16 + lo] != 'u')
            return FALSE;
          p += 6;
          continue;
        default:
          return FALSE;
        }
    }
  r->p = p + 1;
  return TRUE;
}

/* An integer as the generator writes a gint64, far enough from its limits. */
static gboolean
canonical_number (Reader *r)
{
  const guchar *p = r->p;
  const guchar *digits;

  if (*p == '-')
    p++;
  digits = p;
  if (p >= r->end || !g_ascii_isdigit (*p))
    return FALSE;
  if (*p == '0')
    {
      /* "-0" reads back as 0. */
      if (digits != r->p)
        return FALSE;
      p++;
    }
  else
    while (p < r->end && g_ascii_isdigit (*p))
      p++;
  if (p - digits > 18)
    return FALSE;
  /* A fraction or an exponent: a double, whose text the generator may write otherwise. */
  if (p < r->end && (*p == '.' || *p == 'e' || *p == 'E'))
    return FALSE;
  r->p = p;
  return TRUE;
}

static gboolean
canonical_literal (Reader     *r,
                   const char *word)
{
  gsize length = strlen (word);

  if ((gsize) (r->end - r->p) < length || memcmp (r->p, word, length) != 0)
    return FALSE;
  r->p += length;
  return TRUE;
}

static gboolean
canonical_array (Reader *r)
{
  r->p++;
  if (r->p < r->end && *r->p == ']')
    {
      r->p++;
      return TRUE;
    }
  for (;;)
    {
      if (!canonical_value (r) || r->p >= r->end)
        return FALSE;
      if (*r->p == ']')
        {
          r->p++;
          return TRUE;
        }
      if (*r->p++ != ',')
        return FALSE;
    }
}

/* Members with distinct names: the parser keeps one of two with the same name. Two names are
 * the same exactly when their texts are, since each character has one way to be written. */
static gboolean
canonical_object (Reader *r)
{
  const guchar *names[MAX_MEMBERS];
  gsize lengths[MAX_MEMBERS];
  guint n = 0;

  r->p++;
  if (r->p < r->end && *r->p == '}')
    {
      r->p++;
      return TRUE;
    }
  for (;;)
    {
      const guchar *name = r->p;

      if (n == MAX_MEMBERS || r->p >= r->end || *r->p != '"' || !canonical_string (r))
        return FALSE;
      names[n] = name;
      lengths[n] = r->p - name;
      for (guint i = 0; i < n; i++)
        if (lengths[i] == lengths[n] && memcmp (names[i], name, lengths[n]) == 0)
          return FALSE;
      n++;
      if (r->p >= r->end || *r->p++ != ':')
        return FALSE;
      if (!canonical_value (r) || r->p >= r->end)
        return FALSE;
      if (*r->p == '}')
        {
          r->p++;
          return TRUE;
        }
      if (*r->p++ != ',')
        return FALSE;
    }
}

static gboolean
canonical_value (Reader *r)
{
  gboolean ok;

  if (r->p >= r->end)
    return FALSE;
  switch (*r->p)
    {
    case '{':
    case '[':
      if (++r->depth > MAX_DEPTH)
        return FALSE;
      ok = *r->p == '{' ? canonical_object (r) : canonical_array (r);
      r->depth--;
      return ok;
    case '"':
      return canonical_string (r);
    case 't':
      return canonical_literal (r, "true");
    case 'f':
      return canonical_literal (r, "false");
    case 'n':
      return canonical_literal (r, "null");
    default:
      return canonical_number (r);
    }
}

/**
 * sim_json_is_canonical:
 * @text: valid UTF-8
 * @length: its length in bytes
 *
 * Tells whether @text is an object or an array exactly as json-glib's generator writes what
 * json-glib's parser reads from it: no space, strings escaped the generator's way, integers
 * only, no member named twice. Then parsing @text and writing it back gives @text, and a trace
 * can copy it instead. %FALSE says nothing: the text may be canonical all the same (a double,
 * a very deep document), or not JSON at all.
 */
gboolean
sim_json_is_canonical (const char *text,
                       gsize       length)
{
  Reader r = { (const guchar *) text, (const guchar *) text + length, 0 };

  if (length == 0 || (text[0] != '{' && text[0] != '['))
    return FALSE;
  return canonical_value (&r) && r.p == r.end;
}
