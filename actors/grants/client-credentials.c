/* client-credentials.c: the client credentials grant (RFC 6749 §4.4), for a client that acts
 * on its own behalf, a machine such as a backup service, and reads no owner's data.
 *
 * Only a confidential client may use it (§4.4; the table's last column, checked by the token
 * endpoint and by registration); the scope is what it asks for within what it registered
 * (§3.3), its registered scope when it asks for none; the token has no owner (Token.subject
 * NULL), and no refresh token comes with it (§4.4.3): the client can always ask again.
 */
#include <inttypes.h>

#include "actors/grants/grants.h"

void
grant_client_credentials (AuthServer *self,
                          SimMessage *message,
                          SimParams  *form,
                          ClientAuth *auth)
{
  const char *requested = sim_params_get (form, "scope");
  const char *resource = NULL;
  g_autofree char *scope = NULL;
  Grant *grant;
  const char *access_token;

  if (requested && (!oauth_scope_is_valid (requested)
                    || !oauth_scope_is_subset (requested, auth->client->scope)))
    {
      g_autofree char *why = g_strdup_printf (_("RFC 6749 §4.4.2 and §3.3: a client acting for itself may ask only for scopes it registered for (“%s”); this request asks for more, so it is invalid_scope. No owner is there to approve anything else."),
                                              auth->client->scope);
      token_error (message, "invalid_scope", "scope exceeds the scope the client registered for", why);
      return;
    }
  if (!read_resource (self, message, form, &resource))
    return;
  scope = requested && !oauth_scope_is_empty (requested) ? oauth_scope_normalize (requested)
                                                         : g_strdup (auth->client->scope);

  grant = grant_new ();
  access_token = auth_server_issue_token (self, TOKEN_ACCESS, auth->client_id, NULL, scope,
                                          resource, grant);
  grant_unref (grant);
  answer_tokens (self, message, access_token, NULL, scope);
  sim_message_narrate (message,
                       _("The client proved who it is with its own secret, and that is all this grant needs (RFC 6749 §4.4.2): the server issues an access token with the scope “%s”, valid %" PRId64 " s, that acts for no owner. No refresh token comes with it (§4.4.3): the client can ask again with its credentials whenever it needs to."),
                       scope, self->config.access_token_lifetime);
  if (requested == NULL || oauth_scope_is_empty (requested))
    sim_message_narrate (message, _("It named no scope, so it gets the scope it registered for (RFC 6749 §3.3)."));
}
