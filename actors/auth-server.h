/* auth-server.h: the authorization server (the seed lesson's "Resource Server"): it registers
 * clients, authenticates the resource owner, asks for consent, and issues, introspects and
 * revokes codes and tokens (RFC 6749, 7636, 7009, 7662, 8414, 7591, 9700). */
#pragma once

#include "sim/world.h"
#include "actors/defenses.h"

G_BEGIN_DECLS

typedef struct
{
  char *issuer;                   /* also the origin it answers for, e.g. https://auth.example */
  gint64 code_lifetime;           /* seconds; default 60, at most 600 (RFC 6749 §4.1.2) */
  gint64 access_token_lifetime;   /* seconds; default 3600 */
  gint64 refresh_token_lifetime;  /* seconds; default 14 days */
  gboolean rotate_refresh_tokens; /* RFC 9700 §4.14.2; default TRUE */
  gboolean require_pkce;          /* for confidential clients too */
  gboolean pkce_for_public_clients; /* public clients must (RFC 9700 §2.1.1); default TRUE, FALSE
                                     under the rfc6749 profile */
  gboolean allow_plain_pkce;      /* accept code_challenge_method=plain; default FALSE */
  guint max_login_attempts;       /* wrong passwords before the request is dropped; default 5 */
  char *audience;                 /* the resource its tokens are for when the client names none
                                     (RFC 8707); NULL: tokens name no audience */
  gboolean dpop;                  /* checks DPoP proofs at /token and binds tokens to their key
                                     (RFC 9449); default FALSE: it ignores a DPoP header */
  gboolean dpop_nonce;            /* demands a nonce of its own in every proof (RFC 9449 §8) */
  gboolean jwt_access_tokens;     /* access tokens are signed JWTs (RFC 9068) rather than
                                     opaque values; default FALSE */
  gint64 device_code_lifetime;    /* seconds a device's codes live (RFC 8628 §3.2); default 600 */
  gint64 device_poll_interval;    /* seconds between a device's polls (§3.2); default 5 */
  OAuthDefenses defenses;         /* the switches it honours; all on by default */
} AuthServerConfig;

void auth_server_config_init  (AuthServerConfig       *config);
void auth_server_config_clear (AuthServerConfig       *config);

typedef struct _AuthServer AuthServer;

AuthServer *auth_server_new            (SimWorld               *world,
                                        const AuthServerConfig *config);
void        auth_server_free           (AuthServer             *self);
void        auth_server_handle         (gpointer                self,
                                        SimMessage             *message);
void        auth_server_add_user       (AuthServer             *self,
                                        const char             *username,
                                        const char             *password);
void        auth_server_set_user_claims (AuthServer            *self,
                                        const char             *username,
                                        const char             *name,
                                        const char             *email);
void        auth_server_add_scope      (AuthServer             *self,
                                        const char             *scope,
                                        const char             *description);
void        auth_server_add_resource   (AuthServer             *self,
                                        const char             *id,
                                        const char             *secret);
const char *auth_server_get_issuer     (AuthServer             *self);
guint       auth_server_count_live     (AuthServer             *self);
gboolean    auth_server_remove_client  (AuthServer             *self,
                                        const char             *client_id);

/* What a scenario may ask about afterwards. */
gboolean    auth_server_token_is_active (AuthServer            *self,
                                         const char            *token);
guint       auth_server_count_clients  (AuthServer             *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AuthServer, auth_server_free)

G_END_DECLS
