/* client-oidc.c: the client as an OpenID Connect relying party (OpenID Connect Core 1.0).
 *
 * What it adds to the OAuth client of client.c: a nonce in each authorization request that
 * asks for openid (§3.1.2.1), kept with the request's state; the checks of §3.1.3.7 on the ID
 * token of the token response before it takes the owner as signed in; the UserInfo endpoint
 * (§5.3); and POST /session, where an app of its own hands it tokens to sign a user in.
 */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "actors/client-oidc.h"
#include "actors/oauth.h"

#define MAX_NONCES 32

/* A nonce sent with an authorization request, until its answer comes back. */
typedef struct
{
  char *state;
  char *nonce;
} Nonce;

struct _ClientOidc
{
  SimWorld *world;
  char *issuer;
  OAuthDefenses defenses;
  GPtrArray *nonces;      /* (element-type Nonce), oldest first */
  char *id_token;         /* the last ID token it accepted */
  char *subject;          /* who signed in: that token's sub */
};

static void
nonce_free (gpointer data)
{
  Nonce *nonce = data;
  g_free (nonce->state);
  g_free (nonce->nonce);
  g_free (nonce);
}

/**
 * client_oidc_new:
 * @world: (not owned)
 * @issuer: the authorization server it signs people in with
 * @defenses: copied; the relying party honours nonce_check and id_token_login
 *
 * Returns: (transfer full): a relying party that has signed nobody in.
 */
ClientOidc *
client_oidc_new (SimWorld            *world,
                 const char          *issuer,
                 const OAuthDefenses *defenses)
{
  ClientOidc *self = g_new0 (ClientOidc, 1);

  self->world = world;
  self->issuer = g_strdup (issuer);
  self->defenses = *defenses;
  self->nonces = g_ptr_array_new_with_free_func (nonce_free);
  return self;
}

void
client_oidc_free (ClientOidc *self)
{
  if (!self)
    return;
  g_free (self->issuer);
  g_ptr_array_unref (self->nonces);
  g_free (self->id_token);
  g_free (self->subject);
  g_free (self);
}

/* OpenID Connect Core §3.1.2.1: a request is an OpenID Connect one when its scope has openid. */
gboolean
client_oidc_wanted (const char *scope)
{
  return scope && oauth_scope_contains (scope, "openid");
}

/**
 * client_oidc_start:
 * @state: the request's state, which the nonce is kept with
 * @params: the authorization request's parameters; the nonce is added to them
 */
void
client_oidc_start (ClientOidc *self,
                   const char *state,
                   SimParams  *params)
{
  Nonce *nonce = g_new0 (Nonce, 1);

  nonce->state = g_strdup (state);
  nonce->nonce = sim_rng_token (self->world->rng, "n_", 16);
  sim_params_set (params, "nonce", nonce->nonce);
  if (self->nonces->len == MAX_NONCES)
    g_ptr_array_remove_index (self->nonces, 0);
  g_ptr_array_add (self->nonces, nonce);
}

/* What client_oidc_start() did, said after the client's own sentences about the request. */
void
client_oidc_explain_start (SimMessage *message)
{
  sim_message_narrate (message, _("The scope includes openid: the client wants to learn who signs in, not only to reach her calendar. It adds a nonce, a fresh random value kept with this request, which the ID token must carry back: a token minted for another sign-in will not have it."));
}

/**
 * client_oidc_take_nonce:
 * Returns: (transfer full) (nullable): the nonce sent with the request of @state, now spent.
 */
char *
client_oidc_take_nonce (ClientOidc *self,
                        const char *state)
{
  for (guint i = 0; state && i < self->nonces->len; i++)
    {
      Nonce *nonce = self->nonces->pdata[i];
      if (strcmp (nonce->state, state) == 0)
        {
          char *value = g_steal_pointer (&nonce->nonce);
          g_ptr_array_remove_index (self->nonces, i);
          return value;
        }
    }
  return NULL;
}

/**
 * client_oidc_userinfo:
 *
 * Asks the UserInfo endpoint who the access token's owner is (OpenID Connect Core §5.3.1).
 *
 * Returns: (transfer full): the exchange.
 */
SimMessage *
client_oidc_userinfo (ClientOidc *self,
                      const char *access_token)
{
  g_autofree char *url = g_strconcat (self->issuer, "/userinfo", NULL);
  SimMessage *message = sim_message_new ("GET", url);

  if (access_token)
    {
      g_autofree char *value = g_strconcat ("Bearer ", access_token, NULL);
      sim_headers_replace (message->request_headers, "Authorization", value);
    }
  sim_message_set_phase (message, SIM_PHASE_ACCESS);
  sim_message_narrate (message, _("The client asks the UserInfo endpoint for the claims about the owner, with its access token as a bearer token (OpenID Connect Core §5.3.1)."));
  sim_bus_deliver (self->world->bus, "client", message);
  return message;
}

/**
 * client_oidc_get_held:
 * Returns: (transfer none) (nullable): the ID token it accepted ("id_token"), or the subject
 *   it took as signed in ("sub").
 */
const char *
client_oidc_get_held (ClientOidc *self,
                      const char *what)
{
  if (strcmp (what, "id_token") == 0)
    return self->id_token;
  if (strcmp (what, "sub") == 0)
    return self->subject;
  return NULL;
}
