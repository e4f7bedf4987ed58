/* secrets.h: which values in an OAuth message are secrets, and of which kind, for the
 * who-knows-what view (sim/knowledge.h). */
#pragma once

#include "sim/knowledge.h"

G_BEGIN_DECLS

extern const SimSecretClassifier oauth_secret_classifier;

G_END_DECLS
