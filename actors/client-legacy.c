/* client-legacy.c: the client side of the legacy grants, for the lessons of why they went
 * away (RFC 9700 §2.1.2, §2.4): the password grant (RFC 6749 §4.3), where the app shows its own
 * sign-in form and so gets the owner's password, and the implicit grant (§4.2), where the
 * access token comes back in the fragment of the redirect URI and a script of the app's page
 * brings it to the app.
 *
 * A client uses a legacy grant only when its scenario lists it in "grant_types" and the server
 * offers it: once it has read the server's metadata (RFC 8414), it registers only the grants
 * the server lists there, so the same app uses the code flow at a server that refuses the old
 * ones. Its preference, when it registered several: password, then implicit, then the code.
 */
#include <string.h>

#include "actors/client-private.h"
#include "actors/html-page.h"

static gboolean
registered (ClientApp  *self,
            const char *grant)
{
  return self->registered_grants && g_strv_contains ((const char *const *) self->registered_grants, grant);
}

/* Forgets what only the legacy grants keep, when the client goes. */
void
client_legacy_clear (ClientApp *self)
{
  g_clear_pointer (&self->offered_grants, g_strfreev);
  g_clear_pointer (&self->registered_grants, g_strfreev);
  g_clear_pointer (&self->owner_password, g_free);
}

/**
 * client_legacy_read_metadata:
 *
 * Remembers which grants the server's metadata offers (RFC 8414 §2 grant_types_supported).
 */
void
client_legacy_read_metadata (ClientApp  *self,
                             SimMessage *message)
{
  g_autoptr(SimFields) metadata = NULL;

  if (message->status != SOUP_STATUS_OK || !(metadata = sim_message_get_response_fields (message, NULL))
      || sim_fields_get_type (metadata, "grant_types_supported") != SIM_FIELD_STRINGS)
    return;
  g_strfreev (self->offered_grants);
  self->offered_grants = sim_fields_dup_strv (metadata, "grant_types_supported");
}

/**
 * client_legacy_grants_to_register:
 *
 * Returns: (transfer full): the grant types the client asks for at registration: its own,
 *   less those the server's metadata does not offer, once it has read it.
 */
GStrv
client_legacy_grants_to_register (ClientApp *self)
{
  g_autoptr(GStrvBuilder) grants = g_strv_builder_new ();

  for (guint i = 0; self->config.grant_types[i]; i++)
    if (self->offered_grants == NULL
        || g_strv_contains ((const char *const *) self->offered_grants, self->config.grant_types[i]))
      g_strv_builder_add (grants, self->config.grant_types[i]);
  return g_strv_builder_end (grants);
}

/* What the server registered (RFC 7591 §3.2.1 echoes grant_types). */
void
client_legacy_take_registration (ClientApp *self,
                                 SimFields *answer)
{
  g_strfreev (self->registered_grants);
  self->registered_grants = sim_fields_get_type (answer, "grant_types") == SIM_FIELD_STRINGS
                            ? sim_fields_dup_strv (answer, "grant_types") : NULL;
}

/* The password grant: the app's own sign-in form. */
static void
sign_in_page (ClientApp  *self,
              SimMessage *message)
{
  g_autofree char *name = g_markup_escape_text (self->config.name, -1);
  g_autofree char *body = g_strdup_printf ("<p>Sign in to %s with your calendar account.</p>\n"
                                           "<form method=\"post\" action=\"/login\" data-app-sign-in>\n"
                                           "<p><label>Username <input name=\"username\"></label></p>\n"
                                           "<p><label>Password <input type=\"password\" name=\"password\"></label></p>\n"
                                           "<p><button name=\"decision\" value=\"approve\">Sign in</button></p>\n"
                                           "</form>", name);

  oauth_html_page (message, SOUP_STATUS_OK, "Sign in", body);
  sim_message_narrate (message, _("This app uses the password grant (RFC 6749 §4.3): instead of sending the owner to the authorization server, it shows a sign-in form of its own and asks for her username and password."));
}

static void
password_grant (ClientApp  *self,
                SimMessage *message)
{
  g_autoptr(SimParams) posted = sim_message_get_form (message, NULL);
  const char *username = posted ? sim_params_get (posted, "username") : NULL;
  const char *password = posted ? sim_params_get (posted, "password") : NULL;
  g_autoptr(SimParams) form = sim_params_new ();
  g_autoptr(SimMessage) token = NULL;

  if (!registered (self, "password") || username == NULL || password == NULL)
    {
      oauth_html_page (message, SOUP_STATUS_BAD_REQUEST, "Not signed in",
                       "<p class=\"error\">Enter your username and password.</p>");
      sim_message_narrate (message, _("The form holds no username and password for the password grant, so the app has nothing to send."));
      return;
    }
  /* What makes the lesson: the app has the password now, and nothing makes it forget it. */
  client_replace (&self->owner_password, password);
  sim_params_set (form, "grant_type", "password");
  sim_params_set (form, "username", username);
  sim_params_set (form, "password", password);
  sim_params_set (form, "scope", self->config.scope);
  token = client_post_form (self, "/token", g_steal_pointer (&form), SIM_PHASE_CODE_EXCHANGE);
  sim_message_narrate (token, _("The app sends the owner's username and password to the token endpoint, with its own credentials (RFC 6749 §4.3.2). There is no code and no consent page: the password is the grant."));
  sim_bus_deliver (self->world->bus, "client", token);
  if (client_take_tokens (self, token))
    {
      oauth_html_page (message, SOUP_STATUS_OK, "Calendar connected",
                       "<p>Your calendar is connected. <a href=\"/\">Back</a></p>");
      sim_message_narrate (message, _("The app holds an access token now, and it still holds the owner's password: it could sign in as her again at any time, for anything her account allows, and anything that leaks from the app leaks her password too (RFC 6749 §10.7)."));
      return;
    }
  oauth_html_page (message, SOUP_STATUS_BAD_GATEWAY, "Could not connect",
                   "<p class=\"error\">The authorization server refused the sign-in.</p>");
  sim_message_narrate (message, _("The token request failed, so the app has no token; it tells the owner so, and it still holds the password she typed."));
}

/* The implicit grant: the authorization request asks for the token itself. */
static void
implicit_request (ClientApp  *self,
                  SimMessage *message)
{
  g_autoptr(SimParams) params = sim_params_new ();
  g_autofree char *endpoint = client_server_url (self, "/authorize");
  g_autofree char *location = NULL;

  client_replace (&self->state, NULL);
  self->state = sim_rng_token (self->world->rng, "st_", 12);
  sim_world_hold (self->world, "client", "state", self->state);
  sim_params_set (params, "response_type", "token");
  sim_params_set (params, "client_id", self->client_id);
  sim_params_set (params, "redirect_uri", self->config.redirect_uri);
  sim_params_set (params, "scope", self->config.scope);
  sim_params_set (params, "state", self->state);
  location = oauth_append_query (endpoint, params);
  sim_message_set_redirect (message, location);
  sim_message_narrate (message, _("This app uses the implicit grant (RFC 6749 §4.2): it sends the browser to the authorization server with response_type=token, asking for the access token itself rather than a code, with a random state (§10.12). No PKCE: there will be no code to bind."));
}

/* The redirect URI without a query: the token is in the fragment, which never reached the
 * server; the page's script reads it and posts it back here. */
static void
fragment_page (ClientApp  *self,
               SimMessage *message,
               const char *callback_path)
{
  g_autofree char *action = g_markup_escape_text (callback_path, -1);
  g_autofree char *body = g_strdup_printf ("<form method=\"post\" action=\"%s\" data-from-fragment></form>\n"
                                           "<script>/* posts location.hash to this address */</script>", action);

  oauth_html_page (message, SOUP_STATUS_OK, "Connecting", body);
  sim_message_narrate (message, _("The request reaches the app's server without the fragment, so the server cannot see the token; it answers with a page whose script reads the fragment in the browser and posts it back (RFC 6749 §4.2.2)."));
}

static void
fragment_posted (ClientApp  *self,
                 SimMessage *message)
{
  g_autoptr(SimParams) posted = sim_message_get_form (message, NULL);
  const char *state = posted ? sim_params_get (posted, "state") : NULL;
  const char *token = posted ? sim_params_get (posted, "access_token") : NULL;
  const char *error = posted ? sim_params_get (posted, "error") : NULL;

  if (self->config.check_state && (state == NULL || g_strcmp0 (state, self->state) != 0))
    {
      oauth_html_page (message, SOUP_STATUS_BAD_REQUEST, "Request refused",
                       "<p class=\"error\">This response does not belong to a sign-in this application started.</p>");
      client_replace (&self->error, "state_mismatch");
      sim_message_narrate (message, _("The state in the fragment is not the one the app sent, so it refuses the answer (RFC 6749 §10.12)."));
      return;
    }
  g_clear_pointer (&self->state, g_free);
  if (error || token == NULL)
    {
      client_replace (&self->error, error ? error : "no_token");
      oauth_html_page (message, SOUP_STATUS_OK, "Not connected", "<p class=\"error\">Authorization failed.</p>");
      sim_message_narrate (message, _("The fragment carries an error instead of a token (RFC 6749 §4.2.2.1); the app gets no token."));
      return;
    }
  client_replace (&self->access_token, token);
  client_replace (&self->scope, sim_params_get (posted, "scope") ? sim_params_get (posted, "scope") : self->config.scope);
  g_clear_pointer (&self->error, g_free);
  oauth_html_page (message, SOUP_STATUS_OK, "Calendar connected",
                   "<p>Your calendar is connected. <a href=\"/\">Back</a></p>");
  sim_message_narrate (message, _("The app takes the access token. Nothing proves the server issued it to this app: with the implicit grant there is no client authentication and no code to redeem, so a token from anywhere would look the same (RFC 9700 §4.6). It has no refresh token either; when it expires, the owner must go through the browser again."));
}

/**
 * client_legacy_handle:
 * @callback_path: the path of the client's redirect URI
 *
 * Answers the requests of the legacy grants: /connect for a client that registered one,
 * POST /login (the password grant's form), and the redirect URI of the implicit grant.
 *
 * Returns: whether it answered @message; %FALSE leaves it to client.c.
 */
gboolean
client_legacy_handle (ClientApp  *self,
                      SimMessage *message,
                      const char *callback_path)
{
  const char *path = sim_message_get_path (message);
  gboolean get = strcmp (message->method, "GET") == 0, post = strcmp (message->method, "POST") == 0;
  gboolean implicit = registered (self, "implicit") && !registered (self, "password");
  g_autoptr(SimParams) query = NULL;

  if (get && strcmp (path, "/connect") == 0 && registered (self, "password"))
    sign_in_page (self, message);
  else if (get && strcmp (path, "/connect") == 0 && implicit)
    implicit_request (self, message);
  else if (post && strcmp (path, "/login") == 0 && registered (self, "password"))
    password_grant (self, message);
  else if (get && implicit && strcmp (path, callback_path) == 0
           && ((query = sim_message_get_query (message, NULL)) == NULL || sim_params_size (query) == 0))
    fragment_page (self, message, callback_path);
  else if (post && implicit && strcmp (path, callback_path) == 0)
    fragment_posted (self, message);
  else
    return FALSE;
  return TRUE;
}
