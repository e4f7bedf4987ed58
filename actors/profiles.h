/* profiles.h: named sets of defense switches and server permissions, for a scenario's
 * "profile" and the --profile option: rfc6749 (the 2012 baseline), bcp9700 (today's default,
 * the one every scenario had before profiles) and oauth2.1 (draft-ietf-oauth-v2-1). A scenario's
 * own settings are applied over its profile (docs/profiles.md). */
#pragma once

#include "actors/defenses.h"

G_BEGIN_DECLS

#define OAUTH_PROFILE_DEFAULT "bcp9700"

typedef struct
{
  const char *name;
  OAuthDefenses defenses;
  gboolean pkce_for_public_clients; /* server: a public client must send a code_challenge */
  gboolean require_pkce;            /* server: every client must */
  gboolean client_pkce;             /* the app sends a code_challenge unless it says otherwise */
} OAuthProfile;

const char *const  *oauth_profile_names    (void);
const OAuthProfile *oauth_profile_lookup   (const char *name);
const char         *oauth_profile_describe (const char *name);

G_END_DECLS
