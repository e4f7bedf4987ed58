/* client-oidc.h: the client as an OpenID Connect relying party (OpenID Connect Core 1.0).
 *
 * OAuth gives the client access to the owner's calendar; it does not tell it who she is. With
 * scope openid it also asks to learn who signed in: it sends a nonce with the authorization
 * request, checks the ID token that comes back with the tokens (signature against the server's
 * keys, iss, aud, azp, nonce, exp, iat, at_hash), and only then takes its sub as the user who
 * signed in. It also answers POST /session, where an app of its own hands it tokens to sign a
 * user in with (the attack lab's sign-in lessons).
 */
#pragma once

#include "sim/world.h"
#include "actors/defenses.h"

G_BEGIN_DECLS

typedef struct _ClientOidc ClientOidc;

ClientOidc *client_oidc_new           (SimWorld            *world,
                                       const char          *issuer,
                                       const OAuthDefenses *defenses);
void        client_oidc_free          (ClientOidc          *self);

gboolean    client_oidc_wanted        (const char          *scope);
void        client_oidc_start         (ClientOidc          *self,
                                       const char          *state,
                                       SimParams           *params);
void        client_oidc_explain_start (SimMessage          *message);
char       *client_oidc_take_nonce    (ClientOidc          *self,
                                       const char          *state);
gboolean    client_oidc_sign_in       (ClientOidc          *self,
                                       SimMessage          *callback,
                                       SimMessage          *token_response,
                                       const char          *client_id,
                                       const char          *nonce);
SimMessage *client_oidc_userinfo      (ClientOidc          *self,
                                       const char          *access_token);
void        client_oidc_session       (ClientOidc          *self,
                                       SimMessage          *message,
                                       const char          *client_id);

const char *client_oidc_get_held      (ClientOidc          *self,
                                       const char          *what);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClientOidc, client_oidc_free)

G_END_DECLS
