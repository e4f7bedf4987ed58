/* rng.h: where every code, token, secret, state and PKCE verifier gets its bytes.
 *
 * Seeded (a Mersenne Twister from GLib's GRand, the same sequence on every machine for a given
 * seed) in simulations, or the kernel's entropy (getrandom) in serve mode. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SimRng SimRng;

SimRng *sim_rng_new_seeded  (guint64     seed);
SimRng *sim_rng_new_system  (void);
void    sim_rng_free        (SimRng     *self);
void    sim_rng_fill        (SimRng     *self,
                             guint8     *buffer,
                             gsize       length);
char   *sim_rng_token       (SimRng     *self,
                             const char *prefix,
                             gsize       n_bytes);
gsize   sim_base64_write     (char         *out,
                              const guint8 *data,
                              gsize         length,
                              gboolean      url);
char   *sim_base64url_encode (const guint8 *data,
                              gsize         length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimRng, sim_rng_free)

G_END_DECLS
