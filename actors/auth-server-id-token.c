/* auth-server-id-token.c: the ID token (OpenID Connect Core §2), what OpenID Connect adds to
 * OAuth: a statement, signed by the server, of who signed in, when, and for which client.
 *
 * The token endpoint adds one to its answer when the code's scope has openid (§3.1.3.3). Its
 * claims: iss (this server), sub (the owner's identifier here), aud (the client_id it is for),
 * exp and iat (on the simulated clock), auth_time (when she typed her password), the nonce of
 * the authorization request unchanged, and at_hash, which binds it to the access token that
 * comes with it (§3.1.3.6). Signed ES256 with the key at the jwks_uri (auth-server-jwks.c).
 */
#include "actors/auth-server-private.h"
#include "sim/jose.h"

/**
 * auth_server_id_token:
 * @code: the code the tokens are bought with: who, for which client, with which nonce
 * @access_token: the access token issued with it
 *
 * Returns: (transfer full): the signed ID token, in JWS compact serialization.
 */
char *
auth_server_id_token (AuthServer     *self,
                      const AuthCode *code,
                      const char     *access_token)
{
  gint64 now = sim_clock_now (self->world->clock);
  g_autoptr(JsonObject) header = json_object_new ();
  g_autoptr(JsonObject) claims = json_object_new ();
  g_autofree char *at_hash = oauth_at_hash (access_token);
  char *id_token;

  json_object_set_string_member (header, "typ", "JWT");
  json_object_set_string_member (claims, "iss", self->config.issuer);
  json_object_set_string_member (claims, "sub", code->subject);
  json_object_set_string_member (claims, "aud", code->client_id);
  json_object_set_int_member (claims, "exp", now + AUTH_SERVER_ID_TOKEN_LIFETIME);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "auth_time", code->auth_time);
  if (code->nonce)
    json_object_set_string_member (claims, "nonce", code->nonce);
  json_object_set_string_member (claims, "at_hash", at_hash);
  id_token = sim_jose_sign (auth_server_signing_key (self), header, claims);
  sim_world_hold (self->world, "auth-server", "id_token", id_token);
  return id_token;
}
