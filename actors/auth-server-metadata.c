/* auth-server-metadata.c: authorization server metadata (RFC 8414), at
 * /.well-known/oauth-authorization-server, and the same document for OpenID Connect
 * (Discovery 1.0 §3, §4) at /.well-known/openid-configuration, with what a relying party
 * needs besides: the UserInfo endpoint, the keys and how ID tokens are signed. Every value is
 * what the server really does. */
#include "actors/grants/grants.h"
#include "actors/dpop.h"

static void
add_array (JsonBuilder       *b,
           const char        *name,
           const char *const *values)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; values[i]; i++)
    json_builder_add_string_value (b, values[i]);
  json_builder_end_array (b);
}

static void
add_endpoint (JsonBuilder *b,
              const char  *issuer,
              const char  *name,
              const char  *path)
{
  g_autofree char *url = g_strconcat (issuer, path, NULL);
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, url);
}

static JsonNode *
metadata_document (AuthServer *self,
                   gboolean    openid)
{
  static const char *const code_only[] = { "code", NULL };
  static const char *const code_and_token[] = { "code", "token", NULL };
  static const char *const query_only[] = { "query", NULL };
  static const char *const query_and_fragment[] = { "query", "fragment", NULL };
  /* The implicit grant answers in the fragment (RFC 6749 §4.2.2), where it is offered. */
  gboolean implicit = grant_implicit_offered (self);
  const char *const *response_types = implicit ? code_and_token : code_only;
  const char *const *response_modes = implicit ? query_and_fragment : query_only;
  static const char *const token_auth[] = { "client_secret_basic", "client_secret_post", "none", NULL };
  static const char *const secret_auth[] = { "client_secret_basic", "client_secret_post", NULL };
  static const char *const s256[] = { "S256", NULL };
  static const char *const s256_plain[] = { "S256", "plain", NULL };
  static const char *const dpop_algs[] = { DPOP_ALGS, NULL };  /* RFC 9449 §5.1 */
  const char *issuer = self->config.issuer;
  static const char *const subject_types[] = { "public", NULL };
  static const char *const id_token_algs[] = { AUTH_SERVER_ID_TOKEN_ALG, NULL };
  static const char *const claims[] = {
    "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "azp", "name", "email",
    "email_verified", NULL
  };
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_auto(GStrv) grant_types = auth_server_offered_grants (self, FALSE);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "issuer");
  json_builder_add_string_value (b, issuer);
  add_endpoint (b, issuer, "authorization_endpoint", "/authorize");
  add_endpoint (b, issuer, "token_endpoint", "/token");
  if (openid)
    add_endpoint (b, issuer, "userinfo_endpoint", "/userinfo");
  /* RFC 8414 §2: where its signing keys are, for a server that signs what it issues (an API
   * validating its JWT access tokens, RFC 9068 §4). */
  if (openid || self->config.jwt_access_tokens)
    add_endpoint (b, issuer, "jwks_uri", AUTH_SERVER_JWKS_PATH);
  add_endpoint (b, issuer, "registration_endpoint", "/register");
  add_endpoint (b, issuer, "introspection_endpoint", "/introspect");
  add_endpoint (b, issuer, "revocation_endpoint", "/revoke");
  add_endpoint (b, issuer, "device_authorization_endpoint", "/device_authorization");
  json_builder_set_member_name (b, "scopes_supported");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->scopes->len; i++)
    json_builder_add_string_value (b, self->scopes->pdata[i]);
  json_builder_end_array (b);
  add_array (b, "response_types_supported", response_types);
  add_array (b, "response_modes_supported", response_modes);
  add_array (b, "grant_types_supported", (const char *const *) grant_types);
  if (openid)
    {
      add_array (b, "subject_types_supported", subject_types);
      add_array (b, "id_token_signing_alg_values_supported", id_token_algs);
      add_array (b, "claims_supported", claims);
    }
  add_array (b, "token_endpoint_auth_methods_supported", token_auth);
  add_array (b, "introspection_endpoint_auth_methods_supported", secret_auth);
  add_array (b, "revocation_endpoint_auth_methods_supported", token_auth);
  /* A server without PKCE says nothing about it (RFC 8414 §2: omitted, no support). */
  if (self->config.defenses.pkce)
    add_array (b, "code_challenge_methods_supported", self->config.allow_plain_pkce ? s256_plain : s256);
  if (self->dpop)
    add_array (b, "dpop_signing_alg_values_supported", dpop_algs);
  json_builder_set_member_name (b, "authorization_response_iss_parameter_supported");
  json_builder_add_boolean_value (b, self->config.defenses.iss_parameter);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
auth_server_metadata (AuthServer *self,
                      SimMessage *message)
{
  g_autoptr(JsonNode) root = metadata_document (self, FALSE);

  sim_message_set_response_json (message, SOUP_STATUS_OK, root);
  if (!self->config.defenses.pkce)
    sim_message_narrate (message, _("RFC 8414 §3.2: the server publishes where its endpoints are and what it supports, so a client can configure itself instead of hard-coding it (RFC 9700 §2.6). It lists no code_challenge_methods_supported: this server does not implement PKCE."));
  else if (self->config.allow_plain_pkce)
    sim_message_narrate (message, _("RFC 8414 §3.2: the server publishes where its endpoints are and what it supports (here PKCE with S256 or plain), so a client can configure itself instead of hard-coding it (RFC 9700 §2.6)."));
  else
    sim_message_narrate (message, _("RFC 8414 §3.2: the server publishes where its endpoints are and what it supports (here PKCE with S256 only), so a client can configure itself instead of hard-coding it (RFC 9700 §2.6)."));
}

void
auth_server_openid_configuration (AuthServer *self,
                                  SimMessage *message)
{
  g_autoptr(JsonNode) root = metadata_document (self, TRUE);

  sim_message_set_response_json (message, SOUP_STATUS_OK, root);
  sim_message_narrate (message, _("OpenID Connect Discovery §4: the same metadata for a relying party, at /.well-known/openid-configuration under the issuer, with what signing people in needs besides (§3): the UserInfo endpoint, the jwks_uri where the keys that sign ID tokens are, the signing algorithm (ES256) and the subject identifiers it issues (public: the same sub for every client)."));
}
