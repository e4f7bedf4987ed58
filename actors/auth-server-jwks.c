/* auth-server-jwks.c: the key the authorization server signs with, and GET /jwks, where it
 * publishes the public half as a JWK Set (RFC 7517 §5) for whoever must check its signatures:
 * an OpenID Connect client checking an ID token (OpenID Connect Core §10.1.1).
 *
 * The key is drawn from the world's generator the first time it is needed, not when the
 * server is made: a lesson that signs nothing draws nothing, and its trace stays what it was.
 */
#include "actors/auth-server-private.h"

/**
 * auth_server_signing_key:
 * Returns: (transfer none): the server's ES256 private key, made on first use.
 */
SimJoseKey *
auth_server_signing_key (AuthServer *self)
{
  if (self->signing_key == NULL)
    self->signing_key = sim_jose_key_new_from_rng (self->world->rng, AUTH_SERVER_KEY_ID);
  return self->signing_key;
}

void
auth_server_jwks (AuthServer *self,
                  SimMessage *message)
{
  SimJoseKey *key = auth_server_signing_key (self);
  g_autoptr(JsonObject) jwks = sim_jose_jwks_new (&key, 1);
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (root, jwks);
  sim_message_set_response_json (message, SOUP_STATUS_OK, root);
  sim_message_narrate (message, _("RFC 7517 §5: the server publishes the public half of its signing key as a JWK Set: the curve and the point (x, y) of an ES256 key, and its kid. Anyone can check the server's signatures with it; only the server, which keeps the private half, can make them."));
}
