/* defenses.h: the switchboard of the attack lab. Each defense is a real code path in an actor
 * (the client's state check, the server's PKCE, exact redirect URI matching, ...), on by
 * default; a scenario may switch one off to watch an attack succeed, then on to watch the same
 * attack fail at that check (docs/attack-lab.md). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gboolean state_check;               /* client: the callback's state is the one it sent (RFC 6749 §10.12) */
  gboolean pkce;                      /* client sends S256; server binds, checks, requires it of public clients (RFC 7636) */
  gboolean pkce_downgrade_protection; /* server: no verifier for a code without challenge (RFC 9700 §4.8.2) */
  gboolean exact_redirect_uri;        /* server: exact string match, not prefix (RFC 9700 §2.1, §4.1.3) */
  gboolean single_use_codes;          /* server: a used code is refused, its tokens revoked (RFC 6749 §4.1.2, §10.5) */
  gboolean refresh_rotation;          /* server: rotation and reuse detection (RFC 9700 §4.14.2) */
  gboolean iss_parameter;             /* server sends iss, client checks it (RFC 9207) */
  gboolean audience_restriction;      /* tokens carry aud, the API checks it (RFC 9700 §4.10.2, RFC 8707) */
  gboolean consent_frame_protection;  /* server's pages refuse framing (RFC 9700 §4.16) */
  gboolean referrer_policy;           /* pages say Referrer-Policy: no-referrer (RFC 9700 §4.2.4) */
  gboolean redirect_allowlist;        /* client's redirector goes only to its own pages (RFC 9700 §4.11.1) */
  gboolean nonce_check;               /* client: an ID token's nonce is one it sent, once (OIDC Core §3.1.3.7) */
  gboolean id_token_login;            /* client signs in only from a checked ID token, never from an
                                         access token (RFC 6749 §10.16, OIDC Core §3.1.3.7) */
  gboolean no_password_grant;         /* server: grant_type=password is unsupported_grant_type (RFC 9700 §2.4) */
  gboolean no_implicit_grant;         /* server: response_type=token is unsupported_response_type (RFC 9700 §2.1.2) */
  gboolean sender_constraint;         /* a client set to use DPoP binds its tokens to its key (RFC 9449, RFC 9700 §4.10.1) */
  gboolean device_confirmation;       /* server: the device user page has the owner confirm the code is on her device (RFC 8628 §5.4) */
} OAuthDefenses;

void               oauth_defenses_init    (OAuthDefenses *defenses);
const char *const *oauth_defense_names    (void);
gboolean          *oauth_defenses_lookup  (OAuthDefenses *defenses,
                                           const char    *name);
const char        *oauth_defense_describe (const char    *name);
gboolean           oauth_defenses_equal   (const OAuthDefenses *a,
                                           const OAuthDefenses *b);

G_END_DECLS
