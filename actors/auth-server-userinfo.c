/* auth-server-userinfo.c: the UserInfo endpoint, GET or POST /userinfo (OpenID Connect Core
 * §5.3), a protected resource of the authorization server itself.
 *
 * It takes an access token in the Authorization header (RFC 6750 §2.1), as the API does, and
 * answers with the claims about the signed-in owner that the token's scopes release (§5.4):
 * always sub; name with profile; email and email_verified with email. A token without the
 * openid scope was never meant for it (§5.3.3, RFC 6750 §3.1: insufficient_scope).
 */
#include <string.h>

#include "actors/auth-server-private.h"

#define REALM "userinfo"

/* RFC 6750 §3 and OpenID Connect Core §5.3.3: the error goes in the WWW-Authenticate header. */
static void
userinfo_error (SimMessage *message,
                guint       status,
                const char *error,
                const char *description,
                const char *narration)
{
  oauth_bearer_error (message, REALM, status, error, description,
                      g_strcmp0 (error, "insufficient_scope") == 0 ? "openid" : NULL);
  sim_message_narrate (message, "%s", narration);
}

/* The token from "Authorization: Bearer TOKEN"; NULL when there is none, or another scheme. */
static const char *
bearer_token (SimMessage *message)
{
  const char *header = sim_headers_get_one (message->request_headers, "Authorization");

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0 || header[7] == '\0'
      || strchr (header + 7, ' '))
    return NULL;
  return header + 7;
}

void
auth_server_userinfo (AuthServer *self,
                      SimMessage *message)
{
  const char *value = bearer_token (message);
  g_autoptr(SimFields) answer = NULL;
  const UserClaims *claims;
  Token *token;

  if (value == NULL)
    {
      userinfo_error (message, SOUP_STATUS_UNAUTHORIZED, NULL, NULL,
                      _("OpenID Connect Core §5.3.1: the UserInfo endpoint needs an access token, sent as “Authorization: Bearer”; none came, so the server answers 401 with a bare challenge (RFC 6750 §3.1)."));
      return;
    }
  token = auth_server_find_live_token (self, value);
  if (token == NULL || token->kind != TOKEN_ACCESS)
    {
      userinfo_error (message, SOUP_STATUS_UNAUTHORIZED, "invalid_token",
                      "the access token is expired, revoked or unknown",
                      _("OpenID Connect Core §5.3.3: the server holds no live access token with this value (expired, revoked, never issued, or a refresh token), so it answers 401 with error=\"invalid_token\" (RFC 6750 §3.1)."));
      return;
    }
  if (!oauth_scope_contains (token->scope, "openid"))
    {
      userinfo_error (message, SOUP_STATUS_FORBIDDEN, "insufficient_scope",
                      "the access token was not issued with the openid scope",
                      _("OpenID Connect Core §5.3: the token is valid, but it was issued without the openid scope: it grants access to an API, not knowledge of who signed in. The server answers 403 insufficient_scope (RFC 6750 §3.1)."));
      return;
    }

  claims = auth_server_user_claims (self, token->subject);
  answer = sim_fields_new ();
  sim_fields_add_string (answer, "sub", token->subject);
  if (claims && claims->name && oauth_scope_contains (token->scope, "profile"))
    sim_fields_add_string (answer, "name", claims->name);
  if (claims && claims->email && oauth_scope_contains (token->scope, "email"))
    {
      sim_fields_add_string (answer, "email", claims->email);
      /* Nobody ever proved the address here: a client must not take it as an identity. */
      sim_fields_add_boolean (answer, "email_verified", FALSE);
    }
  sim_message_set_response_fields (message, SOUP_STATUS_OK, answer);
  oauth_no_store (message);
  sim_message_narrate (message,
                       _("OpenID Connect Core §5.3.2: the token is live and carries openid, so the server answers with claims about the owner it was issued for: her subject identifier sub, and only the claims the token's scopes “%s” release (§5.4). It does not say which client the token was issued to: a client that signs people in from this answer trusts whoever handed it the token."),
                       token->scope);
}
