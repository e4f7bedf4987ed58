/* implicit.c: the implicit grant (RFC 6749 §4.2), offered only where the no_implicit_grant
 * defense is off (the rfc6749 profile). It never reaches the token endpoint: the authorization
 * endpoint answers response_type=token with the access token itself, in the fragment of the
 * redirect URI (§4.2.2), errors too (§4.2.2.1). So the token sits in the browser's address
 * bar and history, in reach of every script on the page, and no client authentication or
 * PKCE binds it to the client: why RFC 9700 §2.1.2 says clients should not use it. */
#include <inttypes.h>
#include <string.h>

#include "actors/grants/grants.h"

gboolean
grant_implicit_offered (AuthServer *self)
{
  return !self->config.defenses.no_implicit_grant;
}

/* @uri with @params as its fragment (RFC 6749 §4.2.2: application/x-www-form-urlencoded). */
static void
redirect_with_fragment (SimMessage *message,
                        const char *uri,
                        SimParams  *params)
{
  g_autofree char *encoded = sim_params_encode (params);
  const char *hash = strchr (uri, '#');
  g_autofree char *base = hash ? g_strndup (uri, hash - uri) : g_strdup (uri);
  g_autofree char *location = g_strconcat (base, "#", encoded, NULL);

  sim_message_set_redirect (message, location);
}

/* RFC 6749 §4.2.2.1: an error of the implicit grant goes back in the fragment, with the state. */
void
grant_implicit_redirect_error (AuthServer *self,
                               SimMessage *message,
                               const char *redirect_uri,
                               const char *error,
                               const char *description,
                               const char *state,
                               const char *narration)
{
  g_autoptr(SimParams) params = oauth_error_params (error, description, state,
                                                    self->config.defenses.iss_parameter ? self->config.issuer : NULL);

  redirect_with_fragment (message, redirect_uri, params);
  sim_message_narrate (message, "%s", narration);
}

/* The owner approved @scope: the access token goes straight into the redirect (§4.2.2), with
 * no refresh token (§4.2.2: the server MUST NOT issue one). */
void
grant_implicit_answer (AuthServer     *self,
                       SimMessage     *message,
                       PendingRequest *request,
                       const char     *username,
                       const char     *scope)
{
  g_autoptr(SimParams) params = sim_params_new ();
  g_autofree char *lifetime = g_strdup_printf ("%" PRId64, self->config.access_token_lifetime);
  Grant *grant = grant_new ();
  const char *token = auth_server_issue_token (self, TOKEN_ACCESS, request->client_id, username,
                                               scope, NULL, grant);

  grant_unref (grant);
  sim_params_set (params, "access_token", token);
  sim_params_set (params, "token_type", "Bearer");
  sim_params_set (params, "expires_in", lifetime);
  sim_params_set (params, "scope", scope);
  if (request->state)
    sim_params_set (params, "state", request->state);
  if (self->config.defenses.iss_parameter)
    sim_params_set (params, "iss", self->config.issuer);
  redirect_with_fragment (message, request->redirect_uri, params);
  sim_message_narrate (message,
                       _("The credentials check out, and the owner approved “%s”. The implicit grant has no code and no token request: the server puts the access token itself, valid %" PRId64 " s, in the fragment of the redirect URI (RFC 6749 §4.2.2). No client secret and no PKCE verifier were asked for, and no refresh token comes with it. The token is now in the browser's address, and so in its history (RFC 9700 §4.3.2)."),
                       scope, self->config.access_token_lifetime);
}
