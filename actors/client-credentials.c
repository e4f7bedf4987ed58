/* client-credentials.c: the client's side of the client credentials grant (RFC 6749 §4.4).
 *
 * A machine client (the calendar provider's backup service, say) asks for a token for itself
 * with nothing but its own credentials: no owner, no browser, no code, no redirect. It keeps
 * the access token as the client of the code flow does, and gets no refresh token (§4.4.3):
 * when the token expires it asks again.
 */
#include "actors/client-private.h"

/**
 * client_app_request_token:
 * @scope: (nullable): what it asks for; %NULL: no scope parameter, the server's default
 *
 * POST /token with grant_type=client_credentials, authenticated as the client registered.
 *
 * Returns: (transfer full): the token exchange.
 */
SimMessage *
client_app_request_token (ClientApp  *self,
                          const char *scope)
{
  g_autoptr(SimParams) form = sim_params_new ();
  SimMessage *message;

  sim_params_set (form, "grant_type", "client_credentials");
  if (scope)
    sim_params_set (form, "scope", scope);
  message = client_post_form (self, "/token", g_steal_pointer (&form), SIM_PHASE_TOKEN_REQUEST);
  if (self->client_secret)
    sim_message_narrate (message, _("The client asks for an access token for itself, with nothing but its own credentials: no owner is involved, so there is no browser, no consent and no code."));
  else
    sim_message_narrate (message, _("The client asks for an access token for itself with the client credentials grant, but it is a public client: all it can send is its client_id, which proves nothing."));
  sim_bus_deliver (self->world->bus, "client", message);
  client_take_tokens (self, message);
  return message;
}
