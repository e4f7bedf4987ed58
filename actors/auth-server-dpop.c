/* auth-server-dpop.c: DPoP at the authorization server (RFC 9449): the proof of a token
 * request (§5, the checks themselves in dpop.c), the nonce it may demand (§8), a client that
 * registered dpop_bound_access_tokens (§5.2), a public client's bound refresh token (§5) and
 * the binding in introspection (cnf.jkt, §6.2). Without the server's "dpop" setting none of
 * this runs: a DPoP header is ignored and tokens are bearer tokens, as at a server that does
 * not know DPoP (§5). */
#include "actors/grants/grants.h"
#include "actors/dpop.h"

/* The refusal of a proof, with DPoP-Nonce when the server wants its nonce (§8.1). */
static void
refuse (AuthServer *self,
        SimMessage *message,
        DpopCheck  *check)
{
  token_error (message, check->error, check->description, check->narration);
  dpop_verifier_offer_nonce (self->dpop, message, check);
}

/**
 * auth_server_dpop_token_request:
 *
 * Checks the token request's DPoP proof; a valid one's key is what the tokens issued for this
 * request are bound to (self->dpop_jkt, until the request is answered).
 *
 * Returns: FALSE after answering with an error.
 */
gboolean
auth_server_dpop_token_request (AuthServer *self,
                                SimMessage *message,
                                ClientAuth *auth)
{
  g_auto(DpopCheck) check = { 0 };

  if (self->dpop == NULL)
    return TRUE;
  if (dpop_verifier_check (self->dpop, message, NULL, &check))
    {
      self->dpop_jkt = g_strdup (check.jkt);
      sim_message_narrate (message, _("RFC 9449 §4.3: the DPoP proof checks out: typ, algorithm, signature by the key in its header, method, URI, time and a jti not seen before. The tokens issued now are bound to that key (thumbprint %s), and token_type says DPoP (§5)."),
                           check.jkt);
      dpop_verifier_offer_nonce (self->dpop, message, &check);
      return TRUE;
    }
  if (check.outcome == DPOP_ABSENT && auth->client->dpop_bound)
    {
      token_error (message, "invalid_dpop_proof", "this client registered dpop_bound_access_tokens: a DPoP proof is required",
                   _("RFC 9449 §5.2: this client registered dpop_bound_access_tokens, so every token request of its must carry a DPoP proof; this one has none, and the server refuses it rather than issue a bearer token."));
      return FALSE;
    }
  if (check.outcome == DPOP_ABSENT)
    return TRUE;
  refuse (self, message, &check);
  return FALSE;
}

/**
 * auth_server_dpop_check_refresh:
 *
 * RFC 9449 §5: a refresh token bound to a key is good only with a proof from that key.
 *
 * Returns: FALSE after answering with an error.
 */
gboolean
auth_server_dpop_check_refresh (AuthServer *self,
                                SimMessage *message,
                                Token      *refresh)
{
  g_auto(DpopCheck) check = { 0 };

  if (refresh->jkt == NULL)
    return TRUE;
  if (self->dpop_jkt == NULL)
    {
      token_error (message, "invalid_dpop_proof", "the refresh token is bound to a key: a DPoP proof is required",
                   _("RFC 9449 §5: this public client's refresh token is bound to its DPoP key, and the request carries no proof from any key, so the server refuses it: a stolen refresh token is useless without the private key."));
      return FALSE;
    }
  check.jkt = g_strdup (self->dpop_jkt);
  if (dpop_check_binding (&check, refresh->jkt, TRUE))
    return TRUE;
  refuse (self, message, &check);
  return FALSE;
}

/**
 * auth_server_dpop_answer_bound:
 * @answer: the introspection answer so far
 *
 * Answers with @answer and the token's confirmation: cnf.jkt (RFC 9449 §6.2, RFC 7800 §3.1).
 */
void
auth_server_dpop_answer_bound (SimMessage *message,
                               SimFields  *answer,
                               Token      *token)
{
  g_autoptr(JsonNode) sealed = sim_fields_to_node (answer);
  JsonObject *fields = json_node_get_object (sealed);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GList) members = json_object_get_members (fields);
  JsonObject *cnf = json_object_new ();

  for (GList *l = members; l; l = l->next)
    json_object_set_member (object, l->data, json_node_copy (json_object_get_member (fields, l->data)));
  json_object_set_string_member (cnf, "jkt", token->jkt);
  json_object_set_object_member (object, "cnf", cnf);
  node = json_node_init_object (json_node_alloc (), object);
  sim_message_set_response_json (message, SOUP_STATUS_OK, node);
  sim_message_narrate (message, _("The token is bound to a DPoP key: the answer says token_type DPoP and gives the key's thumbprint in cnf.jkt, for the API to check the proof against (RFC 9449 §6.2)."));
}
