/* auth-server-revoke.c: token revocation, POST /revoke (RFC 7009).
 *
 * The client tells the server it no longer needs a token. Revoking a refresh token revokes the
 * access tokens of the same grant (§2.1); an unknown token still gets 200 (§2.2), so that the
 * answer tells an attacker nothing.
 */
#include <string.h>

#include "actors/auth-server-private.h"

void
auth_server_revoke (AuthServer *self,
                    SimMessage *message)
{
  g_autoptr(SimParams) form = auth_server_read_form (self, message, FALSE);
  g_auto(ClientAuth) auth = { 0 };
  const char *value, *hint;
  Token *token;

  if (form == NULL)
    return;
  if (!auth_server_authenticate_client (self, message, form, FALSE, &auth))
    return;
  value = sim_params_get (form, "token");
  if (value == NULL)
    {
      oauth_json_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_request", "token is required");
      sim_message_narrate (message, _("RFC 7009 §2.1: the token parameter is required."));
      return;
    }
  /* The hint only speeds up the search (§2.1): this server looks the token up by its value
   * alone, so an unknown hint is ignored. unsupported_token_type (§2.2.1) is for a kind of
   * token the server cannot revoke, and it can revoke both kinds it issues. */
  hint = sim_params_get (form, "token_type_hint");
  if (hint && strcmp (hint, "access_token") != 0 && strcmp (hint, "refresh_token") != 0)
    sim_message_narrate (message, _("RFC 7009 §2.1: token_type_hint “%s” is not one the server knows; a hint is only a hint, so the server ignores it and looks the token up by its value."),
                         hint);

  token = g_hash_table_lookup (self->tokens, value);
  if (token && strcmp (token->client_id, auth.client_id) != 0)
    {
      oauth_json_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        "the token was not issued to this client");
      sim_message_narrate (message, _("RFC 7009 §2.1: a client may revoke only its own tokens; this one was issued to another client, so the request is refused."));
      return;
    }

  sim_message_set_response (message, SOUP_STATUS_OK, NULL, NULL);
  oauth_no_store (message);
  if (token == NULL)
    {
      sim_message_narrate (message, _("The server knows no such token. RFC 7009 §2.2: it still answers 200, because the token is invalid either way and the answer must not help anyone probe for tokens."));
      return;
    }
  if (token->kind == TOKEN_REFRESH)
    {
      token->grant->revoked = TRUE;
      sim_message_narrate (message, _("The server revokes the refresh token and, with it, every access token of the same grant (RFC 7009 §2.1). They are refused from now on."));
    }
  else
    {
      token->revoked = TRUE;
      sim_message_narrate (message, _("The server revokes the access token and answers 200 (RFC 7009 §2.2). The API will be told it is inactive from now on."));
    }
}
