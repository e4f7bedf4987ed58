/* client-dpop.c: the client's side of DPoP (RFC 9449). It holds a key pair, drawn from the
 * world's generator; every token request and every API call with a DPoP-bound token carries a
 * proof (§4): a JWT signed with that key, whose header has typ dpop+jwt, alg ES256 and the
 * public key, and whose claims name the request (htm, htu), the time (iat), a fresh jti, the
 * nonce the receiver last gave (§8, §9) and, at the API, the hash of the token (ath, §4.2). When
 * a receiver answers use_dpop_nonce, the client takes the nonce and tries once more. */
#include <string.h>

#include "actors/client-private.h"
#include "actors/dpop.h"
#include "sim/jose.h"

/* Draws its key pair when its configuration asks for DPoP and the sender_constraint defense is
 * on (off, it sends bearer tokens like any client); the key never leaves the client (the
 * knowledge view shows it held by the client alone). */
void
client_dpop_init (ClientApp *self)
{
  g_autofree char *thumbprint = NULL, *held = NULL;

  if (!self->config.dpop || !self->config.defenses.sender_constraint)
    return;
  self->dpop_key = sim_jose_key_new_from_rng (self->world->rng, NULL);
  self->dpop_nonces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  thumbprint = sim_jose_key_thumbprint (self->dpop_key);
  held = g_strconcat ("private key ", thumbprint, NULL);
  sim_world_hold (self->world, "client", "dpop_key", held);
}

void
client_dpop_free (ClientApp *self)
{
  g_clear_pointer (&self->dpop_key, sim_jose_key_unref);
  g_clear_pointer (&self->dpop_nonces, g_hash_table_unref);
  g_clear_pointer (&self->token_type, g_free);
}

/* RFC 9449 §5.2: it asks that its tokens always be bound. */
void
client_dpop_register (ClientApp *self,
                      SimFields *metadata)
{
  if (self->dpop_key)
    sim_fields_add_boolean (metadata, "dpop_bound_access_tokens", TRUE);
}

/**
 * client_dpop_prove:
 * @access_token: (nullable): the token the request carries to an API, for ath
 *
 * Adds a fresh DPoP proof for @message, if the client uses DPoP.
 */
void
client_dpop_prove (ClientApp  *self,
                   SimMessage *message,
                   const char *access_token)
{
  g_autoptr(JsonObject) header = NULL, claims = NULL;
  g_autofree char *origin = NULL, *jti = NULL, *htu = NULL, *proof = NULL;
  const char *nonce;

  if (self->dpop_key == NULL)
    return;
  header = json_object_new ();
  claims = json_object_new ();
  origin = sim_message_dup_origin (message);
  nonce = g_hash_table_lookup (self->dpop_nonces, origin);
  jti = sim_rng_token (self->world->rng, "", 12);
  htu = dpop_htu (message->uri);
  json_object_set_string_member (header, "typ", "dpop+jwt");
  json_object_set_object_member (header, "jwk", sim_jose_key_to_public_jwk (self->dpop_key));
  json_object_set_string_member (claims, "jti", jti);
  json_object_set_string_member (claims, "htm", message->method);
  json_object_set_string_member (claims, "htu", htu);
  json_object_set_int_member (claims, "iat", sim_clock_now (self->world->clock));
  if (nonce)
    json_object_set_string_member (claims, "nonce", nonce);
  if (access_token)
    {
      g_autofree char *ath = dpop_token_hash (access_token);
      json_object_set_string_member (claims, "ath", ath);
    }
  proof = sim_jose_sign (self->dpop_key, header, claims);
  sim_headers_replace (message->request_headers, "DPoP", proof);
}

/* Said when the request leaves, after what the request is for. */
static void
narrate_proof (SimMessage *message)
{
  const char *authorization = sim_headers_get_one (message->request_headers, "Authorization");

  if (!sim_headers_get_one (message->request_headers, "DPoP"))
    return;
  if (authorization && g_ascii_strncasecmp (authorization, "DPoP ", 5) == 0)
    sim_message_narrate (message, _("With the token goes a DPoP proof (RFC 9449 §7.1): a JWT signed with the client's private key, naming this request's method and URI, the time, a fresh jti and the token's hash (ath). A thief with the token alone cannot make one."));
  else
    sim_message_narrate (message, _("The request carries a DPoP proof (RFC 9449 §4): a JWT signed with the client's private key, with the public key in its header, naming this request's method and URI, the time and a fresh jti, so that the server can bind the tokens to that key."));
}

/* The Authorization header for @access_token: "DPoP" and a proof for a bound token, "Bearer"
 * for any other (RFC 9449 §7.1, RFC 6750 §2.1). */
void
client_authorize (ClientApp  *self,
                  SimMessage *message,
                  const char *access_token)
{
  gboolean bound = self->dpop_key && g_strcmp0 (self->token_type, "DPoP") == 0;
  g_autofree char *value = g_strconcat (bound ? "DPoP " : "Bearer ", access_token, NULL);

  sim_headers_replace (message->request_headers, "Authorization", value);
  if (bound)
    client_dpop_prove (self, message, access_token);
}

static gboolean
asks_for_nonce (SimMessage *message)
{
  const char *challenge = sim_headers_get_one (message->response_headers, "WWW-Authenticate");
  g_autoptr(SimFields) answer = NULL;

  if (challenge && strstr (challenge, "error=\"use_dpop_nonce\""))
    return TRUE;
  if (message->status != SOUP_STATUS_BAD_REQUEST)
    return FALSE;
  answer = sim_message_get_response_fields (message, NULL);
  return answer && g_strcmp0 (sim_fields_get_string (answer, "error", NULL), "use_dpop_nonce") == 0;
}

/* Keeps what an answer tells a DPoP client: the type of the tokens of a token response, and
 * the nonce of a DPoP-Nonce header, for the next proof to that origin. */
static void
note_answer (ClientApp  *self,
             SimMessage *message)
{
  const char *nonce = sim_headers_get_one (message->response_headers, "DPoP-Nonce");

  if (message->status == SOUP_STATUS_OK && strcmp (sim_message_get_path (message), "/token") == 0)
    {
      g_autoptr(SimFields) answer = sim_message_get_response_fields (message, NULL);
      client_replace (&self->token_type, answer ? sim_fields_get_string (answer, "token_type", NULL) : NULL);
    }
  if (nonce)
    g_hash_table_replace (self->dpop_nonces, sim_message_dup_origin (message), g_strdup (nonce));
}

/**
 * client_send:
 * @message: (transfer full)
 *
 * Delivers @message. With DPoP it notes what the answer says, and when the answer is
 * use_dpop_nonce with a nonce it sends the same request once more, never more, with a new proof
 * carrying the nonce (RFC 9449 §8.2, §9).
 *
 * Returns: (transfer full): the last exchange.
 */
SimMessage *
client_send (ClientApp  *self,
             SimMessage *message)
{
  const char *authorization, *name, *value;
  SimMessage *retry;
  SimHeadersIter iter;

  if (self->dpop_key == NULL)
    {
      sim_bus_deliver (self->world->bus, "client", message);
      return message;
    }
  narrate_proof (message);
  sim_bus_deliver (self->world->bus, "client", message);
  note_answer (self, message);
  if (!asks_for_nonce (message) || !sim_headers_get_one (message->response_headers, "DPoP-Nonce")
      || !sim_headers_get_one (message->request_headers, "DPoP"))
    return message;

  retry = sim_message_new_from_uri (message->method, message->uri);
  sim_headers_iter_init (&iter, message->request_headers);
  while (sim_headers_iter_next (&iter, &name, &value))
    if (g_ascii_strcasecmp (name, "DPoP") != 0)
      sim_headers_append (retry->request_headers, name, value);
  sim_message_copy_request_body (retry, message);
  sim_message_set_phase (retry, message->phase);
  authorization = sim_headers_get_one (retry->request_headers, "Authorization");
  sim_message_narrate (retry, _("The receiver asked for a nonce (RFC 9449 §8.2, §9): the client sends the same request again, once, with a new proof that carries the nonce from the DPoP-Nonce header."));
  client_dpop_prove (self, retry,
                     authorization && g_ascii_strncasecmp (authorization, "DPoP ", 5) == 0 ? authorization + 5 : NULL);
  sim_message_unref (message);
  narrate_proof (retry);
  sim_bus_deliver (self->world->bus, "client", retry);
  note_answer (self, retry);
  return retry;
}
