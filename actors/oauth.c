/* oauth.c: helpers shared by the actors; each names the rule it implements. */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "actors/oauth.h"
#include "sim/rng.h"

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* Whether @scope is already tokens in strictly ascending order, one space apart. */
static gboolean
scope_is_normal (const char *scope)
{
  const char *previous = NULL, *p = scope;
  gsize previous_length = 0;

  if (*p == '\0')
    return TRUE;
  for (;;)
    {
      gsize n = strcspn (p, " ");
      if (n == 0)
        return FALSE;   /* a leading, doubled or trailing space */
      if (previous)
        {
          int order = strncmp (previous, p, MIN (previous_length, n));
          if (order > 0 || (order == 0 && previous_length >= n))
            return FALSE;
        }
      previous = p;
      previous_length = n;
      p += n;
      if (*p == '\0')
        return TRUE;
      p++;
    }
}

/**
 * oauth_scope_parse:
 * Returns: (transfer full): the scope tokens, sorted, each once.
 */
GStrv
oauth_scope_parse (const char *scope)
{
  g_autoptr(GPtrArray) out = NULL;
  g_auto(GStrv) parts = NULL;

  /* Already sorted and distinct, as a server writes it: only split it. */
  if (scope && scope_is_normal (scope))
    return g_strsplit (scope, " ", -1);   /* "" gives no token, as below */
  out = g_ptr_array_new ();
  parts = g_strsplit (scope ? scope : "", " ", -1);

  for (guint i = 0; parts[i]; i++)
    {
      gboolean seen = FALSE;
      if (*parts[i] == '\0')
        continue;
      for (guint j = 0; j < out->len && !seen; j++)
        seen = strcmp (out->pdata[j], parts[i]) == 0;
      if (!seen)
        g_ptr_array_add (out, g_strdup (parts[i]));
    }
  g_ptr_array_sort (out, compare_strings);
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

char *
oauth_scope_join (const char *const *scopes)
{
  return g_strjoinv (" ", (GStrv) scopes);
}

/* Sorted, without duplicates: two equal scopes compare equal as strings. */
char *
oauth_scope_normalize (const char *scope)
{
  g_auto(GStrv) parts = NULL;

  if (scope && scope_is_normal (scope))
    return g_strdup (scope);
  parts = oauth_scope_parse (scope);
  return oauth_scope_join ((const char *const *) parts);
}

/* Whether the space-separated list @scope has the token @one (of @len bytes); no copies. */
static gboolean
scope_has_token (const char *scope,
                 const char *one,
                 gsize       len)
{
  const char *p = scope ? scope : "";

  while (*p)
    {
      gsize n = strcspn (p, " ");
      if (n == len && n > 0 && strncmp (p, one, len) == 0)
        return TRUE;
      p += n;
      if (*p == ' ')
        p++;
    }
  return FALSE;
}

gboolean
oauth_scope_contains (const char *scope,
                      const char *one)
{
  return scope_has_token (scope, one, strlen (one));
}

gboolean
oauth_scope_is_subset (const char *scope,
                       const char *of)
{
  const char *p = scope ? scope : "";

  while (*p)
    {
      gsize n = strcspn (p, " ");
      if (n > 0 && !scope_has_token (of, p, n))
        return FALSE;
      p += n;
      if (*p == ' ')
        p++;
    }
  return TRUE;
}

gboolean
oauth_scope_is_empty (const char *scope)
{
  return scope == NULL || scope[strspn (scope, " ")] == '\0';
}

/* RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces. */
gboolean
oauth_scope_is_valid (const char *scope)
{
  const char *p;

  if (scope == NULL)
    return FALSE;
  for (p = scope; *p; p++)
    {
      guchar c = (guchar) *p;
      if (c == ' ')
        continue;
      if (c < 0x21 || c == 0x22 || c == 0x5c || c > 0x7e)
        return FALSE;
    }
  return TRUE;
}

/* RFC 6749 §5.1: responses carrying tokens or credentials must not be cached. */
void
oauth_no_store (SimMessage *message)
{
  sim_headers_replace (message->response_headers, "Cache-Control", "no-store");
  sim_headers_replace (message->response_headers, "Pragma", "no-cache");
}

/* RFC 6749 §5.2: {"error": ..., "error_description": ...} in a JSON body. */
void
oauth_json_error (SimMessage *message,
                  guint       status,
                  const char *error,
                  const char *description)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, error);
  if (description)
    {
      json_builder_set_member_name (b, "error_description");
      json_builder_add_string_value (b, description);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sim_message_set_response_json (message, status, root);
  oauth_no_store (message);
}

/**
 * oauth_append_query:
 * Returns: (transfer full): @uri with @params added to its query (RFC 6749 §3.1.2 keeps the
 * query component the client registered).
 */
char *
oauth_append_query (const char *uri,
                    SimParams  *params)
{
  g_autofree char *encoded = sim_params_encode (params);
  const char *hash = strchr (uri, '#');
  g_autofree char *base = hash ? g_strndup (uri, hash - uri) : g_strdup (uri);

  if (*encoded == '\0')
    return g_steal_pointer (&base);
  return g_strconcat (base, strchr (base, '?') ? "&" : "?", encoded, NULL);
}

/**
 * oauth_error_params:
 * @issuer: (nullable): the server's issuer, when it names itself (RFC 9207 §2)
 *
 * Returns: (transfer full): the parameters of an authorization error response (RFC 6749
 *   §4.1.2.1, §4.2.2.1), for the query or, in the implicit grant, the fragment.
 */
SimParams *
oauth_error_params (const char *error,
                    const char *description,
                    const char *state,
                    const char *issuer)
{
  SimParams *params = sim_params_new ();

  sim_params_set (params, "error", error);
  if (description)
    sim_params_set (params, "error_description", description);
  if (state)
    sim_params_set (params, "state", state);
  if (issuer)
    sim_params_set (params, "iss", issuer);
  return params;
}

/* RFC 6749 §4.1.2.1: the error goes back to the client's redirect URI, with the state. */
void
oauth_redirect_error (SimMessage *message,
                      const char *redirect_uri,
                      const char *error,
                      const char *description,
                      const char *state,
                      const char *issuer)
{
  g_autoptr(SimParams) params = oauth_error_params (error, description, state, issuer);
  g_autofree char *location = NULL;

  location = oauth_append_query (redirect_uri, params);
  sim_message_set_redirect (message, location);
}

/* The loopback interface of the owner's own machine (RFC 8252 §7.3, §8.3). */
gboolean
oauth_is_loopback_host (const char *host)
{
  return g_strcmp0 (host, "127.0.0.1") == 0 || g_strcmp0 (host, "::1") == 0
         || g_strcmp0 (host, "[::1]") == 0 || g_strcmp0 (host, "localhost") == 0;
}

/* RFC 8252 §7.3 and RFC 9700 §2.1: a native app listens on whatever loopback port the system
 * gives it at run time, so for an http loopback redirect URI the port may differ from the
 * registered one; everything else must still match exactly. */
gboolean
oauth_loopback_uri_matches (const char *registered,
                            const char *given)
{
  g_autoptr(GUri) a = g_uri_parse (registered, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GUri) b = g_uri_parse (given, G_URI_FLAGS_ENCODED, NULL);

  if (a == NULL || b == NULL || g_strcmp0 (g_uri_get_scheme (a), "http") != 0
      || !oauth_is_loopback_host (g_uri_get_host (a)))
    return FALSE;
  return g_strcmp0 (g_uri_get_scheme (b), "http") == 0
         && g_strcmp0 (g_uri_get_host (a), g_uri_get_host (b)) == 0
         && g_uri_get_userinfo (b) == NULL
         && g_strcmp0 (g_uri_get_path (a), g_uri_get_path (b)) == 0
         && g_strcmp0 (g_uri_get_query (a), g_uri_get_query (b)) == 0
         && g_uri_get_fragment (b) == NULL && strchr (given, '#') == NULL;
}

/**
 * oauth_read_token_response:
 * @access_token: (out) (transfer full) (nullable)
 * @refresh_token: (out) (transfer full) (nullable): set only when the answer has one
 * @scope: (out) (transfer full) (nullable): set only when the answer has one
 * @error: (out) (transfer full) (nullable): the OAuth error, "no_access_token" or "http_error"
 *
 * Returns: TRUE when @message is a 200 answer carrying an access token.
 */
gboolean
oauth_read_token_response (SimMessage  *message,
                           char       **access_token,
                           char       **refresh_token,
                           char       **scope,
                           char       **error)
{
  g_autoptr(SimFields) answer = sim_message_get_response_fields (message, NULL);
  const char *access = answer ? sim_fields_get_string (answer, "access_token", NULL) : NULL;

  *access_token = *refresh_token = *scope = *error = NULL;
  if (message->status != SOUP_STATUS_OK || access == NULL)
    {
      const char *said = answer ? sim_fields_get_string (answer, "error", NULL) : NULL;
      *error = g_strdup (said ? said : message->status == SOUP_STATUS_OK ? "no_access_token" : "http_error");
      return FALSE;
    }
  *access_token = g_strdup (access);
  *refresh_token = g_strdup (sim_fields_get_string (answer, "refresh_token", NULL));
  *scope = g_strdup (sim_fields_get_string (answer, "scope", NULL));
  return TRUE;
}

/* As g_uri_escape_string (text, NULL, FALSE), without a copy for text that needs no escape. */
static void
append_uri_escaped (GString    *out,
                    const char *text)
{
  const char *p;

  for (p = text; g_ascii_isalnum (*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~'; p++)
    ;
  if (*p == '\0')
    g_string_append_len (out, text, p - text);
  else
    {
      g_autofree char *escaped = g_uri_escape_string (text, NULL, FALSE);
      g_string_append (out, escaped);
    }
}

/* As g_uri_unescape_string (text, NULL), without the work for text that has no escape. */
static char *
uri_unescape (const char *text)
{
  return strchr (text, '%') ? g_uri_unescape_string (text, NULL) : g_strdup (text);
}

/* Base64 as g_base64_decode() reads it, NUL-terminated. Text in the canonical form (the
 * alphabet, '=' only at the end, a multiple of four) is read here; GLib reads the rest, which
 * it reads leniently. */
static char *
decode_base64 (const char *in,
               gsize      *length)
{
  static gint8 values[256];
  static gsize ready = 0;
  gsize n = strlen (in), padding = 0;
  char *out, *o;

  if (g_once_init_enter (&ready))
    {
      static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      memset (values, -1, sizeof values);
      for (int i = 0; i < 64; i++)
        values[(guchar) alphabet[i]] = i;
      g_once_init_leave (&ready, 1);
    }
  if (n % 4 == 0 && n > 0)
    {
      padding = in[n - 1] == '=' ? (in[n - 2] == '=' ? 2 : 1) : 0;
      for (gsize i = 0; i < n - padding; i++)
        if (values[(guchar) in[i]] < 0)
          padding = 3;   /* not canonical */
    }
  if (n == 0 || n % 4 != 0 || padding > 2)
    {
      guchar *decoded = g_base64_decode (in, length);
      char *text = decoded ? g_strndup ((const char *) decoded, *length) : NULL;
      g_free (decoded);
      return text;
    }
  o = out = g_malloc (n / 4 * 3 + 1);
  for (gsize i = 0; i < n; i += 4)
    {
      guint32 bits = (guint32) (values[(guchar) in[i]] & 63) << 18
                     | (guint32) (values[(guchar) in[i + 1]] & 63) << 12
                     | (guint32) (values[(guchar) in[i + 2]] & 63) << 6
                     | (guint32) (values[(guchar) in[i + 3]] & 63);
      *o++ = bits >> 16;
      *o++ = (bits >> 8) & 255;
      *o++ = bits & 255;
    }
  *length = n / 4 * 3 - padding;
  out[*length] = '\0';
  return out;
}

/* RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined by ':' and base64-encoded. */
gboolean
oauth_parse_basic (SimHeaders  *headers,
                   char       **client_id,
                   char       **client_secret)
{
  const char *value = sim_headers_get_one (headers, "Authorization");
  g_autofree char *text = NULL;
  gsize len = 0;
  char *colon;

  *client_id = *client_secret = NULL;
  if (value == NULL || g_ascii_strncasecmp (value, "Basic ", 6) != 0)
    return FALSE;
  text = decode_base64 (value + 6, &len);
  if (text == NULL || len == 0 || strlen (text) != len || (colon = strchr (text, ':')) == NULL)
    return FALSE;
  *colon = '\0';
  *client_id = uri_unescape (text);
  *client_secret = uri_unescape (colon + 1);
  if (*client_id == NULL || *client_secret == NULL
      || !g_utf8_validate (*client_id, -1, NULL) || !g_utf8_validate (*client_secret, -1, NULL))
    {
      g_clear_pointer (client_id, g_free);
      g_clear_pointer (client_secret, g_free);
      return FALSE;
    }
  return TRUE;
}

/**
 * oauth_basic_credentials:
 * Returns: (transfer full): the Authorization value "Basic …" for @client_id and @client_secret.
 */
char *
oauth_basic_credentials (const char *client_id,
                         const char *client_secret)
{
  g_autoptr(GString) joined = g_string_sized_new (64);
  char *value;

  append_uri_escaped (joined, client_id);
  g_string_append_c (joined, ':');
  append_uri_escaped (joined, client_secret);
  value = g_malloc (6 + 4 * ((joined->len + 2) / 3) + 1);
  memcpy (value, "Basic ", 6);
  sim_base64_write (value + 6, (const guint8 *) joined->str, joined->len, FALSE);
  return value;
}

void
oauth_set_basic (SimHeaders *headers,
                 const char *client_id,
                 const char *client_secret)
{
  g_autofree char *value = oauth_basic_credentials (client_id, client_secret);
  sim_headers_replace (headers, "Authorization", value);
}

/* Compares two secrets in time that depends only on their lengths, never on where they first
 * differ (RFC 6749 §10.10 asks that guessing be infeasible; a timing leak would make it easy). */
gboolean
oauth_secure_equal (const char *a,
                    const char *b)
{
  gsize la, lb, n;
  guint diff;

  if (a == NULL || b == NULL)
    return FALSE;
  la = strlen (a);
  lb = strlen (b);
  n = MAX (la, lb);
  diff = (guint) (la ^ lb);
  for (gsize i = 0; i < n; i++)
    {
      guchar ca = i < la ? (guchar) a[i] : 0;
      guchar cb = i < lb ? (guchar) b[i] : 0;
      diff |= (guint) (ca ^ cb);
    }
  return diff == 0;
}

/* The base64url of the first @bytes bytes of SHA-256(@text). */
static char *
sha256_base64url (const char *text,
                  gsize       bytes)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_checksum_update (sum, (const guchar *) text, strlen (text));
  g_checksum_get_digest (sum, digest, &len);
  return sim_base64url_encode (digest, MIN (bytes, len));
}

/**
 * oauth_bearer_error:
 * @error: (nullable): the error code; %NULL for a request that carried no token at all
 * @description: (nullable)
 * @scope: (nullable): the scope the resource needs, for insufficient_scope
 *
 * RFC 6750 §3: a 401 or 403 names the scheme in WWW-Authenticate, with the error when there is
 * one (and then the same error in a JSON body).
 */
void
oauth_bearer_error (SimMessage *message,
                    const char *realm,
                    guint       status,
                    const char *error,
                    const char *description,
                    const char *scope)
{
  g_autofree char *scheme = g_strdup_printf ("Bearer realm=\"%s\"", realm);

  oauth_challenge_error (message, scheme, status, error, description, scope);
}

/**
 * oauth_challenge_error:
 * @scheme: the challenge's scheme and its first parameters, e.g. `Bearer realm="calendar"` or
 *   `DPoP algs="ES256"` (RFC 9449 §7.1)
 *
 * oauth_bearer_error() for any scheme.
 */
void
oauth_challenge_error (SimMessage *message,
                       const char *scheme,
                       guint       status,
                       const char *error,
                       const char *description,
                       const char *scope)
{
  g_autoptr(GString) challenge = g_string_new (scheme);

  if (error)
    g_string_append_printf (challenge, ", error=\"%s\"", error);
  if (description)
    g_string_append_printf (challenge, ", error_description=\"%s\"", description);
  if (scope)
    g_string_append_printf (challenge, ", scope=\"%s\"", scope);
  if (error)
    oauth_json_error (message, status, error, description);
  else
    sim_message_set_response (message, status, NULL, NULL);
  sim_headers_replace (message->response_headers, "WWW-Authenticate", challenge->str);
}

/**
 * oauth_pkce_s256:
 * Returns: (transfer full): BASE64URL(SHA256(ASCII(verifier))), RFC 7636 §4.2.
 */
char *
oauth_pkce_s256 (const char *verifier)
{
  return sha256_base64url (verifier, 32);
}

/**
 * oauth_at_hash:
 * Returns: (transfer full): the at_hash of an ID token for @access_token (OpenID Connect Core
 * §3.1.3.6): the base64url of the left half of SHA-256 of its ASCII, SHA-256 being the hash
 * of ES256.
 */
char *
oauth_at_hash (const char *access_token)
{
  return sha256_base64url (access_token, 16);
}

/* RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
gboolean
oauth_pkce_is_valid_value (const char *value)
{
  gsize len;

  if (value == NULL)
    return FALSE;
  len = strlen (value);
  if (len < 43 || len > 128)
    return FALSE;
  for (const char *p = value; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != '_' && *p != '~')
      return FALSE;
  return TRUE;
}
