/* auth-server-token.c: the token endpoint, POST /token (RFC 6749 §3.2, §5), and what its
 * grants share.
 *
 * Order of checks: a readable form, then who the client is (§3.2.1), then the grant type: one
 * the server offers (else unsupported_grant_type) and the client registered (else
 * unauthorized_client, §5.2), then the grant itself, in its own file under actors/grants/.
 */
#include <string.h>

#include "actors/grants/grants.h"

void
token_error (SimMessage *message,
             const char *error,
             const char *description,
             const char *narration)
{
  oauth_json_error (message, SOUP_STATUS_BAD_REQUEST, error, description);
  sim_message_narrate (message, "%s", narration);
}

/* RFC 8707 §2: the resource the client wants its access token for. Only a server that
 * restricts audiences reads it; another ignores it (RFC 6749 §3.2). FALSE after answering
 * invalid_target. */
gboolean
read_resource (AuthServer  *self,
               SimMessage  *message,
               SimParams   *form,
               const char **resource)
{
  const char *value = sim_params_get (form, "resource");
  g_autoptr(GUri) uri = NULL;

  *resource = NULL;
  if (value == NULL || !self->config.defenses.audience_restriction)
    return TRUE;
  uri = g_uri_parse (value, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_fragment (uri) || strchr (value, '#'))
    {
      token_error (message, "invalid_target", "resource must be an absolute URI without a fragment",
                   _("RFC 8707 §2: the resource parameter must be an absolute URI without a fragment; this one is not, so the server answers invalid_target."));
      return FALSE;
    }
  *resource = value;
  return TRUE;
}

void
answer_tokens (AuthServer *self,
               SimMessage *message,
               const char *access_token,
               const char *refresh_token,
               const char *scope)
{
  answer_tokens_with_id_token (self, message, access_token, refresh_token, scope, NULL);
}

/* @id_token: (nullable): OpenID Connect Core §3.1.3.3: with scope openid, the answer carries
 *   an ID token besides the OAuth tokens */
void
answer_tokens_with_id_token (AuthServer *self,
                             SimMessage *message,
                             const char *access_token,
                             const char *refresh_token,
                             const char *scope,
                             const char *id_token)
{
  g_autoptr(SimFields) answer = sim_fields_new ();

  sim_fields_add_string (answer, "access_token", access_token);
  /* RFC 9449 §5: a token bound to the proof's key is of type DPoP. */
  sim_fields_add_string (answer, "token_type", self->dpop_jkt ? "DPoP" : "Bearer");
  sim_fields_add_int (answer, "expires_in", self->config.access_token_lifetime);
  if (refresh_token)
    sim_fields_add_string (answer, "refresh_token", refresh_token);
  sim_fields_add_string (answer, "scope", scope);
  if (id_token)
    sim_fields_add_string (answer, "id_token", id_token);
  sim_message_set_response_fields (message, SOUP_STATUS_OK, answer);
  oauth_no_store (message);
  if (self->config.jwt_access_tokens)
    sim_message_narrate (message, _("RFC 9068 §2: this server's access tokens are JWTs (typ “at+jwt”) it signs with its key: anyone can read who the token is for (aud), whose it is (sub), until when (exp) and its scope, and an API holding the server's public key can check it without asking the server."));
}

/* Whether the token response also carries a refresh token: the client registered the
 * refresh_token grant (RFC 7591 §2) and this server offers it (RFC 6749 §1.5). */
gboolean
token_may_refresh (AuthServer *self,
                   ClientAuth *auth)
{
  return auth_server_find_grant (self, "refresh_token") != NULL
         && registered_client_has_grant (auth->client, "refresh_token");
}

void
auth_server_token (AuthServer *self,
                   SimMessage *message)
{
  g_autoptr(SimParams) form = auth_server_read_form (self, message, TRUE);
  g_auto(ClientAuth) auth = { 0 };
  const GrantType *grant;
  const char *grant_type;

  if (form == NULL)
    return;
  if (!auth_server_authenticate_client (self, message, form, FALSE, &auth))
    return;

  grant_type = sim_params_get (form, "grant_type");
  if (grant_type == NULL)
    {
      token_error (message, "invalid_request", "grant_type is required",
                   _("RFC 6749 §4.1.3: grant_type is required."));
      return;
    }
  grant = auth_server_find_grant (self, grant_type);
  if (grant == NULL || grant->handle == NULL)
    {
      g_autofree char *offered = auth_server_list_grants (self, TRUE);
      g_autofree char *why = g_strdup_printf (_("RFC 6749 §5.2: this server supports the %s grants only; anything else is unsupported_grant_type."),
                                              offered);
      token_error (message, "unsupported_grant_type", "grant type not supported", why);
      return;
    }
  if (grant->confidential_only && auth.client->client_secret == NULL)
    {
      g_autofree char *description = g_strdup_printf ("the %s grant is for confidential clients only", grant->name);
      g_autofree char *why = g_strdup_printf (_("RFC 6749 §4.4: the %s grant is only for confidential clients; this public client proved nothing but its client_id, which anyone may send, so it is unauthorized_client (§5.2)."),
                                              grant->name);
      token_error (message, "unauthorized_client", description, why);
      return;
    }
  if (!registered_client_has_grant (auth.client, grant->name))
    {
      g_autofree char *description = g_strdup_printf ("this client may not use the %s grant", grant->name);
      g_autofree char *why = g_strdup_printf (_("RFC 6749 §5.2: the client did not register the %s grant type, so it is unauthorized_client for it."),
                                              grant->name);
      token_error (message, "unauthorized_client", description, why);
      return;
    }
  if (!auth_server_dpop_token_request (self, message, &auth))
    return;
  grant->handle (self, message, form, &auth);
  g_clear_pointer (&self->dpop_jkt, g_free);
}
