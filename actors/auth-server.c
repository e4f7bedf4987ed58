/* auth-server.c: the authorization server's records, routing and the checks its endpoints
 * share (client authentication, issuing and finding tokens, forgetting what has expired). */
#include <string.h>

#include "actors/auth-server-private.h"
#include "actors/dpop.h"

#define MAX_LOGIN_ATTEMPTS 5

/* When a code, token or pending request expires, so that purging looks only at what has
 * expired instead of walking every table. The entry keeps its own copy of the key: a record
 * may go earlier (a pending request is answered), and then its entry finds nothing. */
typedef struct
{
  gint64 expires_at;
  GHashTable *table;
  char *key;
} Expiry;

void
auth_server_config_init (AuthServerConfig *config)
{
  memset (config, 0, sizeof *config);
  config->issuer = g_strdup ("https://auth.example");
  config->code_lifetime = 60;
  config->access_token_lifetime = 3600;
  config->refresh_token_lifetime = 14 * 24 * 3600;
  config->rotate_refresh_tokens = TRUE;
  config->require_pkce = FALSE;
  config->pkce_for_public_clients = TRUE;
  config->allow_plain_pkce = FALSE;
  config->max_login_attempts = MAX_LOGIN_ATTEMPTS;
  config->audience = NULL;
  config->jwt_access_tokens = FALSE;
  config->device_code_lifetime = 600;
  config->device_poll_interval = 5;
  oauth_defenses_init (&config->defenses);
}

void
auth_server_config_clear (AuthServerConfig *config)
{
  g_clear_pointer (&config->issuer, g_free);
  g_clear_pointer (&config->audience, g_free);
}

static void
registered_client_free (gpointer data)
{
  RegisteredClient *client = data;
  g_free (client->client_id);
  g_free (client->client_secret);
  g_free (client->client_name);
  g_ptr_array_unref (client->redirect_uris);
  g_free (client->scope);
  g_free (client->auth_method);
  g_strfreev (client->grant_types);
  g_free (client->id_token_alg);
  g_free (client);
}

static void
resource_free (gpointer data)
{
  Resource *resource = data;
  g_free (resource->secret);
  g_free (resource);
}

static void
pending_free (gpointer data)
{
  PendingRequest *p = data;
  g_free (p->id);
  g_free (p->client_id);
  g_free (p->redirect_uri);
  g_free (p->scope);
  g_free (p->state);
  g_free (p->code_challenge);
  g_free (p->code_challenge_method);
  g_free (p->nonce);
  g_free (p->device_code);
  g_free (p);
}

static void
code_free (gpointer data)
{
  AuthCode *code = data;
  g_free (code->client_id);
  g_free (code->redirect_uri);
  g_free (code->scope);
  g_free (code->subject);
  g_free (code->code_challenge);
  g_free (code->code_challenge_method);
  g_free (code->nonce);
  g_clear_pointer (&code->grant, grant_unref);
  g_free (code);
}

static void
user_claims_free (gpointer data)
{
  UserClaims *claims = data;
  g_free (claims->name);
  g_free (claims->email);
  g_free (claims);
}

static void
token_free (gpointer data)
{
  Token *token = data;
  g_free (token->client_id);
  g_free (token->subject);
  g_free (token->scope);
  g_free (token->audience);
  g_free (token->jkt);
  g_clear_pointer (&token->grant, grant_unref);
  g_free (token);
}

Grant *
grant_new (void)
{
  Grant *grant = g_new0 (Grant, 1);
  grant->ref_count = 1;
  return grant;
}

Grant *
grant_ref (Grant *grant)
{
  grant->ref_count++;
  return grant;
}

void
grant_unref (Grant *grant)
{
  if (--grant->ref_count == 0)
    g_free (grant);
}

/**
 * auth_server_new:
 * @world: (not owned): must outlive the server
 * @config: copied; its issuer is the origin the server answers for on the bus
 *
 * Returns: (transfer full): a server that knows no users, scopes or clients yet.
 */
AuthServer *
auth_server_new (SimWorld               *world,
                 const AuthServerConfig *config)
{
  AuthServer *self = g_new0 (AuthServer, 1);

  self->world = world;
  self->config = *config;
  self->config.issuer = g_strdup (config->issuer);
  self->config.audience = g_strdup (config->audience);
  self->config.code_lifetime = CLAMP (config->code_lifetime, 1, 600);
  self->users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->claims = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, user_claims_free);
  self->scopes = g_ptr_array_new_with_free_func (g_free);
  self->scope_descriptions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->clients = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, registered_client_free);
  self->resources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, resource_free);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, pending_free);
  self->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, code_free);
  self->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, token_free);
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, device_request_free);
  self->user_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->expiries = g_array_new (FALSE, FALSE, sizeof (Expiry));
  if (config->dpop)
    self->dpop = dpop_verifier_new (world, config->dpop_nonce);
  return self;
}

void
auth_server_free (AuthServer *self)
{
  if (!self)
    return;
  auth_server_config_clear (&self->config);
  g_hash_table_unref (self->users);
  g_hash_table_unref (self->claims);
  g_ptr_array_unref (self->scopes);
  g_hash_table_unref (self->scope_descriptions);
  g_hash_table_unref (self->clients);
  g_hash_table_unref (self->resources);
  g_hash_table_unref (self->pending);
  g_hash_table_unref (self->codes);
  g_hash_table_unref (self->tokens);
  g_hash_table_unref (self->user_codes);
  g_hash_table_unref (self->devices);
  for (guint i = 0; i < self->expiries->len; i++)
    g_free (g_array_index (self->expiries, Expiry, i).key);
  g_array_unref (self->expiries);
  g_clear_pointer (&self->signing_key, sim_jose_key_unref);
  dpop_verifier_free (self->dpop);
  g_free (self);
}

/* What the server keeps instead of a password. A real server uses a slow hash with a random
 * salt (Argon2id, scrypt, bcrypt); GLib offers none, and a trace must not depend on a salt
 * drawn at random, so this is HMAC-SHA-256 of the password keyed by the issuer and the user
 * name: never the password itself, and a different value for the same password elsewhere. */
static char *
password_hash (AuthServer *self,
               const char *username,
               const char *password)
{
  g_autofree char *salt = g_strconcat (self->config.issuer, " ", username, NULL);

  return g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) salt, strlen (salt), password, -1);
}

/* The server is provisioned with the account: from now on it holds the password's hash. */
void
auth_server_add_user (AuthServer *self,
                      const char *username,
                      const char *password)
{
  char *hash = password_hash (self, username, password);

  sim_world_hold (self->world, "auth-server", "password_hash", hash);
  g_hash_table_replace (self->users, g_strdup (username), hash);
}

/* Whether @username has an account and @password is its password; FALSE for NULLs. */
gboolean
auth_server_check_password (AuthServer *self,
                            const char *username,
                            const char *password)
{
  const char *known = username ? g_hash_table_lookup (self->users, username) : NULL;
  g_autofree char *hash = known && password ? password_hash (self, username, password) : NULL;

  return oauth_secure_equal (known, hash);
}

/**
 * auth_server_set_user_claims:
 * @name: (nullable): the account's full name, released with scope profile
 * @email: (nullable): its e-mail address, released with scope email
 *
 * What the server may say about the account at the userinfo endpoint (OpenID Connect Core
 * §5.1, §5.4). Its subject identifier is the account's username: the server's own, stable
 * name for it, as introspection already reports (RFC 7662 §2.2).
 */
void
auth_server_set_user_claims (AuthServer *self,
                             const char *username,
                             const char *name,
                             const char *email)
{
  UserClaims *claims;

  g_return_if_fail (self != NULL && username != NULL);
  claims = g_new0 (UserClaims, 1);
  claims->name = g_strdup (name);
  claims->email = g_strdup (email);
  g_hash_table_replace (self->claims, g_strdup (username), claims);
}

/**
 * auth_server_user_claims:
 * Returns: (transfer none) (nullable): the claims set for @username, if any.
 */
const UserClaims *
auth_server_user_claims (AuthServer *self,
                         const char *username)
{
  return username ? g_hash_table_lookup (self->claims, username) : NULL;
}

void
auth_server_add_scope (AuthServer *self,
                       const char *scope,
                       const char *description)
{
  if (!g_hash_table_contains (self->scope_descriptions, scope))
    g_ptr_array_add (self->scopes, g_strdup (scope));
  g_hash_table_replace (self->scope_descriptions, g_strdup (scope), g_strdup (description ? description : scope));
}

const char *
auth_server_describe_scope (AuthServer *self,
                            const char *scope)
{
  const char *description = g_hash_table_lookup (self->scope_descriptions, scope);
  return description ? description : scope;
}

/* The security headers the server's pages leave out, as its defenses say. */
OAuthPageFlags
auth_server_page_flags (AuthServer *self)
{
  OAuthPageFlags flags = OAUTH_PAGE_DEFAULT;

  if (!self->config.defenses.consent_frame_protection)
    flags |= OAUTH_PAGE_FRAMABLE;
  if (!self->config.defenses.referrer_policy)
    flags |= OAUTH_PAGE_NO_REFERRER_POLICY;
  return flags;
}

/* A protected resource (the API) that may ask about tokens at the introspection endpoint. */
void
auth_server_add_resource (AuthServer *self,
                          const char *id,
                          const char *secret)
{
  Resource *resource = g_new0 (Resource, 1);
  resource->secret = g_strdup (secret);
  sim_world_hold (self->world, "auth-server", "api_secret", secret);
  g_hash_table_replace (self->resources, g_strdup (id), resource);
}

const char *
auth_server_get_issuer (AuthServer *self)
{
  return self->config.issuer;
}

guint
auth_server_count_clients (AuthServer *self)
{
  return g_hash_table_size (self->clients);
}

/**
 * auth_server_remove_client:
 *
 * Deletes a client's registration, as RFC 7592 §2.3 describes (the simulator has no endpoint
 * for it): the client can no longer authenticate, and its tokens are inactive from now on.
 * They are forgotten when they expire.
 *
 * Returns: whether such a client was registered.
 */
gboolean
auth_server_remove_client (AuthServer *self,
                           const char *client_id)
{
  g_return_val_if_fail (self != NULL && client_id != NULL, FALSE);
  return g_hash_table_remove (self->clients, client_id);
}

/* How many codes, tokens, pending and device requests the server still remembers. */
guint
auth_server_count_live (AuthServer *self)
{
  return g_hash_table_size (self->codes) + g_hash_table_size (self->tokens)
         + g_hash_table_size (self->pending) + g_hash_table_size (self->devices);
}

/* A JWT access token (RFC 9068 §2): typ at+jwt (§2.1) and the claims of §2.2 in its order,
 * signed with the server's key; the server keeps its record as for an opaque token, so that
 * introspection and revocation still know it. */
static char *
jwt_access_token (AuthServer *self,
                  const char *client_id,
                  const char *subject,
                  const char *scope,
                  const char *audience)
{
  gint64 now = sim_clock_now (self->world->clock);
  g_autoptr(JsonObject) header = json_object_new ();
  g_autoptr(JsonObject) claims = json_object_new ();
  g_autofree char *jti = NULL;
  SimJoseKey *key = auth_server_signing_key (self);

  jti = sim_rng_token (self->world->rng, NULL, 12);
  json_object_set_string_member (header, "typ", "at+jwt");
  json_object_set_string_member (claims, "iss", self->config.issuer);
  json_object_set_int_member (claims, "exp", now + self->config.access_token_lifetime);
  if (audience)
    json_object_set_string_member (claims, "aud", audience);
  json_object_set_string_member (claims, "sub", subject ? subject : client_id);
  json_object_set_string_member (claims, "client_id", client_id);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_string_member (claims, "jti", jti);
  if (scope)
    json_object_set_string_member (claims, "scope", scope);
  return sim_jose_sign (key, header, claims);
}

/**
 * auth_server_issue_token:
 * @audience: (nullable): the resource an access token is for (RFC 8707); ignored unless the
 *   server restricts audiences
 * @grant: (transfer none)
 *
 * Returns: (transfer none): the new token's value, owned by the server.
 */
char *
auth_server_issue_token (AuthServer *self,
                         TokenKind   kind,
                         const char *client_id,
                         const char *subject,
                         const char *scope,
                         const char *audience,
                         Grant      *grant)
{
  Token *token = g_new0 (Token, 1);
  gint64 now = sim_clock_now (self->world->clock);
  char *value;

  if (kind == TOKEN_ACCESS && self->config.jwt_access_tokens)
    value = jwt_access_token (self, client_id, subject, scope,
                              self->config.defenses.audience_restriction && audience ? audience
                                                                               : self->config.audience);
  else
    value = sim_rng_token (self->world->rng, kind == TOKEN_ACCESS ? "at_" : "rt_", 16);
  sim_world_hold (self->world, "auth-server", kind == TOKEN_ACCESS ? "access_token" : "refresh_token", value);
  token->kind = kind;
  token->client_id = g_strdup (client_id);
  token->subject = g_strdup (subject);
  token->scope = g_strdup (scope);
  if (kind == TOKEN_ACCESS && self->config.defenses.audience_restriction)
    token->audience = g_strdup (audience ? audience : self->config.audience);
  token->issued_at = now;
  token->expires_at = now + (kind == TOKEN_ACCESS ? self->config.access_token_lifetime
                                                  : self->config.refresh_token_lifetime);
  token->grant = grant_ref (grant);
  /* RFC 9449 §5: an access token is bound to the key the request proved, and so is a public
   * client's refresh token (a confidential client's is bound to its credentials already). */
  if (self->dpop_jkt)
    {
      RegisteredClient *client = g_hash_table_lookup (self->clients, client_id);
      if (kind == TOKEN_ACCESS || client == NULL || client->client_secret == NULL)
        token->jkt = g_strdup (self->dpop_jkt);
    }
  auth_server_remember (self, self->tokens, value, token, token->expires_at);
  return value;
}

/**
 * auth_server_find_live_token:
 * Returns: (transfer none) (nullable): the token if it exists, has not expired, and neither it
 * nor its grant was revoked.
 */
Token *
auth_server_find_live_token (AuthServer *self,
                             const char *value)
{
  Token *token = value ? g_hash_table_lookup (self->tokens, value) : NULL;

  if (token == NULL || token->revoked || token->grant->revoked)
    return NULL;
  /* RFC 7592 §2.3: a deleted client's tokens die with it. */
  if (!g_hash_table_contains (self->clients, token->client_id))
    return NULL;
  if (sim_clock_now (self->world->clock) >= token->expires_at)
    return NULL;
  return token;
}

gboolean
auth_server_token_is_active (AuthServer *self,
                             const char *token)
{
  return auth_server_find_live_token (self, token) != NULL;
}

static gboolean
expiry_before (const Expiry *a,
               const Expiry *b)
{
  return a->expires_at < b->expires_at;
}

/**
 * auth_server_remember:
 * @table: self->codes, self->pending or self->tokens
 * @key: (transfer full): as for g_hash_table_replace()
 *
 * Stores @record and schedules it to be forgotten once the clock reaches @expires_at.
 */
void
auth_server_remember (AuthServer *self,
                      GHashTable *table,
                      char       *key,
                      gpointer    record,
                      gint64      expires_at)
{
  Expiry entry = { expires_at, table, g_strdup (key) };
  Expiry *heap;
  guint i;

  g_hash_table_replace (table, key, record);
  g_array_append_val (self->expiries, entry);
  heap = (Expiry *) (gpointer) self->expiries->data;
  for (i = self->expiries->len - 1; i > 0 && expiry_before (&entry, &heap[(i - 1) / 2]); i = (i - 1) / 2)
    heap[i] = heap[(i - 1) / 2];
  heap[i] = entry;
}

static Expiry
expiry_pop (GArray *expiries)
{
  Expiry *heap = (Expiry *) (gpointer) expiries->data;
  Expiry top = heap[0];
  Expiry last = heap[expiries->len - 1];
  guint n = expiries->len - 1, i = 0;

  for (;;)
    {
      guint child = 2 * i + 1;
      if (child >= n)
        break;
      if (child + 1 < n && expiry_before (&heap[child + 1], &heap[child]))
        child++;
      if (!expiry_before (&heap[child], &last))
        break;
      heap[i] = heap[child];
      i = child;
    }
  heap[i] = last;
  g_array_set_size (expiries, n);
  return top;
}

static gint64
record_expires_at (AuthServer *self,
                   GHashTable *table,
                   gpointer    record)
{
  if (table == self->codes)
    return ((AuthCode *) record)->expires_at;
  if (table == self->pending)
    return ((PendingRequest *) record)->expires_at;
  if (table == self->devices)
    return ((DeviceRequest *) record)->forget_at;
  if (table == self->user_codes)
    {
      DeviceRequest *device = g_hash_table_lookup (self->devices, record);
      return device ? device->expires_at : 0;
    }
  return ((Token *) record)->expires_at;
}

/* Forgets what can never be used again, so memory follows the live state, not the history.
 * A used code stays until it expires: its reuse must still be recognised (RFC 6749 §4.1.2).
 * Only what has expired is looked at: the earliest expiry is at the top of the heap. */
void
auth_server_purge (AuthServer *self)
{
  gint64 now = sim_clock_now (self->world->clock);

  while (self->expiries->len > 0 && g_array_index (self->expiries, Expiry, 0).expires_at <= now)
    {
      Expiry entry = expiry_pop (self->expiries);
      gpointer record = g_hash_table_lookup (entry.table, entry.key);

      if (record && record_expires_at (self, entry.table, record) <= now)
        g_hash_table_remove (entry.table, entry.key);
      g_free (entry.key);
    }
}

void
client_auth_clear (ClientAuth *auth)
{
  g_clear_pointer (&auth->client_id, g_free);
  auth->client = NULL;
}

/* RFC 6749 §5.2: invalid_client is 401 and names the scheme the client should use. */
void
auth_server_invalid_client (SimMessage *message,
                            ClientAuth *auth,
                            const char *description)
{
  oauth_json_error (message, SOUP_STATUS_UNAUTHORIZED, "invalid_client", description);
  sim_headers_replace (message->response_headers, "WWW-Authenticate",
                       "Basic realm=\"oauth-sim\", charset=\"UTF-8\"");
  /* The description goes on the wire in English (RFC 6749 §5.2 allows only ASCII there); the
   * narration says it in the reader's language. */
  sim_message_narrate (message,
                       _("RFC 6749 §5.2: the server could not authenticate the client (%s), so it answers invalid_client with 401 and refuses to go further."),
                       _(description));
}

/**
 * auth_server_authenticate_client:
 * @form: the request's form parameters; client_id and client_secret may be in it
 * @allow_resources: whether a registered resource server (the API) may authenticate here
 *
 * Implements RFC 6749 §2.3: HTTP Basic (client_secret_basic) or the body (client_secret_post),
 * never both at once, secrets compared in constant time; a public client sends only its
 * client_id. On failure it writes the error response and returns FALSE.
 */
gboolean
auth_server_authenticate_client (AuthServer *self,
                                 SimMessage *message,
                                 SimParams  *form,
                                 gboolean    allow_resources,
                                 ClientAuth *auth)
{
  g_autofree char *basic_id = NULL;
  g_autofree char *basic_secret = NULL;
  const char *post_id = sim_params_get (form, "client_id");
  const char *post_secret = sim_params_get (form, "client_secret");
  const char *header = sim_headers_get_one (message->request_headers, "Authorization");
  const char *secret;
  gboolean basic = oauth_parse_basic (message->request_headers, &basic_id, &basic_secret);

  memset (auth, 0, sizeof *auth);

  if (header && !basic)
    {
      auth->method = CLIENT_AUTH_BASIC;
      auth_server_invalid_client (message, auth, N_("the Authorization header is not valid HTTP Basic"));
      return FALSE;
    }
  if (basic && post_secret)
    {
      oauth_json_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        "more than one client authentication method");
      sim_message_narrate (message,
                           _("RFC 6749 §2.3: a client must use only one way to authenticate in a request; this one sent its secret both in the Authorization header and in the body."));
      return FALSE;
    }
  if (basic && post_id && strcmp (post_id, basic_id) != 0)
    {
      oauth_json_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        "client_id in the body differs from the Authorization header");
      sim_message_narrate (message,
                           _("RFC 6749 §2.3.1: the client_id in the body and the one in the Authorization header name different clients."));
      return FALSE;
    }

  if (basic)
    {
      auth->method = CLIENT_AUTH_BASIC;
      auth->client_id = g_strdup (basic_id);
      secret = basic_secret;
    }
  else if (post_id && post_secret)
    {
      auth->method = CLIENT_AUTH_POST;
      auth->client_id = g_strdup (post_id);
      secret = post_secret;
    }
  else if (post_id)
    {
      auth->method = CLIENT_AUTH_PUBLIC;
      auth->client_id = g_strdup (post_id);
      secret = NULL;
    }
  else
    {
      auth->method = CLIENT_AUTH_NONE;
      auth_server_invalid_client (message, auth, N_("no client credentials were sent"));
      return FALSE;
    }

  if (allow_resources && auth->method != CLIENT_AUTH_PUBLIC)
    {
      Resource *resource = g_hash_table_lookup (self->resources, auth->client_id);
      if (resource && oauth_secure_equal (resource->secret, secret))
        {
          auth->is_resource = TRUE;
          return TRUE;
        }
    }

  auth->client = g_hash_table_lookup (self->clients, auth->client_id);
  if (auth->client == NULL)
    {
      auth_server_invalid_client (message, auth, N_("no client is registered with this client_id"));
      return FALSE;
    }
  if (auth->client->client_secret == NULL)
    {
      if (auth->method != CLIENT_AUTH_PUBLIC)
        {
          auth_server_invalid_client (message, auth, N_("a public client has no secret to send"));
          return FALSE;
        }
      return TRUE;
    }
  if (auth->method == CLIENT_AUTH_PUBLIC)
    {
      auth_server_invalid_client (message, auth, N_("this confidential client sent no client_secret"));
      return FALSE;
    }
  if (!oauth_secure_equal (auth->client->client_secret, secret))
    {
      auth_server_invalid_client (message, auth, N_("the client_secret is wrong"));
      return FALSE;
    }
  if ((auth->method == CLIENT_AUTH_BASIC && strcmp (auth->client->auth_method, "client_secret_basic") != 0)
      || (auth->method == CLIENT_AUTH_POST && strcmp (auth->client->auth_method, "client_secret_post") != 0))
    {
      auth_server_invalid_client (message, auth,
                                  _("the client authenticated with a method other than the one it registered"));
      return FALSE;
    }
  return TRUE;
}

/**
 * auth_server_drop_empty:
 * @params: (transfer full): parameters as they came
 * @section: "3.1" for the authorization endpoint, "3.2" for the token endpoint
 *
 * RFC 6749 §3.1 and §3.2: "Parameters sent without a value MUST be treated as if they were
 * omitted from the request." A repeated name is judged on what remains.
 *
 * Returns: (transfer full): the parameters that have a value, in their order.
 */
SimParams *
auth_server_drop_empty (SimMessage *message,
                        SimParams  *params,
                        const char *section)
{
  g_autoptr(SimParams) all = params;
  g_autoptr(GString) kept = NULL;
  g_autoptr(GString) dropped = NULL;
  guint i;

  /* Nearly every request has a value for each parameter: then there is nothing to rebuild. */
  for (i = 0; i < sim_params_size (all) && *sim_params_value_at (all, i) != '\0'; i++)
    ;
  if (i == sim_params_size (all))
    return g_steal_pointer (&all);

  kept = g_string_new (NULL);
  dropped = g_string_new (NULL);
  for (i = 0; i < sim_params_size (all); i++)
    {
      const char *name = sim_params_name_at (all, i);
      const char *value = sim_params_value_at (all, i);
      g_autofree char *one = NULL;

      if (*value == '\0')
        {
          g_string_append_printf (dropped, "%s%s", dropped->len ? ", " : "", name);
          continue;
        }
      one = soup_form_encode (name, value, NULL);
      g_string_append_printf (kept, "%s%s", kept->len ? "&" : "", one);
    }
  if (dropped->len == 0)
    return g_steal_pointer (&all);
  sim_message_narrate (message,
                       _("RFC 6749 §%s: a parameter sent without a value counts as not sent, so the server reads this request as if it had no %s."),
                       section, dropped->str);
  return sim_params_parse (kept->str, NULL);
}

/**
 * auth_server_read_form:
 * @empty_is_omitted: drop parameters without a value first (the token endpoint, RFC 6749 §3.2)
 *
 * Reads a form body for the token, introspection and revocation endpoints: anything that is
 * not a well-formed form, or repeats a parameter, is answered invalid_request (RFC 6749 §3.2).
 *
 * Returns: (transfer full) (nullable): the parameters, or %NULL after writing the error.
 */
SimParams *
auth_server_read_form (AuthServer *self,
                       SimMessage *message,
                       gboolean    empty_is_omitted)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SimParams) form = sim_message_get_form (message, &error);

  if (form == NULL)
    {
      oauth_json_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_request", error->message);
      sim_message_narrate (message,
                           _("RFC 6749 §3.2: this endpoint takes an application/x-www-form-urlencoded body; the request is refused as invalid_request."));
      return NULL;
    }
  if (empty_is_omitted)
    form = auth_server_drop_empty (message, g_steal_pointer (&form), "3.2");
  if (sim_params_repeated_name (form))
    {
      g_autofree char *description = g_strdup_printf ("parameter '%s' is repeated",
                                                      sim_params_repeated_name (form));
      oauth_json_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_request", description);
      sim_message_narrate (message,
                           _("RFC 6749 §3.2: parameters must not be included more than once; '%s' appears twice, so the request is invalid_request."),
                           sim_params_repeated_name (form));
      return NULL;
    }
  return g_steal_pointer (&form);
}

static void
method_not_allowed (SimMessage *message,
                    const char *allowed)
{
  oauth_json_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "invalid_request",
                    "method not allowed at this endpoint");
  sim_headers_replace (message->response_headers, "Allow", allowed);
}

/* @allowed: one method, or several as an Allow header lists them ("GET, POST") */
static gboolean
method_allowed (const char *method,
                const char *allowed)
{
  gsize n = strlen (method);

  for (const char *p = allowed; p; p = strchr (p, ','), p = p ? p + 2 : NULL)
    if (strncmp (p, method, n) == 0 && (p[n] == '\0' || p[n] == ','))
      return TRUE;
  return FALSE;
}

typedef struct
{
  const char *path;
  const char *method;             /* or methods, as the Allow header lists them */
  void (*handler) (AuthServer *self, SimMessage *message);
} Route;

static const Route routes[] = {
  { "/register", "POST", auth_server_register },
  { "/authorize", "GET", auth_server_authorize },
  { "/consent", "POST", auth_server_consent },
  { "/token", "POST", auth_server_token },
  { "/introspect", "POST", auth_server_introspect },
  { "/revoke", "POST", auth_server_revoke },
  { "/.well-known/oauth-authorization-server", "GET", auth_server_metadata },
  { "/.well-known/openid-configuration", "GET", auth_server_openid_configuration },
  { AUTH_SERVER_JWKS_PATH, "GET", auth_server_jwks },
  /* OpenID Connect Core §5.3.1: GET and POST both. */
  { "/userinfo", "GET, POST", auth_server_userinfo },
  { "/device_authorization", "POST", auth_server_device_authorization },
  { "/device", "GET, POST", auth_server_device_page },
};

/* The bus calls this for every request to the server's origin. */
void
auth_server_handle (gpointer    data,
                    SimMessage *message)
{
  AuthServer *self = data;
  const char *path = sim_message_get_path (message);

  auth_server_purge (self);
  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      if (strcmp (path, routes[i].path) != 0)
        continue;
      if (!method_allowed (message->method, routes[i].method))
        {
          method_not_allowed (message, routes[i].method);
          return;
        }
      routes[i].handler (self, message);
      return;
    }
  sim_message_set_response_text (message, SOUP_STATUS_NOT_FOUND, "text/plain", "Not Found\n");
}
