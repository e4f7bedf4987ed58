/* client.c: the client application (RFC 6749 §1.1), confidential by default.
 *
 * It answers the owner's browser at /connect (starts the flow with state and a PKCE challenge)
 * and at /callback (checks the state, exchanges the code), shows the owner's events at
 * /calendar, and acts on its own when a scenario says: register, call the API, refresh, revoke.
 *
 * Several authorizations may be under way at once (in serve mode, several browsers), so each
 * state is remembered with its own PKCE verifier until its answer comes back.
 */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "actors/client-private.h"

#define MAX_PENDING 32
#define SHOWN_TOKEN_CHARS 10

/* An authorization request the client started and has had no answer to yet. */
typedef struct
{
  char *state;
  char *code_verifier;  /* NULL without PKCE */
} Pending;

/* The state also goes to the browser in a cookie: only the browser that started a sign-in
 * brings back a callback whose state matches its own cookie (RFC 9700 §4.7.1: the state must
 * be bound to the user agent). */
#define STATE_COOKIE "oauth_state"

static void
pending_free (gpointer data)
{
  Pending *pending = data;
  g_free (pending->state);
  g_free (pending->code_verifier);
  g_free (pending);
}

void
client_config_init (ClientConfig *config)
{
  memset (config, 0, sizeof *config);
  config->origin = g_strdup ("https://client.example");
  config->name = g_strdup ("Calendar Helper");
  config->redirect_uri = g_strdup ("https://client.example/callback");
  config->scope = g_strdup ("calendar.read");
  config->auth_method = g_strdup ("client_secret_basic");
  config->grant_types = g_strsplit ("authorization_code refresh_token", " ", -1);
  config->use_pkce = TRUE;
  config->check_state = TRUE;
  config->refresh_on_401 = TRUE;
  config->server = g_strdup ("https://auth.example");
  config->api = g_strdup ("https://api.example");
  oauth_defenses_init (&config->defenses);
}

void
client_config_clear (ClientConfig *config)
{
  g_clear_pointer (&config->origin, g_free);
  g_clear_pointer (&config->name, g_free);
  g_clear_pointer (&config->redirect_uri, g_free);
  g_clear_pointer (&config->scope, g_free);
  g_clear_pointer (&config->auth_method, g_free);
  g_clear_pointer (&config->grant_types, g_strfreev);
  g_clear_pointer (&config->server, g_free);
  g_clear_pointer (&config->api, g_free);
  g_clear_pointer (&config->embed, g_free);
  g_clear_pointer (&config->client_secret, g_free);
  g_clear_pointer (&config->id_token_alg, g_free);
}

/* Its registration at an authorization server other than its own (a mix-up lesson's client
 * knows two). */
typedef struct
{
  char *issuer;
  char *client_id;
  char *client_secret;
} Registration;

static void
registration_free (gpointer data)
{
  Registration *registration = data;
  g_free (registration->issuer);
  g_free (registration->client_id);
  g_free (registration->client_secret);
  g_free (registration);
}

static void
config_copy (ClientConfig       *to,
             const ClientConfig *from)
{
  *to = *from;
  to->origin = g_strdup (from->origin);
  to->name = g_strdup (from->name);
  to->redirect_uri = g_strdup (from->redirect_uri);
  to->scope = g_strdup (from->scope);
  to->auth_method = g_strdup (from->auth_method);
  to->grant_types = g_strdupv (from->grant_types);
  to->server = g_strdup (from->server);
  to->api = g_strdup (from->api);
  to->embed = g_strdup (from->embed);
  to->client_secret = g_strdup (from->client_secret);
  to->id_token_alg = g_strdup (from->id_token_alg);
}

/**
 * client_app_new:
 * @world: (not owned)
 * @config: copied
 *
 * Returns: (transfer full): an unregistered client.
 */
ClientApp *
client_app_new (SimWorld           *world,
                const ClientConfig *config)
{
  ClientApp *self = g_new0 (ClientApp, 1);
  self->world = world;
  config_copy (&self->config, config);
  self->others = g_ptr_array_new_with_free_func (registration_free);
  self->pending = g_ptr_array_new_with_free_func (pending_free);
  self->oidc = client_oidc_new (world, config->server, &config->defenses);
  client_dpop_init (self);
  return self;
}

void
client_app_free (ClientApp *self)
{
  if (!self)
    return;
  client_config_clear (&self->config);
  g_free (self->client_id);
  g_free (self->client_secret);
  g_free (self->state);
  g_free (self->code_verifier);
  g_free (self->code);
  g_free (self->access_token);
  g_free (self->refresh_token);
  g_free (self->scope);
  g_free (self->error);
  g_ptr_array_unref (self->others);
  g_free (self->flow_server);
  g_ptr_array_unref (self->pending);
  client_oidc_free (self->oidc);
  client_legacy_clear (self);
  client_dpop_free (self);
  g_free (self);
}

static const char *const held_names[] = {
  "client_id", "client_secret", "state", "code_verifier", "code", "access_token",
  "refresh_token", "scope", "error", "id_token", "sub", "password", NULL
};

const char *const *
client_app_held_names (void)
{
  return held_names;
}

/**
 * client_app_get_held:
 * Returns: (transfer none) (nullable): the value the client holds under @what.
 */
const char *
client_app_get_held (ClientApp  *self,
                     const char *what)
{
  const char *values[] = {
    self->client_id, self->client_secret, self->state, self->code_verifier, self->code,
    self->access_token, self->refresh_token, self->scope, self->error,
    client_oidc_get_held (self->oidc, "id_token"), client_oidc_get_held (self->oidc, "sub"),
    self->owner_password
  };

  for (guint i = 0; held_names[i]; i++)
    if (strcmp (held_names[i], what) == 0)
      return values[i];
  return NULL;
}

void
client_replace (char       **field,
                const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static Registration *
find_registration (ClientApp  *self,
                   const char *issuer)
{
  for (guint i = 0; issuer && i < self->others->len; i++)
    {
      Registration *registration = self->others->pdata[i];
      if (strcmp (registration->issuer, issuer) == 0)
        return registration;
    }
  return NULL;
}

/* The server of the flow under way: its own, unless the owner was sent to another one. */
static const char *
current_server (ClientApp *self)
{
  return self->flow_server ? self->flow_server : self->config.server;
}

static const char *
current_client_id (ClientApp *self)
{
  Registration *other = find_registration (self, self->flow_server);
  return other ? other->client_id : self->client_id;
}

static const char *
current_client_secret (ClientApp *self)
{
  Registration *other = find_registration (self, self->flow_server);

  if (other)
    return other->client_secret;
  /* the scenario's "client_secret": the app was configured with another secret than it was issued */
  return self->client_secret && self->config.client_secret ? self->config.client_secret : self->client_secret;
}

char *
client_server_url (ClientApp  *self,
                   const char *path)
{
  return g_strconcat (current_server (self), path, NULL);
}

void
client_remember_error (ClientApp  *self,
                       SimMessage *message)
{
  g_autoptr(SimFields) answer = sim_message_get_response_fields (message, NULL);
  const char *error = answer ? sim_fields_get_string (answer, "error", NULL) : NULL;

  client_replace (&self->error, error ? error : "http_error");
}

/* RFC 6749 §2.3.1: the registered method decides where the secret goes. */
static void
authenticate (ClientApp  *self,
              SimMessage *message,
              SimParams  *form)
{
  const char *client_id = current_client_id (self);
  const char *client_secret = current_client_secret (self);

  if (client_secret && g_strcmp0 (self->config.auth_method, "client_secret_post") == 0)
    {
      sim_params_set (form, "client_id", client_id ? client_id : "");
      sim_params_set (form, "client_secret", client_secret);
    }
  else if (client_secret)
    oauth_set_basic (message->request_headers, client_id, client_secret);
  else
    sim_params_set (form, "client_id", client_id ? client_id : "");
}

/* @form: (transfer full): the fields; the client's credentials are added as its method says */
SimMessage *
client_post_form (ClientApp  *self,
                  const char *path,
                  SimParams  *form,
                  SimPhase    phase)
{
  g_autofree char *url = client_server_url (self, path);
  SimMessage *message = sim_message_new ("POST", url);

  authenticate (self, message, form);
  sim_message_set_request_params (message, form);
  sim_message_set_phase (message, phase);
  if (strcmp (path, "/token") == 0)
    client_dpop_prove (self, message, NULL);
  return message;
}

gboolean
client_take_tokens (ClientApp  *self,
                    SimMessage *message)
{
  g_autofree char *access = NULL, *refresh = NULL, *scope = NULL, *error = NULL;

  if (!oauth_read_token_response (message, &access, &refresh, &scope, &error))
    {
      client_replace (&self->error, error);
      return FALSE;
    }
  client_replace (&self->access_token, access);
  if (refresh)
    client_replace (&self->refresh_token, refresh);
  /* RFC 6749 §5.1: without a scope in the answer, the token has the scope requested. */
  client_replace (&self->scope, scope ? scope : self->config.scope);
  g_clear_pointer (&self->error, g_free);
  return TRUE;
}

/* Actions */

SimMessage *
client_app_register (ClientApp *self)
{
  g_autofree char *url = client_server_url (self, "/register");
  SimMessage *message = sim_message_new ("POST", url);
  const char *redirect_uris[] = { self->config.redirect_uri, NULL };
  g_auto(GStrv) grant_types = client_legacy_grants_to_register (self);
  /* RFC 7591 §2: redirect URIs are for the grants that send a browser back to the client. */
  gboolean redirects = g_strv_contains ((const char *const *) grant_types, "authorization_code")
                       || g_strv_contains ((const char *const *) grant_types, "implicit");
  g_autoptr(SimFields) metadata = sim_fields_new ();
  g_autoptr(SimFields) answer = NULL;

  sim_fields_add_string (metadata, "client_name", self->config.name);
  if (redirects)
    sim_fields_add_strv (metadata, "redirect_uris", redirect_uris);
  sim_fields_add_strv (metadata, "grant_types", (const char *const *) grant_types);
  sim_fields_add_string (metadata, "token_endpoint_auth_method", self->config.auth_method);
  sim_fields_add_string (metadata, "scope", self->config.scope);
  /* OpenID Connect Registration §2: how its ID tokens are to be signed. */
  if (client_oidc_wanted (self->config.scope))
    sim_fields_add_string (metadata, "id_token_signed_response_alg",
                           self->config.id_token_alg ? self->config.id_token_alg : "ES256");
  client_dpop_register (self, metadata);
  sim_message_set_request_fields (message, metadata);
  sim_message_set_phase (message, SIM_PHASE_REGISTRATION);
  if (redirects)
    sim_message_narrate (message, _("Before anything else, the client registers with the authorization server: its name, the redirect URI where it wants to receive codes, and the scopes it may ask for."));
  else
    sim_message_narrate (message, _("Before anything else, the client registers with the authorization server: its name, the grants it will use and the scopes it may ask for. It registers no redirect URI."));
  sim_bus_deliver (self->world->bus, "client", message);

  if (message->status == SOUP_STATUS_CREATED
      && (answer = sim_message_get_response_fields (message, NULL)))
    {
      client_replace (&self->client_id, sim_fields_get_string (answer, "client_id", NULL));
      client_replace (&self->client_secret, sim_fields_get_string (answer, "client_secret", NULL));
      client_legacy_take_registration (self, answer);
    }
  else
    client_remember_error (self, message);
  return message;
}

SimMessage *
client_app_discover (ClientApp *self)
{
  g_autofree char *url = client_server_url (self, "/.well-known/oauth-authorization-server");
  SimMessage *message = sim_message_new ("GET", url);

  sim_message_set_phase (message, SIM_PHASE_REGISTRATION);
  sim_message_narrate (message, _("The client reads the server's metadata to learn where its endpoints are (RFC 8414 §3)."));
  sim_bus_deliver (self->world->bus, "client", message);
  client_legacy_read_metadata (self, message);
  return message;
}

/**
 * client_app_register_at:
 * @issuer: an authorization server other than its own, e.g. a second sign-in provider
 *
 * Registers the same metadata there (RFC 7591) and keeps what it is given beside its own
 * registration.
 *
 * Returns: (transfer full): the registration exchange.
 */
SimMessage *
client_app_register_at (ClientApp  *self,
                        const char *issuer)
{
  g_autofree char *own = NULL;
  g_autofree char *saved_id = NULL;
  g_autofree char *saved_secret = NULL;
  Registration *registration;
  SimMessage *message;

  if (issuer == NULL || strcmp (issuer, self->config.server) == 0)
    return client_app_register (self);
  /* The registration request is the same anywhere; only the answer is kept apart. */
  own = g_steal_pointer (&self->config.server);
  self->config.server = g_strdup (issuer);
  saved_id = g_steal_pointer (&self->client_id);
  saved_secret = g_steal_pointer (&self->client_secret);
  message = client_app_register (self);
  registration = find_registration (self, issuer);
  if (registration == NULL && self->client_id)
    {
      registration = g_new0 (Registration, 1);
      registration->issuer = g_strdup (issuer);
      g_ptr_array_add (self->others, registration);
    }
  if (registration && self->client_id)
    {
      client_replace (&registration->client_id, self->client_id);
      client_replace (&registration->client_secret, self->client_secret);
    }
  g_free (self->config.server);
  self->config.server = g_steal_pointer (&own);
  g_free (self->client_id);
  self->client_id = g_steal_pointer (&saved_id);
  g_free (self->client_secret);
  self->client_secret = g_steal_pointer (&saved_secret);
  return message;
}

SimMessage *
client_app_refresh (ClientApp  *self,
                    const char *scope)
{
  g_autoptr(SimParams) form = sim_params_new ();
  SimMessage *message;

  sim_params_set (form, "grant_type", "refresh_token");
  if (self->refresh_token)
    sim_params_set (form, "refresh_token", self->refresh_token);
  if (scope)
    sim_params_set (form, "scope", scope);
  message = client_post_form (self, "/token", g_steal_pointer (&form), SIM_PHASE_REFRESH);
  if (self->refresh_token == NULL)
    sim_message_narrate (message, _("The client holds no refresh token, yet it tries the refresh_token grant without one (RFC 6749 §6)."));
  else if (self->client_secret)
    sim_message_narrate (message, _("The client sends its refresh token, with its own credentials, to get a fresh access token."));
  else
    sim_message_narrate (message, _("The client sends its refresh token and its client_id (a public client has no secret) to get a fresh access token."));
  message = client_send (self, message);
  client_take_tokens (self, message);
  return message;
}

/* OpenID Connect Core §5.3: who the owner is, as the UserInfo endpoint says. */
SimMessage *
client_app_userinfo (ClientApp *self)
{
  return client_oidc_userinfo (self->oidc, self->access_token);
}

SimMessage *
client_app_revoke (ClientApp  *self,
                   const char *which)
{
  g_autoptr(SimParams) form = sim_params_new ();
  gboolean refresh = g_strcmp0 (which, "refresh_token") == 0;
  const char *token = refresh ? self->refresh_token : self->access_token;
  SimMessage *message;

  sim_params_set (form, "token", token ? token : "");
  sim_params_set (form, "token_type_hint", refresh ? "refresh_token" : "access_token");
  message = client_post_form (self, "/revoke", g_steal_pointer (&form), SIM_PHASE_REVOCATION);
  sim_message_narrate (message, _("The client no longer needs the token and tells the server to revoke it: a good habit when a user disconnects an app (RFC 7009 §1)."));
  sim_bus_deliver (self->world->bus, "client", message);
  if (message->status == SOUP_STATUS_OK)
    {
      if (refresh)
        g_clear_pointer (&self->refresh_token, g_free);
      g_clear_pointer (&self->access_token, g_free);
    }
  return message;
}

/* RFC 6750 §3: is this the answer "your token is no good"? */
static gboolean
is_invalid_token (SimMessage *message)
{
  const char *challenge = sim_headers_get_one (message->response_headers, "WWW-Authenticate");
  return message->status == SOUP_STATUS_UNAUTHORIZED && challenge
         && strstr (challenge, "error=\"invalid_token\"") != NULL;
}

static SimMessage *
api_request (ClientApp  *self,
             const char *method,
             const char *path,
             JsonNode   *body)
{
  g_autofree char *url = g_strconcat (self->config.api, path, NULL);
  SimMessage *message = sim_message_new (method, url);

  if (self->access_token)
    client_authorize (self, message, self->access_token);
  if (body)
    sim_message_set_request_json (message, body);
  sim_message_set_phase (message, SIM_PHASE_ACCESS);
  return message;
}

/**
 * client_app_call_api:
 *
 * Calls the API with the access token; if the API says the token is invalid and the client has
 * a refresh token, it refreshes once and retries once, never more.
 *
 * Returns: (transfer full): the last exchange with the API.
 */
SimMessage *
client_app_call_api (ClientApp  *self,
                     const char *method,
                     const char *path,
                     JsonNode   *body)
{
  SimMessage *message = api_request (self, method, path, body);
  g_autoptr(SimMessage) refresh = NULL;

  if (self->access_token && sim_headers_get_one (message->request_headers, "DPoP"))
    sim_message_narrate (message, _("The client calls the API with its DPoP-bound access token, in the DPoP scheme. It sends no password and no client secret."));
  else if (self->access_token)
    sim_message_narrate (message, _("The client calls the API with the access token in the Authorization header (RFC 6750 §2.1). It sends no password and no client secret: the token alone speaks for it."));
  else
    sim_message_narrate (message, _("The client calls the API without an access token."));
  message = client_send (self, message);

  if (!is_invalid_token (message) || !self->refresh_token || !self->config.refresh_on_401)
    {
      if (message->status >= 400)
        client_replace (&self->error, message->status == SOUP_STATUS_FORBIDDEN ? "insufficient_scope" : "invalid_token");
      return message;
    }

  refresh = client_app_refresh (self, NULL);
  if (refresh->status != SOUP_STATUS_OK)
    return message;

  sim_message_unref (message);
  message = api_request (self, method, path, body);
  sim_message_narrate (message, _("With the new access token the client tries the same call again, once."));
  message = client_send (self, message);
  return message;
}

/* RFC 8707 §2.2: an access token for @resource alone, from the refresh token; the client's own
 * access token (for its API) stays as it is. A rotated refresh token replaces the old one. */
static char *
resource_token (ClientApp  *self,
                const char *resource)
{
  g_autoptr(SimParams) form = sim_params_new ();
  g_autoptr(SimMessage) message = NULL;
  g_autoptr(SimFields) answer = NULL;
  const char *refresh;

  sim_params_set (form, "grant_type", "refresh_token");
  sim_params_set (form, "refresh_token", self->refresh_token);
  sim_params_set (form, "resource", resource);
  message = client_post_form (self, "/token", g_steal_pointer (&form), SIM_PHASE_ACCESS);
  sim_message_narrate (message, _("Before calling an API other than its own, the client asks for an access token meant for that API alone, naming it in the resource parameter. Its calendar token is no business of that API."));
  message = client_send (self, message);
  if (message->status != SOUP_STATUS_OK || !(answer = sim_message_get_response_fields (message, NULL)))
    return NULL;
  refresh = sim_fields_get_string (answer, "refresh_token", NULL);
  if (refresh)
    client_replace (&self->refresh_token, refresh);
  return g_strdup (sim_fields_get_string (answer, "access_token", NULL));
}

/**
 * client_app_call_other:
 * @url: an API other than the client's own (a widget, a partner service)
 *
 * Calls it with a bearer token. With audience restriction, the token is one issued for that
 * API alone; without, the client sends the only access token it has: its calendar token.
 *
 * Returns: (transfer full): the exchange with that API.
 */
SimMessage *
client_app_call_other (ClientApp  *self,
                       const char *method,
                       const char *url)
{
  SimMessage *message = sim_message_new (method, url);
  g_autofree char *origin = NULL;
  g_autofree char *token = NULL;

  g_return_val_if_fail (message != NULL, NULL);
  origin = sim_message_dup_origin (message);
  if (self->config.defenses.audience_restriction)
    token = self->refresh_token ? resource_token (self, origin) : NULL;
  else
    token = g_strdup (self->access_token);
  if (token)
    {
      g_autofree char *value = g_strconcat ("Bearer ", token, NULL);
      sim_headers_replace (message->request_headers, "Authorization", value);
    }
  sim_message_set_phase (message, SIM_PHASE_ACCESS);
  if (token && self->config.defenses.audience_restriction)
    sim_message_narrate (message, _("The client calls the other API with the token issued for it alone (RFC 9700 §4.10.2)."));
  else if (token)
    sim_message_narrate (message, _("The client calls the other API with the only access token it has, the one for the calendar: tokens here name no audience, so one token opens every API that trusts this server."));
  else
    sim_message_narrate (message, _("The client has no token for this API and calls it without one."));
  sim_bus_deliver (self->world->bus, "client", message);
  return message;
}

/* Pages it serves to the owner's browser */

static void
page (SimMessage *message,
      guint       status,
      const char *title,
      const char *body_html)
{
  oauth_html_page (message, status, title, body_html);
}

/* Keeps the state and verifier just made; the oldest request is forgotten past MAX_PENDING. */
static void
remember_pending (ClientApp *self)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->state = g_strdup (self->state);
  pending->code_verifier = g_strdup (self->code_verifier);
  if (self->pending->len == MAX_PENDING)
    g_ptr_array_remove_index (self->pending, 0);
  g_ptr_array_add (self->pending, pending);
}

static Pending *
find_pending (ClientApp  *self,
              const char *state)
{
  for (guint i = 0; state && i < self->pending->len; i++)
    {
      Pending *pending = self->pending->pdata[i];
      if (strcmp (pending->state, state) == 0)
        return pending;
    }
  return NULL;
}

static void
set_state_cookie (ClientApp  *self,
                  SimMessage *message)
{
  g_autofree char *cookie = g_strdup_printf ("%s=%s; Path=/; HttpOnly; SameSite=Lax%s", STATE_COOKIE, self->state,
                                             g_str_has_prefix (self->config.origin, "https:") ? "; Secure" : "");
  sim_headers_append (message->response_headers, "Set-Cookie", cookie);
}

/* The value of the state cookie the browser sent, if any. */
static char *
state_cookie (SimMessage *message)
{
  const char *header = sim_headers_get_one (message->request_headers, "Cookie");
  g_auto(GStrv) pairs = g_strsplit (header ? header : "", ";", -1);

  for (guint i = 0; pairs[i]; i++)
    {
      char *pair = g_strstrip (pairs[i]);
      if (g_str_has_prefix (pair, STATE_COOKIE "="))
        return g_strdup (pair + strlen (STATE_COOKIE "="));
    }
  return NULL;
}

static void
start_authorization (ClientApp  *self,
                     SimMessage *message)
{
  g_autoptr(SimParams) params = sim_params_new ();
  g_autoptr(SimParams) query = sim_message_get_query (message, NULL);
  const char *chosen = query ? sim_params_get (query, "server") : NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *location = NULL;

  /* The owner may pick another sign-in provider the client knows: /connect?server=ISSUER. */
  if (chosen && strcmp (chosen, self->config.server) != 0 && !find_registration (self, chosen))
    {
      page (message, SOUP_STATUS_BAD_REQUEST, "Unknown provider",
            "<p class=\"error\">This application does not know that sign-in provider.</p>");
      sim_message_narrate (message, _("The client is not registered with the server %s, so it cannot send the owner there."), chosen);
      return;
    }
  client_replace (&self->flow_server, chosen && strcmp (chosen, self->config.server) != 0 ? chosen : NULL);
  endpoint = client_server_url (self, "/authorize");
  if (current_client_id (self) == NULL)
    {
      page (message, SOUP_STATUS_SERVICE_UNAVAILABLE, "Not registered",
            "<p>This application has not registered with the authorization server yet.</p>");
      sim_message_narrate (message, _("The client cannot start: it has no client id, because it never registered."));
      return;
    }
  client_replace (&self->state, NULL);
  self->state = sim_rng_token (self->world->rng, "st_", 12);
  sim_world_hold (self->world, "client", "state", self->state);
  sim_params_set (params, "response_type", "code");
  sim_params_set (params, "client_id", current_client_id (self));
  sim_params_set (params, "redirect_uri", self->config.redirect_uri);
  sim_params_set (params, "scope", self->config.scope);
  sim_params_set (params, "state", self->state);
  g_clear_pointer (&self->code_verifier, g_free);
  if (self->config.use_pkce)
    {
      g_autofree char *challenge = NULL;
      self->code_verifier = sim_rng_token (self->world->rng, NULL, 32);
      /* kept to itself until the code exchange: only now does the view learn it exists */
      sim_world_hold (self->world, "client", "code_verifier", self->code_verifier);
      challenge = oauth_pkce_s256 (self->code_verifier);
      sim_params_set (params, "code_challenge", challenge);
      sim_params_set (params, "code_challenge_method", "S256");
    }
  if (client_oidc_wanted (self->config.scope))
    client_oidc_start (self->oidc, self->state, params);
  remember_pending (self);
  location = oauth_append_query (endpoint, params);
  sim_message_set_redirect (message, location);
  set_state_cookie (self, message);
  if (self->config.use_pkce)
    sim_message_narrate (message, _("The client does not ask for the password. It sends the browser to the authorization server with its client id, redirect URI and scopes, a random state to recognise the answer (RFC 6749 §10.12), and a PKCE code_challenge: the hash of a secret verifier it keeps to itself (RFC 7636 §4.3)."));
  else
    sim_message_narrate (message, _("The client does not ask for the password. It sends the browser to the authorization server with its client id, redirect URI, scopes and a random state (RFC 6749 §10.12); this client uses no PKCE."));
  sim_message_narrate (message, _("It also hands the browser the state in a cookie, so that only this browser can bring the answer back (RFC 9700 §4.7.1)."));
  if (client_oidc_wanted (self->config.scope))
    client_oidc_explain_start (message);
  if (self->flow_server)
    sim_message_narrate (message, _("The owner chose to sign in with %s, another server this client knows, so that is where the client sends her, and where it will take the code."),
                         self->flow_server);
}

/* @nonce: (nullable): the one sent with the request this code answers (OpenID Connect) */
static void
exchange_code (ClientApp  *self,
               SimMessage *callback,
               const char *code,
               const char *nonce)
{
  g_autoptr(SimParams) form = sim_params_new ();
  g_autoptr(SimMessage) message = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *body = NULL;

  sim_params_set (form, "grant_type", "authorization_code");
  sim_params_set (form, "code", code);
  sim_params_set (form, "redirect_uri", self->config.redirect_uri);
  if (self->code_verifier)
    sim_params_set (form, "code_verifier", self->code_verifier);
  message = client_post_form (self, "/token", g_steal_pointer (&form), SIM_PHASE_CODE_EXCHANGE);
  if (self->client_secret && self->code_verifier)
    sim_message_narrate (message, _("Server to server, out of the browser's sight, the client trades the code for tokens. It proves who it is with its client secret, and with the PKCE code_verifier that it started this flow."));
  else if (self->client_secret)
    sim_message_narrate (message, _("Server to server, out of the browser's sight, the client trades the code for tokens. It proves who it is with its client secret; it used no PKCE, so it has no code_verifier to send."));
  else if (self->code_verifier)
    sim_message_narrate (message, _("Server to server, out of the browser's sight, the client trades the code for tokens. A public client has no secret: it names itself with its client_id, and the PKCE code_verifier is its only proof that it started this flow (RFC 7636 §4.5)."));
  else
    sim_message_narrate (message, _("Server to server, out of the browser's sight, the client trades the code for tokens. It names itself with its client_id only: no secret, no PKCE verifier."));
  message = client_send (self, message);

  if (client_take_tokens (self, message) && client_oidc_wanted (self->config.scope)
      && !client_oidc_sign_in (self->oidc, callback, message, current_client_id (self), nonce))
    {
      g_clear_pointer (&self->access_token, g_free);
      g_clear_pointer (&self->refresh_token, g_free);
      client_replace (&self->error, "invalid_id_token");
      page (callback, SOUP_STATUS_BAD_GATEWAY, "Sign-in refused",
            "<p class=\"error\">The sign-in could not be verified.</p>");
      return;
    }
  if (!self->error)
    {
      page (callback, SOUP_STATUS_OK, "Calendar connected",
            "<p>Your calendar is connected. <a href=\"/\">Back</a></p>");
      sim_message_narrate (callback, _("The client now holds an access token for the owner's calendar; the owner sees “Calendar connected”."));
      return;
    }
  escaped = g_markup_escape_text (self->error ? self->error : "error", -1);
  body = g_strdup_printf ("<p class=\"error\">The authorization server refused the code: %s</p>", escaped);
  page (callback, SOUP_STATUS_BAD_GATEWAY, "Could not connect", body);
  sim_message_narrate (callback, _("The token request failed, so the client has no token and tells the owner so."));
}

static void
callback (ClientApp  *self,
          SimMessage *message)
{
  g_autoptr(SimParams) query = sim_message_get_query (message, NULL);
  const char *state = query ? sim_params_get (query, "state") : NULL;
  const char *code = query ? sim_params_get (query, "code") : NULL;
  const char *error = query ? sim_params_get (query, "error") : NULL;
  const char *iss = query ? sim_params_get (query, "iss") : NULL;
  g_autofree char *nonce = NULL;

  Pending *pending = find_pending (self, state);
  g_autofree char *cookie = state_cookie (message);

  if (self->config.check_state && pending != NULL && g_strcmp0 (cookie, state) != 0)
    {
      page (message, SOUP_STATUS_BAD_REQUEST, "Request refused",
            "<p class=\"error\">This response belongs to a sign-in started in another browser.</p>");
      client_replace (&self->error, "state_mismatch");
      sim_message_narrate (message, _("The state is one the client issued, but not to this browser: its state cookie does not match. RFC 9700 §4.7.1: the state must be bound to the browser that started the sign-in, or an attacker could send the owner a callback for a sign-in of its own; the client refuses it."));
      return;
    }
  if (self->config.check_state && pending == NULL)
    {
      page (message, SOUP_STATUS_BAD_REQUEST, "Request refused",
            "<p class=\"error\">This response does not belong to a sign-in this application started.</p>");
      client_replace (&self->error, "state_mismatch");
      if (state == NULL && self->state)
        sim_message_narrate (message, _("The callback carries no state, yet the client sent one with its request. RFC 6749 §10.12: without the state the client cannot tell this answer from a cross-site request forgery, so it refuses the response and does not use the code."));
      else if (self->state == NULL)
        sim_message_narrate (message, _("A callback arrives, but the client started no sign-in: there is no state it could match. RFC 6749 §10.12: this is how a cross-site request forgery looks, so the client refuses the response and does not use the code."));
      else
        sim_message_narrate (message, _("The state in the callback is not the one the client sent. RFC 6749 §10.12: this may be a cross-site request forgery, so the client refuses the response and does not use the code."));
      return;
    }
  /* RFC 9207 §2.4: the answer must come from the server the owner was sent to. */
  if (self->config.defenses.iss_parameter && iss && strcmp (iss, current_server (self)) != 0)
    {
      page (message, SOUP_STATUS_BAD_REQUEST, "Request refused",
            "<p class=\"error\">This response comes from another server than the one you were sent to.</p>");
      client_replace (&self->error, "issuer_mismatch");
      /* The refused answer used its state up too (RFC 9700 §4.7.1): a second copy of it, the
         iss taken off, must not be let through (found by oauth-sim explore). */
      if (pending && g_strcmp0 (pending->state, self->state) == 0)
        g_clear_pointer (&self->state, g_free);
      if (pending)
        g_ptr_array_remove (self->pending, pending);
      sim_message_narrate (message, _("The response says iss=%s, but the client sent the owner to %s. RFC 9207 §2.4: an answer from another server than the one asked is how a mix-up attack looks (RFC 9700 §4.4), so the client refuses it and sends the code nowhere."),
                           iss, current_server (self));
      return;
    }
  /* The state is a one-time value (RFC 9700 §4.7.1): a matching answer, code or error, uses it up. */
  if (pending == NULL || g_strcmp0 (pending->state, self->state) == 0)
    g_clear_pointer (&self->state, g_free);
  if (pending)
    {
      /* The code belongs to that request: its verifier is the one to send, its nonce the one
       * the ID token must carry. */
      client_replace (&self->code_verifier, pending->code_verifier);
      nonce = client_oidc_take_nonce (self->oidc, pending->state);
      g_ptr_array_remove (self->pending, pending);
    }
  if (error)
    {
      g_autofree char *escaped = g_markup_escape_text (error, -1);
      g_autofree char *body = g_strdup_printf ("<p class=\"error\">Authorization failed: %s</p>", escaped);
      client_replace (&self->error, error);
      page (message, SOUP_STATUS_OK, "Not connected", body);
      sim_message_narrate (message, _("The server answered with error=%s instead of a code (RFC 6749 §4.1.2.1); the client shows it to the owner and gets no token."), error);
      return;
    }
  if (code == NULL)
    {
      page (message, SOUP_STATUS_BAD_REQUEST, "Request refused", "<p class=\"error\">No authorization code.</p>");
      client_replace (&self->error, "no_code");
      sim_message_narrate (message, _("The callback carries neither a code nor an error, so there is nothing to exchange."));
      return;
    }
  client_replace (&self->code, code);
  if (self->config.check_state)
    sim_message_narrate (message, _("The code arrives at the client's redirect URI. The state matches the one the client sent, so this answer belongs to the request it started."));
  else if (self->code_verifier)
    sim_message_narrate (message, _("The code arrives at the client's redirect URI. This client does not check the state; against cross-site request forgery it relies on PKCE instead, which RFC 9700 §2.1 allows: a forged code would not match its code_verifier."));
  else if (self->config.use_pkce)
    sim_message_narrate (message, _("A code arrives at the client's redirect URI. This client does not check the state, and it has no sign-in under way, so no PKCE verifier either: nothing ties this code to anything it started, and it exchanges it all the same (RFC 6749 §10.12)."));
  else
    sim_message_narrate (message, _("The code arrives at the client's redirect URI. This client checks no state and uses no PKCE, so nothing protects it from cross-site request forgery (RFC 6749 §10.12)."));
  exchange_code (self, message, code, nonce);
}

static void
home (ClientApp  *self,
      SimMessage *message)
{
  g_autoptr(GString) body = g_string_new (NULL);

  if (self->access_token)
    g_string_append (body, "<p>Your calendar is connected. <a href=\"/calendar\">See your events</a></p>");
  g_string_append (body, "<p><a href=\"/connect\">Connect your calendar</a></p>");
  page (message, SOUP_STATUS_OK, self->config.name, body->str);
}

/* Enough of a token to tell it from another, not enough to use it. */
static void
append_shortened (GString    *html,
                  const char *label,
                  const char *token)
{
  g_autofree char *shown = NULL;
  g_autofree char *escaped = NULL;

  if (token == NULL)
    shown = g_strdup ("none");
  else if (g_utf8_strlen (token, -1) > SHOWN_TOKEN_CHARS)
    {
      g_autofree char *start = g_utf8_substring (token, 0, SHOWN_TOKEN_CHARS);
      shown = g_strconcat (start, "…", NULL);
    }
  else
    shown = g_strdup (token);
  escaped = g_markup_escape_text (shown, -1);
  g_string_append_printf (html, "<li>%s: <code>%s</code></li>\n", label, escaped);
}

static void
append_events (GString    *html,
               SimMessage *answer)
{
  g_autoptr(JsonNode) root = sim_message_get_response_json (answer, NULL);
  JsonNode *node = root && JSON_NODE_HOLDS_OBJECT (root)
                   ? json_object_get_member (json_node_get_object (root), "events") : NULL;
  JsonArray *events = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  guint shown = 0;

  g_string_append (html, "<ul class=\"events\">\n");
  for (guint i = 0; events && i < json_array_get_length (events); i++)
    {
      JsonNode *element = json_array_get_element (events, i);
      JsonObject *event = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *title = event ? json_object_get_string_member_with_default (event, "title", NULL) : NULL;
      const char *start = event ? json_object_get_string_member_with_default (event, "start", "") : "";
      g_autofree char *escaped_title = NULL;
      g_autofree char *escaped_start = NULL;

      if (title == NULL)
        continue;
      escaped_title = g_markup_escape_text (title, -1);
      escaped_start = g_markup_escape_text (start, -1);
      g_string_append_printf (html, "<li><time>%s</time> %s</li>\n", escaped_start, escaped_title);
      shown++;
    }
  if (shown == 0)
    g_string_append (html, "<li>No events.</li>\n");
  g_string_append (html, "</ul>\n");
}

/* The result page: the client calls the API with its token, as an app does for its user. */
static void
calendar_page (ClientApp  *self,
               SimMessage *message)
{
  g_autoptr(SimMessage) answer = NULL;
  g_autoptr(GString) body = g_string_new (NULL);

  if (self->access_token == NULL)
    {
      page (message, SOUP_STATUS_OK, "Not connected",
            "<p>This application holds no token for your calendar yet.</p>"
            "<p><a href=\"/connect\">Connect your calendar</a></p>");
      sim_message_narrate (message, _("The client holds no access token, so it has nothing to show: the owner must connect the calendar first."));
      return;
    }

  answer = client_app_call_api (self, "GET", "/calendar/events", NULL);
  if (answer->status != SOUP_STATUS_OK)
    {
      g_autofree char *escaped = g_markup_escape_text (self->error ? self->error : "error", -1);
      g_string_append_printf (body, "<p class=\"error\">The calendar API refused: %s</p>"
                              "<p><a href=\"/connect\">Connect your calendar again</a></p>", escaped);
      page (message, SOUP_STATUS_BAD_GATEWAY, "Could not read your calendar", body->str);
      sim_message_narrate (message, _("The API refused the client's token, so the client has no events to show and tells the owner so."));
      return;
    }

  append_events (body, answer);
  g_string_append (body, "<p>What this application holds (shortened):</p>\n<ul class=\"tokens\">\n");
  append_shortened (body, "access token", self->access_token);
  append_shortened (body, "refresh token", self->refresh_token);
  g_string_append (body, "</ul>\n");
  if (self->scope)
    {
      g_autofree char *scope = g_markup_escape_text (self->scope, -1);
      g_string_append_printf (body, "<p>Scope: <code>%s</code></p>\n", scope);
    }
  g_string_append (body, "<p><a href=\"/\">Back</a></p>");
  page (message, SOUP_STATUS_OK, "Your calendar", body->str);
  sim_message_narrate (message, _("The client shows the owner the events the API returned. The tokens stay with the client; the page shows only their first characters."));
}

static char *
uri_origin (SimUri *uri)
{
  return sim_uri_dup_origin (uri);
}

/* /go?to=URL: "take me back where I was", the kind of redirector many sites have. Like many
 * link redirectors, it carries the rest of its query along. */
static void
redirector (ClientApp  *self,
            SimMessage *message)
{
  g_autoptr(SimParams) query = sim_message_get_query (message, NULL);
  g_autoptr(SimParams) rest = sim_params_new ();
  const char *to = query ? sim_params_get (query, "to") : NULL;
  g_autoptr(SimUri) target = to ? sim_uri_resolve (message->uri, to) : NULL;
  g_autofree char *origin = target ? uri_origin (target) : NULL;
  g_autofree char *where = NULL;
  g_autofree char *location = NULL;

  if (target == NULL)
    {
      page (message, SOUP_STATUS_BAD_REQUEST, "Nowhere to go", "<p class=\"error\">No page to go to.</p>");
      return;
    }
  if (g_strcmp0 (origin, self->config.origin) != 0 && self->config.defenses.redirect_allowlist)
    {
      page (message, SOUP_STATUS_BAD_REQUEST, "Request refused",
            "<p class=\"error\">This link leads outside this application.</p>");
      sim_message_narrate (message, _("The client's redirector sends the browser only to the client's own pages, and %s is elsewhere, so it refuses. RFC 9700 §4.11.1: a client must not be an open redirector, which would carry whatever the URL holds, a code for instance, to anyone."),
                           origin);
      return;
    }
  for (guint i = 0; query && i < sim_params_size (query); i++)
    if (strcmp (sim_params_name_at (query, i), "to") != 0)
      sim_params_set (rest, sim_params_name_at (query, i), sim_params_value_at (query, i));
  where = sim_uri_to_string (target);
  location = oauth_append_query (where, rest);
  sim_message_set_redirect (message, location);
  if (g_strcmp0 (origin, self->config.origin) == 0)
    sim_message_narrate (message, _("The client's redirector sends the browser on to one of its own pages."));
  else
    sim_message_narrate (message, _("The client's redirector sends the browser wherever “to” says, here to %s, with the rest of the query. It checks nothing (redirect_allowlist is off): an open redirector, which RFC 9700 §4.11.1 forbids."),
                         origin);
}

/* What every page of the app carries besides its content: the third-party image of the
 * scenario's "embed" (an analytics pixel in the site's template), and, with the referrer_policy
 * defense off, no Referrer-Policy header. */
static void
decorate_page (ClientApp  *self,
               SimMessage *message)
{
  const char *type = sim_headers_get_content_type (message->response_headers);
  g_autofree char *html = NULL;
  g_autoptr(SimUri) image = NULL;
  g_autofree char *image_origin = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *decorated = NULL;
  const char *policy, *end;

  if (g_strcmp0 (type, "text/html") != 0)
    return;
  if (!self->config.defenses.referrer_policy)
    sim_headers_remove (message->response_headers, "Referrer-Policy");
  if (self->config.embed == NULL || !(image = sim_uri_parse (self->config.embed, NULL)))
    return;
  html = sim_message_dup_response_text (message);
  if ((end = strstr (html, "</body>")) == NULL)
    return;
  escaped = g_markup_escape_text (self->config.embed, -1);
  decorated = g_strdup_printf ("%.*s<p><img src=\"%s\" alt=\"\" width=\"1\" height=\"1\"></p>\n%s",
                               (int) (end - html), html, escaped, end);
  sim_message_set_response_text (message, message->status, "text/html; charset=utf-8", decorated);
  image_origin = uri_origin (image);
  policy = sim_headers_get_one (message->response_headers, "Content-Security-Policy");
  if (policy && strstr (policy, "form-action"))
    {
      g_autoptr(GString) csp = g_string_new (policy);
      g_autofree char *source = g_strdup_printf ("img-src %s; ", image_origin);
      g_string_insert (csp, strstr (policy, "form-action") - policy, source);
      sim_headers_replace (message->response_headers, "Content-Security-Policy", csp->str);
    }
}

void
client_app_handle (gpointer    data,
                   SimMessage *message)
{
  ClientApp *self = data;
  const char *path = sim_message_get_path (message);
  g_autoptr(GUri) redirect = g_uri_parse (self->config.redirect_uri, G_URI_FLAGS_ENCODED, NULL);
  const char *callback_path = redirect ? g_uri_get_path (redirect) : "/callback";

  /* A redirect URI without a path is answered at "/" (RFC 3986 §6.2.3). */
  if (*callback_path == '\0')
    callback_path = "/";
  /* The app's front end hands over its tokens to be signed in (actors/client-oidc.c). */
  if (strcmp (path, "/session") == 0 && strcmp (message->method, "POST") == 0)
    {
      client_oidc_session (self->oidc, message, self->client_id);
      return;
    }
  if (client_legacy_handle (self, message, callback_path))
    ;
  else if (strcmp (message->method, "GET") != 0)
    {
      sim_message_set_response_text (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain", "Method Not Allowed\n");
      sim_headers_replace (message->response_headers, "Allow", "GET");
      return;
    }
  else if (strcmp (path, "/") == 0 && strcmp (callback_path, "/") != 0)
    home (self, message);
  else if (strcmp (path, "/connect") == 0)
    start_authorization (self, message);
  else if (strcmp (path, callback_path) == 0)
    callback (self, message);
  else if (strcmp (path, "/go") == 0)
    redirector (self, message);
  else if (strcmp (path, "/calendar") == 0)
    calendar_page (self, message);
  else
    sim_message_set_response_text (message, SOUP_STATUS_NOT_FOUND, "text/plain", "Not Found\n");
  decorate_page (self, message);
}
