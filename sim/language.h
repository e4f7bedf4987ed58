/* language.h: the one language this run speaks (en or ko), decided once, for the message
 * catalog and for the texts a scenario gives in several languages alike. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *sim_language_choose (const char *requested);
const char *sim_language        (void);

G_END_DECLS
