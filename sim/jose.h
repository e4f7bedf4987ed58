/* jose.h: ES256 signatures in the JOSE formats: JWS compact serialization (RFC 7515), JWK and
 * JWK Sets (RFC 7517), JWK thumbprints (RFC 7638), for the JWT access tokens of RFC 9068 and
 * whatever else signs JSON (OpenID Connect's id_token, DPoP proofs).
 *
 * Only ES256 (ECDSA on P-256 with SHA-256, RFC 7518 §3.4). The cryptography is the libraries':
 * nettle computes a key's public point from its private scalar, GnuTLS signs (deterministic
 * ECDSA, RFC 6979, so that a seed gives the same signatures every run) and verifies. A key drawn
 * from a seeded generator is the same key on every machine.
 *
 * This is the format, not its meaning: which claims a token must carry and what they must say
 * is for its reader (actors/). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "sim/rng.h"

G_BEGIN_DECLS

#define SIM_JOSE_ERROR (sim_jose_error_quark ())

typedef enum
{
  SIM_JOSE_ERROR_MALFORMED = 1,  /* not three base64url parts of JSON objects */
  SIM_JOSE_ERROR_UNSUPPORTED,    /* alg other than ES256 ("none" among them), or crit */
  SIM_JOSE_ERROR_BAD_KEY,        /* a JWK that is no P-256 public key */
  SIM_JOSE_ERROR_WRONG_KEY,      /* the header's kid names another key than the one given */
  SIM_JOSE_ERROR_BAD_SIGNATURE,  /* the signature does not verify */
} SimJoseError;

typedef struct _SimJoseKey SimJoseKey;

GQuark      sim_jose_error_quark        (void);

SimJoseKey *sim_jose_key_new_from_rng   (SimRng        *rng,
                                         const char    *kid);
SimJoseKey *sim_jose_key_new_from_scalar (const guint8  d[32],
                                          const char    *kid,
                                          GError       **error);
SimJoseKey *sim_jose_key_new_from_jwk   (JsonObject    *jwk,
                                         GError       **error);
SimJoseKey *sim_jose_key_ref            (SimJoseKey    *self);
void        sim_jose_key_unref          (SimJoseKey    *self);

const char *sim_jose_key_get_kid        (SimJoseKey    *self);
gboolean    sim_jose_key_is_private     (SimJoseKey    *self);
JsonObject *sim_jose_key_to_public_jwk  (SimJoseKey    *self);
char       *sim_jose_key_thumbprint     (SimJoseKey    *self);

char       *sim_jose_sign               (SimJoseKey    *key,
                                         JsonObject    *header_members,
                                         JsonObject    *claims);
gboolean    sim_jose_verify             (const char    *compact,
                                         SimJoseKey    *key,
                                         JsonObject   **header,
                                         JsonObject   **claims,
                                         GError       **error);
gboolean    sim_jose_verify_with_jwk    (const char    *compact,
                                         JsonObject    *jwk,
                                         JsonObject   **header,
                                         JsonObject   **claims,
                                         GError       **error);
gboolean    sim_jose_decode_unverified  (const char    *compact,
                                         JsonObject   **header,
                                         JsonObject   **claims,
                                         GError       **error);
gboolean    sim_jose_looks_compact      (const char    *text);

JsonObject *sim_jose_jwks_new           (SimJoseKey   **keys,
                                         guint          n_keys);
JsonObject *sim_jose_jwks_find          (JsonObject    *jwks,
                                         const char    *kid,
                                         GError       **error);

guint8     *sim_base64url_decode        (const char    *text,
                                         gssize         length,
                                         gsize         *out_length,
                                         GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimJoseKey, sim_jose_key_unref)

G_END_DECLS
