/* authorization-code.c: the authorization code grant at the token endpoint (RFC 6749 §4.1.3,
 * RFC 7636 §4.6). A code is single use and bound to the client, the redirect URI and the PKCE
 * challenge of the authorization request; a replayed one revokes what it bought (§10.5). The
 * code itself comes from the authorization endpoint (auth-server-authorize.c, -consent.c).
 */
#include <inttypes.h>
#include <string.h>

#include "actors/grants/grants.h"

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

void
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
  g_autofree char *id_token = NULL;
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
  if (token_may_refresh (self, auth))
    refresh_token = auth_server_issue_token (self, TOKEN_REFRESH, code->client_id, code->subject,
                                             code->scope, NULL, code->grant);
  if (oauth_scope_contains (code->scope, "openid"))
    id_token = auth_server_id_token (self, code, access_token);
  answer_tokens_with_id_token (self, message, access_token, refresh_token, code->scope, id_token);
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
  if (id_token && code->nonce)
    sim_message_narrate (message, _("The scope includes openid, so the answer also carries an ID token (OpenID Connect Core §3.1.3.3): a statement signed by the server that %s signed in here, for this client_id (aud), with the nonce of the request and at_hash, the hash of the access token beside it (§3.1.3.6). The access token is for the API; the ID token is for the client."),
                         code->subject);
  else if (id_token)
    sim_message_narrate (message, _("The scope includes openid, so the answer also carries an ID token (OpenID Connect Core §3.1.3.3): a statement signed by the server that %s signed in here, for this client_id (aud), with at_hash, the hash of the access token beside it (§3.1.3.6); the request had no nonce, so it has none. The access token is for the API; the ID token is for the client."),
                         code->subject);
}
