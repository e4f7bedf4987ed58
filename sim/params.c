/* params.c: ordered name=value lists, read from and written as
 * application/x-www-form-urlencoded; see params.h. */
#include <string.h>

#include "sim/message.h"   /* SIM_MESSAGE_ERROR */
#include "sim/params.h"

/* One allocation holds a pair: the name, its NUL, the value, its NUL. */
typedef struct
{
  char *name;
  const char *value;
} Pair;

#define INLINE_PAIRS 8      /* most lists are shorter: no second allocation */

struct _SimParams
{
  gint ref_count;           /* more than one: shared, and nobody may change it */
  Pair *pairs;
  guint len;
  guint room;
  char *repeated;           /* (nullable): the first name that occurred twice */
  Pair inline_pairs[INLINE_PAIRS];
};

SimParams *
sim_params_new (void)
{
  SimParams *params = g_new (SimParams, 1);

  params->ref_count = 1;
  params->pairs = params->inline_pairs;
  params->len = 0;
  params->room = INLINE_PAIRS;
  params->repeated = NULL;
  return params;
}

/* Shares @params: it must not change from now on (see sim_message_get_form()). */
SimParams *
sim_params_ref (SimParams *params)
{
  g_atomic_int_inc (&params->ref_count);
  return params;
}

/* Drops a reference; the last one frees the list. */
void
sim_params_free (SimParams *params)
{
  if (!params || !g_atomic_int_dec_and_test (&params->ref_count))
    return;
  for (guint i = 0; i < params->len; i++)
    g_free (params->pairs[i].name);
  if (params->pairs != params->inline_pairs)
    g_free (params->pairs);
  g_free (params->repeated);
  g_free (params);
}

static int
params_find (SimParams  *params,
             const char *name)
{
  for (guint i = 0; i < params->len; i++)
    {
      const char *candidate = params->pairs[i].name;
      if (candidate[0] == name[0] && strcmp (candidate, name) == 0)
        return (int) i;
    }
  return -1;
}

static char *
pair_new (const char  *name,
          const char  *value,
          const char **value_out)
{
  gsize name_length = strlen (name), value_length = strlen (value);
  char *pair = g_malloc (name_length + 1 + value_length + 1);

  memcpy (pair, name, name_length + 1);
  memcpy (pair + name_length + 1, value, value_length + 1);
  *value_out = pair + name_length + 1;
  return pair;
}

/* Appends a pair allocated as one block at @name, remembering the first repeated name. */
static void
take_pair (SimParams  *params,
           char       *name,
           const char *value)
{
  if (params->repeated == NULL && params_find (params, name) >= 0)
    params->repeated = g_strdup (name);
  if (params->len == params->room)
    {
      params->room *= 2;
      if (params->pairs == params->inline_pairs)
        {
          params->pairs = g_new (Pair, params->room);
          memcpy (params->pairs, params->inline_pairs, params->len * sizeof (Pair));
        }
      else
        params->pairs = g_renew (Pair, params->pairs, params->room);
    }
  params->pairs[params->len].name = name;
  params->pairs[params->len].value = value;
  params->len++;
}

/* GLib's parser: the reference, and what explains a list the quick reader refuses. */
static SimParams *
parse_with_glib (const char *encoded,
                 GError    **error)
{
  g_autoptr(SimParams) params = sim_params_new ();
  GUriParamsIter iter;
  char *name = NULL, *value = NULL;
  GError *local_error = NULL;

  if (encoded == NULL || *encoded == '\0')
    return g_steal_pointer (&params);

  g_uri_params_iter_init (&iter, encoded, -1, "&", G_URI_PARAMS_WWW_FORM);
  while (g_uri_params_iter_next (&iter, &name, &value, &local_error))
    {
      if (!g_utf8_validate (name, -1, NULL) || !g_utf8_validate (value, -1, NULL))
        {
          g_set_error (error, SIM_MESSAGE_ERROR, SIM_MESSAGE_ERROR_MALFORMED,
                       "parameter is not valid UTF-8");
          g_free (name);
          g_free (value);
          return NULL;
        }
      sim_params_add (params, name, value);
      g_free (name);
      g_free (value);
    }
  if (local_error)
    {
      g_set_error (error, SIM_MESSAGE_ERROR, SIM_MESSAGE_ERROR_MALFORMED,
                   "%s", local_error->message);
      g_error_free (local_error);
      return NULL;
    }
  return g_steal_pointer (&params);
}

/* Decodes [start, end) of a form at @out: "+" is a space, "%XX" a byte. Returns the end of
 * the decoded text, or NULL for anything unusual (a bad escape, a NUL byte, invalid UTF-8),
 * which GLib's parser then judges. */
static char *
quick_decode (const char *start,
              const char *end,
              char       *out)
{
  char *d = out;

  for (const char *p = start; p < end; p++)
    {
      if (*p == '+')
        *d++ = ' ';
      else if (*p != '%')
        *d++ = *p;
      else if (end - p > 2 && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2])
               && (p[1] != '0' || p[2] != '0'))
        {
          *d++ = (char) (g_ascii_xdigit_value (p[1]) << 4 | g_ascii_xdigit_value (p[2]));
          p += 2;
        }
      else
        return NULL;
    }
  *d = '\0';
  return g_utf8_validate (out, d - out, NULL) ? d : NULL;
}

/* The common case without GLib's general machinery: every pair has a name, an "=" and a value,
 * and nothing needs explaining. Returns %NULL when the list is not that simple. */
static SimParams *
parse_quickly (const char *encoded)
{
  g_autoptr(SimParams) params = sim_params_new ();
  const char *p = encoded;

  for (;;)
    {
      const char *amp = strchr (p, '&');
      const char *end = amp ? amp : p + strlen (p);
      const char *eq = memchr (p, '=', end - p);
      char *pair, *name_end;

      if (eq == NULL)
        return NULL;
      /* Decoding never lengthens: the pair fits in the encoded length and two NULs. */
      pair = g_malloc (end - p + 2);
      name_end = quick_decode (p, eq, pair);
      if (name_end == NULL || quick_decode (eq + 1, end, name_end + 1) == NULL)
        {
          g_free (pair);
          return NULL;
        }
      take_pair (params, pair, name_end + 1);
      if (amp == NULL)
        return g_steal_pointer (&params);
      p = amp + 1;
      if (*p == '\0')
        return NULL;
    }
}

/**
 * sim_params_parse:
 * @encoded: (nullable): "a=1&b=2" as in a query string or a form body
 *
 * Every occurrence is kept in order; the first name that occurs twice is remembered for
 * sim_params_repeated_name(), because OAuth endpoints must refuse repeated parameters.
 *
 * Returns: (transfer full) (nullable): the list, or %NULL with @error set on bad escapes.
 */
SimParams *
sim_params_parse (const char *encoded,
                  GError    **error)
{
  SimParams *params;

  if (encoded == NULL || *encoded == '\0')
    return sim_params_new ();
  params = parse_quickly (encoded);
  return params ? params : parse_with_glib (encoded, error);
}

/**
 * sim_params_get:
 * Returns: (transfer none) (nullable): the first value of @name.
 */
const char *
sim_params_get (SimParams  *params,
                const char *name)
{
  int i = params_find (params, name);
  return i >= 0 ? params->pairs[i].value : NULL;
}

/* Appends, even a name already there (which sim_params_repeated_name() then reports). */
void
sim_params_add (SimParams  *params,
                const char *name,
                const char *value)
{
  const char *value_copy;
  char *pair;

  g_return_if_fail (name != NULL && value != NULL);
  g_return_if_fail (params->ref_count == 1);
  pair = pair_new (name, value, &value_copy);
  take_pair (params, pair, value_copy);
}

SimParams *
sim_params_copy (SimParams *params)
{
  SimParams *copy = sim_params_new ();
  const char *value;

  for (guint i = 0; i < params->len; i++)
    {
      char *pair = pair_new (params->pairs[i].name, params->pairs[i].value, &value);
      take_pair (copy, pair, value);
    }
  g_free (copy->repeated);
  copy->repeated = g_strdup (params->repeated);
  return copy;
}

/* Replaces the first occurrence in place, or appends. */
void
sim_params_set (SimParams  *params,
                const char *name,
                const char *value)
{
  int i;

  g_return_if_fail (params->ref_count == 1);
  i = params_find (params, name);
  if (i < 0)
    {
      sim_params_add (params, name, value);
      return;
    }
  g_free (params->pairs[i].name);
  params->pairs[i].name = pair_new (name, value, &params->pairs[i].value);
}

/* Removes every occurrence. */
void
sim_params_remove (SimParams  *params,
                   const char *name)
{
  int i;

  g_return_if_fail (params->ref_count == 1);
  while ((i = params_find (params, name)) >= 0)
    {
      g_free (params->pairs[i].name);
      memmove (&params->pairs[i], &params->pairs[i + 1], (params->len - i - 1) * sizeof (Pair));
      params->len--;
    }
}

guint
sim_params_size (SimParams *params)
{
  return params->len;
}

const char *
sim_params_name_at (SimParams *params,
                    guint      i)
{
  g_return_val_if_fail (i < params->len, NULL);
  return params->pairs[i].name;
}

const char *
sim_params_value_at (SimParams *params,
                     guint      i)
{
  g_return_val_if_fail (i < params->len, NULL);
  return params->pairs[i].value;
}

/**
 * sim_params_repeated_name:
 * Returns: (transfer none) (nullable): the first parameter name that occurred twice.
 */
const char *
sim_params_repeated_name (SimParams *params)
{
  return params->repeated;
}

/**
 * sim_params_append_encoded:
 *
 * Appends @text as application/x-www-form-urlencoded writes it, byte for byte what
 * soup_form_encode() gives: a space becomes "+", letters, digits and "-._" stay, every other
 * byte becomes "%XX".
 */
void
sim_params_append_encoded (GString    *out,
                           const char *text)
{
  static const char hex[] = "0123456789ABCDEF";

  for (const guchar *p = (const guchar *) text; *p; p++)
    {
      if (*p == ' ')
        g_string_append_c (out, '+');
      else if (g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.')
        g_string_append_c (out, *p);
      else
        {
          g_string_append_c (out, '%');
          g_string_append_c (out, hex[*p >> 4]);
          g_string_append_c (out, hex[*p & 15]);
        }
    }
}

/**
 * sim_params_encode:
 * Returns: (transfer full): the list as application/x-www-form-urlencoded, in order.
 */
char *
sim_params_encode (SimParams *params)
{
  GString *out = g_string_sized_new (128);

  for (guint i = 0; i < params->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, '&');
      sim_params_append_encoded (out, params->pairs[i].name);
      g_string_append_c (out, '=');
      sim_params_append_encoded (out, params->pairs[i].value);
    }
  return g_string_free (out, FALSE);
}
