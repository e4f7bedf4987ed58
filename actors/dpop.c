/* dpop.c: checking DPoP proofs (RFC 9449), for the authorization server and the API alike.
 *
 * A proof is a JWT the client signs for one request with a key it holds (§4): its header names
 * typ dpop+jwt, the algorithm and the public key (jwk); its claims say which request it is for
 * (htm, htu), when it was made (iat), a unique jti, and at an API the hash of the access token
 * (ath). The checks are those of §4.3, in its order, then the replay check of §11.1: a jti seen
 * in the window of acceptable iat values is refused. The cryptography is sim/jose.c's. */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "actors/dpop.h"
#include "sim/jose.h"

struct _DpopVerifier
{
  SimWorld *world;
  gboolean require_nonce;
  char *nonce;          /* what DPoP-Nonce says; made when first needed */
  gint64 nonce_since;   /* when it was made: it is current for DPOP_NONCE_PERIOD seconds */
  char *previous;       /* (nullable) the nonce before it, still accepted until previous_until */
  gint64 previous_until;
  GHashTable *seen;     /* jti -> the time after which its proof is refused anyway */
};

DpopVerifier *
dpop_verifier_new (SimWorld *world,
                   gboolean  require_nonce)
{
  DpopVerifier *self = g_new0 (DpopVerifier, 1);
  self->world = world;
  self->require_nonce = require_nonce;
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
dpop_verifier_free (DpopVerifier *self)
{
  if (!self)
    return;
  g_free (self->nonce);
  g_free (self->previous);
  g_hash_table_unref (self->seen);
  g_free (self);
}

/**
 * dpop_verifier_nonce:
 *
 * The receiver's nonce rotates on the world's clock (§8.2: the server decides how often): one
 * is current for DPOP_NONCE_PERIOD seconds from when it was made, then a new one is made the
 * first time a nonce is needed, and the old one is still accepted until it is twice that age,
 * so that a client busy at the change is not turned away but told the new one.
 *
 * Returns: (transfer none): the nonce the receiver hands out in DPoP-Nonce now (§8.1, §9).
 */
const char *
dpop_verifier_nonce (DpopVerifier *self)
{
  gint64 now = sim_clock_now (self->world->clock);

  if (self->nonce && now >= self->nonce_since + DPOP_NONCE_PERIOD)
    {
      g_free (self->previous);
      self->previous = g_steal_pointer (&self->nonce);
      self->previous_until = self->nonce_since + 2 * DPOP_NONCE_PERIOD;
    }
  if (self->nonce == NULL)
    {
      self->nonce = sim_rng_token (self->world->rng, "n_", 16);
      self->nonce_since = now;
    }
  return self->nonce;
}

/* A nonce the receiver accepts now: the current one, or the one before it while it lasts. */
static gboolean
nonce_accepted (DpopVerifier *self,
                const char   *nonce,
                gboolean     *stale)
{
  const char *current = dpop_verifier_nonce (self);

  *stale = FALSE;
  if (g_strcmp0 (nonce, current) == 0)
    return TRUE;
  *stale = self->previous && g_strcmp0 (nonce, self->previous) == 0
           && sim_clock_now (self->world->clock) < self->previous_until;
  return *stale;
}

/**
 * dpop_verifier_offer_nonce:
 *
 * Puts the receiver's current nonce in the answer's DPoP-Nonce header when @check asks for it:
 * with use_dpop_nonce (§8.1, §9), and with any other answer to a valid proof that carried the
 * previous nonce (§8.2: "the server MAY supply the new nonce value ... in a 200 OK response"),
 * saying why in the second case. The client uses the newest nonce for its next proofs.
 */
void
dpop_verifier_offer_nonce (DpopVerifier *self,
                           SimMessage   *message,
                           DpopCheck    *check)
{
  gboolean stale = check->outcome == DPOP_VALID && check->stale_nonce;

  if (check->outcome != DPOP_NONCE && !stale)
    return;
  sim_headers_replace (message->response_headers, "DPoP-Nonce", dpop_verifier_nonce (self));
  if (stale)
    sim_message_narrate (message, _("RFC 9449 §8.2: the proof carries this receiver's previous nonce, which it still accepts for a while; it has a new one now and gives it in the DPoP-Nonce header of this answer, and the client uses the new one for its next proofs here."));
}

void
dpop_check_clear (DpopCheck *check)
{
  g_clear_pointer (&check->description, g_free);
  g_clear_pointer (&check->narration, g_free);
  g_clear_pointer (&check->jkt, g_free);
  check->error = NULL;
  check->outcome = DPOP_ABSENT;
  check->stale_nonce = FALSE;
}

/**
 * dpop_token_hash:
 * Returns: (transfer full): the `ath` of @access_token: base64url of its SHA-256 (§4.2).
 */
char *
dpop_token_hash (const char *access_token)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize length = sizeof digest;

  g_checksum_update (checksum, (const guchar *) access_token, strlen (access_token));
  g_checksum_get_digest (checksum, digest, &length);
  return sim_base64url_encode (digest, length);
}

/**
 * dpop_htu:
 * Returns: (transfer full): the URI a proof's htu names for a request to @uri: scheme, host
 *   and path, without query and fragment (§4.2), with scheme and host in lower case and a
 *   default port left out (the normalization of RFC 3986 §6.2.2 and §6.2.3 that §4.3 asks).
 */
char *
dpop_htu (SimUri *uri)
{
  g_autofree char *scheme = g_ascii_strdown (sim_uri_get_scheme (uri), -1);
  g_autofree char *host = g_ascii_strdown (sim_uri_get_host (uri) ? sim_uri_get_host (uri) : "", -1);
  int port = sim_uri_get_port (uri);
  const char *path = sim_uri_get_path (uri);
  gboolean default_port = port < 0 || (port == 443 && strcmp (scheme, "https") == 0)
                          || (port == 80 && strcmp (scheme, "http") == 0);

  if (default_port)
    return g_strdup_printf ("%s://%s%s", scheme, host, *path ? path : "/");
  return g_strdup_printf ("%s://%s:%d%s", scheme, host, port, *path ? path : "/");
}

static gboolean
refuse (DpopCheck  *check,
        const char *description,
        char       *narration)
{
  check->outcome = DPOP_INVALID;
  check->error = "invalid_dpop_proof";
  check->description = g_strdup (description);
  check->narration = narration;
  return FALSE;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

static gboolean
integer_member (JsonObject *object,
                const char *name,
                gint64     *value)
{
  JsonNode *node = json_object_get_member (object, name);
  if (!node || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

/* Expired entries go first, so the cache holds only the window's proofs. */
static void
forget_old (DpopVerifier *self,
            gint64        now)
{
  GHashTableIter iter;
  gpointer until;

  g_hash_table_iter_init (&iter, self->seen);
  while (g_hash_table_iter_next (&iter, NULL, &until))
    if (GPOINTER_TO_SIZE (until) < (gsize) now)
      g_hash_table_iter_remove (&iter);
}

static gboolean
check_claims (DpopVerifier *self,
              SimMessage   *message,
              const char   *access_token,
              JsonObject   *claims,
              DpopCheck    *check)
{
  const char *jti = string_member (claims, "jti");
  const char *htm = string_member (claims, "htm");
  const char *htu = string_member (claims, "htu");
  const char *nonce = string_member (claims, "nonce");
  const char *ath = string_member (claims, "ath");
  gint64 iat = 0, now = sim_clock_now (self->world->clock);
  gboolean has_iat = integer_member (claims, "iat", &iat);
  g_autoptr(SimUri) claimed = htu ? sim_uri_parse (htu, NULL) : NULL;
  g_autofree char *expected_htu = dpop_htu (message->uri);
  g_autofree char *claimed_htu = claimed && sim_uri_get_host (claimed) ? dpop_htu (claimed) : NULL;

  /* 8. htm is the request's method. */
  if (g_strcmp0 (htm, message->method) != 0)
    return refuse (check, "htm does not match the request method",
                   g_strdup_printf (_("RFC 9449 §4.3: the proof's htm is %s but the request is a %s, so it was made for another request: invalid_dpop_proof."),
                                    htm, message->method));
  /* 9. htu is the request's URI, without query and fragment. */
  if (g_strcmp0 (claimed_htu, expected_htu) != 0)
    return refuse (check, "htu does not match the request URI",
                   g_strdup_printf (_("RFC 9449 §4.3: the proof's htu is %s, not this request's URI %s, so it was made for another endpoint: invalid_dpop_proof."),
                                    htu, expected_htu));
  /* 10. the nonce this receiver gave, when it asks for one (§8, §9). */
  if (self->require_nonce && !nonce_accepted (self, nonce, &check->stale_nonce))
    {
      check->outcome = DPOP_NONCE;
      check->error = "use_dpop_nonce";
      check->description = g_strdup (nonce ? "the nonce is not the current one" : "a nonce is required");
      check->narration = g_strdup (nonce
                                   ? _("RFC 9449 §8 and §8.2: the proof carries a nonce, but not one this receiver accepts now: its nonces change every so often, and this one is too old or was never given. It answers use_dpop_nonce with the current one in a DPoP-Nonce header.")
                                   : _("RFC 9449 §8: this server wants every proof to carry a nonce it chose, so that a proof cannot be made in advance; this one has none, so it answers use_dpop_nonce and gives the nonce in a DPoP-Nonce header."));
      return FALSE;
    }
  /* 11. iat in the window (§11.1). */
  if (!has_iat || iat < now - DPOP_IAT_PAST || iat > now + DPOP_IAT_FUTURE)
    {
      g_autofree char *made = sim_time_format_iso (iat), *clock = sim_time_format_iso (now);
      return refuse (check, "iat is outside the acceptable window",
                     g_strdup_printf (_("RFC 9449 §4.3 and §11.1: the proof says it was made at %s (iat), but this receiver's clock says %s; it accepts a proof up to %d seconds old and %d seconds ahead, so this one is invalid_dpop_proof."),
                                      made, clock, DPOP_IAT_PAST, DPOP_IAT_FUTURE));
    }
  /* 12. at a protected resource, ath is the hash of the access token that came with it. */
  if (access_token)
    {
      g_autofree char *hash = dpop_token_hash (access_token);
      if (g_strcmp0 (ath, hash) != 0)
        return refuse (check, ath ? "ath does not match the access token" : "ath is required",
                       g_strdup (ath
                                 ? _("RFC 9449 §4.3 and §7: the proof's ath is not the hash of the access token that came with it, so the proof was made for another token: invalid_dpop_proof.")
                                 : _("RFC 9449 §4.2 and §7: a proof sent with an access token must carry its hash in ath; this one has none: invalid_dpop_proof.")));
    }
  /* §11.1: a jti this receiver has seen in the window is a replay. */
  forget_old (self, now);
  if (g_hash_table_contains (self->seen, jti))
    return refuse (check, "the proof has been used before",
                   g_strdup_printf (_("RFC 9449 §11.1: this receiver has already accepted a proof with jti %s; a proof is good for one request only, so a copy sent again is refused with invalid_dpop_proof."),
                                    jti));
  g_hash_table_insert (self->seen, g_strdup (jti), GSIZE_TO_POINTER ((gsize) MAX (iat + DPOP_IAT_PAST, 0)));
  return TRUE;
}

/**
 * dpop_verifier_check:
 * @access_token: (nullable): the token that came with the request, at an API (for ath)
 *
 * Checks the request's DPoP proof, if it has one (RFC 9449 §4.3, then §11.1).
 *
 * Returns: whether a valid proof came; @check says which outcome, and why.
 */
gboolean
dpop_verifier_check (DpopVerifier *self,
                     SimMessage   *message,
                     const char   *access_token,
                     DpopCheck    *check)
{
  const char *proof = sim_headers_get_list (message->request_headers, "DPoP");
  g_autoptr(JsonObject) header = NULL, claims = NULL, verified_header = NULL, verified_claims = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SimJoseKey) key = NULL;
  JsonNode *jwk_node;
  JsonObject *jwk;
  const char *typ, *alg;
  gint64 iat;

  memset (check, 0, sizeof *check);
  if (proof == NULL)
    return FALSE;
  /* 1. one DPoP header only (a list would join them with commas, which no JWT contains). */
  if (strchr (proof, ','))
    return refuse (check, "more than one DPoP header",
                   g_strdup (_("RFC 9449 §4.3: the request carries more than one DPoP header; a request has one proof or none, so it is invalid_dpop_proof.")));
  /* 2. a well-formed JWT. */
  if (!sim_jose_decode_unverified (proof, &header, &claims, NULL))
    return refuse (check, "the DPoP header is not a JWT",
                   g_strdup (_("RFC 9449 §4.3: the DPoP header is not a well-formed JWT, so it is invalid_dpop_proof.")));
  /* 3. every required member. */
  jwk_node = json_object_get_member (header, "jwk");
  if (!string_member (header, "typ") || !string_member (header, "alg")
      || !jwk_node || !JSON_NODE_HOLDS_OBJECT (jwk_node)
      || !string_member (claims, "jti") || !string_member (claims, "htm")
      || !string_member (claims, "htu") || !integer_member (claims, "iat", &iat))
    return refuse (check, "the proof lacks a required member",
                   g_strdup (_("RFC 9449 §4.2 and §4.3: a proof must carry typ, alg and jwk in its header and jti, htm, htu and iat in its claims; one is missing or of the wrong type, so it is invalid_dpop_proof.")));
  typ = string_member (header, "typ");
  alg = string_member (header, "alg");
  jwk = json_node_get_object (jwk_node);
  /* 4. typ dpop+jwt: a JWT made for something else is no proof. */
  if (strcmp (typ, "dpop+jwt") != 0)
    return refuse (check, "typ is not dpop+jwt",
                   g_strdup_printf (_("RFC 9449 §4.3: the proof's typ is “%s”, not dpop+jwt, so it is a JWT made for another purpose: invalid_dpop_proof."), typ));
  /* 5. an asymmetric algorithm this receiver supports, never none. */
  if (strcmp (alg, DPOP_ALGS) != 0)
    return refuse (check, "unsupported alg",
                   g_strdup_printf (_("RFC 9449 §4.3: the proof is signed with alg “%s”; this receiver accepts %s only (never none, never a shared secret): invalid_dpop_proof."), alg, DPOP_ALGS));
  /* 6. the signature verifies with the key in the header. */
  if (!sim_jose_verify_with_jwk (proof, jwk, &verified_header, &verified_claims, &error))
    return refuse (check, "the proof's signature does not verify",
                   g_strdup (_("RFC 9449 §4.3: the proof's signature does not verify with the public key in its own header, so whoever made it does not hold that key: invalid_dpop_proof.")));
  /* 7. the jwk is a public key: a private one in a header is a leak, and a mistake. */
  if (json_object_has_member (jwk, "d"))
    return refuse (check, "the jwk holds a private key",
                   g_strdup (_("RFC 9449 §4.3: the jwk in the proof's header contains the private key; a proof carries only the public key, so it is invalid_dpop_proof.")));
  if (!check_claims (self, message, access_token, claims, check))
    return FALSE;
  key = sim_jose_key_new_from_jwk (jwk, NULL);
  check->outcome = DPOP_VALID;
  check->jkt = key ? sim_jose_key_thumbprint (key) : NULL;
  return check->jkt != NULL;
}

/**
 * dpop_check_binding:
 * @bound_jkt: (nullable): the thumbprint a token is bound to (cnf.jkt, §6)
 * @refresh: the token is a refresh token (§5), not an access token
 *
 * After a valid proof: is it signed with the key the token is bound to? On a mismatch @check
 * becomes invalid_dpop_proof.
 */
gboolean
dpop_check_binding (DpopCheck  *check,
                    const char *bound_jkt,
                    gboolean    refresh)
{
  if (bound_jkt == NULL || g_strcmp0 (check->jkt, bound_jkt) == 0)
    return TRUE;
  g_clear_pointer (&check->jkt, g_free);
  return refuse (check, "the proof is signed with another key than the token is bound to",
                 refresh
                 ? g_strdup_printf (_("RFC 9449 §5: the refresh token is bound to the key with thumbprint %s, but the proof is signed with another key; whoever sends it does not hold the client's private key: invalid_dpop_proof."), bound_jkt)
                 : g_strdup_printf (_("RFC 9449 §7.1: the access token is bound to the key with thumbprint %s (cnf.jkt), but the proof is signed with another key; whoever sends it does not hold the client's private key: invalid_dpop_proof."), bound_jkt));
}
