/* dpop.h: the receiving side of DPoP (RFC 9449), shared by the authorization server's token
 * endpoint and the API: the checks of a proof (§4.3, in the RFC's order), the replay cache of
 * its jti on the simulated clock (§11.1), the server-provided nonce (§8, §9), the `ath` hash of
 * an access token (§4.2) and the key binding of a token (§6, §7). Each refusal is worded here,
 * with its RFC section, so that no rule is written twice; the caller answers in its own way
 * (a JSON error at the token endpoint, a WWW-Authenticate challenge at the API). */
#pragma once

#include "sim/world.h"

G_BEGIN_DECLS

#define DPOP_ALGS "ES256"   /* dpop_signing_alg_values_supported (RFC 9449 §5.1) */
#define DPOP_IAT_PAST 300   /* seconds a proof stays acceptable after its iat (§11.1) */
#define DPOP_IAT_FUTURE 60  /* seconds a proof's iat may run ahead of the receiver's clock */
#define DPOP_NONCE_PERIOD 300  /* seconds a receiver's nonce is its current one; the one before
                                * is still accepted for as long again (§8.2) */

typedef enum
{
  DPOP_ABSENT,    /* no DPoP header */
  DPOP_VALID,     /* a proof that passed every check; its key's thumbprint in jkt */
  DPOP_INVALID,   /* invalid_dpop_proof */
  DPOP_NONCE,     /* use_dpop_nonce: send the nonce of DPoP-Nonce (§8, §9) */
} DpopOutcome;

typedef struct
{
  DpopOutcome outcome;
  const char *error;        /* invalid_dpop_proof or use_dpop_nonce; NULL otherwise */
  char *description;        /* for error_description */
  char *narration;          /* why, with the RFC section, in the run's language */
  char *jkt;                /* the proof key's RFC 7638 thumbprint, when valid */
  gboolean stale_nonce;     /* valid, with the receiver's previous nonce: its answer gives the
                             * current one in DPoP-Nonce (§8.2, §9) */
} DpopCheck;

typedef struct _DpopVerifier DpopVerifier;

DpopVerifier *dpop_verifier_new    (SimWorld     *world,
                                    gboolean      require_nonce);
void          dpop_verifier_free   (DpopVerifier *self);
const char   *dpop_verifier_nonce  (DpopVerifier *self);
void          dpop_verifier_offer_nonce (DpopVerifier *self,
                                    SimMessage   *message,
                                    DpopCheck    *check);
gboolean      dpop_verifier_check  (DpopVerifier *self,
                                    SimMessage   *message,
                                    const char   *access_token,
                                    DpopCheck    *check);
void          dpop_check_clear     (DpopCheck    *check);
gboolean      dpop_check_binding   (DpopCheck    *check,
                                    const char   *bound_jkt,
                                    gboolean      refresh);

char         *dpop_token_hash      (const char   *access_token);
char         *dpop_htu             (SimUri       *uri);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DpopCheck, dpop_check_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpopVerifier, dpop_verifier_free)

G_END_DECLS
