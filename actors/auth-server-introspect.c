/* auth-server-introspect.c: token introspection, POST /introspect (RFC 7662).
 *
 * The API asks here whether a bearer token is good and what it allows. The caller must
 * authenticate (§2.1); a token that is unknown, expired or revoked is answered with nothing but
 * {"active": false} (§2.2), so the endpoint leaks nothing about it.
 */
#include "actors/auth-server-private.h"

void
auth_server_introspect (AuthServer *self,
                        SimMessage *message)
{
  g_autoptr(SimParams) form = auth_server_read_form (self, message, FALSE);
  g_autoptr(SimFields) answer = sim_fields_new ();
  g_auto(ClientAuth) auth = { 0 };
  const char *value;
  Token *token;

  if (form == NULL)
    return;
  if (!auth_server_authenticate_client (self, message, form, TRUE, &auth))
    return;
  if (!auth.is_resource && auth.client->client_secret == NULL)
    {
      auth_server_invalid_client (message, &auth, N_("a public client may not introspect tokens"));
      return;
    }
  value = sim_params_get (form, "token");
  if (value == NULL)
    {
      oauth_json_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_request", "token is required");
      sim_message_narrate (message, _("RFC 7662 §2.1: the token parameter is required."));
      return;
    }

  token = auth_server_find_live_token (self, value);
  /* A client may ask only about its own tokens; a resource server about any. */
  if (token && !auth.is_resource && g_strcmp0 (token->client_id, auth.client_id) != 0)
    token = NULL;

  sim_fields_add_boolean (answer, "active", token != NULL);
  if (token)
    {
      sim_fields_add_string (answer, "scope", token->scope);
      sim_fields_add_string (answer, "client_id", token->client_id);
      /* A token of the client credentials grant acts for nobody: it has no owner to name
       * (RFC 6749 §4.4). RFC 9068 §2.2 would put the client's id in sub; this server leaves
       * sub out rather than have an API take a client for a person. */
      if (token->subject)
        {
          sim_fields_add_string (answer, "username", token->subject);
          sim_fields_add_string (answer, "sub", token->subject);
        }
      sim_fields_add_string (answer, "token_type", token->kind == TOKEN_REFRESH ? "refresh_token"
                                                   : token->jkt ? "DPoP" : "Bearer");
      sim_fields_add_int (answer, "exp", token->expires_at);
      sim_fields_add_int (answer, "iat", token->issued_at);
      sim_fields_add_string (answer, "iss", self->config.issuer);
      /* RFC 7662 §2.2: the audience, for the API to check it is the one meant (RFC 9068 §4). */
      if (token->audience)
        sim_fields_add_string (answer, "aud", token->audience);
    }
  if (token && token->jkt)
    auth_server_dpop_answer_bound (message, answer, token);
  else
    sim_message_set_response_fields (message, SOUP_STATUS_OK, answer);
  oauth_no_store (message);

  if (token && !message->quiet)
    {
      g_autofree char *until = sim_time_format_iso (token->expires_at);
      if (token->subject)
        sim_message_narrate (message,
                           _("The server recognises the token: active, issued to client %s for %s, with scope “%s”, until %s (RFC 7662 §2.2)."),
                           token->client_id, token->subject, token->scope, until);
      else
        sim_message_narrate (message,
                           _("The server recognises the token: active, issued to client %s for itself, with scope “%s”, until %s (RFC 7662 §2.2). It came from the client credentials grant and acts for no owner, so the answer has a client_id but no sub or username: there is no person to name (RFC 6749 §4.4)."),
                           token->client_id, token->scope, until);
      if (token->kind == TOKEN_REFRESH)
        sim_message_narrate (message, _("It is a refresh token, not an access token, and the answer says so in token_type."));
    }
  else
    sim_message_narrate (message,
                         _("The token is not active: unknown, expired or revoked. RFC 7662 §2.2: the server says only {\"active\": false} and nothing more about it."));
}
