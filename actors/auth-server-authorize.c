/* auth-server-authorize.c: the authorization endpoint, GET /authorize (RFC 6749 §3.1, §4.1.1).
 *
 * The order of the checks is the lesson: until the server knows the client and trusts the
 * redirect URI it must not redirect anywhere (an error page for the owner, §4.1.2.1, RFC 9700
 * §4.11); after that, every error goes back to the client's redirect URI with the state.
 */
#include <string.h>

#include "actors/grants/grants.h"

#define PENDING_LIFETIME 600

static void
error_page (AuthServer *self,
            SimMessage *message,
            const char *what)
{
  g_autofree char *escaped = g_markup_escape_text (what, -1);
  g_autofree char *body = g_strdup_printf ("<p class=\"error\">%s</p>"
                                           "<p>The application that sent you here is not set up correctly. You can close this page.</p>",
                                           escaped);
  oauth_html_page_with (message, SOUP_STATUS_BAD_REQUEST, "Authorization error", body,
                        auth_server_page_flags (self), NULL);
}

static void
redirect_error (AuthServer *self,
                SimMessage *message,
                const char *redirect_uri,
                const char *error,
                const char *description,
                const char *state,
                const char *narration)
{
  /* RFC 9207 §2: the issuer goes with error responses too. */
  oauth_redirect_error (message, redirect_uri, error, description, state,
                        self->config.defenses.iss_parameter ? self->config.issuer : NULL);
  sim_message_narrate (message, "%s", narration);
}

/* RFC 9700 §2.1: the redirect URI must match a registered one exactly, character for
 * character, except for the port of a loopback one (RFC 8252 §7.3); RFC 6749 §3.1.2.3 lets a
 * client with a single registered URI omit it. With the exact_redirect_uri defense off, the
 * server does what RFC 9700 §4.1 warns of: it accepts any URI that starts with a registered one. */
static const char *
choose_redirect_uri (AuthServer       *self,
                     RegisteredClient *client,
                     const char       *given,
                     gboolean         *other_port,
                     gboolean         *by_prefix)
{
  *other_port = FALSE;
  *by_prefix = FALSE;
  if (given == NULL)
    return client->redirect_uris->len == 1 ? client->redirect_uris->pdata[0] : NULL;
  for (guint i = 0; i < client->redirect_uris->len; i++)
    if (strcmp (client->redirect_uris->pdata[i], given) == 0)
      return client->redirect_uris->pdata[i];
  for (guint i = 0; i < client->redirect_uris->len; i++)
    if (oauth_loopback_uri_matches (client->redirect_uris->pdata[i], given))
      {
        *other_port = TRUE;
        return given;
      }
  if (self->config.defenses.exact_redirect_uri)
    return NULL;
  for (guint i = 0; i < client->redirect_uris->len; i++)
    if (g_str_has_prefix (given, client->redirect_uris->pdata[i]))
      {
        *by_prefix = TRUE;
        return given;
      }
  return NULL;
}

static gboolean
check_pkce (AuthServer       *self,
            RegisteredClient *client,
            SimParams        *query,
            const char      **description,
            const char      **narration)
{
  const char *challenge = sim_params_get (query, "code_challenge");
  const char *method = sim_params_get (query, "code_challenge_method");

  /* A server without PKCE (the pkce defense off) does not know these parameters and ignores
   * them (RFC 6749 §3.1), so it requires nothing. */
  if (!self->config.defenses.pkce)
    return TRUE;
  if (challenge == NULL)
    {
      if (method != NULL)
        {
          *description = "code_challenge_method without code_challenge";
          *narration = _("RFC 7636 §4.3: a code_challenge_method was sent without a code_challenge.");
          return FALSE;
        }
      if (client->client_secret == NULL && self->config.pkce_for_public_clients)
        {
          *description = "PKCE code_challenge required for public clients";
          *narration = _("RFC 7636 §4.4.1 and RFC 9700 §2.1.1: a public client has no secret, so PKCE is its only proof at the token endpoint; without a code_challenge the server refuses with invalid_request.");
          return FALSE;
        }
      if (self->config.require_pkce)
        {
          *description = "PKCE code_challenge required";
          *narration = _("RFC 9700 §2.1.1: this server requires PKCE from every client; the request has no code_challenge, so it is invalid_request.");
          return FALSE;
        }
      return TRUE;
    }
  if (method == NULL)
    method = "plain"; /* RFC 7636 §4.3 default */
  if (strcmp (method, "S256") != 0 && !(strcmp (method, "plain") == 0 && self->config.allow_plain_pkce))
    {
      *description = "transform algorithm not supported";
      *narration = _("RFC 7636 §4.4.1: the server supports only the S256 code_challenge_method (RFC 9700 §2.1.1: plain offers no protection if the request is seen), so it refuses with invalid_request.");
      return FALSE;
    }
  if (!oauth_pkce_is_valid_value (challenge))
    {
      *description = "code_challenge must be 43 to 128 unreserved characters";
      *narration = _("RFC 7636 §4.2: a code_challenge is 43 to 128 characters from the unreserved set; this one is not.");
      return FALSE;
    }
  return TRUE;
}

void
auth_server_authorize (AuthServer *self,
                       SimMessage *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SimParams) query = sim_message_get_query (message, &error);
  const char *client_id, *redirect_uri, *state, *response_type, *scope;
  const char *description = NULL, *narration = NULL;
  const char *repeated;
  gboolean other_port = FALSE, by_prefix = FALSE, implicit;
  g_autofree char *granted_scope = NULL;
  RegisteredClient *client;
  PendingRequest *pending;

  if (query == NULL)
    {
      error_page (self, message, "The authorization request is malformed.");
      sim_message_narrate (message, _("RFC 6749 §4.1.2.1: the request cannot even be read, so the server shows an error page instead of redirecting."));
      return;
    }
  query = auth_server_drop_empty (message, g_steal_pointer (&query), "3.1");
  repeated = sim_params_repeated_name (query);
  client_id = sim_params_get (query, "client_id");
  redirect_uri = sim_params_get (query, "redirect_uri");

  if (repeated && (strcmp (repeated, "client_id") == 0 || strcmp (repeated, "redirect_uri") == 0))
    {
      error_page (self, message, "The authorization request repeats a parameter.");
      sim_message_narrate (message, _("RFC 6749 §3.1: '%s' appears twice, so the server cannot tell which client or redirect URI is meant; it shows an error page and redirects nowhere."), repeated);
      return;
    }
  if (client_id == NULL || (client = g_hash_table_lookup (self->clients, client_id)) == NULL)
    {
      error_page (self, message, "Unknown application (client_id).");
      sim_message_narrate (message, _("RFC 6749 §4.1.2.1: the client_id is missing or unknown, so the server cannot trust any redirect URI; it tells the owner on an error page and never redirects."));
      return;
    }
  redirect_uri = choose_redirect_uri (self, client, redirect_uri, &other_port, &by_prefix);
  if (redirect_uri == NULL)
    {
      error_page (self, message, "The redirect URI does not match the one registered for this application.");
      sim_message_narrate (message, _("RFC 6749 §3.1.2.4 and RFC 9700 §4.1: the redirect URI is not exactly one that the client registered. Redirecting there could hand the code to an attacker, so the server shows an error page instead."));
      return;
    }
  if (other_port)
    sim_message_narrate (message, _("RFC 8252 §7.3: the redirect URI is a registered loopback one with another port. A native app listens on whatever port its system gives it, so the server must accept any port there, and nothing else may differ (RFC 9700 §2.1)."));
  if (by_prefix)
    sim_message_narrate (message, _("The redirect URI is not one the client registered, but it starts with one, and this server matches by prefix (exact_redirect_uri is off). RFC 9700 §4.1: whoever controls where that longer URI leads will receive the code."));

  state = sim_params_get (query, "state");
  if (repeated)
    {
      g_autofree char *what = g_strdup_printf ("parameter '%s' is repeated", repeated);
      g_autofree char *why = g_strdup_printf (_("RFC 6749 §3.1: request parameters must not be included more than once; '%s' is, so the server answers invalid_request at the client's redirect URI."), repeated);
      redirect_error (self, message, redirect_uri, "invalid_request", what, state, why);
      return;
    }

  response_type = sim_params_get (query, "response_type");
  if (response_type == NULL)
    {
      redirect_error (self, message, redirect_uri, "invalid_request", "response_type is required", state,
                      _("RFC 6749 §4.1.1: response_type is required; the server answers invalid_request at the client's redirect URI."));
      return;
    }
  implicit = strcmp (response_type, "token") == 0 && grant_implicit_offered (self);
  if (strcmp (response_type, "code") != 0 && !implicit)
    {
      redirect_error (self, message, redirect_uri, "unsupported_response_type",
                      "only response_type=code is supported", state,
                      _("RFC 6749 §4.1.2.1: this server issues authorization codes only (the implicit flow is deprecated by RFC 9700 §2.1.2), so it answers unsupported_response_type."));
      return;
    }

  if (implicit && !registered_client_has_grant (client, "implicit"))
    {
      grant_implicit_redirect_error (self, message, redirect_uri, "unauthorized_client",
                                     "this client may not use the implicit grant", state,
                                     _("RFC 6749 §4.2.2.1: the client did not register the implicit grant, so it is unauthorized_client; like every answer of that grant, the error goes back in the fragment."));
      return;
    }

  scope = sim_params_get (query, "scope");
  if (scope && (!oauth_scope_is_valid (scope) || oauth_scope_is_empty (scope)))
    {
      (implicit ? grant_implicit_redirect_error : redirect_error)
        (self, message, redirect_uri, "invalid_scope", "the scope is malformed", state,
         _("RFC 6749 §3.3: the scope is not a list of scope tokens, so the server answers invalid_scope."));
      return;
    }
  if (scope && !oauth_scope_is_subset (scope, client->scope))
    {
      (implicit ? grant_implicit_redirect_error : redirect_error)
        (self, message, redirect_uri, "invalid_scope", "the scope exceeds what the client registered", state,
         _("RFC 6749 §4.1.2.1: the client asks for a scope it did not register, so the server answers invalid_scope."));
      return;
    }
  granted_scope = oauth_scope_normalize (scope ? scope : client->scope);
  if (scope == NULL)
    sim_message_narrate (message, _("RFC 6749 §3.3: the request names no scope, so the server uses a default: the scope the client registered, “%s”."),
                         granted_scope);

  /* PKCE binds a code; the implicit grant issues none. */
  if (!implicit && !check_pkce (self, client, query, &description, &narration))
    {
      redirect_error (self, message, redirect_uri, "invalid_request", description, state, narration);
      return;
    }

  pending = g_new0 (PendingRequest, 1);
  pending->id = sim_rng_token (self->world->rng, "rq_", 12);
  pending->client_id = g_strdup (client_id);
  pending->redirect_uri = g_strdup (redirect_uri);
  pending->redirect_uri_given = sim_params_get (query, "redirect_uri") != NULL;
  pending->redirect_uri_by_prefix = by_prefix;
  pending->implicit = implicit;
  pending->scope = g_steal_pointer (&granted_scope);
  pending->state = g_strdup (state);
  if (self->config.defenses.pkce && !implicit)
    pending->code_challenge = g_strdup (sim_params_get (query, "code_challenge"));
  if (pending->code_challenge)
    pending->code_challenge_method = g_strdup (sim_params_get (query, "code_challenge_method")
                                               ? sim_params_get (query, "code_challenge_method") : "plain");
  /* OpenID Connect Core §3.1.2.1: with scope openid the request is also a sign-in, and the
   * nonce goes into the ID token unchanged; without it, a nonce means nothing here. */
  if (oauth_scope_contains (pending->scope, "openid"))
    pending->nonce = g_strdup (sim_params_get (query, "nonce"));
  pending->expires_at = sim_clock_now (self->world->clock) + PENDING_LIFETIME;
  auth_server_remember (self, self->pending, pending->id, pending, pending->expires_at);
  if (state == NULL)
    sim_message_narrate (message, _("RFC 6749 §4.1.1: the request carries no state. The server does not require one: the state protects the client, which must check it (§10.12), so the server will simply send none back."));
  if (g_strcmp0 (pending->code_challenge_method, "plain") == 0)
    sim_message_narrate (message, _("RFC 7636 §4.2: with code_challenge_method plain, the challenge is the verifier itself, in the URL for anyone who sees it. This server is configured to allow it, although RFC 9700 §2.1.1 recommends S256."));

  if (pending->nonce)
    sim_message_narrate (message, _("OpenID Connect Core §3.1.2.1: the scope includes openid, so this is also a sign-in request. The server keeps the nonce with the request, to return it, unchanged, inside the ID token."));
  else if (oauth_scope_contains (pending->scope, "openid"))
    sim_message_narrate (message, _("OpenID Connect Core §3.1.2.1: the scope includes openid, so this is also a sign-in request; it carries no nonce, which the code flow allows, so the ID token will carry none either."));

  auth_server_show_login (self, message, pending, NULL);
  if (implicit)
    sim_message_narrate (message, _("The request asks for response_type=token: the implicit grant of RFC 6749 §4.2, which this server still offers (no_implicit_grant is off). Its answer will be no code but the access token itself."));
  if (!pending->redirect_uri_given)
    sim_message_narrate (message,
                         _("The server knows this client. The request names no redirect URI, so the server will answer at the only one the client registered (RFC 6749 §3.1.2.3). It now shows the owner its own login page and asks which scopes to allow. The password is typed here, at the server: the client never sees it."));
  else if (other_port)
    sim_message_narrate (message,
                         _("The server knows this client and accepts its loopback redirect URI. It now shows the owner its own login page and asks which scopes to allow. The password is typed here, at the server: the client never sees it."));
  else if (by_prefix)
    sim_message_narrate (message,
                         _("The server knows this client and lets the longer redirect URI through. It now shows the owner its own login page, with the client's real name on it: nothing on the page tells her where the code will go."));
  else
    sim_message_narrate (message,
                         _("The server knows this client and its redirect URI matches the registered one exactly. It now shows the owner its own login page and asks which scopes to allow. The password is typed here, at the server: the client never sees it."));
}
