/* oauth.h: small pieces of OAuth that several actors share: error responses (RFC 6749 §4.1.2.1,
 * §5.2), scope strings (§3.3), client authentication headers (§2.3.1), PKCE (RFC 7636 §4.2),
 * constant-time comparison; HTML pages are in html-page.h. */
#pragma once

#include "actors/html-page.h"
#include "sim/message.h"

G_BEGIN_DECLS

/* Scopes: space-separated, case-sensitive, order does not matter (RFC 6749 §3.3). */
GStrv     oauth_scope_parse       (const char  *scope);
char     *oauth_scope_join        (const char *const *scopes);
char     *oauth_scope_normalize   (const char  *scope);
gboolean  oauth_scope_is_subset   (const char  *scope,
                                   const char  *of);
gboolean  oauth_scope_contains    (const char  *scope,
                                   const char  *one);
gboolean  oauth_scope_is_valid    (const char  *scope);
gboolean  oauth_scope_is_empty    (const char  *scope);

/* Responses */
void      oauth_json_error        (SimMessage  *message,
                                   guint        status,
                                   const char  *error,
                                   const char  *description);
SimParams *oauth_error_params     (const char  *error,
                                   const char  *description,
                                   const char  *state,
                                   const char  *issuer);
void      oauth_redirect_error    (SimMessage  *message,
                                   const char  *redirect_uri,
                                   const char  *error,
                                   const char  *description,
                                   const char  *state,
                                   const char  *issuer);
void      oauth_no_store          (SimMessage  *message);
void      oauth_bearer_error      (SimMessage  *message,
                                   const char  *realm,
                                   guint        status,
                                   const char  *error,
                                   const char  *description,
                                   const char  *scope);
void      oauth_challenge_error   (SimMessage  *message,
                                   const char  *scheme,
                                   guint        status,
                                   const char  *error,
                                   const char  *description,
                                   const char  *scope);
char     *oauth_append_query      (const char  *uri,
                                   SimParams   *params);

/* Redirect URIs */
gboolean  oauth_is_loopback_host  (const char  *host);
gboolean  oauth_loopback_uri_matches (const char *registered,
                                   const char  *given);

/* A token response (RFC 6749 §5.1), read by whoever asked for it. */
gboolean  oauth_read_token_response (SimMessage *message,
                                     char      **access_token,
                                     char      **refresh_token,
                                     char      **scope,
                                     char      **error);

/* Client authentication */
gboolean  oauth_parse_basic       (SimHeaders  *headers,
                                   char       **client_id,
                                   char       **client_secret);
char     *oauth_basic_credentials (const char *client_id,
                                   const char *client_secret);
void      oauth_set_basic         (SimHeaders *headers,
                                   const char *client_id,
                                   const char *client_secret);
gboolean  oauth_secure_equal      (const char  *a,
                                   const char  *b);

/* PKCE */
char     *oauth_pkce_s256         (const char  *verifier);
gboolean  oauth_pkce_is_valid_value (const char *value);

/* OpenID Connect */
char     *oauth_at_hash           (const char  *access_token);

G_END_DECLS
