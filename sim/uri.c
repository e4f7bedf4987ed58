/* uri.c: request URIs in one allocation; see uri.h. */
#include <string.h>

#include "sim/ascii.h"
#include "sim/uri.h"

struct _SimUri
{
  gint ref_count;
  GUriFlags flags;
  int port;                 /* -1: none */
  const char *scheme;       /* the components, in @storage; NULL when absent */
  const char *userinfo;
  const char *host;
  const char *path;         /* never NULL, maybe "" */
  const char *query;
  const char *fragment;
  const char *text;         /* the whole URI, as g_uri_to_string() writes it */
  char storage[];
};

/* Copies each component after the previous one into @self->storage. */
static const char *
keep (char      **cursor,
      const char *start,
      gsize       length)
{
  char *copy = *cursor;

  if (start == NULL)
    return NULL;
  memcpy (copy, start, length);
  copy[length] = '\0';
  *cursor += length + 1;
  return copy;
}

static gsize
length_of (const char *text)
{
  return text ? strlen (text) + 1 : 0;
}

/**
 * sim_uri_new_from_guri:
 * Returns: (transfer full): the same URI.
 */
SimUri *
sim_uri_new_from_guri (GUri *uri)
{
  g_autofree char *text = g_uri_to_string (uri);
  const char *scheme = g_uri_get_scheme (uri), *userinfo = g_uri_get_userinfo (uri);
  const char *host = g_uri_get_host (uri), *path = g_uri_get_path (uri);
  const char *query = g_uri_get_query (uri), *fragment = g_uri_get_fragment (uri);
  SimUri *self;
  char *cursor;

  g_return_val_if_fail (uri != NULL, NULL);
  self = g_malloc (sizeof (SimUri) + length_of (scheme) + length_of (userinfo) + length_of (host)
                   + length_of (path) + length_of (query) + length_of (fragment) + length_of (text));
  self->ref_count = 1;
  self->flags = g_uri_get_flags (uri);
  self->port = g_uri_get_port (uri);
  cursor = self->storage;
  self->scheme = keep (&cursor, scheme, scheme ? strlen (scheme) : 0);
  self->userinfo = keep (&cursor, userinfo, userinfo ? strlen (userinfo) : 0);
  self->host = keep (&cursor, host, host ? strlen (host) : 0);
  self->path = keep (&cursor, path, strlen (path));
  self->query = keep (&cursor, query, query ? strlen (query) : 0);
  self->fragment = keep (&cursor, fragment, fragment ? strlen (fragment) : 0);
  self->text = keep (&cursor, text, strlen (text));
  return self;
}

/* RFC 3986 §2.2-2.3: what a path may hold as it is (unreserved, sub-delims, ":", "@", "/"),
 * and what a query may hold besides ("?"). */
enum { IN_PATH = 1, IN_QUERY = 2 };

static guint8 plain_chars[256];

static void
init_plain_chars (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (int c = 0; c < 256; c++)
        if (g_ascii_isalnum (c) || (c && strchr ("-._~!$&'()*+,;=:@/", c)))
          plain_chars[c] = IN_PATH | IN_QUERY;
      plain_chars['?'] = IN_QUERY;
      g_once_init_leave (&done, 1);
    }
}

/* The end of a run of plain characters and valid escapes from @p (@where: IN_PATH or
 * IN_QUERY); NULL when an invalid escape comes first. The run stops at any other character. */
static const char *
plain_run (const char *p,
           guint8      where)
{
  for (;; p++)
    {
      guchar c = *p;

      if (plain_chars[c] & where)
        continue;
      if (c != '%')
        return p;
      if (!g_ascii_isxdigit (p[1]) || !g_ascii_isxdigit (p[2]))
        return NULL;
      p += 2;
    }
}

/* "scheme://host[:port]/path[?query]" in lower case, with no userinfo, fragment, dot segment,
 * IP literal or anything GLib would normalize: what g_uri_parse() returns, split by hand. */
static SimUri *
parse_plain (const char *text,
             GUriFlags   flags)
{
  const char *p = text, *scheme_end, *host_start, *host_end, *path_start, *path_end, *query = NULL;
  gsize length = strlen (text);
  int port = -1;
  SimUri *self;
  char *cursor;

  if (!g_ascii_islower (*p))
    return NULL;
  while (g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '+' || *p == '-' || *p == '.')
    p++;
  if (strncmp (p, "://", 3) != 0)
    return NULL;
  scheme_end = p;
  host_start = p + 3;
  for (p = host_start; g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-' || *p == '.'; p++)
    ;
  host_end = p;
  if (host_end == host_start)
    return NULL;
  if (*p == ':')
    {
      if (p[1] < '1' || p[1] > '9')
        return NULL;
      for (port = 0, p++; g_ascii_isdigit (*p) && port <= 65535; p++)
        port = port * 10 + (*p - '0');
      if (port > 65535)
        return NULL;
    }
  if (*p != '/')
    return NULL;
  path_start = p;
  init_plain_chars ();
  path_end = plain_run (path_start, IN_PATH);
  if (path_end == NULL || (*path_end != '\0' && *path_end != '?'))
    return NULL;
  /* A "/." in the path may be a dot segment, which GLib removes: leave those to it. */
  for (const char *dot = memchr (path_start, '.', path_end - path_start); dot;
       dot = memchr (dot + 1, '.', path_end - dot - 1))
    if (dot[-1] == '/')
      return NULL;
  if (*path_end == '?')
    {
      const char *query_end = plain_run (path_end + 1, IN_QUERY);
      if (query_end == NULL || *query_end != '\0')
        return NULL;
      query = path_end + 1;
    }

  /* Components, then the whole text: at most twice the text and seven NULs. */
  self = g_malloc (sizeof (SimUri) + 2 * length + 8);
  self->ref_count = 1;
  self->flags = flags;
  self->port = port;
  cursor = self->storage;
  self->scheme = keep (&cursor, text, scheme_end - text);
  self->userinfo = NULL;
  self->host = keep (&cursor, host_start, host_end - host_start);
  self->path = keep (&cursor, path_start, path_end - path_start);
  self->query = query ? keep (&cursor, query, strlen (query)) : NULL;
  self->fragment = NULL;
  self->text = keep (&cursor, text, length);
  return self;
}

/* A relaxed parse reads "https://a.exa;mple/x" as host "a.exa" and path ";mple/x": a GUri
 * that g_uri_to_string() refuses with a critical (a path after a host must start with '/').
 * Such a URI comes only from bad input; it is refused as if it had not parsed. */
static SimUri *
new_from_parsed (GUri    *uri,
                 GError **error)
{
  const char *path = g_uri_get_path (uri);

  if (g_uri_get_host (uri) != NULL && path[0] != '\0' && path[0] != '/')
    {
      g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_PATH,
                   "a path after a host must start with '/': %s", path);
      return NULL;
    }
  return sim_uri_new_from_guri (uri);
}

static SimUri *
parse_with_flags (const char *text,
                  GUriFlags   flags,
                  GError    **error)
{
  SimUri *self = parse_plain (text, flags);
  g_autoptr(GUri) uri = NULL;

  if (self)
    return self;
  uri = g_uri_parse (text, flags, error);
  return uri ? new_from_parsed (uri, error) : NULL;
}

/**
 * sim_uri_parse:
 * @text: an absolute URI
 *
 * As g_uri_parse (@text, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED), except that a URI
 * GLib parses but cannot write back (see new_from_parsed()) is refused.
 *
 * Returns: (transfer full) (nullable): the URI, or %NULL with @error set.
 */
SimUri *
sim_uri_parse (const char *text,
               GError    **error)
{
  g_return_val_if_fail (text != NULL, NULL);
  return parse_with_flags (text, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, error);
}

/**
 * sim_uri_resolve:
 * @reference: an absolute URI, or one relative to @base (RFC 3986 §5.2)
 *
 * As g_uri_parse_relative (@base, @reference, G_URI_FLAGS_ENCODED): an absolute reference is
 * read on its own, which gives the same URI.
 *
 * Returns: (transfer full) (nullable): the URI, or %NULL when @reference does not parse.
 */
SimUri *
sim_uri_resolve (SimUri     *base,
                 const char *reference)
{
  g_autoptr(GUri) base_uri = NULL;
  g_autoptr(GUri) resolved = NULL;
  const char *p = reference;

  g_return_val_if_fail (base != NULL && reference != NULL, NULL);
  /* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ":" */
  if (g_ascii_isalpha (*p))
    {
      while (g_ascii_isalnum (*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
      if (*p == ':')
        return parse_with_flags (reference, G_URI_FLAGS_ENCODED, NULL);
    }
  /* "/path?query" against a plain base: its scheme, host and port, then the reference, which
   * parses as a plain URI only if it has nothing to resolve (RFC 3986 §5.2.2). */
  if (reference[0] == '/' && reference[1] != '/' && base->userinfo == NULL && base->host
      && strchr (base->host, ':') == NULL)
    {
      g_autofree char *joined = base->port >= 0
        ? g_strdup_printf ("%s://%s:%d%s", base->scheme, base->host, base->port, reference)
        : g_strconcat (base->scheme, "://", base->host, reference, NULL);
      SimUri *plain = parse_plain (joined, G_URI_FLAGS_ENCODED);
      if (plain)
        return plain;
    }
  base_uri = sim_uri_to_guri (base);
  resolved = base_uri ? g_uri_parse_relative (base_uri, reference, G_URI_FLAGS_ENCODED, NULL) : NULL;
  return resolved ? new_from_parsed (resolved, NULL) : NULL;
}

SimUri *
sim_uri_ref (SimUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
sim_uri_unref (SimUri *self)
{
  g_return_if_fail (self != NULL);
  if (g_atomic_int_dec_and_test (&self->ref_count))
    g_free (self);
}

const char *
sim_uri_get_scheme (SimUri *self)
{
  return self->scheme;
}

const char *
sim_uri_get_userinfo (SimUri *self)
{
  return self->userinfo;
}

const char *
sim_uri_get_host (SimUri *self)
{
  return self->host;
}

int
sim_uri_get_port (SimUri *self)
{
  return self->port;
}

const char *
sim_uri_get_path (SimUri *self)
{
  return self->path;
}

const char *
sim_uri_get_query (SimUri *self)
{
  return self->query;
}

const char *
sim_uri_get_fragment (SimUri *self)
{
  return self->fragment;
}

GUriFlags
sim_uri_get_flags (SimUri *self)
{
  return self->flags;
}

/* Returns: (transfer full): the URI as g_uri_to_string() writes it. */
char *
sim_uri_to_string (SimUri *self)
{
  return g_strdup (self->text);
}

/* Returns: (transfer full) (nullable): the same URI as a GUri, for GLib's own functions. */
GUri *
sim_uri_to_guri (SimUri *self)
{
  return g_uri_parse (self->text, self->flags, NULL);
}

/* The port an origin names: none (0) when it is the scheme's default. */
static int
explicit_port (SimUri *uri)
{
  if ((uri->port == 443 && sim_ascii_equal_caseless (uri->scheme, "https"))
      || (uri->port == 80 && sim_ascii_equal_caseless (uri->scheme, "http")))
    return 0;
  return MAX (uri->port, 0);
}

/**
 * sim_uri_dup_origin:
 *
 * The origin as RFC 6454 §6.2 serializes it: the scheme's default port is left out, and an
 * IPv6 address keeps its brackets.
 *
 * Returns: (transfer full): "scheme://host[:port]", scheme and host lower case.
 */
char *
sim_uri_dup_origin (SimUri *self)
{
  const char *host = self->host ? self->host : "";
  gboolean ipv6 = strchr (host, ':') != NULL;
  int port = explicit_port (self);
  GString *out = g_string_sized_new (64);

  g_string_append (out, self->scheme);
  g_string_append (out, "://");
  if (ipv6)
    g_string_append_c (out, '[');
  g_string_append (out, host);
  if (ipv6)
    g_string_append_c (out, ']');
  for (gsize i = 0; i < out->len; i++)   /* scheme and host only, so far */
    out->str[i] = g_ascii_tolower (out->str[i]);
  if (port > 0)
    {
      char digits[8];
      int n = 0;

      for (; port > 0; port /= 10)
        digits[n++] = '0' + port % 10;
      g_string_append_c (out, ':');
      while (n > 0)
        g_string_append_c (out, digits[--n]);
    }
  return g_string_free (out, FALSE);
}


/**
 * sim_uri_same_origin:
 *
 * Whether @a and @b have the same origin (RFC 6454 §5): scheme, host and port, the scheme's
 * default port being the same as none; a URI without an authority ("com.example.app:/cb") has
 * the empty host.
 */
gboolean
sim_uri_same_origin (SimUri *a,
                     SimUri *b)
{
  return explicit_port (a) == explicit_port (b)
         && sim_ascii_equal_caseless (a->host ? a->host : "", b->host ? b->host : "")
         && sim_ascii_equal_caseless (a->scheme, b->scheme);
}
