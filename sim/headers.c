/* headers.c: header fields that behave as libsoup's; see headers.h.
 *
 * libsoup keeps the names it knows (Content-Type, Authorization, ...) in a table of its own,
 * writes them its way whatever case they came in, and lists them before the others. Lookups
 * only compare names without case, which is what libsoup's table amounts to; how a name is
 * listed is asked of libsoup itself once per name and remembered, and only when somebody lists
 * the fields (a trace, the HTTP transport), so these fields list exactly as libsoup's would.
 */
#include <string.h>

#include <libsoup/soup.h>

#include "sim/ascii.h"
#include "sim/headers.h"

/* What libsoup makes of a header name. */
typedef struct
{
  char *spelling;   /* (nullable): libsoup's, for a name it knows */
} NameInfo;

#define MAX_UNKNOWN_NAMES 256   /* remembered; a peer may send any number of made-up names */

G_LOCK_DEFINE_STATIC (names);
static GHashTable *names;       /* name (any case) -> NameInfo */
static guint unknown_names;


/* Header names compare without case (RFC 9110 §5.1). */
static guint
name_hash (gconstpointer key)
{
  guint hash = 5381;

  for (const char *p = key; *p; p++)
    hash = hash * 33 + (guchar) g_ascii_tolower (*p);
  return hash;
}

static gboolean
name_equal (gconstpointer a,
            gconstpointer b)
{
  return sim_ascii_equal_caseless (a, b);
}

/* Asks libsoup: is @name one of the names it knows, and how does it write it? */
static char *
ask_libsoup (const char *name)
{
  static const char probe_name[] = "X-Oauth-Sim-Probe";   /* a name libsoup does not know */
  SoupMessageHeaders *probe = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  SoupMessageHeadersIter iter;
  const char *first = NULL, *value;
  char *spelling = NULL;

  soup_message_headers_append (probe, probe_name, "1");
  soup_message_headers_append (probe, name, "1");
  soup_message_headers_iter_init (&iter, probe);
  /* Known names are listed before the others, whatever the order they were added in. */
  if (soup_message_headers_iter_next (&iter, &first, &value) && strcmp (first, probe_name) != 0)
    spelling = g_strdup (first);
  soup_message_headers_unref (probe);
  return spelling;
}

static void
name_info_free (gpointer data)
{
  NameInfo *info = data;
  g_free (info->spelling);
  g_free (info);
}

/* Returns: (transfer none): libsoup's spelling of @name if it knows it, else %NULL. The
 * spelling lives as long as the process, so fields can point at it and compare pointers. */
static const char *
known_spelling (const char *name)
{
  NameInfo *info;
  const char *spelling;

  G_LOCK (names);
  if (names == NULL)
    names = g_hash_table_new_full (name_hash, name_equal, g_free, name_info_free);
  info = g_hash_table_lookup (names, name);
  if (info == NULL)
    {
      char *asked = ask_libsoup (name);
      if (asked || unknown_names < MAX_UNKNOWN_NAMES)
        {
          info = g_new0 (NameInfo, 1);
          info->spelling = asked;
          unknown_names += asked == NULL;
          g_hash_table_insert (names, g_strdup (name), info);
        }
      else
        {
          G_UNLOCK (names);
          return NULL;
        }
    }
  spelling = info->spelling;
  G_UNLOCK (names);
  return spelling;
}


/**
 * sim_headers_new:
 * Returns: (transfer full): no fields.
 */
SimHeaders *
sim_headers_new (void)
{
  SimHeaders *self = g_new (SimHeaders, 1);

  sim_headers_init (self);
  return self;
}

void
sim_headers_free (SimHeaders *self)
{
  if (!self)
    return;
  sim_headers_clear (self);
  g_free (self);
}

/* Makes @self, in storage of the caller's (a message), an empty list of fields. */
void
sim_headers_init (SimHeaders *self)
{
  self->fields = self->inline_fields;
  self->len = 0;
  self->room = SIM_HEADERS_INLINE_FIELDS;
  self->joined = NULL;
  self->content_type = NULL;
  self->content_type_known = FALSE;
}

/* Frees what @self holds, not @self. */
void
sim_headers_clear (SimHeaders *self)
{
  for (guint i = 0; i < self->len; i++)
    g_free (self->fields[i].name);
  if (self->fields != self->inline_fields)
    g_free (self->fields);
  g_clear_pointer (&self->joined, g_ptr_array_unref);
  g_clear_pointer (&self->content_type, g_free);
  self->len = 0;
}

static void
forget_content_type (SimHeaders *self,
                     const char *name)
{
  if (self->content_type_known && sim_ascii_equal_caseless (name, "Content-Type"))
    {
      g_clear_pointer (&self->content_type, g_free);
      self->content_type_known = FALSE;
    }
}

/* Adds a field; a name with a space, tab, CR, LF or ':' and a value with CR or LF are
 * programmer errors, as libsoup has them (a header injection otherwise). */
void
sim_headers_append (SimHeaders *self,
                    const char *name,
                    const char *value)
{
  gsize name_length, value_length;
  SimHeaderField *field;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);
  g_return_if_fail (*name && strpbrk (name, " \t\r\n:") == NULL);
  g_return_if_fail (strpbrk (value, "\r\n") == NULL);

  if (self->len == self->room)
    {
      self->room *= 2;
      if (self->fields == self->inline_fields)
        {
          self->fields = g_new (SimHeaderField, self->room);
          memcpy (self->fields, self->inline_fields, self->len * sizeof (SimHeaderField));
        }
      else
        self->fields = g_renew (SimHeaderField, self->fields, self->room);
    }
  name_length = strlen (name);
  value_length = strlen (value);
  field = &self->fields[self->len++];
  field->name = g_malloc (name_length + 1 + value_length + 1);
  memcpy (field->name, name, name_length + 1);
  memcpy (field->name + name_length + 1, value, value_length + 1);
  field->value = field->name + name_length + 1;
  field->spelling = NULL;
  field->asked = FALSE;
  forget_content_type (self, name);
}

/* Removes every field called @name. */
void
sim_headers_remove (SimHeaders *self,
                    const char *name)
{
  g_return_if_fail (self != NULL && name != NULL);
  for (guint i = self->len; i > 0; i--)
    if (sim_ascii_equal_caseless (self->fields[i - 1].name, name))
      {
        g_free (self->fields[i - 1].name);
        memmove (&self->fields[i - 1], &self->fields[i], (self->len - i) * sizeof (SimHeaderField));
        self->len--;
      }
  forget_content_type (self, name);
}

void
sim_headers_replace (SimHeaders *self,
                     const char *name,
                     const char *value)
{
  sim_headers_remove (self, name);
  sim_headers_append (self, name, value);
}

/**
 * sim_headers_get_one:
 * Returns: (transfer none) (nullable): the value of the last field called @name.
 */
const char *
sim_headers_get_one (SimHeaders *self,
                     const char *name)
{
  g_return_val_if_fail (self != NULL && name != NULL, NULL);
  for (guint i = self->len; i > 0; i--)
    if (sim_ascii_equal_caseless (self->fields[i - 1].name, name))
      return self->fields[i - 1].value;
  return NULL;
}

/**
 * sim_headers_get_list:
 * Returns: (transfer none) (nullable): the values of every field called @name, in order,
 * joined by ", " (RFC 9110 §5.3). The text lives as long as @self.
 */
const char *
sim_headers_get_list (SimHeaders *self,
                      const char *name)
{
  const char *first = NULL;
  GString *joined = NULL;

  g_return_val_if_fail (self != NULL && name != NULL, NULL);
  for (guint i = 0; i < self->len; i++)
    {
      const SimHeaderField *field = &self->fields[i];
      if (!sim_ascii_equal_caseless (field->name, name))
        continue;
      if (first == NULL)
        {
          first = field->value;
          continue;
        }
      if (joined == NULL)
        joined = g_string_new (first);
      g_string_append (joined, ", ");
      g_string_append (joined, field->value);
    }
  if (joined == NULL)
    return first;
  if (self->joined == NULL)
    self->joined = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->joined, g_string_free (joined, FALSE));
  return g_ptr_array_index (self->joined, self->joined->len - 1);
}

/* The media type of the last Content-Type, read as libsoup reads it: the text before any ';'
 * without the spaces before it, which must be "type/subtype" with no space and one '/'. */
static char *
parse_content_type (const char *header)
{
  char *type, *semi, *slash;

  if (header == NULL)
    return NULL;
  type = g_strdup (header);
  if ((semi = strchr (type, ';')))
    {
      char *p = semi;
      *semi = '\0';
      while (p - 1 > type && g_ascii_isspace (p[-1]))
        *(--p) = '\0';
    }
  slash = strpbrk (type, " /");
  if (slash == NULL || *slash != '/' || strpbrk (slash + 1, " /"))
    g_clear_pointer (&type, g_free);
  return type;
}

/**
 * sim_headers_get_content_type:
 * Returns: (transfer none) (nullable): "type/subtype" of the Content-Type field, %NULL when
 * there is none or it does not parse.
 */
const char *
sim_headers_get_content_type (SimHeaders *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (!self->content_type_known)
    {
      self->content_type = parse_content_type (sim_headers_get_one (self, "Content-Type"));
      self->content_type_known = TRUE;
    }
  return self->content_type;
}

guint
sim_headers_size (SimHeaders *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->len;
}

void
sim_headers_iter_init (SimHeadersIter *iter,
                       SimHeaders     *headers)
{
  g_return_if_fail (iter != NULL && headers != NULL);
  iter->headers = headers;
  iter->pass = 0;
  iter->index = 0;
}

/* Known names first, written libsoup's way, then the others as given, each in the order they
 * were added: libsoup's order. */
gboolean
sim_headers_iter_next (SimHeadersIter  *iter,
                       const char     **name,
                       const char     **value)
{
  SimHeaders *headers = iter->headers;

  for (; iter->pass < 2; iter->pass++, iter->index = 0)
    while (iter->index < headers->len)
      {
        SimHeaderField *field = &headers->fields[iter->index++];

        if (!field->asked)
          {
            field->spelling = known_spelling (field->name);
            field->asked = TRUE;
          }
        if ((field->spelling != NULL) == (iter->pass == 0))
          {
            *name = field->spelling ? field->spelling : field->name;
            *value = field->value;
            return TRUE;
          }
      }
  return FALSE;
}

void
sim_headers_foreach (SimHeaders            *self,
                     SimHeadersForeachFunc  func,
                     gpointer               data)
{
  SimHeadersIter iter;
  const char *name, *value;

  sim_headers_iter_init (&iter, self);
  while (sim_headers_iter_next (&iter, &name, &value))
    func (name, value, data);
}
