/* auth-server-private.h: the authorization server's records, shared by its endpoint files. */
#pragma once

#include <glib/gi18n-lib.h>

#include "actors/auth-server.h"
#include "actors/oauth.h"
#include "sim/jose.h"

G_BEGIN_DECLS

/* The one algorithm the server signs ID tokens with (OpenID Connect Core §2, JWA §3.4). */
#define AUTH_SERVER_ID_TOKEN_ALG "ES256"
/* Where the server publishes the keys it signs with (RFC 7517 §5). */
#define AUTH_SERVER_JWKS_PATH "/jwks"
#define AUTH_SERVER_KEY_ID "auth-key-1"
/* ID tokens say who signed in a moment ago; they need not live long (OIDC Core §2: exp). */
#define AUTH_SERVER_ID_TOKEN_LIFETIME 600

typedef struct
{
  char *client_id;
  char *client_secret;          /* NULL for a public client */
  char *client_name;
  GPtrArray *redirect_uris;     /* (element-type utf8) */
  char *scope;                  /* what it may ask for, normalized */
  char *auth_method;            /* client_secret_basic, client_secret_post or none */
  GStrv grant_types;            /* what it registered (RFC 7591 §2), e.g. authorization_code */
  gboolean dpop_bound;          /* dpop_bound_access_tokens: every token request has a proof
                                   (RFC 9449 §5.2) */
  gint64 issued_at;
  char *id_token_alg;           /* id_token_signed_response_alg (OIDC Registration §2); NULL
                                   for a client that registered no OpenID Connect metadata */
} RegisteredClient;

/* What the server knows of an account besides its password: the claims it may release
 * (OpenID Connect Core §5.1), each NULL when the scenario gives none. */
typedef struct
{
  char *name;
  char *email;
} UserClaims;

typedef struct
{
  char *secret;
} Resource;

/* One authorization the owner gave: codes and tokens that came from it share it, so that a
 * replayed code or refresh token can revoke them all (RFC 6749 §10.5, RFC 9700 §4.14.2). */
typedef struct
{
  gint ref_count;
  gboolean revoked;
} Grant;

/* An authorization request waiting for the owner to log in and decide (RFC 6749 §4.1.1). */
typedef struct
{
  char *id;
  char *client_id;
  char *redirect_uri;           /* where to send the answer */
  gboolean redirect_uri_given;  /* then the token request must repeat it (§4.1.3) */
  gboolean redirect_uri_by_prefix; /* matched only by prefix (exact_redirect_uri off) */
  gboolean implicit;            /* response_type=token: the answer is a token (RFC 6749 §4.2) */
  char *scope;
  char *state;
  char *code_challenge;
  char *code_challenge_method;
  char *nonce;                  /* OpenID Connect Core §3.1.2.1, for the id_token */
  guint failed_logins;
  gint64 expires_at;
  char *device_code;            /* a device's request (RFC 8628 §3.3): no redirect, no code */
} PendingRequest;

typedef struct
{
  char *client_id;
  char *redirect_uri;
  gboolean redirect_uri_given;
  char *scope;
  char *subject;
  char *code_challenge;
  char *code_challenge_method;
  char *nonce;                  /* goes into the id_token unchanged (OIDC Core §3.1.3.6) */
  gint64 auth_time;             /* when the owner signed in (OIDC Core §2) */
  gint64 expires_at;
  gboolean used;
  Grant *grant;
} AuthCode;

typedef enum
{
  TOKEN_ACCESS,
  TOKEN_REFRESH,
} TokenKind;

typedef struct
{
  TokenKind kind;
  char *client_id;
  char *subject;
  char *scope;
  gint64 issued_at;
  gint64 expires_at;
  gboolean revoked;
  gboolean rotated;             /* a refresh token already exchanged for a new one */
  char *audience;               /* the resource it is for (RFC 8707); NULL: any */
  char *jkt;                    /* the thumbprint of the key it is bound to (RFC 9449 §6);
                                   NULL: a bearer token */
  Grant *grant;
} Token;

/* A device authorization request (RFC 8628 §3.1-§3.5): what the device asked for, what the
 * owner decided at the user page, and how fast the device may poll. */
typedef enum
{
  DEVICE_PENDING,
  DEVICE_APPROVED,
  DEVICE_DENIED,
  DEVICE_REDEEMED,              /* its tokens were issued: the device_code is spent */
} DeviceStatus;

typedef struct
{
  char *device_code;
  char *user_code;              /* as shown, XXXX-XXXX */
  char *client_id;
  char *scope;
  char *subject;                /* the owner who approved */
  DeviceStatus status;
  gint64 expires_at;            /* both codes stop working then (§3.2 expires_in) */
  gint64 forget_at;             /* kept a while longer, to answer expired_token (§3.5) */
  gint64 interval;              /* seconds between polls; slow_down adds 5 (§3.5) */
  gint64 last_poll;             /* -1 before the first */
} DeviceRequest;

struct _AuthServer
{
  SimWorld *world;
  AuthServerConfig config;
  GHashTable *users;            /* username -> password hash (auth_server_add_user) */
  GHashTable *claims;           /* username -> UserClaims (auth_server_set_user_claims) */
  GPtrArray *scopes;            /* (element-type utf8) the scopes it knows, in order */
  GHashTable *scope_descriptions;
  GHashTable *clients;          /* client_id -> RegisteredClient */
  GHashTable *resources;        /* id -> Resource */
  GHashTable *pending;          /* request id -> PendingRequest */
  GHashTable *codes;            /* code -> AuthCode */
  GHashTable *tokens;           /* token -> Token */
  GHashTable *devices;          /* device_code -> DeviceRequest */
  GHashTable *user_codes;       /* user code without its dash -> device_code */
  GArray *expiries;             /* (element-type Expiry) a min-heap on expires_at */
  SimJoseKey *signing_key;      /* made on first use (auth-server-jwks.c) */
  struct _DpopVerifier *dpop;   /* (nullable) its DPoP checks and replay cache (RFC 9449) */
  char *dpop_jkt;               /* the key the token request being answered proved, for the
                                   tokens it issues; NULL between requests and without DPoP */
};

/* Endpoints, one family per file. */
void auth_server_register   (AuthServer *self, SimMessage *message);
void auth_server_authorize  (AuthServer *self, SimMessage *message);
void auth_server_consent    (AuthServer *self, SimMessage *message);
void auth_server_token      (AuthServer *self, SimMessage *message);
void auth_server_introspect (AuthServer *self, SimMessage *message);
void auth_server_revoke     (AuthServer *self, SimMessage *message);
void auth_server_metadata   (AuthServer *self, SimMessage *message);
void auth_server_openid_configuration (AuthServer *self, SimMessage *message);
void auth_server_userinfo   (AuthServer *self, SimMessage *message);
void auth_server_jwks       (AuthServer *self, SimMessage *message);
void auth_server_device_authorization (AuthServer *self, SimMessage *message);
void auth_server_device_page (AuthServer *self, SimMessage *message);
void auth_server_device_decide (AuthServer     *self,
                                SimMessage     *message,
                                PendingRequest *request,
                                SimParams      *form,
                                const char     *username,
                                const char     *approved_scope);
void device_request_free     (gpointer data);

/* Shared by the endpoints. */
typedef enum
{
  CLIENT_AUTH_NONE,     /* no credentials at all */
  CLIENT_AUTH_BASIC,
  CLIENT_AUTH_POST,
  CLIENT_AUTH_PUBLIC,   /* client_id only, for a client registered with "none" */
} ClientAuthMethod;

typedef struct
{
  ClientAuthMethod method;
  char *client_id;      /* who it claims to be, even when authentication failed */
  RegisteredClient *client;
  gboolean is_resource;
} ClientAuth;

gboolean auth_server_authenticate_client (AuthServer *self,
                                          SimMessage *message,
                                          SimParams  *form,
                                          gboolean    allow_resources,
                                          ClientAuth *auth);
void     client_auth_clear               (ClientAuth *auth);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClientAuth, client_auth_clear)
gboolean auth_server_check_password      (AuthServer *self,
                                          const char *username,
                                          const char *password);
void     auth_server_invalid_client      (SimMessage *message,
                                          ClientAuth *auth,
                                          const char *description);
SimParams *auth_server_read_form         (AuthServer *self,
                                          SimMessage *message,
                                          gboolean    empty_is_omitted);
SimParams *auth_server_drop_empty        (SimMessage *message,
                                          SimParams  *params,
                                          const char *section);

Grant   *grant_new                       (void);
Grant   *grant_ref                       (Grant *grant);
void     grant_unref                     (Grant *grant);
char    *auth_server_issue_token         (AuthServer *self,
                                          TokenKind   kind,
                                          const char *client_id,
                                          const char *subject,
                                          const char *scope,
                                          const char *audience,
                                          Grant      *grant);
Token   *auth_server_find_live_token     (AuthServer *self,
                                          const char *token);
void     auth_server_remember            (AuthServer *self,
                                          GHashTable *table,
                                          char       *key,
                                          gpointer    record,
                                          gint64      expires_at);
void     auth_server_purge               (AuthServer *self);
void     auth_server_show_login          (AuthServer     *self,
                                          SimMessage     *message,
                                          PendingRequest *request,
                                          const char     *error_text);
const char *auth_server_describe_scope   (AuthServer *self,
                                          const char *scope);
OAuthPageFlags auth_server_page_flags    (AuthServer *self);
const UserClaims *auth_server_user_claims (AuthServer *self,
                                          const char *username);
SimJoseKey *auth_server_signing_key      (AuthServer *self);
char       *auth_server_id_token         (AuthServer     *self,
                                          const AuthCode *code,
                                          const char     *access_token);

/* DPoP at the authorization server (RFC 9449), in auth-server-dpop.c. */
gboolean auth_server_dpop_token_request  (AuthServer *self,
                                          SimMessage *message,
                                          ClientAuth *auth);
gboolean auth_server_dpop_check_refresh  (AuthServer *self,
                                          SimMessage *message,
                                          Token      *refresh);
void     auth_server_dpop_answer_bound   (SimMessage *message,
                                          SimFields  *answer,
                                          Token      *token);

G_END_DECLS
