/* client-oidc.c: the client as an OpenID Connect relying party (OpenID Connect Core 1.0).
 *
 * What it adds to the OAuth client of client.c: a nonce in each authorization request that
 * asks for openid (§3.1.2.1), kept with the request's state; the checks of §3.1.3.7 on the ID
 * token of the token response before it takes the owner as signed in; the UserInfo endpoint
 * (§5.3); and POST /session, where an app of its own hands it tokens to sign a user in.
 */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "actors/client-oidc.h"
#include "actors/oauth.h"
#include "sim/jose.h"
#include "sim/json-write.h"

#define MAX_NONCES 32
/* How old an ID token may be when it arrives (OpenID Connect Core §3.1.3.7, item 10: the
 * client decides). It is minted the moment it is sent; ten minutes leave room for slow links. */
#define MAX_ID_TOKEN_AGE 600

/* A nonce sent with an authorization request, until its answer comes back. */
typedef struct
{
  char *state;
  char *nonce;
} Nonce;

struct _ClientOidc
{
  SimWorld *world;
  char *issuer;
  OAuthDefenses defenses;
  GPtrArray *nonces;      /* (element-type Nonce), oldest first */
  char *id_token;         /* the last ID token it accepted */
  char *subject;          /* who signed in: that token's sub */
  char *jwks_uri;         /* from the server's openid-configuration (Discovery §3) */
  JsonObject *jwks;       /* the server's keys, as last fetched */
};

static void
nonce_free (gpointer data)
{
  Nonce *nonce = data;
  g_free (nonce->state);
  g_free (nonce->nonce);
  g_free (nonce);
}

/**
 * client_oidc_new:
 * @world: (not owned)
 * @issuer: the authorization server it signs people in with
 * @defenses: copied; the relying party honours nonce_check and id_token_login
 *
 * Returns: (transfer full): a relying party that has signed nobody in.
 */
ClientOidc *
client_oidc_new (SimWorld            *world,
                 const char          *issuer,
                 const OAuthDefenses *defenses)
{
  ClientOidc *self = g_new0 (ClientOidc, 1);

  self->world = world;
  self->issuer = g_strdup (issuer);
  self->defenses = *defenses;
  self->nonces = g_ptr_array_new_with_free_func (nonce_free);
  return self;
}

void
client_oidc_free (ClientOidc *self)
{
  if (!self)
    return;
  g_free (self->issuer);
  g_ptr_array_unref (self->nonces);
  g_free (self->id_token);
  g_free (self->subject);
  g_free (self->jwks_uri);
  g_clear_pointer (&self->jwks, json_object_unref);
  g_free (self);
}

/* OpenID Connect Core §3.1.2.1: a request is an OpenID Connect one when its scope has openid. */
gboolean
client_oidc_wanted (const char *scope)
{
  return scope && oauth_scope_contains (scope, "openid");
}

/**
 * client_oidc_start:
 * @state: the request's state, which the nonce is kept with
 * @params: the authorization request's parameters; the nonce is added to them
 */
void
client_oidc_start (ClientOidc *self,
                   const char *state,
                   SimParams  *params)
{
  Nonce *nonce = g_new0 (Nonce, 1);

  nonce->state = g_strdup (state);
  nonce->nonce = sim_rng_token (self->world->rng, "n_", 16);
  sim_params_set (params, "nonce", nonce->nonce);
  if (self->nonces->len == MAX_NONCES)
    g_ptr_array_remove_index (self->nonces, 0);
  g_ptr_array_add (self->nonces, nonce);
}

/* What client_oidc_start() did, said after the client's own sentences about the request. */
void
client_oidc_explain_start (SimMessage *message)
{
  sim_message_narrate (message, _("The scope includes openid: the client wants to learn who signs in, not only to reach her calendar. It adds a nonce, a fresh random value kept with this request, which the ID token must carry back: a token minted for another sign-in will not have it."));
}

/**
 * client_oidc_take_nonce:
 * Returns: (transfer full) (nullable): the nonce sent with the request of @state, now spent.
 */
char *
client_oidc_take_nonce (ClientOidc *self,
                        const char *state)
{
  for (guint i = 0; state && i < self->nonces->len; i++)
    {
      Nonce *nonce = self->nonces->pdata[i];
      if (strcmp (nonce->state, state) == 0)
        {
          char *value = g_steal_pointer (&nonce->nonce);
          g_ptr_array_remove_index (self->nonces, i);
          return value;
        }
    }
  return NULL;
}

/**
 * client_oidc_userinfo:
 *
 * Asks the UserInfo endpoint who the access token's owner is (OpenID Connect Core §5.3.1).
 *
 * Returns: (transfer full): the exchange.
 */
SimMessage *
client_oidc_userinfo (ClientOidc *self,
                      const char *access_token)
{
  g_autofree char *url = g_strconcat (self->issuer, "/userinfo", NULL);
  SimMessage *message = sim_message_new ("GET", url);

  if (access_token)
    {
      g_autofree char *value = g_strconcat ("Bearer ", access_token, NULL);
      sim_headers_replace (message->request_headers, "Authorization", value);
    }
  sim_message_set_phase (message, SIM_PHASE_ACCESS);
  sim_message_narrate (message, _("The client asks the UserInfo endpoint for the claims about the owner, with its access token as a bearer token (OpenID Connect Core §5.3.1)."));
  sim_bus_deliver (self->world->bus, "client", message);
  return message;
}

/**
 * client_oidc_get_held:
 * Returns: (transfer none) (nullable): the ID token it accepted ("id_token"), or the subject
 *   it took as signed in ("sub").
 */
const char *
client_oidc_get_held (ClientOidc *self,
                      const char *what)
{
  if (strcmp (what, "id_token") == 0)
    return self->id_token;
  if (strcmp (what, "sub") == 0)
    return self->subject;
  return NULL;
}

/* GET @url from the server, as part of answering whatever the client is answering. */
static SimMessage *
fetch (ClientOidc *self,
       const char *url,
       const char *narration)
{
  SimMessage *message = sim_message_new ("GET", url);

  sim_message_set_phase (message, SIM_PHASE_CODE_EXCHANGE);
  sim_message_narrate (message, "%s", narration);
  sim_bus_deliver (self->world->bus, "client", message);
  return message;
}

/* The server's keys: its openid-configuration names the jwks_uri (Discovery §3), the JWK Set
 * is there (RFC 7517 §5). Fetched when the client has none, or none with the token's kid: the
 * server may have rotated its key (OpenID Connect Core §10.1.1). */
static JsonObject *
server_keys (ClientOidc *self,
             const char *kid)
{
  g_autoptr(SimMessage) keys = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (self->jwks && sim_jose_jwks_find (self->jwks, kid, NULL))
    return self->jwks;
  if (self->jwks_uri == NULL)
    {
      g_autofree char *url = g_strconcat (self->issuer, "/.well-known/openid-configuration", NULL);
      g_autoptr(SimMessage) discovery = fetch (self, url, _("To check the ID token's signature the client needs the server's keys. It reads the server's OpenID Connect metadata to learn where they are."));
      g_autoptr(SimFields) metadata = discovery->status == SOUP_STATUS_OK
                                      ? sim_message_get_response_fields (discovery, NULL) : NULL;
      const char *issuer = metadata ? sim_fields_get_string (metadata, "issuer", NULL) : NULL;

      /* Discovery §4.3: the metadata must name the issuer it was asked of. */
      if (g_strcmp0 (issuer, self->issuer) != 0)
        return NULL;
      self->jwks_uri = g_strdup (sim_fields_get_string (metadata, "jwks_uri", NULL));
      if (self->jwks_uri == NULL)
        return NULL;
    }
  keys = fetch (self, self->jwks_uri, _("The client fetches the server's public keys from its jwks_uri and keeps them for the next ID token."));
  root = keys->status == SOUP_STATUS_OK ? sim_message_get_response_json (keys, NULL) : NULL;
  g_clear_pointer (&self->jwks, json_object_unref);
  if (root && JSON_NODE_HOLDS_OBJECT (root))
    self->jwks = json_object_ref (json_node_get_object (root));
  return self->jwks;
}

/* The members as JSON, a space after each comma, so that a paragraph can wrap between them. */
static char *
write_object (JsonObject *object)
{
  GString *text = g_string_new ("{");
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &value))
    {
      if (text->len > 1)
        g_string_append (text, ", ");
      sim_json_write_string (text, name, -1);
      g_string_append (text, ": ");
      sim_json_write_node (text, value);
    }
  g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}

static const char *
string_claim (JsonObject *claims,
              const char *name)
{
  JsonNode *node = json_object_get_member (claims, name);

  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

static gboolean
int_claim (JsonObject *claims,
           const char *name,
           gint64     *value)
{
  JsonNode *node = json_object_get_member (claims, name);

  if (!node || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

/* aud is the client_id, or a list that holds it (OpenID Connect Core §2). *n: how many. */
static gboolean
audience_has (JsonObject *claims,
              const char *client_id,
              guint      *n)
{
  JsonNode *node = json_object_get_member (claims, "aud");
  gboolean found = FALSE;

  *n = 0;
  if (node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      *n = 1;
      return g_strcmp0 (json_node_get_string (node), client_id) == 0;
    }
  if (node && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      *n = json_array_get_length (array);
      for (guint i = 0; i < *n; i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING
              && g_strcmp0 (json_node_get_string (element), client_id) == 0)
            found = TRUE;
        }
    }
  return found;
}

/* Whether @nonce is one the client sent and still waits for; spends it if so. */
static gboolean
spend_outstanding_nonce (ClientOidc *self,
                         const char *nonce)
{
  for (guint i = 0; nonce && i < self->nonces->len; i++)
    if (strcmp (((Nonce *) self->nonces->pdata[i])->nonce, nonce) == 0)
      {
        g_ptr_array_remove_index (self->nonces, i);
        return TRUE;
      }
  return FALSE;
}

/**
 * client_oidc_check_id_token:
 * @narrate: the message whose step tells what the client found
 * @expected_nonce: (nullable): the nonce of the request this answers; %NULL: any nonce the
 *   client sent and has not seen back yet (a token handed to POST /session)
 * @access_token: (nullable): the access token that came with it, for at_hash
 * @claims_out: (out) (optional) (transfer full): the verified claims
 *
 * OpenID Connect Core §3.1.3.7: the signature with the server's key, then iss, aud, azp, exp,
 * iat, nonce and at_hash. It narrates the decoded header and claims, and the first check that
 * fails.
 *
 * Returns: whether the ID token is good.
 */
static gboolean
check_id_token (ClientOidc  *self,
                SimMessage  *narrate,
                const char  *id_token,
                const char  *client_id,
                const char  *expected_nonce,
                const char  *access_token,
                JsonObject **claims_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) header = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autofree char *header_text = NULL;
  g_autofree char *claims_text = NULL;
  const char *issuer, *nonce, *azp, *at_hash;
  gint64 now, exp = 0, iat = 0;
  JsonObject *jwks, *jwk;
  guint audiences;

  if (!sim_jose_decode_unverified (id_token, &header, &claims, &error))
    {
      sim_message_narrate (narrate, _("The ID token is not a signed JWT the client can read (%s), so it cannot say who signed in (OpenID Connect Core §2); the client refuses it."),
                           error->message);
      return FALSE;
    }
  header_text = write_object (header);
  claims_text = write_object (claims);
  sim_message_narrate (narrate, _("The client decodes the ID token. Its header: %s. Its claims: %s."),
                       header_text, claims_text);

  jwks = server_keys (self, string_claim (header, "kid"));
  jwk = jwks ? sim_jose_jwks_find (jwks, string_claim (header, "kid"), NULL) : NULL;
  if (jwk == NULL || !sim_jose_verify_with_jwk (id_token, jwk, NULL, NULL, &error))
    {
      sim_message_narrate (narrate, _("OpenID Connect Core §3.1.3.7, item 6: the ID token's signature does not verify with the server's published key (%s). Anyone can write claims; only the server's signature makes them true, so the client refuses it."),
                           error ? error->message : _("the server publishes no key with this kid"));
      return FALSE;
    }
  now = sim_clock_now (self->world->clock);  /* after the keys came, however long it took */
  issuer = string_claim (claims, "iss");
  if (g_strcmp0 (issuer, self->issuer) != 0)
    {
      sim_message_narrate (narrate, _("OpenID Connect Core §3.1.3.7, item 2: the ID token's iss is not %s, the server the client signs people in with, so it refuses it."),
                           self->issuer);
      return FALSE;
    }
  if (!audience_has (claims, client_id, &audiences))
    {
      sim_message_narrate (narrate, _("OpenID Connect Core §3.1.3.7, item 3: the ID token's aud does not name this client (%s). It was issued to another client: whoever holds it signed in there, not here, so the client refuses it."),
                           client_id);
      return FALSE;
    }
  azp = string_claim (claims, "azp");
  if ((audiences > 1 && azp == NULL) || (azp && strcmp (azp, client_id) != 0))
    {
      sim_message_narrate (narrate, _("OpenID Connect Core §3.1.3.7, items 4 and 5: the ID token is for several audiences, and its azp (the party it was issued to) is not this client, so the client refuses it."));
      return FALSE;
    }
  if (!int_claim (claims, "exp", &exp) || now >= exp)
    {
      sim_message_narrate (narrate, _("OpenID Connect Core §3.1.3.7, item 9: the ID token has expired on the client's clock (its exp has passed), so the client refuses it."));
      return FALSE;
    }
  if (!int_claim (claims, "iat", &iat) || iat > now || now - iat > MAX_ID_TOKEN_AGE)
    {
      sim_message_narrate (narrate, _("OpenID Connect Core §3.1.3.7, item 10: the ID token was issued at a time too far from now (iat), so the client takes it for an old token replayed and refuses it."));
      return FALSE;
    }
  nonce = string_claim (claims, "nonce");
  if (self->defenses.nonce_check)
    {
      gboolean matches = expected_nonce ? g_strcmp0 (nonce, expected_nonce) == 0
                                        : spend_outstanding_nonce (self, nonce);
      if (!matches)
        {
          sim_message_narrate (narrate, _("OpenID Connect Core §3.1.3.7, item 11: the ID token's nonce is not one this client sent for a sign-in under way. It was minted for another sign-in, or this one already used it: a replayed or injected token, so the client refuses it."));
          return FALSE;
        }
    }
  else if (nonce)
    sim_message_narrate (narrate, _("The client does not compare the ID token's nonce with one it sent (nonce_check is off), although OpenID Connect Core §3.1.3.7, item 11 says it must: nothing ties this token to a sign-in the client started."));
  at_hash = string_claim (claims, "at_hash");
  if (access_token && at_hash)
    {
      g_autofree char *computed = oauth_at_hash (access_token);
      if (!oauth_secure_equal (computed, at_hash))
        {
          sim_message_narrate (narrate, _("OpenID Connect Core §3.1.3.8: the ID token's at_hash is not the hash of the access token that came with it, so someone paired them who should not have; the client refuses both."));
          return FALSE;
        }
    }
  if (claims_out)
    *claims_out = g_steal_pointer (&claims);
  return TRUE;
}

/* The ID token passed: its sub is who signed in. */
static void
accept (ClientOidc *self,
        const char *id_token,
        JsonObject *claims)
{
  g_free (self->id_token);
  self->id_token = g_strdup (id_token);
  g_free (self->subject);
  self->subject = g_strdup (string_claim (claims, "sub"));
  sim_world_hold (self->world, "client", "id_token", id_token);
}

/**
 * client_oidc_sign_in:
 * @callback: the client's answer to the browser, whose step tells what the client found
 * @token_response: the token endpoint's answer
 * @nonce: (nullable): the nonce sent with the authorization request this answers
 *
 * OpenID Connect Core §3.1.3.5 to §3.1.3.8: the ID token of a successful token response is
 * checked before the owner counts as signed in.
 *
 * Returns: FALSE when the answer holds an ID token that fails a check, or holds none though
 * openid was granted: the client then must not use the answer at all.
 */
gboolean
client_oidc_sign_in (ClientOidc *self,
                     SimMessage *callback,
                     SimMessage *token_response,
                     const char *client_id,
                     const char *nonce)
{
  g_autoptr(SimFields) answer = sim_message_get_response_fields (token_response, NULL);
  g_autoptr(JsonObject) claims = NULL;
  const char *id_token = answer ? sim_fields_get_string (answer, "id_token", NULL) : NULL;
  const char *scope = answer ? sim_fields_get_string (answer, "scope", NULL) : NULL;
  const char *access_token = answer ? sim_fields_get_string (answer, "access_token", NULL) : NULL;

  if (id_token == NULL)
    {
      if (scope && !oauth_scope_contains (scope, "openid"))
        {
          sim_message_narrate (callback, _("The owner did not allow openid, so no ID token came: the client may use her calendar, but it does not know who she is, and signs nobody in."));
          return TRUE;
        }
      sim_message_narrate (callback, _("OpenID Connect Core §3.1.3.3: openid was granted, yet the token response carries no ID token, so the client cannot tell who signed in and refuses the answer."));
      return FALSE;
    }
  if (!check_id_token (self, callback, id_token, client_id, nonce, access_token, &claims))
    return FALSE;
  accept (self, id_token, claims);
  sim_message_narrate (callback, _("Every check of OpenID Connect Core §3.1.3.7 passes: the server's signature, iss, aud (this client), exp and iat on the clock, the nonce it sent, and at_hash, which ties the ID token to the access token. So the client knows who signed in: the user %s of %s. OAuth gave it access to a calendar; OpenID Connect tells it whose."),
                       self->subject, self->issuer);
  return TRUE;
}

/* A session for @subject: what the app's own front end keeps to stay signed in. */
static void
open_session (ClientOidc *self,
              SimMessage *message,
              const char *subject)
{
  g_autoptr(SimFields) answer = sim_fields_new ();
  g_autofree char *session = sim_rng_token (self->world->rng, "ss_", 16);

  sim_world_hold (self->world, "client", "session", session);
  sim_fields_add_string (answer, "session", session);
  sim_fields_add_string (answer, "sub", subject);
  sim_message_set_response_fields (message, SOUP_STATUS_OK, answer);
  oauth_no_store (message);
}

/**
 * client_oidc_session:
 * @message: POST /session, a form with id_token and, perhaps, access_token
 * @client_id: the client's own client_id, which an ID token must be for
 *
 * Where the app's own front end (a phone app, a script in the page) hands the client the tokens
 * it got, to be signed in: the client answers with a session for the user they name. With
 * id_token_login on, only an ID token that passes every check of OpenID Connect Core §3.1.3.7
 * signs anyone in, its nonce one the client sent and has not seen back; off, the client asks
 * the UserInfo endpoint whose access token it was handed and signs that user in, the mistake
 * of RFC 6749 §10.16.
 */
void
client_oidc_session (ClientOidc *self,
                     SimMessage *message,
                     const char *client_id)
{
  g_autoptr(SimParams) form = sim_message_get_form (message, NULL);
  const char *id_token = form ? sim_params_get (form, "id_token") : NULL;
  const char *access_token = form ? sim_params_get (form, "access_token") : NULL;
  g_autoptr(JsonObject) claims = NULL;

  if (!self->defenses.id_token_login && access_token)
    {
      g_autoptr(SimMessage) info = client_oidc_userinfo (self, access_token);
      g_autoptr(SimFields) fields = info->status == SOUP_STATUS_OK
                                    ? sim_message_get_response_fields (info, NULL) : NULL;
      const char *subject = fields ? sim_fields_get_string (fields, "sub", NULL) : NULL;

      if (subject == NULL)
        {
          oauth_json_error (message, SOUP_STATUS_UNAUTHORIZED, "invalid_token", "the access token names nobody");
          sim_message_narrate (message, _("The UserInfo endpoint does not accept the access token, so the client signs nobody in."));
          return;
        }
      open_session (self, message, subject);
      sim_message_narrate (message, _("The client takes the access token as proof of login (id_token_login is off): the UserInfo endpoint says whose token it is, and the client signs that user in. But an access token proves only that someone was given access, to some client: RFC 6749 §10.16 warns that whoever hands over a token issued to another client can impersonate its owner this way. The client has just opened a session as %s for whoever sent it."),
                           subject);
      return;
    }
  if (id_token == NULL)
    {
      oauth_json_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_request", "an id_token is required");
      sim_message_narrate (message, _("The client signs people in from an ID token only (OpenID Connect Core §3.1.3.7), and none came: an access token alone says nothing about who signed in, or for which client (RFC 6749 §10.16)."));
      return;
    }
  if (!check_id_token (self, message, id_token, client_id, NULL, access_token, &claims))
    {
      oauth_json_error (message, SOUP_STATUS_UNAUTHORIZED, "invalid_token", "the id_token is not acceptable");
      return;
    }
  open_session (self, message, string_claim (claims, "sub"));
  sim_message_narrate (message, _("The ID token passes every check of OpenID Connect Core §3.1.3.7, so the client opens a session for its sub, %s."),
                       string_claim (claims, "sub"));
}
