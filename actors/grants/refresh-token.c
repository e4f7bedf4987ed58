/* refresh-token.c: the refresh token grant (RFC 6749 §6). A refresh token is bound to its
 * client, may narrow the scope but never widen it, and rotates; a spent one presented again
 * revokes the whole grant (RFC 9700 §4.14.2).
 */
#include <string.h>

#include "actors/grants/grants.h"

void
grant_refresh_token (AuthServer *self,
                     SimMessage *message,
                     SimParams  *form,
                     ClientAuth *auth)
{
  const char *value = sim_params_get (form, "refresh_token");
  const char *requested = sim_params_get (form, "scope");
  g_autofree char *scope = NULL;
  const char *access_token, *refresh_token;
  const char *resource = NULL;
  Token *token;

  if (value == NULL)
    {
      token_error (message, "invalid_request", "refresh_token is required",
                   _("RFC 6749 §6: the refresh_token parameter is required."));
      return;
    }
  token = g_hash_table_lookup (self->tokens, value);
  if (token == NULL || token->kind != TOKEN_REFRESH)
    {
      token_error (message, "invalid_grant", "refresh token is invalid",
                   _("RFC 6749 §5.2: the server holds no refresh token with this value (it never issued one, or it expired and was forgotten), so the answer is invalid_grant."));
      return;
    }
  if (strcmp (token->client_id, auth->client_id) != 0)
    {
      token_error (message, "invalid_grant", "refresh token was issued to another client",
                   _("RFC 6749 §6: a refresh token is bound to the client it was issued to; this one belongs to another client, so the server answers invalid_grant."));
      return;
    }
  if (token->rotated && !token->grant->revoked)
    {
      token->grant->revoked = TRUE;
      token_error (message, "invalid_grant", "refresh token was already used",
                   _("RFC 9700 §4.14.2: this refresh token was already exchanged for a new one. Someone is replaying it (perhaps it was stolen), and the server cannot tell thief from client, so it revokes the whole grant: every token from this authorization stops working."));
      return;
    }
  if (token->revoked || token->grant->revoked || sim_clock_now (self->world->clock) >= token->expires_at)
    {
      token_error (message, "invalid_grant", "refresh token is expired or revoked",
                   _("RFC 6749 §5.2: this refresh token was revoked or has expired, so the answer is invalid_grant; the owner must authorize again."));
      return;
    }
  if (!auth_server_dpop_check_refresh (self, message, token))
    return;
  if (requested && (!oauth_scope_is_valid (requested) || !oauth_scope_is_subset (requested, token->scope)))
    {
      token_error (message, "invalid_scope", "scope exceeds the scope originally granted",
                   _("RFC 6749 §6: a refresh may narrow the scope but never widen it beyond what the owner approved; this request asks for more, so it is invalid_scope."));
      return;
    }
  if (!read_resource (self, message, form, &resource))
    return;
  scope = requested && !oauth_scope_is_empty (requested) ? oauth_scope_normalize (requested)
                                                         : g_strdup (token->scope);

  access_token = auth_server_issue_token (self, TOKEN_ACCESS, token->client_id, token->subject,
                                          scope, resource, token->grant);
  /* RFC 9700 §2.2.2: a public client's refresh tokens must rotate (they are not
   * sender-constrained here), whatever the server does for confidential ones; with the
   * refresh_rotation defense off, nobody's do. */
  if (self->config.defenses.refresh_rotation
      && (self->config.rotate_refresh_tokens || auth->client->client_secret == NULL))
    {
      token->rotated = TRUE;
      refresh_token = auth_server_issue_token (self, TOKEN_REFRESH, token->client_id,
                                               token->subject, token->scope, NULL, token->grant);
      answer_tokens (self, message, access_token, refresh_token, scope);
      if (self->config.rotate_refresh_tokens)
        sim_message_narrate (message,
                             _("The refresh token is valid, so the server issues a new access token without asking the owner again (RFC 6749 §6). It also rotates the refresh token: the old one is spent, and if anyone presents it again the server will know it was stolen (RFC 9700 §4.14.2)."));
      else
        sim_message_narrate (message,
                             _("The refresh token is valid, so the server issues a new access token without asking the owner again (RFC 6749 §6). This server does not rotate refresh tokens for confidential clients, but this is a public client: anyone who steals its refresh token can use it, so RFC 9700 §2.2.2 requires rotation, and the old refresh token is now spent (§4.14.2)."));
    }
  else
    {
      answer_tokens (self, message, access_token, NULL, scope);
      sim_message_narrate (message,
                           _("The refresh token is valid, so the server issues a new access token without asking the owner again (RFC 6749 §6). The client keeps using the same refresh token."));
      if (!self->config.defenses.refresh_rotation)
        sim_message_narrate (message,
                             _("This server does not rotate refresh tokens (refresh_rotation is off), so it cannot notice when a stolen one is used alongside the client's (RFC 9700 §4.14.2)."));
    }
  if (resource)
    sim_message_narrate (message,
                         _("The new access token carries %s as its audience (RFC 8707 §2.2): any other API will refuse it."),
                         resource);
  if (strcmp (scope, token->scope) != 0)
    sim_message_narrate (message,
                         _("The client asked for less than the grant: the new access token carries only “%s”, while the refresh token keeps the whole grant, “%s”."),
                         scope, token->scope);
}
