/* test-defenses.c: each defense of the attack lab switches a real code path in an actor. Every
 * test builds the same small world twice, with the defense on and off, sends the same requests
 * on the bus, and checks that the answers differ the way the defense says. */
#include <string.h>

#include "actors/api.h"
#include "actors/auth-server.h"
#include "actors/client.h"
#include "actors/defenses.h"
#include "actors/device-client.h"
#include "actors/oauth.h"
#include "actors/resource-owner.h"

#define ISSUER "https://auth.example"
#define API "https://api.example"
#define CLIENT "https://client.example"
#define CALLBACK CLIENT "/callback"

typedef struct
{
  SimWorld *world;
  AuthServer *server;
  CalendarApi *api;
  ClientApp *client;
  ResourceOwner *owner;
} World;

static void
world_free (World *w)
{
  client_app_free (w->client);
  resource_owner_free (w->owner);
  calendar_api_free (w->api);
  auth_server_free (w->server);
  sim_world_free (w->world);
  g_free (w);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (World, world_free)

/* The defaults, except @name switched to @on; the client is public when @public_client. */
static World *
world_new (const char *name,
           gboolean    on,
           gboolean    public_client)
{
  World *w = g_new0 (World, 1);
  AuthServerConfig server;
  ClientConfig client;
  OwnerConfig owner;
  OAuthDefenses defenses;

  oauth_defenses_init (&defenses);
  if (name)
    *oauth_defenses_lookup (&defenses, name) = on;
  w->world = sim_world_new (sim_clock_new_simulated (1772442000), sim_rng_new_seeded (5));

  auth_server_config_init (&server);
  server.defenses = defenses;
  server.dpop = g_strcmp0 (name, "sender_constraint") == 0;
  server.audience = g_strdup (API);
  w->server = auth_server_new (w->world, &server);
  auth_server_config_clear (&server);
  auth_server_add_user (w->server, "alice", "wonderland");
  auth_server_add_scope (w->server, "calendar.read", NULL);
  auth_server_add_resource (w->server, "calendar-api", "rs_secret");

  w->api = calendar_api_new (w->world, API, ISSUER "/introspect", "calendar-api", "rs_secret");
  if (defenses.audience_restriction)
    calendar_api_set_audience (w->api, API);
  calendar_api_add_event (w->api, "alice", "Dentist", "2026-03-03T15:30:00Z");
  if (server.dpop)
    calendar_api_set_dpop (w->api, FALSE);

  client_config_init (&client);
  client.defenses = defenses;
  client.check_state = defenses.state_check;
  client.use_pkce = defenses.pkce;
  client.dpop = server.dpop;
  if (public_client)
    {
      g_free (client.auth_method);
      client.auth_method = g_strdup ("none");
    }
  w->client = client_app_new (w->world, &client);
  client_config_clear (&client);

  owner_config_init (&owner);
  w->owner = resource_owner_new (w->world, &owner);
  owner_config_clear (&owner);

  sim_bus_add_actor (w->world->bus, "auth-server", ISSUER, auth_server_handle, w->server);
  sim_bus_add_actor (w->world->bus, "api", API, calendar_api_handle, w->api);
  sim_bus_add_actor (w->world->bus, "client", CLIENT, client_app_handle, w->client);
  g_autoptr(SimMessage) registration = client_app_register (w->client);
  g_assert_cmpuint (registration->status, ==, SOUP_STATUS_CREATED);
  return w;
}

static SimMessage *
get (World      *w,
     const char *url)
{
  SimMessage *m = sim_message_new ("GET", url);
  sim_bus_deliver (w->world->bus, "test", m);
  return m;
}

/* POST /token with @form as the client authenticates. */
static SimMessage *
token (World      *w,
       const char *form)
{
  SimMessage *m = sim_message_new ("POST", ISSUER "/token");
  const char *id = client_app_get_held (w->client, "client_id");
  const char *secret = client_app_get_held (w->client, "client_secret");
  g_autofree char *body = secret ? g_strdup (form) : g_strdup_printf ("%s&client_id=%s", form, id);

  if (secret)
    oauth_set_basic (m->request_headers, id, secret);
  sim_message_set_request_form_encoded (m, body);
  sim_bus_deliver (w->world->bus, "test", m);
  return m;
}

static char *
json_string (SimMessage *m,
             const char *name)
{
  g_autoptr(JsonNode) root = sim_message_get_response_json (m, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (root), name, NULL));
}

static char *
location_param (SimMessage *m,
                const char *name)
{
  const char *location = sim_headers_get_one (m->response_headers, "Location");
  g_autoptr(GUri) uri = location ? g_uri_parse (location, G_URI_FLAGS_ENCODED, NULL) : NULL;
  g_autoptr(SimParams) params = uri ? sim_params_parse (g_uri_get_query (uri), NULL) : NULL;

  return params && sim_params_get (params, name) ? g_strdup (sim_params_get (params, name)) : NULL;
}

/* An authorization request for the client, answered by Alice's approval: the consent
 * exchange (302 with the code), or the authorization exchange when it shows no form. */
static SimMessage *
authorize (World      *w,
           const char *redirect_uri,
           const char *challenge)
{
  g_autoptr(SimParams) params = sim_params_new ();
  g_autofree char *url = NULL;
  g_autoptr(SimMessage) page = NULL;
  g_autofree char *html = NULL;
  g_autoptr(OAuthForm) form = NULL;
  g_autofree char *body = NULL;
  SimMessage *consent;

  sim_params_set (params, "response_type", "code");
  sim_params_set (params, "client_id", client_app_get_held (w->client, "client_id"));
  sim_params_set (params, "redirect_uri", redirect_uri);
  sim_params_set (params, "state", "st_test");
  if (challenge)
    {
      sim_params_set (params, "code_challenge", challenge);
      sim_params_set (params, "code_challenge_method", "S256");
    }
  url = oauth_append_query (ISSUER "/authorize", params);
  page = get (w, url);
  if (page->status != SOUP_STATUS_OK)
    return g_steal_pointer (&page);
  html = sim_message_dup_response_text (page);
  form = oauth_form_parse (html);
  g_assert_nonnull (form);
  body = g_strdup_printf ("request_id=%s&username=alice&password=wonderland&scope=calendar.read&decision=approve",
                          sim_params_get (form->hidden, "request_id"));
  consent = sim_message_new ("POST", ISSUER "/consent");
  sim_message_set_request_form_encoded (consent, body);
  sim_bus_deliver (w->world->bus, "test", consent);
  g_assert_cmpuint (consent->status, ==, SOUP_STATUS_FOUND);
  return consent;
}

static char *
code_for (World      *w,
          const char *challenge)
{
  g_autoptr(SimMessage) consent = authorize (w, CALLBACK, challenge);
  return location_param (consent, "code");
}

static char *
exchange_form (const char *code,
               const char *verifier)
{
  g_autofree char *escaped = g_uri_escape_string (CALLBACK, NULL, FALSE);
  return g_strdup_printf ("grant_type=authorization_code&code=%s&redirect_uri=%s%s%s", code, escaped,
                          verifier ? "&code_verifier=" : "", verifier ? verifier : "");
}

static void
test_state_check (void)
{
  for (int on = 0; on <= 1; on++)
    {
      g_autoptr(World) w = world_new ("state_check", on, FALSE);
      g_autofree char *code = code_for (w, NULL);
      g_autofree char *url = g_strdup_printf (CALLBACK "?code=%s&state=st_forged", code);
      g_autoptr(SimMessage) callback = get (w, url);

      /* on: refused before any token request; off: the forged code is exchanged */
      g_assert_cmpuint (callback->status, ==, on ? SOUP_STATUS_BAD_REQUEST : SOUP_STATUS_OK);
      g_assert_cmpstr (client_app_get_held (w->client, "error"), ==, on ? "state_mismatch" : NULL);
      g_assert_true ((client_app_get_held (w->client, "access_token") != NULL) == !on);
    }
}

static void
test_pkce (void)
{
  for (int on = 0; on <= 1; on++)
    {
      g_autoptr(World) w = world_new ("pkce", on, TRUE);
      g_autoptr(SimMessage) request = authorize (w, CALLBACK, NULL);
      g_autoptr(SimMessage) metadata = get (w, ISSUER "/.well-known/oauth-authorization-server");
      g_autoptr(JsonNode) root = sim_message_get_response_json (metadata, NULL);
      g_autofree char *error = location_param (request, "error");
      g_autofree char *code = location_param (request, "code");

      /* on: a public client without a challenge is sent back invalid_request; off: a code */
      g_assert_cmpstr (error, ==, on ? "invalid_request" : NULL);
      g_assert_true ((code != NULL) == !on);
      g_assert_true (json_object_has_member (json_node_get_object (root), "code_challenge_methods_supported") == on);
    }
  /* on: a code bound to a challenge needs its verifier; off: the server ignores PKCE */
  for (int on = 0; on <= 1; on++)
    {
      g_autoptr(World) w = world_new ("pkce", on, TRUE);
      g_autofree char *verifier = g_strnfill (43, 'v');
      g_autofree char *challenge = oauth_pkce_s256 (verifier);
      g_autofree char *code = code_for (w, challenge);
      g_autofree char *form = exchange_form (code, NULL);
      g_autoptr(SimMessage) answer = token (w, form);

      g_assert_cmpuint (answer->status, ==, on ? SOUP_STATUS_BAD_REQUEST : SOUP_STATUS_OK);
    }
}

static void
test_pkce_downgrade_protection (void)
{
  for (int on = 0; on <= 1; on++)
    {
      g_autoptr(World) w = world_new ("pkce_downgrade_protection", on, FALSE);
      g_autofree char *code = code_for (w, NULL);
      g_autofree char *verifier = g_strnfill (43, 'v');
      g_autofree char *form = exchange_form (code, verifier);
      g_autoptr(SimMessage) answer = token (w, form);
      g_autofree char *error = json_string (answer, "error");

      g_assert_cmpuint (answer->status, ==, on ? SOUP_STATUS_BAD_REQUEST : SOUP_STATUS_OK);
      g_assert_cmpstr (error, ==, on ? "invalid_grant" : NULL);
    }
}

static void
test_exact_redirect_uri (void)
{
  for (int on = 0; on <= 1; on++)
    {
      g_autoptr(World) w = world_new ("exact_redirect_uri", on, FALSE);
      g_autoptr(SimMessage) answer = authorize (w, CALLBACK ".attacker.example/", NULL);

      /* on: an error page, no redirect; off: the code goes where the longer URI says */
      g_assert_cmpuint (answer->status, ==, on ? SOUP_STATUS_BAD_REQUEST : SOUP_STATUS_FOUND);
      if (!on)
        g_assert_true (g_str_has_prefix (sim_headers_get_one (answer->response_headers, "Location"),
                                         CALLBACK ".attacker.example/?code="));
    }
}

static void
test_single_use_codes (void)
{
  for (int on = 0; on <= 1; on++)
    {
      g_autoptr(World) w = world_new ("single_use_codes", on, FALSE);
      g_autofree char *code = code_for (w, NULL);
      g_autofree char *form = exchange_form (code, NULL);
      g_autoptr(SimMessage) first = token (w, form);
      g_autoptr(SimMessage) second = token (w, form);
      g_autofree char *first_token = json_string (first, "access_token");

      g_assert_cmpuint (first->status, ==, SOUP_STATUS_OK);
      g_assert_cmpuint (second->status, ==, on ? SOUP_STATUS_BAD_REQUEST : SOUP_STATUS_OK);
      /* on: the replay also revokes what the code bought */
      g_assert_true (auth_server_token_is_active (w->server, first_token) == !on);
    }
}

static void
test_refresh_rotation (void)
{
  for (int on = 0; on <= 1; on++)
    {
      g_autoptr(World) w = world_new ("refresh_rotation", on, TRUE);
      g_autofree char *verifier = g_strnfill (43, 'v');
      g_autofree char *challenge = oauth_pkce_s256 (verifier);
      g_autofree char *code = code_for (w, challenge);
      g_autofree char *form = exchange_form (code, verifier);
      g_autoptr(SimMessage) tokens = token (w, form);
      g_autofree char *refresh = json_string (tokens, "refresh_token");
      g_autofree char *refresh_form = g_strdup_printf ("grant_type=refresh_token&refresh_token=%s", refresh);
      g_autoptr(SimMessage) first = token (w, refresh_form);
      g_autoptr(SimMessage) again = token (w, refresh_form);
      g_autofree char *rotated = json_string (first, "refresh_token");

      g_assert_cmpuint (first->status, ==, SOUP_STATUS_OK);
      /* a public client's tokens rotate unless the defense is off */
      g_assert_true ((rotated != NULL) == on);
      g_assert_cmpuint (again->status, ==, on ? SOUP_STATUS_BAD_REQUEST : SOUP_STATUS_OK);
    }
}

static void
test_iss_parameter (void)
{
  for (int on = 0; on <= 1; on++)
    {
      g_autoptr(World) w = world_new ("iss_parameter", on, FALSE);
      g_autoptr(SimMessage) consent = authorize (w, CALLBACK, NULL);
      g_autofree char *iss = location_param (consent, "iss");
      g_autoptr(SimMessage) metadata = get (w, ISSUER "/.well-known/oauth-authorization-server");
      g_autoptr(JsonNode) root = sim_message_get_response_json (metadata, NULL);
      g_autoptr(SimMessage) connect = get (w, CLIENT "/connect");
      g_autofree char *state = location_param (connect, "state");
      g_autofree char *challenge = oauth_pkce_s256 (client_app_get_held (w->client, "code_verifier"));
      g_autofree char *code = code_for (w, challenge);
      g_autofree char *url = g_strdup_printf (CALLBACK "?code=%s&state=%s&iss=https%%3A%%2F%%2Fother.example", code, state);
      g_autofree char *cookie = g_strdup_printf ("oauth_state=%s", state);
      g_autoptr(SimMessage) callback = sim_message_new ("GET", url);

      /* the browser that started the sign-in brings the answer back, with its state cookie */
      sim_headers_replace (callback->request_headers, "Cookie", cookie);
      sim_bus_deliver (w->world->bus, "test", callback);

      g_assert_cmpstr (iss, ==, on ? ISSUER : NULL);
      g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "authorization_response_iss_parameter_supported") == on);
      /* on: the client refuses an answer naming another server; off: it does not look */
      g_assert_cmpuint (callback->status, ==, on ? SOUP_STATUS_BAD_REQUEST : SOUP_STATUS_OK);
    }
}

static void
test_audience_restriction (void)
{
  for (int on = 0; on <= 1; on++)
    {
      g_autoptr(World) w = world_new ("audience_restriction", on, FALSE);
      g_autofree char *code = code_for (w, NULL);
      g_autofree char *form = exchange_form (code, NULL);
      g_autofree char *for_other = g_strdup_printf ("%s&resource=https%%3A%%2F%%2Fother.example", form);
      g_autoptr(SimMessage) tokens = token (w, for_other);
      g_autofree char *access = json_string (tokens, "access_token");
      g_autofree char *bearer = g_strconcat ("Bearer ", access, NULL);
      g_autoptr(SimMessage) call = sim_message_new ("GET", API "/calendar/events");

      g_assert_cmpuint (tokens->status, ==, SOUP_STATUS_OK);
      sim_headers_replace (call->request_headers, "Authorization", bearer);
      sim_bus_deliver (w->world->bus, "test", call);
      /* on: the token names another audience and the API refuses it */
      g_assert_cmpuint (call->status, ==, on ? SOUP_STATUS_UNAUTHORIZED : SOUP_STATUS_OK);
    }
}

static void
test_consent_frame_protection (void)
{
  for (int on = 0; on <= 1; on++)
    {
      g_autoptr(World) w = world_new ("consent_frame_protection", on, FALSE);
      g_autofree char *url = g_strdup_printf (ISSUER "/authorize?response_type=code&client_id=%s",
                                              client_app_get_held (w->client, "client_id"));
      g_autoptr(SimMessage) page = get (w, url);
      const char *csp = sim_headers_get_one (page->response_headers, "Content-Security-Policy");

      g_assert_cmpuint (page->status, ==, SOUP_STATUS_OK);
      g_assert_true ((sim_headers_get_one (page->response_headers, "X-Frame-Options") != NULL) == on);
      g_assert_true ((strstr (csp, "frame-ancestors") != NULL) == on);
    }
}

static void
test_referrer_policy (void)
{
  for (int on = 0; on <= 1; on++)
    {
      g_autoptr(World) w = world_new ("referrer_policy", on, FALSE);
      g_autoptr(SimMessage) home = get (w, CLIENT "/");
      g_autofree char *url = g_strdup_printf (ISSUER "/authorize?response_type=code&client_id=%s",
                                              client_app_get_held (w->client, "client_id"));
      g_autoptr(SimMessage) login = get (w, url);

      g_assert_true ((sim_headers_get_one (home->response_headers, "Referrer-Policy") != NULL) == on);
      g_assert_true ((sim_headers_get_one (login->response_headers, "Referrer-Policy") != NULL) == on);
    }
}

static void
test_redirect_allowlist (void)
{
  for (int on = 0; on <= 1; on++)
    {
      g_autoptr(World) w = world_new ("redirect_allowlist", on, FALSE);
      g_autoptr(SimMessage) inside = get (w, CLIENT "/go?to=/calendar");
      g_autoptr(SimMessage) outside = get (w, CLIENT "/go?to=https://elsewhere.example/x&code=ac_1");

      g_assert_cmpuint (inside->status, ==, SOUP_STATUS_FOUND);
      g_assert_cmpuint (outside->status, ==, on ? SOUP_STATUS_BAD_REQUEST : SOUP_STATUS_FOUND);
      if (!on)
        g_assert_cmpstr (sim_headers_get_one (outside->response_headers, "Location"), ==,
                         "https://elsewhere.example/x?code=ac_1");
    }
}

/* Registers a public client of the one grant @grant; returns its client_id, NULL if refused. */
static char *
register_public (World      *w,
                 const char *grant)
{
  g_autoptr(SimMessage) m = sim_message_new ("POST", ISSUER "/register");
  g_autoptr(SimFields) metadata = sim_fields_new ();
  const char *grants[] = { grant, NULL };
  const char *uris[] = { CALLBACK, NULL };

  sim_fields_add_string (metadata, "client_name", "Legacy");
  if (strcmp (grant, "implicit") == 0)
    sim_fields_add_strv (metadata, "redirect_uris", uris);
  sim_fields_add_strv (metadata, "grant_types", grants);
  sim_fields_add_string (metadata, "token_endpoint_auth_method", "none");
  sim_fields_add_string (metadata, "scope", "calendar.read");
  sim_message_set_request_fields (m, metadata);
  sim_bus_deliver (w->world->bus, "test", m);
  return m->status == SOUP_STATUS_CREATED ? json_string (m, "client_id") : NULL;
}

static void
test_no_password_grant (void)
{
  for (int on = 0; on <= 1; on++)
    {
      g_autoptr(World) w = world_new ("no_password_grant", on, FALSE);
      g_autofree char *id = register_public (w, "password");
      g_autoptr(SimMessage) refused = token (w, "grant_type=password&username=alice&password=wonderland");
      g_autofree char *error = json_string (refused, "error");

      /* on: not offered, so neither registered nor accepted (RFC 6749 §5.2) */
      g_assert_true ((id == NULL) == on);
      g_assert_cmpstr (error, ==, on ? "unsupported_grant_type" : "unauthorized_client");
      if (!on)
        {
          g_autofree char *form = g_strdup_printf ("grant_type=password&username=alice&password=wonderland&client_id=%s", id);
          g_autofree char *wrong = g_strdup_printf ("grant_type=password&username=alice&password=guess&client_id=%s", id);
          g_autoptr(SimMessage) issued = sim_message_new ("POST", ISSUER "/token");
          g_autoptr(SimMessage) guessed = sim_message_new ("POST", ISSUER "/token");
          g_autofree char *access = NULL, *guess_error = NULL;

          sim_message_set_request_form_encoded (issued, form);
          sim_bus_deliver (w->world->bus, "test", issued);
          sim_message_set_request_form_encoded (guessed, wrong);
          sim_bus_deliver (w->world->bus, "test", guessed);
          access = json_string (issued, "access_token");
          guess_error = json_string (guessed, "error");
          g_assert_cmpuint (issued->status, ==, SOUP_STATUS_OK);
          g_assert_true (auth_server_token_is_active (w->server, access));
          g_assert_cmpstr (guess_error, ==, "invalid_grant");
        }
    }
}

static void
test_no_implicit_grant (void)
{
  for (int on = 0; on <= 1; on++)
    {
      g_autoptr(World) w = world_new ("no_implicit_grant", on, FALSE);
      g_autofree char *id = register_public (w, "implicit");
      g_autofree char *url = g_strdup_printf (ISSUER "/authorize?response_type=token&client_id=%s&state=s1",
                                              client_app_get_held (w->client, "client_id"));
      g_autoptr(SimMessage) answer = get (w, url);
      g_autofree char *error = location_param (answer, "error");

      g_assert_true ((id == NULL) == on);
      if (on)
        /* refused as it always was: in the query, the server knowing no fragment answers */
        g_assert_cmpstr (error, ==, "unsupported_response_type");
      else
        {
          g_autofree char *own = g_strdup_printf (ISSUER "/authorize?response_type=token&client_id=%s&state=s1", id);
          g_autoptr(SimMessage) login = get (w, own);
          const char *location = sim_headers_get_one (answer->response_headers, "Location");

          /* the code-flow client did not register implicit: the error is in the fragment */
          g_assert_nonnull (strstr (location, "#error=unauthorized_client"));
          g_assert_cmpuint (login->status, ==, SOUP_STATUS_OK);
        }
    }
}

static void
test_sender_constraint (void)
{
  for (int on = 0; on <= 1; on++)
    {
      g_autoptr(World) w = world_new ("sender_constraint", on, FALSE);
      g_autofree char *code = code_for (w, NULL);
      g_autofree char *form = exchange_form (code, NULL);
      g_autoptr(SimMessage) tokens = token (w, form);
      g_autofree char *error = json_string (tokens, "error");
      g_autofree char *type = json_string (tokens, "token_type");

      /* on: the client holds a key and registered dpop_bound_access_tokens, so a token request
       * without its proof is refused (RFC 9449 §5.2); off: it registered as a bearer client */
      g_assert_cmpuint (tokens->status, ==, on ? SOUP_STATUS_BAD_REQUEST : SOUP_STATUS_OK);
      g_assert_cmpstr (error, ==, on ? "invalid_dpop_proof" : NULL);
      g_assert_cmpstr (type, ==, on ? NULL : "Bearer");
    }
}

/* RFC 8628 §5.4: a code that reached the owner in a message, not on a screen of hers. With the
 * defense on, the page asks her to confirm that her device shows it: she cannot, and denies; an
 * approval without the confirmation approves nothing. Off, she approves. The owner who did see
 * the code on her TV approves either way. */
static void
test_device_confirmation (void)
{
  for (int on = 0; on <= 1; on++)
    for (int seen = 0; seen <= 1; seen++)
      {
        g_autoptr(World) w = world_new ("device_confirmation", on, FALSE);
        DeviceClientConfig config = { "client", "TV Calendar", "calendar.read", ISSUER, API };
        g_autoptr(DeviceClient) tv = device_client_new (w->world, &config);
        g_autoptr(SimMessage) registration = device_client_register (tv);
        g_autoptr(SimMessage) start = device_client_authorize (tv);
        const char *code = device_client_get_held (tv, "user_code");
        g_autoptr(SimMessage) page = NULL;
        g_autoptr(SimMessage) answer = NULL;
        g_autoptr(SimMessage) poll = NULL;
        g_autoptr(OAuthForm) form = NULL;

        g_assert_cmpuint (start->status, ==, SOUP_STATUS_OK);
        g_assert_nonnull (code);
        if (seen)
          resource_owner_see_code (w->owner, code);
        page = resource_owner_visit (w->owner, device_client_get_held (tv, "verification_uri_complete"),
                                     SIM_PHASE_CONSENT);
        form = oauth_page_read_form (page);
        g_assert_cmpstr (form->confirm, ==, on ? code : NULL);
        if (on && !seen)
          {
            /* a form sent without the box ticked approves nothing */
            g_autoptr(SimParams) fields = sim_params_copy (form->hidden);
            g_autoptr(SimMessage) unticked = sim_message_new ("POST", ISSUER "/consent");
            sim_params_set (fields, "username", "alice");
            sim_params_set (fields, "password", "wonderland");
            sim_params_add (fields, "scope", "calendar.read");
            sim_params_add (fields, "decision", "approve");
            sim_message_set_request_params (unticked, g_steal_pointer (&fields));
            sim_bus_deliver (w->world->bus, "test", unticked);
            g_autoptr(OAuthForm) again = oauth_page_read_form (unticked);
            g_assert_nonnull (again);
          }
        answer = resource_owner_consent (w->owner, NULL, 1, NULL);
        g_assert_cmpuint (answer->status, ==, SOUP_STATUS_OK);
        sim_clock_advance (w->world->clock, 5);
        poll = device_client_poll (tv);
        if (on && !seen)
          g_assert_cmpstr (device_client_get_held (tv, "error"), ==, "access_denied");
        else
          g_assert_nonnull (device_client_get_held (tv, "access_token"));
      }
}

static void
test_every_defense_is_tested (void)
{
  static const char *const tested[] = {
    "state_check", "pkce", "pkce_downgrade_protection", "exact_redirect_uri", "single_use_codes",
    "refresh_rotation", "iss_parameter", "audience_restriction", "consent_frame_protection",
    "referrer_policy", "redirect_allowlist", "nonce_check", "id_token_login", "no_password_grant",
    "no_implicit_grant", "sender_constraint", "device_confirmation", NULL
  };
  OAuthDefenses defenses, all_on;

  g_assert_cmpstrv (oauth_defense_names (), tested);
  oauth_defenses_init (&defenses);
  oauth_defenses_init (&all_on);
  for (guint i = 0; tested[i]; i++)
    {
      g_assert_nonnull (oauth_defense_describe (tested[i]));
      g_assert_true (*oauth_defenses_lookup (&defenses, tested[i]));
      *oauth_defenses_lookup (&defenses, tested[i]) = FALSE;
      g_assert_false (oauth_defenses_equal (&defenses, &all_on));
      *oauth_defenses_lookup (&defenses, tested[i]) = TRUE;
    }
  g_assert_null (oauth_defenses_lookup (&defenses, "no_such_defense"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/defenses/names", test_every_defense_is_tested);
  g_test_add_func ("/defenses/no-password-grant", test_no_password_grant);
  g_test_add_func ("/defenses/no-implicit-grant", test_no_implicit_grant);
  g_test_add_func ("/defenses/state-check", test_state_check);
  g_test_add_func ("/defenses/pkce", test_pkce);
  g_test_add_func ("/defenses/pkce-downgrade-protection", test_pkce_downgrade_protection);
  g_test_add_func ("/defenses/exact-redirect-uri", test_exact_redirect_uri);
  g_test_add_func ("/defenses/single-use-codes", test_single_use_codes);
  g_test_add_func ("/defenses/refresh-rotation", test_refresh_rotation);
  g_test_add_func ("/defenses/iss-parameter", test_iss_parameter);
  g_test_add_func ("/defenses/audience-restriction", test_audience_restriction);
  g_test_add_func ("/defenses/consent-frame-protection", test_consent_frame_protection);
  g_test_add_func ("/defenses/referrer-policy", test_referrer_policy);
  g_test_add_func ("/defenses/redirect-allowlist", test_redirect_allowlist);
  g_test_add_func ("/defenses/sender-constraint", test_sender_constraint);
  g_test_add_func ("/defenses/device-confirmation", test_device_confirmation);
  return g_test_run ();
}
