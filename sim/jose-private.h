/* jose-private.h: the signature under a JWS, for tests that check it against published
 * vectors. */
#pragma once

#include "sim/jose.h"

G_BEGIN_DECLS

void sim_jose_sign_input (SimJoseKey   *key,
                          const guint8 *input,
                          gsize         length,
                          guint8        signature[64]);

G_END_DECLS
