/* auth-server-token.c: the token endpoint, POST /token (RFC 6749 §3.2, §4.1.3, §5, §6).
 *
 * Order of checks: a readable form, then who the client is (§3.2.1), then the grant type, then
 * the grant itself. Codes are single use and bound to the client, the redirect URI and the PKCE
 * challenge; refresh tokens are bound to the client and rotate, and a replayed one revokes the
 * whole grant (RFC 9700 §4.14.2).
 */
#include <inttypes.h>
#include <string.h>

#include "actors/auth-server-private.h"

static void
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
static gboolean
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

static void
answer_tokens (AuthServer *self,
               SimMessage *message,
               const char *access_token,
               const char *refresh_token,
               const char *scope)
{
  g_autoptr(SimFields) answer = sim_fields_new ();

  sim_fields_add_string (answer, "access_token", access_token);
  sim_fields_add_string (answer, "token_type", "Bearer");
  sim_fields_add_int (answer, "expires_in", self->config.access_token_lifetime);
  if (refresh_token)
    sim_fields_add_string (answer, "refresh_token", refresh_token);
  sim_fields_add_string (answer, "scope", scope);
  sim_message_set_response_fields (message, SOUP_STATUS_OK, answer);
  oauth_no_store (message);
}

/* RFC 6749 §4.1.2 and §10.5: a code presented twice is an attack or a bug; either way every
 * token it bought is revoked. */
static void
code_replayed (SimMessage *message,
               AuthCode   *code)
{
  code->grant->revoked = TRUE;
  token_error (message, "invalid_grant", "authorization code already used",
               _("RFC 6749 §4.1.2: this code was already used, so the server refuses it and revokes the tokens it bought (§10.5): whoever holds them, they stop working now."));
}

static gboolean
check_verifier (AuthServer  *self,
                SimMessage  *message,
                AuthCode    *code,
                const char  *verifier,
                const char **error,
                const char **description,
                const char **narration)
{
  /* A server without PKCE (the pkce defense off) ignores a parameter it does not know, as
   * RFC 6749 §3.2 lets it; its codes were never bound to a challenge. */
  if (!self->config.defenses.pkce)
    {
      if (verifier)
        sim_message_narrate (message, _("This server does not implement PKCE (the pkce defense is off), so it ignores the code_verifier: whoever presents the code gets the tokens (RFC 7636 §1)."));
      return TRUE;
    }
  if (code->code_challenge == NULL)
    {
      if (verifier == NULL)
        return TRUE;
      if (!self->config.defenses.pkce_downgrade_protection)
        {
          sim_message_narrate (message, _("The code was issued without a code_challenge, yet a code_verifier arrives. RFC 9700 §4.8.2 says to refuse it, but this server does not check (pkce_downgrade_protection is off): it ignores the verifier and goes on."));
          return TRUE;
        }
      /* RFC 9700 §2.1.1: a verifier for a code that had no challenge means a downgrade. */
      *error = "invalid_grant";
      *description = "code_verifier sent but no code_challenge was in the authorization request";
      *narration = _("RFC 9700 §2.1.1: the authorization request had no code_challenge, yet a code_verifier arrives; the server refuses the code, since this is how a PKCE downgrade attack looks.");
      return FALSE;
    }
  if (verifier == NULL)
    {
      *error = "invalid_grant";
      *description = "code_verifier required";
      *narration = _("RFC 7636 §4.6: the code was bound to a code_challenge, and no code_verifier came with it; whoever sends it cannot prove it started the flow, so the server refuses with invalid_grant.");
      return FALSE;
    }
  if (!oauth_pkce_is_valid_value (verifier))
    {
      *error = "invalid_request";
      *description = "code_verifier must be 43 to 128 unreserved characters";
      *narration = _("RFC 7636 §4.1: a code_verifier is 43 to 128 characters from the unreserved set; this one is not.");
      return FALSE;
    }
  {
    g_autofree char *computed = strcmp (code->code_challenge_method, "S256") == 0
                                ? oauth_pkce_s256 (verifier) : g_strdup (verifier);
    if (!oauth_secure_equal (computed, code->code_challenge))
      {
        *error = "invalid_grant";
        *description = "code_verifier does not match the code_challenge";
        if (strcmp (code->code_challenge_method, "S256") == 0)
          *narration = _("RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) does not equal the code_challenge of the authorization request. Only the party that started the flow knows the verifier, so the server refuses the code.");
        else
          *narration = _("RFC 7636 §4.6: the challenge was plain, so the code_verifier must equal it character for character; it does not, so the server refuses the code.");
        return FALSE;
      }
  }
  return TRUE;
}

static void
grant_authorization_code (AuthServer *self,
                          SimMessage *message,
                          SimParams  *form,
                          ClientAuth *auth)
{
  const char *value = sim_params_get (form, "code");
  const char *redirect_uri = sim_params_get (form, "redirect_uri");
  const char *verifier = sim_params_get (form, "code_verifier");
  const char *error = NULL, *description = NULL, *narration = NULL;
  const char *refresh_token = NULL;
  const char *access_token;
  const char *resource = NULL;
  AuthCode *code;

  if (value == NULL)
    {
      token_error (message, "invalid_request", "code is required",
                   _("RFC 6749 §4.1.3: the code parameter is required."));
      return;
    }
  code = g_hash_table_lookup (self->codes, value);
  if (code == NULL || sim_clock_now (self->world->clock) >= code->expires_at)
    {
      g_autofree char *why = g_strdup_printf (_("RFC 6749 §5.2: the server has no live code with this value: it is unknown, or it expired (a code must expire shortly after it is issued, §4.1.2; here after %" PRId64 " s), so the answer is invalid_grant."),
                                              self->config.code_lifetime);
      token_error (message, "invalid_grant", "authorization code is invalid or expired", why);
      return;
    }
  if (code->used && self->config.defenses.single_use_codes)
    {
      code_replayed (message, code);
      return;
    }
  if (strcmp (code->client_id, auth->client_id) != 0)
    {
      token_error (message, "invalid_grant", "authorization code was issued to another client",
                   _("RFC 6749 §4.1.3: this code was issued to another client, and a code is only good for the client it was issued to; the server answers invalid_grant."));
      return;
    }
  if (code->redirect_uri_given ? g_strcmp0 (redirect_uri, code->redirect_uri) != 0
                               : (redirect_uri && strcmp (redirect_uri, code->redirect_uri) != 0))
    {
      token_error (message, "invalid_grant", "redirect_uri does not match the authorization request",
                   _("RFC 6749 §4.1.3: the redirect_uri must be identical to the one in the authorization request; it is not, so the server answers invalid_grant."));
      return;
    }
  if (!check_verifier (self, message, code, verifier, &error, &description, &narration))
    {
      token_error (message, error, description, narration);
      return;
    }

  if (!read_resource (self, message, form, &resource))
    return;

  if (code->used)
    sim_message_narrate (message, _("This code was already used. RFC 6749 §4.1.2 says a code must not be used twice, but this server does not keep that rule (single_use_codes is off), so it takes the code as if it were new."));
  code->used = TRUE;
  access_token = auth_server_issue_token (self, TOKEN_ACCESS, code->client_id, code->subject,
                                          code->scope, resource, code->grant);
  if (auth->client->allows_refresh)
    refresh_token = auth_server_issue_token (self, TOKEN_REFRESH, code->client_id, code->subject,
                                             code->scope, NULL, code->grant);
  answer_tokens (self, message, access_token, refresh_token, code->scope);
  if (code->code_challenge && auth->client->client_secret == NULL)
    sim_message_narrate (message,
                         _("The code was issued to this public client_id and the PKCE verifier matches its challenge (RFC 6749 §4.1.3, RFC 7636 §4.6), so the server issues an access token carrying the scope “%s”, valid %" PRId64 " s%s. The code is now used up."),
                         code->scope, self->config.access_token_lifetime,
                         refresh_token ? _(", and a refresh token to renew it") : "");
  else if (code->code_challenge)
    sim_message_narrate (message,
                         _("The code, the client's secret and the PKCE verifier all check out (RFC 6749 §4.1.3, RFC 7636 §4.6), so the server issues an access token carrying the scope “%s”, valid %" PRId64 " s%s. The code is now used up."),
                         code->scope, self->config.access_token_lifetime,
                         refresh_token ? _(", and a refresh token to renew it") : "");
  else
    sim_message_narrate (message,
                         _("The code and the client's credentials check out (RFC 6749 §4.1.3), so the server issues an access token carrying the scope “%s”, valid %" PRId64 " s%s. The code is now used up."),
                         code->scope, self->config.access_token_lifetime,
                         refresh_token ? _(", and a refresh token to renew it") : "");
}

static void
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

void
auth_server_token (AuthServer *self,
                   SimMessage *message)
{
  g_autoptr(SimParams) form = auth_server_read_form (self, message, TRUE);
  g_auto(ClientAuth) auth = { 0 };
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
  if (strcmp (grant_type, "authorization_code") == 0)
    grant_authorization_code (self, message, form, &auth);
  else if (strcmp (grant_type, "refresh_token") == 0)
    {
      if (!auth.client->allows_refresh)
        {
          token_error (message, "unauthorized_client", "this client may not use the refresh_token grant",
                       _("RFC 6749 §5.2: the client did not register the refresh_token grant type, so it is unauthorized_client for it."));
          return;
        }
      grant_refresh_token (self, message, form, &auth);
    }
  else
    token_error (message, "unsupported_grant_type", "grant type not supported",
                 _("RFC 6749 §5.2: this server supports the authorization_code and refresh_token grants only; anything else is unsupported_grant_type."));
}
