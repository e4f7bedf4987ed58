/* client-private.h: the client's state and the helpers its files share: client.c (the
 * authorization code flow, the API, refresh and revocation) and one file per other grant's
 * client side (client-credentials.c). */
#pragma once

#include <glib/gi18n-lib.h>

#include "actors/client.h"
#include "actors/client-oidc.h"
#include "actors/oauth.h"

G_BEGIN_DECLS

struct _ClientApp
{
  SimWorld *world;
  ClientConfig config;

  char *client_id;
  char *client_secret;
  char *state;          /* of the authorization request under way */
  char *code_verifier;
  char *code;           /* the last code it received */
  char *access_token;
  char *refresh_token;
  char *scope;
  char *error;          /* the last OAuth error it was told */
  GPtrArray *others;    /* (element-type Registration) other authorization servers it knows */
  char *flow_server;    /* the issuer it sent the owner to last, NULL for its own server */
  GPtrArray *pending;   /* (element-type Pending), oldest first */
  ClientOidc *oidc;     /* the OpenID Connect relying party: who signed in (client-oidc.c) */
  GStrv offered_grants;   /* (nullable) the server's grant_types_supported, once discovered */
  GStrv registered_grants; /* (nullable) what the server registered it for */
  char *owner_password;   /* the password grant's: what the owner typed into the app */
  struct _SimJoseKey *dpop_key; /* (nullable) its DPoP key pair (RFC 9449), when it uses DPoP */
  char *token_type;     /* of its access token: Bearer, or DPoP when bound to dpop_key */
  GHashTable *dpop_nonces; /* (nullable) origin -> the nonce its DPoP-Nonce last said (§8, §9) */
};

void        client_replace        (char       **field,
                                   const char  *value);
char       *client_server_url     (ClientApp   *self,
                                   const char  *path);
void        client_remember_error (ClientApp   *self,
                                   SimMessage  *message);
SimMessage *client_post_form      (ClientApp   *self,
                                   const char  *path,
                                   SimParams   *form,
                                   SimPhase     phase);
gboolean    client_take_tokens    (ClientApp   *self,
                                   SimMessage  *message);

/* client-legacy.c: the password and implicit grants' client side. */
void        client_legacy_clear              (ClientApp   *self);
void        client_legacy_read_metadata      (ClientApp   *self,
                                              SimMessage  *message);
GStrv       client_legacy_grants_to_register (ClientApp   *self);
void        client_legacy_take_registration  (ClientApp   *self,
                                              SimFields   *answer);
gboolean    client_legacy_handle             (ClientApp   *self,
                                              SimMessage  *message,
                                              const char  *callback_path);
/* DPoP, in client-dpop.c (RFC 9449). */
void        client_dpop_init      (ClientApp   *self);
void        client_dpop_free      (ClientApp   *self);
void        client_dpop_register  (ClientApp   *self,
                                   SimFields   *metadata);
void        client_dpop_prove     (ClientApp   *self,
                                   SimMessage  *message,
                                   const char  *access_token);
void        client_authorize      (ClientApp   *self,
                                   SimMessage  *message,
                                   const char  *access_token);
SimMessage *client_send           (ClientApp   *self,
                                   SimMessage  *message);

G_END_DECLS
