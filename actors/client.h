/* client.h: the client, the application that wants to use the owner's calendar. It registers,
 * sends the owner to the authorization server, turns the code into tokens, calls the API and
 * refreshes its access token when it expires. It never sees the owner's password. */
#pragma once

#include "sim/world.h"
#include "actors/defenses.h"

G_BEGIN_DECLS

typedef struct
{
  char *origin;            /* where it answers, e.g. https://client.example */
  char *name;              /* client_name at registration */
  char *redirect_uri;
  char *scope;             /* what it registers for and asks for */
  char *auth_method;       /* client_secret_basic (default), client_secret_post or none */
  char **grant_types;      /* what it registers (RFC 7591 §2); default authorization_code
                              and refresh_token */
  gboolean use_pkce;       /* send an S256 code_challenge; default TRUE */
  gboolean check_state;    /* compare state at the callback (RFC 6749 §10.12); default TRUE */
  gboolean refresh_on_401; /* refresh once and retry on invalid_token; default TRUE */
  gboolean dpop;           /* hold a key and send DPoP proofs (RFC 9449); default FALSE */
  char *server;            /* the authorization server's issuer */
  char *api;               /* the API's origin */
  char *embed;             /* (nullable) a third-party image its pages show: ads, analytics */
  char *client_secret;     /* (nullable) the secret it authenticates with at its own server,
                              in place of the one registration issued: a mistyped secret */
  char *id_token_alg;      /* (nullable) id_token_signed_response_alg it registers with scope
                              openid; NULL: ES256 */
  OAuthDefenses defenses;  /* state_check is check_state; the client honours iss_parameter,
                              audience_restriction, referrer_policy and redirect_allowlist */
} ClientConfig;

void client_config_init  (ClientConfig *config);
void client_config_clear (ClientConfig *config);

typedef struct _ClientApp ClientApp;

ClientApp  *client_app_new       (SimWorld           *world,
                                  const ClientConfig *config);
void        client_app_free      (ClientApp          *self);
void        client_app_handle    (gpointer            self,
                                  SimMessage         *message);

/* Actions a scenario can ask of it; each returns the last exchange it made. */
SimMessage *client_app_register  (ClientApp          *self);
SimMessage *client_app_call_api  (ClientApp          *self,
                                  const char         *method,
                                  const char         *path,
                                  JsonNode           *body);
SimMessage *client_app_refresh   (ClientApp          *self,
                                  const char         *scope);
SimMessage *client_app_request_token (ClientApp      *self,
                                  const char         *scope);
SimMessage *client_app_revoke    (ClientApp          *self,
                                  const char         *which);
SimMessage *client_app_discover  (ClientApp          *self);
SimMessage *client_app_userinfo  (ClientApp          *self);
SimMessage *client_app_register_at (ClientApp        *self,
                                  const char         *issuer);
SimMessage *client_app_call_other (ClientApp         *self,
                                  const char         *method,
                                  const char         *url);

/* What it holds: "client_id", "client_secret", "access_token", "refresh_token", "scope",
 * "state", "code_verifier", "code", "error", and as a relying party (client-oidc.h) "id_token"
 * and "sub". */
const char *client_app_get_held  (ClientApp          *self,
                                  const char         *what);
const char *const *client_app_held_names (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClientApp, client_app_free)

G_END_DECLS
