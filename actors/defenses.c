/* defenses.c: the names of the defense switches, in the order the lab shows them, and what each
 * one does, for people. Which code path each switch changes is said where it is tested. */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "actors/defenses.h"

static const char *const names[] = {
  "state_check", "pkce", "pkce_downgrade_protection", "exact_redirect_uri", "single_use_codes",
  "refresh_rotation", "iss_parameter", "audience_restriction", "consent_frame_protection",
  "referrer_policy", "redirect_allowlist", "nonce_check", "id_token_login", "no_password_grant",
  "no_implicit_grant", "sender_constraint", "device_confirmation", NULL
};

/* In the order of names[]. */
typedef struct
{
  gsize offset;
  const char *description;
} DefenseInfo;

static const DefenseInfo table[] = {
  { G_STRUCT_OFFSET (OAuthDefenses, state_check),
    N_("the client accepts a callback only with the state it sent (RFC 6749 §10.12)") },
  { G_STRUCT_OFFSET (OAuthDefenses, pkce),
    N_("the client sends an S256 code_challenge; the server binds the code to it and requires it of public clients (RFC 7636)") },
  { G_STRUCT_OFFSET (OAuthDefenses, pkce_downgrade_protection),
    N_("the server refuses a code_verifier for a code issued without a code_challenge (RFC 9700 §4.8.2)") },
  { G_STRUCT_OFFSET (OAuthDefenses, exact_redirect_uri),
    N_("the server compares redirect URIs exactly, not by prefix (RFC 9700 §2.1)") },
  { G_STRUCT_OFFSET (OAuthDefenses, single_use_codes),
    N_("the server accepts a code once and revokes its tokens if it comes again (RFC 6749 §4.1.2, §10.5)") },
  { G_STRUCT_OFFSET (OAuthDefenses, refresh_rotation),
    N_("the server rotates refresh tokens and revokes the grant when a spent one comes back (RFC 9700 §4.14.2)") },
  { G_STRUCT_OFFSET (OAuthDefenses, iss_parameter),
    N_("the server names itself in the authorization response and the client checks it (RFC 9207)") },
  { G_STRUCT_OFFSET (OAuthDefenses, audience_restriction),
    N_("access tokens name the API they are for, and the API checks it (RFC 9700 §4.10.2, RFC 8707)") },
  { G_STRUCT_OFFSET (OAuthDefenses, consent_frame_protection),
    N_("the server's pages forbid framing: X-Frame-Options and frame-ancestors (RFC 9700 §4.16)") },
  { G_STRUCT_OFFSET (OAuthDefenses, referrer_policy),
    N_("pages tell the browser to send no Referer header (RFC 9700 §4.2.4)") },
  { G_STRUCT_OFFSET (OAuthDefenses, redirect_allowlist),
    N_("the client's redirector sends the browser only to the client's own pages (RFC 9700 §4.11.1)") },
  { G_STRUCT_OFFSET (OAuthDefenses, nonce_check),
    N_("the client accepts an ID token only with a nonce it sent for a sign-in under way, and only once (OpenID Connect Core §3.1.3.7)") },
  { G_STRUCT_OFFSET (OAuthDefenses, id_token_login),
    N_("the client signs a user in only from an ID token issued to it, never from an access token it is handed (RFC 6749 §10.16)") },
  { G_STRUCT_OFFSET (OAuthDefenses, no_password_grant),
    N_("the server refuses the password grant, so a client never handles the owner's password (RFC 9700 §2.4)") },
  { G_STRUCT_OFFSET (OAuthDefenses, no_implicit_grant),
    N_("the server refuses the implicit grant, so no access token travels in a browser's address (RFC 9700 §2.1.2)") },
  { G_STRUCT_OFFSET (OAuthDefenses, sender_constraint),
    N_("a client set to use DPoP binds its tokens to its key, and the API refuses a bound token without a proof from that key (RFC 9449, RFC 9700 §4.10.1)") },
  { G_STRUCT_OFFSET (OAuthDefenses, device_confirmation),
    N_("the device user page shows which app asks and has the owner confirm that her own device shows the code (RFC 8628 §5.4)") },
};

G_STATIC_ASSERT (G_N_ELEMENTS (table) + 1 == G_N_ELEMENTS (names));
G_STATIC_ASSERT (G_N_ELEMENTS (table) * sizeof (gboolean) == sizeof (OAuthDefenses));

/* Every defense on: the default of every scenario. */
void
oauth_defenses_init (OAuthDefenses *defenses)
{
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    G_STRUCT_MEMBER (gboolean, defenses, table[i].offset) = TRUE;
}

/**
 * oauth_defense_names:
 * Returns: (transfer none): the defenses' names, in the order the lab shows them.
 */
const char *const *
oauth_defense_names (void)
{
  return names;
}

/**
 * oauth_defenses_lookup:
 * Returns: (transfer none) (nullable): the switch named @name in @defenses.
 */
gboolean *
oauth_defenses_lookup (OAuthDefenses *defenses,
                       const char    *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_strcmp0 (names[i], name) == 0)
      return &G_STRUCT_MEMBER (gboolean, defenses, table[i].offset);
  return NULL;
}

/**
 * oauth_defense_describe:
 * Returns: (transfer none) (nullable): what the defense @name does, translated.
 */
const char *
oauth_defense_describe (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_strcmp0 (names[i], name) == 0)
      return _(table[i].description);
  return NULL;
}

gboolean
oauth_defenses_equal (const OAuthDefenses *a,
                      const OAuthDefenses *b)
{
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (!G_STRUCT_MEMBER (gboolean, a, table[i].offset) != !G_STRUCT_MEMBER (gboolean, b, table[i].offset))
      return FALSE;
  return TRUE;
}
