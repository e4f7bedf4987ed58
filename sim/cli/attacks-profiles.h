/* attacks-profiles.h: the attack lab under a profile, and by profile (attacks-profiles.c). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void cli_attacks_under_profile (GPtrArray  *lessons,
                                const char *name,
                                gboolean    json);
void cli_attacks_by_profile    (GPtrArray  *lessons,
                                gboolean    json);

G_END_DECLS
