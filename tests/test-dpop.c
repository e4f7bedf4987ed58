/* test-dpop.c: every check of actors/dpop.c (RFC 9449 §4.3, §11.1), each with a proof made to
 * fail it and only it, signed with sim/jose.c; and the binding check. */
#include <string.h>

#include "actors/dpop.h"
#include "sim/jose.h"

#define NOW 1772442000
#define URL "https://api.example/calendar/events"
#define TOKEN "at_test"

typedef struct
{
  SimWorld *world;
  SimJoseKey *key;
  SimJoseKey *other;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->world = sim_world_new (sim_clock_new_simulated (NOW), sim_rng_new_seeded (9449));
  f->key = sim_jose_key_new_from_rng (f->world->rng, NULL);
  f->other = sim_jose_key_new_from_rng (f->world->rng, NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  sim_jose_key_unref (f->key);
  sim_jose_key_unref (f->other);
  sim_world_free (f->world);
}

/* A proof by @signer carrying @jwk_of's public key; NULL strings leave a member out. */
static char *
proof (SimJoseKey *signer,
       SimJoseKey *jwk_of,
       const char *typ,
       const char *jti,
       const char *htm,
       const char *htu,
       gint64      iat,
       const char *nonce,
       const char *ath)
{
  g_autoptr(JsonObject) header = json_object_new ();
  g_autoptr(JsonObject) claims = json_object_new ();

  if (typ)
    json_object_set_string_member (header, "typ", typ);
  json_object_set_object_member (header, "jwk", sim_jose_key_to_public_jwk (jwk_of));
  if (jti)
    json_object_set_string_member (claims, "jti", jti);
  if (htm)
    json_object_set_string_member (claims, "htm", htm);
  if (htu)
    json_object_set_string_member (claims, "htu", htu);
  json_object_set_int_member (claims, "iat", iat);
  if (nonce)
    json_object_set_string_member (claims, "nonce", nonce);
  if (ath)
    json_object_set_string_member (claims, "ath", ath);
  return sim_jose_sign (signer, header, claims);
}

static char *
good (Fixture *f, const char *jti)
{
  g_autofree char *ath = dpop_token_hash (TOKEN);
  return proof (f->key, f->key, "dpop+jwt", jti, "GET", URL, NOW, NULL, ath);
}

/* Checks @value (NULL: no header) at a fresh verifier; the outcome and description. */
static DpopOutcome
check_with (DpopVerifier *verifier, const char *value, const char *token, char **description)
{
  g_autoptr(SimMessage) m = sim_message_new ("GET", URL);
  g_auto(DpopCheck) check = { 0 };

  if (value)
    sim_headers_append (m->request_headers, "DPoP", value);
  dpop_verifier_check (verifier, m, token, &check);
  if (description)
    *description = g_strdup (check.description);
  if (check.outcome != DPOP_VALID && check.outcome != DPOP_ABSENT)
    g_assert_nonnull (check.narration);
  return check.outcome;
}

static void
expect_refused (Fixture *f, const char *value, const char *description)
{
  g_autoptr(DpopVerifier) verifier = dpop_verifier_new (f->world, FALSE);
  g_autofree char *said = NULL;

  g_assert_cmpint (check_with (verifier, value, TOKEN, &said), ==, DPOP_INVALID);
  g_assert_cmpstr (said, ==, description);
}

static void
test_valid_and_absent (Fixture *f, gconstpointer data)
{
  g_autoptr(DpopVerifier) verifier = dpop_verifier_new (f->world, FALSE);
  g_autoptr(SimMessage) m = sim_message_new ("GET", URL);
  g_auto(DpopCheck) check = { 0 };
  g_autofree char *value = good (f, "j1");
  g_autofree char *jkt = sim_jose_key_thumbprint (f->key);

  g_assert_cmpint (check_with (verifier, NULL, TOKEN, NULL), ==, DPOP_ABSENT);
  sim_headers_append (m->request_headers, "DPoP", value);
  g_assert_true (dpop_verifier_check (verifier, m, TOKEN, &check));
  g_assert_cmpstr (check.jkt, ==, jkt);
  /* the binding: the key of the proof, and no other (§6, §7) */
  g_assert_true (dpop_check_binding (&check, jkt, FALSE));
  g_assert_false (dpop_check_binding (&check, "another-thumbprint", FALSE));
  g_assert_cmpstr (check.error, ==, "invalid_dpop_proof");
}

static void
test_each_check (Fixture *f, gconstpointer data)
{
  g_autofree char *ath = dpop_token_hash (TOKEN);
  g_autofree char *one = good (f, "j1"), *two = g_strconcat (one, ", ", one, NULL);
  g_autofree char *no_jti = proof (f->key, f->key, "dpop+jwt", NULL, "GET", URL, NOW, NULL, ath);
  g_autofree char *no_typ = proof (f->key, f->key, NULL, "j", "GET", URL, NOW, NULL, ath);
  g_autofree char *jwt = proof (f->key, f->key, "JWT", "j", "GET", URL, NOW, NULL, ath);
  g_autofree char *forged = proof (f->other, f->key, "dpop+jwt", "j", "GET", URL, NOW, NULL, ath);
  g_autofree char *post = proof (f->key, f->key, "dpop+jwt", "j", "POST", URL, NOW, NULL, ath);
  g_autofree char *elsewhere = proof (f->key, f->key, "dpop+jwt", "j", "GET", "https://api.example/other", NOW, NULL, ath);
  g_autofree char *old = proof (f->key, f->key, "dpop+jwt", "j", "GET", URL, NOW - DPOP_IAT_PAST - 1, NULL, ath);
  g_autofree char *ahead = proof (f->key, f->key, "dpop+jwt", "j", "GET", URL, NOW + DPOP_IAT_FUTURE + 1, NULL, ath);
  g_autofree char *no_ath = proof (f->key, f->key, "dpop+jwt", "j", "GET", URL, NOW, NULL, NULL);
  g_autofree char *wrong_ath = proof (f->key, f->key, "dpop+jwt", "j", "GET", URL, NOW, NULL, "abc");
  /* alg none: a header written by hand, no signature */
  g_autofree char *none = g_strconcat ("eyJhbGciOiJub25lIiwidHlwIjoiZHBvcCtqd3QifQ.",  /* {"alg":"none","typ":"dpop+jwt"} */
                                       "eyJqdGkiOiJqIn0.", NULL);

  expect_refused (f, two, "more than one DPoP header");
  expect_refused (f, "not-a-jwt", "the DPoP header is not a JWT");
  expect_refused (f, no_jti, "the proof lacks a required member");
  expect_refused (f, no_typ, "the proof lacks a required member");
  expect_refused (f, jwt, "typ is not dpop+jwt");
  expect_refused (f, forged, "the proof's signature does not verify");
  expect_refused (f, post, "htm does not match the request method");
  expect_refused (f, elsewhere, "htu does not match the request URI");
  expect_refused (f, old, "iat is outside the acceptable window");
  expect_refused (f, ahead, "iat is outside the acceptable window");
  expect_refused (f, no_ath, "ath is required");
  expect_refused (f, wrong_ath, "ath does not match the access token");
  {
    g_autoptr(DpopVerifier) verifier = dpop_verifier_new (f->world, FALSE);
    g_assert_cmpint (check_with (verifier, none, TOKEN, NULL), ==, DPOP_INVALID);
  }
}

/* A proof's header names alg; anything but ES256 is refused before the signature is tried. */
static void
test_other_alg (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonObject) header = json_object_new ();
  g_autofree char *signed_proof = NULL, *header_text = NULL, *header_b64 = NULL, *forged = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  const char *rest;

  json_object_set_string_member (header, "alg", "HS256");
  json_object_set_string_member (header, "typ", "dpop+jwt");
  json_object_set_object_member (header, "jwk", sim_jose_key_to_public_jwk (f->key));
  node = json_node_init_object (json_node_alloc (), header);
  json_generator_set_root (generator, node);
  header_text = json_generator_to_data (generator, NULL);
  header_b64 = sim_base64url_encode ((const guint8 *) header_text, strlen (header_text));
  signed_proof = good (f, "j");
  rest = strchr (signed_proof, '.');
  forged = g_strconcat (header_b64, rest, NULL);
  {
    g_autoptr(DpopVerifier) verifier = dpop_verifier_new (f->world, FALSE);
    g_autofree char *said = NULL;
    g_assert_cmpint (check_with (verifier, forged, TOKEN, &said), ==, DPOP_INVALID);
    /* json-glib's reader of the JOSE header, or the alg check: either way no proof */
    g_assert_true (g_strcmp0 (said, "unsupported alg") == 0 || g_strcmp0 (said, "the DPoP header is not a JWT") == 0);
  }
}

static void
test_htu_normalized (Fixture *f, gconstpointer data)
{
  g_autoptr(DpopVerifier) verifier = dpop_verifier_new (f->world, FALSE);
  g_autofree char *ath = dpop_token_hash (TOKEN);
  g_autofree char *upper = proof (f->key, f->key, "dpop+jwt", "j", "GET", "HTTPS://API.example:443/calendar/events", NOW, NULL, ath);
  g_autoptr(SimMessage) m = sim_message_new ("GET", URL "?from=today");
  g_auto(DpopCheck) check = { 0 };

  /* RFC 9449 §4.3: scheme and host without case, the default port, no query */
  sim_headers_append (m->request_headers, "DPoP", upper);
  g_assert_true (dpop_verifier_check (verifier, m, TOKEN, &check));
}

static void
test_replay (Fixture *f, gconstpointer data)
{
  g_autoptr(DpopVerifier) verifier = dpop_verifier_new (f->world, FALSE);
  g_autofree char *value = good (f, "once");
  g_autofree char *said = NULL;

  g_assert_cmpint (check_with (verifier, value, TOKEN, NULL), ==, DPOP_VALID);
  g_assert_cmpint (check_with (verifier, value, TOKEN, &said), ==, DPOP_INVALID);
  g_assert_cmpstr (said, ==, "the proof has been used before");
  /* after the window the copy is too old anyway, and the cache has let go of it */
  sim_clock_advance (f->world->clock, DPOP_IAT_PAST + 1);
  g_clear_pointer (&said, g_free);
  g_assert_cmpint (check_with (verifier, value, TOKEN, &said), ==, DPOP_INVALID);
  g_assert_cmpstr (said, ==, "iat is outside the acceptable window");
}

static void
test_nonce (Fixture *f, gconstpointer data)
{
  g_autoptr(DpopVerifier) verifier = dpop_verifier_new (f->world, TRUE);
  g_autofree char *ath = dpop_token_hash (TOKEN);
  const char *nonce = dpop_verifier_nonce (verifier);
  g_autofree char *without = good (f, "a");
  g_autofree char *wrong = proof (f->key, f->key, "dpop+jwt", "b", "GET", URL, NOW, "n_wrong", ath);
  g_autofree char *right = proof (f->key, f->key, "dpop+jwt", "c", "GET", URL, NOW, nonce, ath);

  g_assert_cmpstr (dpop_verifier_nonce (verifier), ==, nonce);
  g_assert_cmpint (check_with (verifier, without, TOKEN, NULL), ==, DPOP_NONCE);
  g_assert_cmpint (check_with (verifier, wrong, TOKEN, NULL), ==, DPOP_NONCE);
  g_assert_cmpint (check_with (verifier, right, TOKEN, NULL), ==, DPOP_VALID);
}

/* Checks a proof with @nonce made now at @verifier: the outcome, and whether the answer gives a
 * new nonce in DPoP-Nonce (which it is, then, in @offered). */
static DpopOutcome
check_nonce (Fixture *f, DpopVerifier *verifier, const char *jti, const char *nonce, char **offered)
{
  g_autofree char *ath = dpop_token_hash (TOKEN);
  g_autofree char *value = proof (f->key, f->key, "dpop+jwt", jti, "GET", URL,
                                  sim_clock_now (f->world->clock), nonce, ath);
  g_autoptr(SimMessage) m = sim_message_new ("GET", URL);
  g_auto(DpopCheck) check = { 0 };

  sim_headers_append (m->request_headers, "DPoP", value);
  dpop_verifier_check (verifier, m, TOKEN, &check);
  dpop_verifier_offer_nonce (verifier, m, &check);
  *offered = g_strdup (sim_headers_get_one (m->response_headers, "DPoP-Nonce"));
  return check.outcome;
}

/* RFC 9449 §8.2: the nonce rotates on the clock; the one before is accepted a while longer,
 * with the new one in the answer; after that it is use_dpop_nonce with the new one. */
static void
test_nonce_rotation (Fixture *f, gconstpointer data)
{
  g_autoptr(DpopVerifier) verifier = dpop_verifier_new (f->world, TRUE);
  g_autofree char *first = g_strdup (dpop_verifier_nonce (verifier)), *second = NULL, *third = NULL;
  g_autofree char *offered = NULL;

  /* current: accepted, and no new nonce offered */
  g_assert_cmpint (check_nonce (f, verifier, "r1", first, &offered), ==, DPOP_VALID);
  g_assert_null (offered);
  /* still current one second before its period ends */
  sim_clock_advance (f->world->clock, DPOP_NONCE_PERIOD - 1);
  g_assert_cmpstr (dpop_verifier_nonce (verifier), ==, first);
  /* the period is over: a new nonce; the first is accepted, and the answer gives the new one */
  sim_clock_advance (f->world->clock, 1);
  second = g_strdup (dpop_verifier_nonce (verifier));
  g_assert_cmpstr (second, !=, first);
  g_assert_cmpint (check_nonce (f, verifier, "r2", first, &offered), ==, DPOP_VALID);
  g_assert_cmpstr (offered, ==, second);
  g_clear_pointer (&offered, g_free);
  g_assert_cmpint (check_nonce (f, verifier, "r3", second, &offered), ==, DPOP_VALID);
  g_assert_null (offered);
  /* the first is refused once it is twice the period old; the answer names the current one */
  sim_clock_advance (f->world->clock, DPOP_NONCE_PERIOD - 1);
  g_assert_cmpint (check_nonce (f, verifier, "r4", first, &offered), ==, DPOP_VALID);
  g_clear_pointer (&offered, g_free);
  sim_clock_advance (f->world->clock, 1);
  third = g_strdup (dpop_verifier_nonce (verifier));
  g_assert_cmpstr (third, !=, second);
  g_assert_cmpint (check_nonce (f, verifier, "r5", first, &offered), ==, DPOP_NONCE);
  g_assert_cmpstr (offered, ==, third);
  g_clear_pointer (&offered, g_free);
  /* a nonce that was never given, or none, is not accepted either */
  g_assert_cmpint (check_nonce (f, verifier, "r6", "n_made_up", &offered), ==, DPOP_NONCE);
  g_clear_pointer (&offered, g_free);
  /* a receiver idle for longer than both periods accepts neither old nonce */
  sim_clock_advance (f->world->clock, 3 * DPOP_NONCE_PERIOD);
  g_assert_cmpint (check_nonce (f, verifier, "r7", third, &offered), ==, DPOP_NONCE);
  g_assert_cmpstr (offered, !=, third);
  g_assert_cmpstr (offered, ==, dpop_verifier_nonce (verifier));
  g_clear_pointer (&offered, g_free);
  /* an invalid proof (here one with another token's ath) that carries the previous nonce gets
   * no new nonce: only a valid proof earns one */
  {
    g_autofree char *previous = g_strdup (dpop_verifier_nonce (verifier));
    g_autofree char *value = NULL;
    g_autoptr(SimMessage) m = sim_message_new ("GET", URL);
    g_auto(DpopCheck) check = { 0 };

    sim_clock_advance (f->world->clock, DPOP_NONCE_PERIOD);
    g_assert_cmpstr (dpop_verifier_nonce (verifier), !=, previous);
    value = proof (f->key, f->key, "dpop+jwt", "r8", "GET", URL, sim_clock_now (f->world->clock), previous, "abc");
    sim_headers_append (m->request_headers, "DPoP", value);
    g_assert_false (dpop_verifier_check (verifier, m, TOKEN, &check));
    g_assert_cmpint (check.outcome, ==, DPOP_INVALID);
    dpop_verifier_offer_nonce (verifier, m, &check);
    g_assert_null (sim_headers_get_one (m->response_headers, "DPoP-Nonce"));
  }
}

static void
test_token_hash (void)
{
  /* RFC 9449 §7.1's example: the ath of the access token "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU" */
  g_autofree char *ath = dpop_token_hash ("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU");
  g_assert_cmpstr (ath, ==, "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dpop/token-hash", test_token_hash);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/dpop/valid-and-absent", test_valid_and_absent);
  ADD ("/dpop/each-check", test_each_check);
  ADD ("/dpop/other-alg", test_other_alg);
  ADD ("/dpop/htu-normalized", test_htu_normalized);
  ADD ("/dpop/replay", test_replay);
  ADD ("/dpop/nonce", test_nonce);
  ADD ("/dpop/nonce-rotation", test_nonce_rotation);
  return g_test_run ();
}
