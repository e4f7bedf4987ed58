/* profiles.c: the three profiles, each a whole set of switches so that a profile never depends
 * on another's defaults. What each one says, and why, is in docs/profiles.md; a change here is
 * a change there. */
#include <glib/gi18n-lib.h>

#include "actors/profiles.h"

static const char *const names[] = { "rfc6749", "bcp9700", "oauth2.1", NULL };

/* In the order of names[]. Defenses in the order of OAuthDefenses. */
static const OAuthProfile profiles[] = {
  /* RFC 6749 as published in 2012: what it requires (CSRF protection, §10.12; single-use codes,
   * §4.1.2; clickjacking protection, §10.13) and nothing that came later; its implicit (§4.2)
   * and password (§4.3) grants. PKCE (2015) is there for a client that sends it, but nobody
   * has to. */
  { "rfc6749",
    { .state_check = TRUE, .pkce = TRUE, .pkce_downgrade_protection = FALSE,
      .exact_redirect_uri = FALSE, .single_use_codes = TRUE, .refresh_rotation = FALSE,
      .iss_parameter = FALSE, .audience_restriction = FALSE, .consent_frame_protection = TRUE,
      .referrer_policy = FALSE, .redirect_allowlist = FALSE,
      /* OpenID Connect (2014) is no part of RFC 6749: a client that speaks it checks. */
      .nonce_check = TRUE, .id_token_login = TRUE, .no_password_grant = FALSE,
      .no_implicit_grant = FALSE, .sender_constraint = FALSE,
      /* RFC 8628 (2019) came later: its user page asks for the code and nothing more. */
      .device_confirmation = FALSE },
    FALSE, FALSE, FALSE },
  /* RFC 9700 (BCP 240): every defense, PKCE required of public clients. */
  { "bcp9700",
    { .state_check = TRUE, .pkce = TRUE, .pkce_downgrade_protection = TRUE,
      .exact_redirect_uri = TRUE, .single_use_codes = TRUE, .refresh_rotation = TRUE,
      .iss_parameter = TRUE, .audience_restriction = TRUE, .consent_frame_protection = TRUE,
      .referrer_policy = TRUE, .redirect_allowlist = TRUE,
      .nonce_check = TRUE, .id_token_login = TRUE, .no_password_grant = TRUE,
      .no_implicit_grant = TRUE, .sender_constraint = TRUE, .device_confirmation = TRUE },
    TRUE, FALSE, TRUE },
  /* draft-ietf-oauth-v2-1: the same, and PKCE required of every client (§4.1.1). */
  { "oauth2.1",
    { .state_check = TRUE, .pkce = TRUE, .pkce_downgrade_protection = TRUE,
      .exact_redirect_uri = TRUE, .single_use_codes = TRUE, .refresh_rotation = TRUE,
      .iss_parameter = TRUE, .audience_restriction = TRUE, .consent_frame_protection = TRUE,
      .referrer_policy = TRUE, .redirect_allowlist = TRUE,
      .nonce_check = TRUE, .id_token_login = TRUE, .no_password_grant = TRUE,
      .no_implicit_grant = TRUE, .sender_constraint = TRUE, .device_confirmation = TRUE },
    TRUE, TRUE, TRUE },
};

static const char *const descriptions[] = {
  N_("RFC 6749 as published in 2012: the implicit and password grants, no PKCE required, redirect URIs matched by prefix, no rotation of refresh tokens, no iss, no audience, no referrer policy"),
  N_("RFC 9700, today's best current practice and the default: every defense on, no implicit or password grant, PKCE required of public clients"),
  N_("draft-ietf-oauth-v2-1: as RFC 9700, and PKCE required of every client"),
};

G_STATIC_ASSERT (G_N_ELEMENTS (profiles) + 1 == G_N_ELEMENTS (names));
G_STATIC_ASSERT (G_N_ELEMENTS (descriptions) == G_N_ELEMENTS (profiles));

/**
 * oauth_profile_names:
 * Returns: (transfer none): the profiles' names, oldest first.
 */
const char *const *
oauth_profile_names (void)
{
  return names;
}

/**
 * oauth_profile_lookup:
 * Returns: (transfer none) (nullable): the profile named @name.
 */
const OAuthProfile *
oauth_profile_lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (profiles); i++)
    if (g_strcmp0 (names[i], name) == 0)
      return &profiles[i];
  return NULL;
}

/**
 * oauth_profile_describe:
 * Returns: (transfer none) (nullable): what the profile @name is, translated.
 */
const char *
oauth_profile_describe (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (profiles); i++)
    if (g_strcmp0 (names[i], name) == 0)
      return _(descriptions[i]);
  return NULL;
}
