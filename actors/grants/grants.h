/* grants.h: the grant types the authorization server knows, one file per grant in
 * actors/grants/, and one table (grants.c) that the token endpoint's dispatcher, the metadata
 * (grant_types_supported, RFC 8414 §2) and registration (grant_types, RFC 7591 §2) all read.
 * A new grant is its file plus one row of the table (docs/architecture.md, "Grants"). */
#pragma once

#include "actors/auth-server-private.h"

G_BEGIN_DECLS

/* What a grant does at the token endpoint once the dispatcher has read the form,
 * authenticated the client (RFC 6749 §3.2.1) and checked that the client registered this grant
 * type (§5.2 unauthorized_client). It writes the answer, success or error, and narrates it. */
typedef void (*GrantHandler) (AuthServer *self,
                              SimMessage *message,
                              SimParams  *form,
                              ClientAuth *auth);

typedef struct
{
  const char *name;                     /* the grant_type value, as registered and sent */
  GrantHandler handle;                  /* at POST /token; NULL for a grant that never
                                           reaches it (implicit, RFC 6749 §4.2) */
  gboolean (*offered) (AuthServer *self); /* whether this server offers it; NULL: always */
  const char *response_type;            /* what the client asks /authorize for with it
                                           (RFC 7591 §2.1); NULL: it does not go there */
  gboolean confidential_only;           /* only a client with credentials may use it */
} GrantType;

const GrantType *auth_server_grant_at         (guint i);
const GrantType *auth_server_find_grant       (AuthServer *self,
                                               const char *name);
gboolean         auth_server_grant_is_offered (AuthServer *self,
                                               const GrantType *grant);
GStrv            auth_server_offered_grants   (AuthServer *self,
                                               gboolean    token_endpoint_only);
char            *auth_server_list_grants      (AuthServer *self,
                                               gboolean    token_endpoint_only);
gboolean         registered_client_has_grant  (const RegisteredClient *client,
                                               const char *name);

/* The grants' handlers, one file each. */
void grant_authorization_code (AuthServer *self, SimMessage *message, SimParams *form, ClientAuth *auth);
void grant_refresh_token      (AuthServer *self, SimMessage *message, SimParams *form, ClientAuth *auth);
void grant_password           (AuthServer *self, SimMessage *message, SimParams *form, ClientAuth *auth);

/* The legacy grants, offered only where their defense is off (the rfc6749 profile). */
gboolean grant_password_offered (AuthServer *self);
gboolean grant_implicit_offered (AuthServer *self);
void     grant_implicit_redirect_error (AuthServer     *self,
                                        SimMessage     *message,
                                        const char     *redirect_uri,
                                        const char     *error,
                                        const char     *description,
                                        const char     *state,
                                        const char     *narration);
void     grant_implicit_answer (AuthServer     *self,
                                SimMessage     *message,
                                PendingRequest *request,
                                const char     *username,
                                const char     *scope);
void grant_client_credentials (AuthServer *self, SimMessage *message, SimParams *form, ClientAuth *auth);
void grant_device_code        (AuthServer *self, SimMessage *message, SimParams *form, ClientAuth *auth);

/* What the grants share, in auth-server-token.c. */
void     token_error        (SimMessage  *message,
                             const char  *error,
                             const char  *description,
                             const char  *narration);
void     answer_tokens      (AuthServer  *self,
                             SimMessage  *message,
                             const char  *access_token,
                             const char  *refresh_token,
                             const char  *scope);
void     answer_tokens_with_id_token (AuthServer  *self,
                             SimMessage  *message,
                             const char  *access_token,
                             const char  *refresh_token,
                             const char  *scope,
                             const char  *id_token);
gboolean read_resource      (AuthServer  *self,
                             SimMessage  *message,
                             SimParams   *form,
                             const char **resource);
gboolean token_may_refresh  (AuthServer  *self,
                             ClientAuth  *auth);

G_END_DECLS
