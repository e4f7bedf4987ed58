/* auth-server-register.c: dynamic client registration (RFC 7591 §2, §3).
 *
 * A client sends its metadata as JSON; the server checks every redirect URI (absolute, no
 * fragment, https or loopback http: RFC 6749 §3.1.2, RFC 9700 §2.1), the authentication method
 * and the scopes, and answers 201 with the seed lesson's three essentials: a client id, a client
 * secret (for a confidential client only) and the authorized redirect URIs.
 */
#include <string.h>

#include "actors/grants/grants.h"
#include "actors/dpop.h"

/* @rule: (nullable): the sentence saying which rule the metadata breaks, with its source */
static void
registration_error (SimMessage *message,
                    const char *error,
                    const char *description,
                    const char *rule)
{
  oauth_json_error (message, SOUP_STATUS_BAD_REQUEST, error, description);
  if (rule)
    sim_message_narrate (message, "%s", rule);
  sim_message_narrate (message, _("RFC 7591 §3.2.2: the server refuses the registration with %s (%s) and registers nothing."),
                       error, description);
}

/* RFC 6749 §3.1.2: absolute, no fragment; RFC 9700 §2.6: https, or http on loopback (RFC 8252
 * §7.3); and for a native app, a public client, a private-use scheme (RFC 8252 §7.1). */
static gboolean
check_redirect_uri (const char  *uri,
                    gboolean     public_client,
                    const char **why,
                    const char **rule)
{
  g_autoptr(GUri) parsed = NULL;
  const char *scheme;

  /* RFC 3986 §2: a URI is printable ASCII without spaces. A line break here would end up in
   * the Location header of every answer to this client (header injection). */
  for (const char *p = uri; *p; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f)
      {
        *why = "redirect URI must not contain spaces, control characters or non-ASCII characters";
        *rule = _("RFC 3986 §2: a URI is made of printable ASCII characters; spaces, line breaks and other characters must be percent-encoded. A line break in a redirect URI would even break out of the Location header it is sent in.");
        return FALSE;
      }

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  if (parsed && strchr (g_uri_get_scheme (parsed), '.') && !g_uri_get_host (parsed)
      && g_uri_get_path (parsed)[0] == '/' && !g_uri_get_fragment (parsed))
    {
      if (public_client)
        return TRUE;
      *why = "a private-use URI scheme is for native apps, which are public clients";
      *rule = _("RFC 8252 §7.1 and §8.4: a private-use URI scheme such as com.example.app:/callback is for native apps, which cannot keep a secret and register as public clients; any app on the device could claim the scheme, so a confidential client must use https.");
      return FALSE;
    }
  if (!parsed || !g_uri_get_host (parsed) || !*g_uri_get_host (parsed))
    {
      *why = "redirect URI must be an absolute URI";
      *rule = _("RFC 6749 §3.1.2: a redirect URI must be an absolute URI, with a scheme and a host; a relative one names no place the server could check or send a code to.");
      return FALSE;
    }
  if (g_uri_get_fragment (parsed) || strchr (uri, '#'))
    {
      *why = "redirect URI must not contain a fragment";
      *rule = _("RFC 6749 §3.1.2: a redirect URI must not contain a fragment (#…): the server adds the code to the URI, and a browser keeps a fragment to itself.");
      return FALSE;
    }
  scheme = g_uri_get_scheme (parsed);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (scheme, "http") == 0 && oauth_is_loopback_host (g_uri_get_host (parsed)))
    return TRUE;
  *why = "redirect URI must use https, or http on a loopback address";
  *rule = _("RFC 9700 §2.6: codes must never travel over an unencrypted connection, so a redirect URI must use https; plain http is allowed only on the loopback interface of the owner's own machine (RFC 8252 §7.3).");
  return FALSE;
}

/* Reads a string, or nothing (absent or null); FALSE when the member is something else. */
static gboolean
string_member (SimFields   *metadata,
               const char  *name,
               const char **value)
{
  SimFieldType type = sim_fields_get_type (metadata, name);

  *value = NULL;
  if (type == SIM_FIELD_MISSING || type == SIM_FIELD_NULL)
    return TRUE;
  if (type != SIM_FIELD_STRING)
    return FALSE;
  *value = sim_fields_get_string (metadata, name, NULL);
  return TRUE;
}

/* Reads an array of strings; FALSE when the member is there but is not one. */
static gboolean
string_array_member (SimFields   *metadata,
                     const char  *name,
                     GPtrArray  **out)
{
  SimFieldType type = sim_fields_get_type (metadata, name);
  g_auto(GStrv) strv = NULL;

  *out = NULL;
  if (type == SIM_FIELD_MISSING)
    return TRUE;
  if (type != SIM_FIELD_STRINGS)
    return FALSE;
  strv = sim_fields_dup_strv (metadata, name);
  *out = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; strv[i]; i++)
    g_ptr_array_add (*out, g_steal_pointer (&strv[i]));
  return TRUE;
}

static GStrv
dup_strv (GPtrArray *values)
{
  GStrv strv = g_new0 (char *, values->len + 1);

  for (guint i = 0; i < values->len; i++)
    strv[i] = g_strdup (values->pdata[i]);
  return strv;
}

static void
add_string_array (SimFields  *answer,
                  const char *name,
                  GPtrArray  *values)
{
  g_autofree const char **strv = g_new0 (const char *, values->len + 1);

  if (values->len > 0)  /* an empty array's pdata may be NULL, which memcpy must not get */
    memcpy (strv, values->pdata, values->len * sizeof (char *));
  sim_fields_add_strv (answer, name, strv);
}

/* RFC 7591 §2: a client of a redirect-based grant (one that sends the owner's browser to the
 * authorization endpoint) must register its redirect URIs; a machine client has none. With no
 * grant_types, the default is authorization_code. */
static gboolean
uses_redirects (AuthServer *self,
                GPtrArray  *grant_types)
{
  if (grant_types == NULL)
    return TRUE;
  for (guint i = 0; i < grant_types->len; i++)
    {
      const GrantType *grant = auth_server_find_grant (self, grant_types->pdata[i]);
      if (grant == NULL || grant->response_type)
        return TRUE;
    }
  return FALSE;
}

static void
answer_registered (AuthServer       *self,
                   SimMessage       *message,
                   RegisteredClient *client,
                   GPtrArray        *grant_types)
{
  g_autoptr(SimFields) answer = sim_fields_new ();
  g_autoptr(GPtrArray) response_types = g_ptr_array_new ();

  sim_fields_add_string (answer, "client_id", client->client_id);
  if (client->client_secret)
    {
      sim_fields_add_string (answer, "client_secret", client->client_secret);
      sim_fields_add_int (answer, "client_secret_expires_at", 0);
    }
  sim_fields_add_int (answer, "client_id_issued_at", client->issued_at);
  if (client->client_name)
    sim_fields_add_string (answer, "client_name", client->client_name);
  if (client->redirect_uris->len > 0)
    add_string_array (answer, "redirect_uris", client->redirect_uris);
  add_string_array (answer, "grant_types", grant_types);
  /* RFC 7591 §2.1: the response types that go with its grants, and only those. */
  for (guint i = 0; i < grant_types->len; i++)
    {
      const GrantType *grant = auth_server_find_grant (self, grant_types->pdata[i]);
      if (grant->response_type && !g_ptr_array_find_with_equal_func (response_types, grant->response_type, g_str_equal, NULL))
        g_ptr_array_add (response_types, (gpointer) grant->response_type);
    }
  add_string_array (answer, "response_types", response_types);
  sim_fields_add_string (answer, "token_endpoint_auth_method", client->auth_method);
  sim_fields_add_string (answer, "scope", client->scope);
  if (client->id_token_alg)
    sim_fields_add_string (answer, "id_token_signed_response_alg", client->id_token_alg);
  if (client->dpop_bound)
    sim_fields_add_boolean (answer, "dpop_bound_access_tokens", TRUE);
  sim_message_set_response_fields (message, SOUP_STATUS_CREATED, answer);
  oauth_no_store (message);

  if (client->redirect_uris->len == 0 && client->client_secret)
    sim_message_narrate (message,
                         _("The server registers the client and gives it a client id and a client secret, and no redirect URI: none of its grants sends a browser back to it, so there is no address to protect (RFC 7591 §2, §3.2.1)."));
  else if (client->client_secret)
    sim_message_narrate (message,
                         _("The server registers the client and gives it the three essentials: a client id (public, like a username), a client secret (like a password: leaking it would be a serious breach) and the authorized redirect URI, the only address where the server will ever send codes for this client (RFC 7591 §3.2.1)."));
  else if (client->redirect_uris->len == 0)
    sim_message_narrate (message,
                         _("The server registers a public client without a redirect URI: a client id and no secret, since a device cannot keep one (RFC 8628 §5.6); no code will ever reach it through a browser (RFC 7591 §2)."));
  else
    sim_message_narrate (message,
                         _("The server registers a public client: it gets a client id and its redirect URI but no secret, since an app on a user's device cannot keep one; it must use PKCE instead (RFC 7591 §2, RFC 7636)."));
}

void
auth_server_register (AuthServer *self,
                      SimMessage *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SimFields) object = NULL;
  g_autoptr(GPtrArray) redirect_uris = NULL;
  g_autoptr(GPtrArray) grant_types = NULL;
  g_autoptr(GPtrArray) response_types = NULL;
  g_autofree char *scope = NULL;
  const char *auth_method = NULL, *client_name = NULL, *requested_scope = NULL;
  const char *id_token_alg = NULL;
  const char *why = NULL, *rule = NULL;
  RegisteredClient *client;
  gboolean grant_types_ok, dpop_bound;
  SimFieldType type;

  if (!sim_message_is_json (message->request_headers)
      || !(object = sim_message_get_request_fields (message, &error)))
    {
      registration_error (message, "invalid_client_metadata", "the request body must be a JSON object",
                          _("RFC 7591 §3.1: a registration request is a JSON object of client metadata, sent as application/json."));
      return;
    }

  /* Which grants the client wants decides whether it needs redirect URIs; the list itself is
   * checked below, in its turn. */
  grant_types_ok = string_array_member (object, "grant_types", &grant_types);
  if (!string_array_member (object, "redirect_uris", &redirect_uris)
      || ((redirect_uris == NULL || redirect_uris->len == 0) && uses_redirects (self, grant_types)))
    {
      registration_error (message, "invalid_redirect_uri", "redirect_uris must be a non-empty array of strings",
                          _("RFC 7591 §2: a client of the authorization code flow must register its redirect URIs, as an array of strings."));
      return;
    }
  if (redirect_uris == NULL)
    redirect_uris = g_ptr_array_new_with_free_func (g_free);
  /* the method decides whether a native app's scheme may be registered; it is checked below */
  if (!string_member (object, "token_endpoint_auth_method", &auth_method))
    auth_method = NULL;
  for (guint i = 0; i < redirect_uris->len; i++)
    if (!check_redirect_uri (redirect_uris->pdata[i], g_strcmp0 (auth_method, "none") == 0, &why, &rule))
      {
        registration_error (message, "invalid_redirect_uri", why, rule);
        return;
      }

  if (!string_member (object, "token_endpoint_auth_method", &auth_method))
    {
      registration_error (message, "invalid_client_metadata", "token_endpoint_auth_method must be a string", NULL);
      return;
    }
  if (auth_method == NULL)
    auth_method = "client_secret_basic"; /* RFC 7591 §2 default */
  if (strcmp (auth_method, "client_secret_basic") != 0 && strcmp (auth_method, "client_secret_post") != 0
      && strcmp (auth_method, "none") != 0)
    {
      registration_error (message, "invalid_client_metadata", "unsupported token_endpoint_auth_method",
                          _("RFC 7591 §2: token_endpoint_auth_method names how the client will authenticate at the token endpoint; this server knows client_secret_basic, client_secret_post and none (a public client), and a client cannot be registered for a method the server would never accept."));
      return;
    }

  if (!grant_types_ok)
    {
      registration_error (message, "invalid_client_metadata", "grant_types must be an array of strings", NULL);
      return;
    }
  if (grant_types == NULL)
    {
      grant_types = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (grant_types, g_strdup ("authorization_code"));
    }
  for (guint i = 0; i < grant_types->len; i++)
    {
      const GrantType *grant = auth_server_find_grant (self, grant_types->pdata[i]);

      if (grant == NULL)
        {
          g_autofree char *offered = auth_server_list_grants (self, FALSE);
          g_autofree char *grant_rule = g_strdup_printf (_("RFC 7591 §2: grant_types lists the grants the client will use at the token endpoint; this server offers only %s, so it cannot register a client for any other (the password grant, for one, must not be used at all: RFC 9700 §2.4)."),
                                                         offered);
          registration_error (message, "invalid_client_metadata", "unsupported grant type", grant_rule);
          return;
        }
      if (grant->confidential_only && strcmp (auth_method, "none") == 0)
        {
          g_autofree char *grant_rule = g_strdup_printf (_("RFC 6749 §4.4: the %s grant is only for confidential clients, which can authenticate; a client registered with token_endpoint_auth_method none has nothing to authenticate with."),
                                                         grant->name);
          registration_error (message, "invalid_client_metadata", "this grant type is for confidential clients only", grant_rule);
          return;
        }
    }

  if (!string_array_member (object, "response_types", &response_types))
    {
      registration_error (message, "invalid_client_metadata", "response_types must be an array of strings", NULL);
      return;
    }
  for (guint i = 0; response_types && i < response_types->len; i++)
    if (strcmp (response_types->pdata[i], "code") != 0)
      {
        registration_error (message, "invalid_client_metadata", "only the response type code is supported",
                            _("RFC 7591 §2: response_types lists what the client will ask the authorization endpoint for; this server answers only response_type=code (RFC 9700 §2.1.2)."));
        return;
      }

  if (!string_member (object, "client_name", &client_name)
      || !string_member (object, "scope", &requested_scope))
    {
      registration_error (message, "invalid_client_metadata", "client_name and scope must be strings", NULL);
      return;
    }
  if (requested_scope && !oauth_scope_is_valid (requested_scope))
    {
      registration_error (message, "invalid_client_metadata", "scope is not a valid scope string",
                          _("RFC 6749 §3.3: a scope is a list of scope tokens separated by spaces, each made of printable ASCII without quotes or backslashes."));
      return;
    }
  if (requested_scope)
    {
      g_auto(GStrv) wanted = oauth_scope_parse (requested_scope);
      for (guint i = 0; wanted[i]; i++)
        if (!g_hash_table_contains (self->scope_descriptions, wanted[i]))
          {
            registration_error (message, "invalid_client_metadata", "scope names a scope this server does not know",
                                _("RFC 7591 §2: the server decides which scopes a client may register; this request names a scope the server does not offer at all."));
            return;
          }
      scope = oauth_scope_normalize (requested_scope);
    }
  else
    {
      /* RFC 7591 §2: with no scope, the server picks a default; ours is every scope it has. */
      g_autoptr(GString) all = g_string_new (NULL);
      for (guint i = 0; i < self->scopes->len; i++)
        g_string_append_printf (all, "%s ", (char *) self->scopes->pdata[i]);
      scope = oauth_scope_normalize (all->str);
    }

  /* OpenID Connect Registration §2: the client may name the algorithm its ID tokens are
   * signed with. The default there is RS256, which this server does not offer; it records
   * the one it uses and says so in its answer (RFC 7591 §3.2.1), so that a client that named
   * none learns it. Unsigned ID tokens (alg none) it never issues. */
  if (!string_member (object, "id_token_signed_response_alg", &id_token_alg))
    {
      registration_error (message, "invalid_client_metadata", "id_token_signed_response_alg must be a string", NULL);
      return;
    }
  if (id_token_alg && strcmp (id_token_alg, AUTH_SERVER_ID_TOKEN_ALG) != 0)
    {
      registration_error (message, "invalid_client_metadata", "unsupported id_token_signed_response_alg",
                          _("OpenID Connect Registration §2: id_token_signed_response_alg names how the client wants its ID tokens signed; this server signs them with ES256 only, and never leaves one unsigned, so it cannot promise any other."));
      return;
    }
  if (id_token_alg == NULL && oauth_scope_contains (scope, "openid"))
    id_token_alg = AUTH_SERVER_ID_TOKEN_ALG;
  type = sim_fields_get_type (object, "dpop_bound_access_tokens");
  if (type != SIM_FIELD_MISSING && type != SIM_FIELD_BOOLEAN)
    {
      registration_error (message, "invalid_client_metadata", "dpop_bound_access_tokens must be a boolean", NULL);
      return;
    }
  dpop_bound = sim_fields_get_boolean (object, "dpop_bound_access_tokens", FALSE);
  if (dpop_bound && self->dpop == NULL)
    {
      registration_error (message, "invalid_client_metadata", "this server does not support DPoP",
                          _("RFC 9449 §5.2: the client asks that its tokens always be DPoP-bound, but this server does not support DPoP (its metadata lists no dpop_signing_alg_values_supported), so it cannot promise that."));
      return;
    }

  client = g_new0 (RegisteredClient, 1);
  client->dpop_bound = dpop_bound;
  client->client_id = sim_rng_token (self->world->rng, "c_", 9);
  if (strcmp (auth_method, "none") != 0)
    {
      client->client_secret = sim_rng_token (self->world->rng, "cs_", 18);
      sim_world_hold (self->world, "auth-server", "client_secret", client->client_secret);
    }
  client->client_name = g_strdup (client_name);
  client->redirect_uris = g_steal_pointer (&redirect_uris);
  client->scope = g_steal_pointer (&scope);
  client->auth_method = g_strdup (auth_method);
  client->grant_types = dup_strv (grant_types);
  client->issued_at = sim_clock_now (self->world->clock);
  client->id_token_alg = g_strdup (id_token_alg);
  g_hash_table_replace (self->clients, client->client_id, client);

  answer_registered (self, message, client, grant_types);
}
