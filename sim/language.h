/* language.h: the language this run speaks, for the texts a scenario gives in several
 * languages. Messages from the program itself go through gettext. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *sim_language (void);

G_END_DECLS
