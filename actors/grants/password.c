/* password.c: the resource owner password credentials grant (RFC 6749 §4.3), offered only
 * where the no_password_grant defense is off (the rfc6749 profile). The owner types her
 * password into the client, which sends it here: the very thing OAuth was made to avoid, and
 * why RFC 9700 §2.4 says this grant must not be used. */
#include <inttypes.h>
#include <string.h>

#include "actors/grants/grants.h"

gboolean
grant_password_offered (AuthServer *self)
{
  return !self->config.defenses.no_password_grant;
}

void
grant_password (AuthServer *self,
                SimMessage *message,
                SimParams  *form,
                ClientAuth *auth)
{
  const char *username = sim_params_get (form, "username");
  const char *password = sim_params_get (form, "password");
  const char *requested = sim_params_get (form, "scope");
  const char *resource = NULL;
  g_autofree char *scope = NULL;
  g_autofree char *refresh_token = NULL;
  const char *access_token;
  Grant *grant;

  if (username == NULL || password == NULL)
    {
      token_error (message, "invalid_request", "username and password are required",
                   _("RFC 6749 §4.3.2: the password grant needs the owner's username and password."));
      return;
    }
  if (requested && (!oauth_scope_is_valid (requested) || oauth_scope_is_empty (requested)
                    || !oauth_scope_is_subset (requested, auth->client->scope)))
    {
      token_error (message, "invalid_scope", "the scope is malformed or exceeds what the client registered",
                   _("RFC 6749 §4.3.2 and §5.2: the client asks for a scope it did not register, or not a scope at all, so the server answers invalid_scope."));
      return;
    }
  if (!auth_server_check_password (self, username, password))
    {
      token_error (message, "invalid_grant", "the resource owner credentials are invalid",
                   _("RFC 6749 §5.2: the username or password is wrong, so the answer is invalid_grant. The server is the one that must stop password guessing here (§4.3.2), and it cannot tell the owner from whoever else types into this client."));
      return;
    }
  if (!read_resource (self, message, form, &resource))
    return;

  scope = oauth_scope_normalize (requested ? requested : auth->client->scope);
  grant = grant_new ();
  access_token = auth_server_issue_token (self, TOKEN_ACCESS, auth->client_id, username, scope,
                                          resource, grant);
  if (token_may_refresh (self, auth))
    refresh_token = g_strdup (auth_server_issue_token (self, TOKEN_REFRESH, auth->client_id, username,
                                                       scope, NULL, grant));
  answer_tokens (self, message, access_token, refresh_token, scope);
  grant_unref (grant);
  sim_message_narrate (message,
                       _("The password is right, so the server issues an access token for “%s”, valid %" PRId64 " s%s (RFC 6749 §4.3.3). It checked the owner's password, but it never saw the owner: no login page of its own, no consent screen. Whoever holds the password, the client included, can get tokens like these, for any scope the client registered (RFC 6749 §10.7, RFC 9700 §2.4)."),
                       scope, self->config.access_token_lifetime,
                       refresh_token ? _(", and a refresh token to renew it") : "");
}
