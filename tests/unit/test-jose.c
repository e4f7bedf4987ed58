/* test-jose.c: sim/jose.c against published answers (RFC 6979 A.2.5's key and deterministic
 * signature, RFC 7515 A.3's signed token, RFC 9449's thumbprint), against itself (a seed gives
 * the same key and token, a changed byte fails), and each way a token or a key can be wrong.
 * tests/test-jose-interop.py checks the same tokens with a third-party library. */
#include <string.h>

#include "sim/jose-private.h"
#include "sim/json-write.h"

static guint8 *
hex_decode (const char *hex,
            gsize      *length)
{
  gsize n = strlen (hex) / 2;
  guint8 *bytes = g_malloc (n);

  for (gsize i = 0; i < n; i++)
    bytes[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 | g_ascii_xdigit_value (hex[2 * i + 1]));
  *length = n;
  return bytes;
}

static char *
hex_to_base64url (const char *hex)
{
  gsize n;
  g_autofree guint8 *bytes = hex_decode (hex, &n);

  return sim_base64url_encode (bytes, n);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  g_assert_nonnull (node);
  return json_object_ref (json_node_get_object (node));
}

static char *
object_text (JsonObject *object)
{
  GString *out = g_string_new (NULL);

  sim_json_write_object (out, object);
  return g_string_free (out, FALSE);
}

/* RFC 6979 A.2.5: the P-256 key. */
static const char rfc6979_d[] = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
static const char rfc6979_ux[] = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
static const char rfc6979_uy[] = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";

static SimJoseKey *
rfc6979_key (const char *kid)
{
  gsize n;
  g_autofree guint8 *d = hex_decode (rfc6979_d, &n);
  g_autoptr(GError) error = NULL;
  SimJoseKey *key = sim_jose_key_new_from_scalar (d, kid, &error);

  g_assert_no_error (error);
  return key;
}

/* The public point nettle derives is the RFC's, and the JWK writes it in the documented order. */
static void
test_public_key_known_answer (void)
{
  g_autoptr(SimJoseKey) key = rfc6979_key ("k1");
  g_autoptr(JsonObject) jwk = sim_jose_key_to_public_jwk (key);
  g_autofree char *x = hex_to_base64url (rfc6979_ux);
  g_autofree char *y = hex_to_base64url (rfc6979_uy);
  g_autofree char *expected = g_strdup_printf ("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\","
                                               "\"y\":\"%s\",\"kid\":\"k1\",\"alg\":\"ES256\","
                                               "\"use\":\"sig\"}", x, y);
  g_autofree char *text = object_text (jwk);

  g_assert_cmpstr (text, ==, expected);
  g_assert_true (sim_jose_key_is_private (key));
  g_assert_cmpstr (sim_jose_key_get_kid (key), ==, "k1");
}

/* Signing twice gives the same token (RFC 6979), other claims another. */
static void
test_signature_is_deterministic (void)
{
  g_autoptr(SimJoseKey) key = rfc6979_key (NULL);
  g_autoptr(JsonObject) claims = parse_object ("{\"sub\":\"alice\",\"n\":1}");
  g_autofree char *first = sim_jose_sign (key, NULL, claims);
  g_autofree char *second = sim_jose_sign (key, NULL, claims);
  g_autoptr(JsonObject) other = parse_object ("{\"sub\":\"alice\",\"n\":2}");
  g_autofree char *third = sim_jose_sign (key, NULL, other);

  g_assert_cmpstr (first, ==, second);
  g_assert_cmpstr (first, !=, third);
  /* {"alg":"ES256"} with no kid. */
  g_assert_true (g_str_has_prefix (first, "eyJhbGciOiJFUzI1NiJ9."));
}

/* The same seed gives the same key and the same token; another seed another key. */
static void
test_seeded_keys (void)
{
  g_autoptr(SimRng) a = sim_rng_new_seeded (42);
  g_autoptr(SimRng) b = sim_rng_new_seeded (42);
  g_autoptr(SimRng) c = sim_rng_new_seeded (43);
  g_autoptr(SimJoseKey) key_a = sim_jose_key_new_from_rng (a, "k");
  g_autoptr(SimJoseKey) key_b = sim_jose_key_new_from_rng (b, "k");
  g_autoptr(SimJoseKey) key_c = sim_jose_key_new_from_rng (c, "k");
  g_autofree char *print_a = sim_jose_key_thumbprint (key_a);
  g_autofree char *print_b = sim_jose_key_thumbprint (key_b);
  g_autofree char *print_c = sim_jose_key_thumbprint (key_c);
  g_autoptr(JsonObject) claims = parse_object ("{\"iss\":\"https://auth.example\"}");
  g_autofree char *token_a = sim_jose_sign (key_a, NULL, claims);
  g_autofree char *token_b = sim_jose_sign (key_b, NULL, claims);

  g_assert_cmpstr (print_a, ==, print_b);
  g_assert_cmpstr (print_a, !=, print_c);
  g_assert_cmpstr (token_a, ==, token_b);
  g_assert_cmpuint (strlen (print_a), ==, 43);
}

/* RFC 6979 A.2.5: the P-256 key signs "sample" with SHA-256 as (r, s), byte for byte: the
 * deterministic ECDSA under every token. */
static void
test_rfc6979_vector (void)
{
  g_autoptr(SimJoseKey) key = rfc6979_key (NULL);
  guint8 signature[64];
  gsize n;
  g_autofree guint8 *expected = hex_decode (
    "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
    "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8", &n);

  sim_jose_sign_input (key, (const guint8 *) "sample", 6, signature);
  g_assert_cmpmem (signature, sizeof signature, expected, n);
}

/* RFC 7515 A.3: a token ES256-signed by somebody else verifies, and its payload is the RFC's. */
static const char rfc7515_token[] =
  "eyJhbGciOiJFUzI1NiJ9"
  ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
  ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
static const char rfc7515_jwk[] =
  "{\"kty\":\"EC\",\"crv\":\"P-256\","
  "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
  "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}";

static void
test_rfc7515_example (void)
{
  g_autoptr(JsonObject) jwk = parse_object (rfc7515_jwk);
  g_autoptr(JsonObject) header = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tampered = g_strdup (rfc7515_token);

  g_assert_true (sim_jose_verify_with_jwk (rfc7515_token, jwk, &header, &claims, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (header, "alg"), ==, "ES256");
  g_assert_cmpstr (json_object_get_string_member (claims, "iss"), ==, "joe");
  g_assert_cmpint (json_object_get_int_member (claims, "exp"), ==, 1300819380);
  g_assert_true (json_object_get_boolean_member (claims, "http://example.com/is_root"));

  /* One character of the signature changed. */
  tampered[strlen (tampered) - 3] = tampered[strlen (tampered) - 3] == 'A' ? 'B' : 'A';
  g_assert_false (sim_jose_verify_with_jwk (tampered, jwk, NULL, NULL, &error));
  g_assert_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_BAD_SIGNATURE);
}

/* RFC 9449 §6.1 (and RFC 7638 §3's method): the thumbprint of the example key. */
static void
test_thumbprint_known_answer (void)
{
  g_autoptr(JsonObject) jwk = parse_object (
    "{\"kty\":\"EC\",\"x\":\"l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs\","
    "\"y\":\"9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA\",\"crv\":\"P-256\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(SimJoseKey) key = sim_jose_key_new_from_jwk (jwk, &error);
  g_autofree char *print = NULL;

  g_assert_no_error (error);
  g_assert_false (sim_jose_key_is_private (key));
  g_assert_null (sim_jose_key_get_kid (key));
  print = sim_jose_key_thumbprint (key);
  g_assert_cmpstr (print, ==, "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
}

/* Sign, then verify with the public JWK alone; header members come after alg and kid. */
static void
test_round_trip (void)
{
  g_autoptr(SimRng) rng = sim_rng_new_seeded (7);
  g_autoptr(SimJoseKey) key = sim_jose_key_new_from_rng (rng, "2026-1");
  g_autoptr(JsonObject) jwk = sim_jose_key_to_public_jwk (key);
  g_autoptr(JsonObject) members = parse_object ("{\"typ\":\"at+jwt\"}");
  g_autoptr(JsonObject) claims = parse_object ("{\"iss\":\"https://auth.example\",\"exp\":1700000000,\"scope\":\"calendar.read\"}");
  g_autofree char *token = sim_jose_sign (key, members, claims);
  g_autoptr(JsonObject) header = NULL;
  g_autoptr(JsonObject) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *header_text = NULL;
  g_autofree char *claims_text = NULL;

  g_assert_true (sim_jose_looks_compact (token));
  g_assert_true (sim_jose_verify_with_jwk (token, jwk, &header, &got, &error));
  g_assert_no_error (error);
  header_text = object_text (header);
  g_assert_cmpstr (header_text, ==, "{\"alg\":\"ES256\",\"kid\":\"2026-1\",\"typ\":\"at+jwt\"}");
  claims_text = object_text (got);
  g_assert_cmpstr (claims_text, ==, "{\"iss\":\"https://auth.example\",\"exp\":1700000000,\"scope\":\"calendar.read\"}");

  /* Decoding without a key gives the same, for a reader. */
  g_clear_pointer (&header, json_object_unref);
  g_assert_true (sim_jose_decode_unverified (token, &header, NULL, &error));
  g_assert_cmpstr (json_object_get_string_member (header, "kid"), ==, "2026-1");
}

/* Each way a token can be wrong, and the error that says so. */
typedef struct
{
  const char *path;
  const char *header;   /* JSON, base64url-encoded by the test; NULL: the token's own */
  const char *replace;  /* NULL, or the whole token */
  SimJoseError code;
} BadToken;

static const BadToken bad_tokens[] = {
  { "/sim/jose/bad/two-parts", NULL, "eyJhbGciOiJFUzI1NiJ9.eyJhIjoxfQ", SIM_JOSE_ERROR_MALFORMED },
  { "/sim/jose/bad/four-parts", NULL, "eyJhbGciOiJFUzI1NiJ9.eyJhIjoxfQ.AA.AA", SIM_JOSE_ERROR_MALFORMED },
  { "/sim/jose/bad/not-base64url", NULL, "eyJhbGciOiJFUzI1NiJ9.eyJhIjoxfQ==.AA", SIM_JOSE_ERROR_MALFORMED },
  { "/sim/jose/bad/header-not-json", NULL, "bm90IGpzb24.eyJhIjoxfQ.AA", SIM_JOSE_ERROR_MALFORMED },
  { "/sim/jose/bad/payload-an-array", NULL, "eyJhbGciOiJFUzI1NiJ9.WzFd.AA", SIM_JOSE_ERROR_MALFORMED },
  { "/sim/jose/bad/no-alg", "{\"kid\":\"k1\"}", NULL, SIM_JOSE_ERROR_MALFORMED },
  { "/sim/jose/bad/alg-none", "{\"alg\":\"none\"}", NULL, SIM_JOSE_ERROR_UNSUPPORTED },
  { "/sim/jose/bad/alg-hs256", "{\"alg\":\"HS256\",\"kid\":\"k1\"}", NULL, SIM_JOSE_ERROR_UNSUPPORTED },
  { "/sim/jose/bad/crit", "{\"alg\":\"ES256\",\"crit\":[\"exp\"]}", NULL, SIM_JOSE_ERROR_UNSUPPORTED },
  { "/sim/jose/bad/other-kid", "{\"alg\":\"ES256\",\"kid\":\"k2\"}", NULL, SIM_JOSE_ERROR_WRONG_KEY },
  /* The header changed after signing: the signature no longer covers it. */
  { "/sim/jose/bad/header-changed", "{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"JWT\"}", NULL, SIM_JOSE_ERROR_BAD_SIGNATURE },
  { "/sim/jose/bad/short-signature", NULL, "eyJhbGciOiJFUzI1NiJ9.eyJhIjoxfQ.AAAA", SIM_JOSE_ERROR_BAD_SIGNATURE },
};

static void
test_bad_token (gconstpointer data)
{
  const BadToken *bad = data;
  g_autoptr(SimJoseKey) key = rfc6979_key ("k1");
  g_autoptr(JsonObject) claims = parse_object ("{\"a\":1}");
  g_autofree char *token = sim_jose_sign (key, NULL, claims);
  g_autofree char *candidate = NULL;
  g_autoptr(JsonObject) header = NULL;
  g_autoptr(JsonObject) got = NULL;
  g_autoptr(GError) error = NULL;

  if (bad->replace)
    candidate = g_strdup (bad->replace);
  else
    {
      g_autofree char *encoded = sim_base64url_encode ((const guint8 *) bad->header,
                                                       strlen (bad->header));
      candidate = g_strconcat (encoded, strchr (token, '.'), NULL);
    }
  g_assert_false (sim_jose_verify (candidate, key, &header, &got, &error));
  g_assert_error (error, SIM_JOSE_ERROR, (gint) bad->code);
  g_assert_nonnull (error->message);
  g_assert_null (header);
  g_assert_null (got);
}

/* Each way a JWK can be unusable. */
typedef struct
{
  const char *path;
  const char *jwk;
} BadJwk;

static const BadJwk bad_jwks[] = {
  { "/sim/jose/bad-jwk/rsa", "{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}" },
  { "/sim/jose/bad-jwk/p384", "{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"AA\",\"y\":\"AA\"}" },
  { "/sim/jose/bad-jwk/other-alg", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"alg\":\"ES384\","
    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}" },
  { "/sim/jose/bad-jwk/for-encryption", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"enc\","
    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}" },
  { "/sim/jose/bad-jwk/private", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"d\":\"jpsQnnGQmL-YBIffH1136cLvB2qd3JLwg6Wm-UOdYxk\","
    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}" },
  { "/sim/jose/bad-jwk/no-y", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\"}" },
  { "/sim/jose/bad-jwk/short-x", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2\","
    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}" },
  /* y changed in its first byte: the point is off the curve (an invalid-curve key). */
  { "/sim/jose/bad-jwk/off-curve", "{\"kty\":\"EC\",\"crv\":\"P-256\","
    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"y_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}" },
};

static void
test_bad_jwk (gconstpointer data)
{
  const BadJwk *bad = data;
  g_autoptr(JsonObject) jwk = parse_object (bad->jwk);
  g_autoptr(GError) error = NULL;
  g_autoptr(SimJoseKey) key = sim_jose_key_new_from_jwk (jwk, &error);

  g_assert_null (key);
  g_assert_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_BAD_KEY);
}

static void
test_bad_scalar (void)
{
  guint8 zero[32] = { 0 };
  guint8 ones[32];
  g_autoptr(GError) error = NULL;

  memset (ones, 0xff, sizeof ones);  /* above the order of P-256 */
  g_assert_null (sim_jose_key_new_from_scalar (zero, NULL, &error));
  g_assert_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_BAD_KEY);
  g_clear_error (&error);
  g_assert_null (sim_jose_key_new_from_scalar (ones, NULL, &error));
  g_assert_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_BAD_KEY);
}

/* A key set finds a key by kid, refuses an unknown one, and writes public halves only. */
static void
test_jwks (void)
{
  g_autoptr(SimRng) rng = sim_rng_new_seeded (1);
  g_autoptr(SimJoseKey) first = sim_jose_key_new_from_rng (rng, "2026-1");
  g_autoptr(SimJoseKey) second = sim_jose_key_new_from_rng (rng, "2026-2");
  SimJoseKey *keys[] = { first, second };
  g_autoptr(JsonObject) jwks = sim_jose_jwks_new (keys, G_N_ELEMENTS (keys));
  g_autofree char *text = object_text (jwks);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) claims = parse_object ("{\"a\":1}");
  g_autofree char *token = sim_jose_sign (second, NULL, claims);
  g_autoptr(JsonObject) empty = json_object_new ();
  JsonObject *found;

  g_assert_true (g_str_has_prefix (text, "{\"keys\":[{\"kty\":\"EC\""));
  g_assert_null (strstr (text, "\"d\""));
  found = sim_jose_jwks_find (jwks, "2026-2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (found, "kid"), ==, "2026-2");
  g_assert_true (sim_jose_verify_with_jwk (token, found, NULL, NULL, &error));
  g_assert_no_error (error);

  /* The other key of the set does not verify it: its kid is another. */
  found = sim_jose_jwks_find (jwks, "2026-1", &error);
  g_assert_false (sim_jose_verify_with_jwk (token, found, NULL, NULL, &error));
  g_assert_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_WRONG_KEY);
  g_clear_error (&error);

  g_assert_null (sim_jose_jwks_find (jwks, "2025-9", &error));
  g_assert_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_WRONG_KEY);
  g_clear_error (&error);
  g_assert_null (sim_jose_jwks_find (jwks, NULL, &error));  /* two keys: which? */
  g_assert_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_WRONG_KEY);
  g_clear_error (&error);
  g_assert_null (sim_jose_jwks_find (empty, "2026-1", &error));
  g_assert_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_MALFORMED);
}

static void
test_base64url (void)
{
  g_autoptr(GError) error = NULL;
  gsize n = 0;
  g_autofree guint8 *ok = sim_base64url_decode ("_-8", -1, &n, &error);

  g_assert_no_error (error);
  g_assert_cmpmem (ok, n, "\xff\xef", 2);
  g_assert_null (sim_base64url_decode ("ab+c", -1, &n, &error));
  g_assert_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_null (sim_base64url_decode ("abcde", -1, &n, &error));
  g_assert_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_MALFORMED);

  g_assert_false (sim_jose_looks_compact ("at_abc"));
  g_assert_false (sim_jose_looks_compact ("eyJh.b"));
  g_assert_false (sim_jose_looks_compact ("eyJh..c"));
  g_assert_true (sim_jose_looks_compact ("eyJh.b.c"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sim/jose/public-key-known-answer", test_public_key_known_answer);
  g_test_add_func ("/sim/jose/deterministic", test_signature_is_deterministic);
  g_test_add_func ("/sim/jose/seeded-keys", test_seeded_keys);
  g_test_add_func ("/sim/jose/rfc6979-vector", test_rfc6979_vector);
  g_test_add_func ("/sim/jose/rfc7515-example", test_rfc7515_example);
  g_test_add_func ("/sim/jose/thumbprint-known-answer", test_thumbprint_known_answer);
  g_test_add_func ("/sim/jose/round-trip", test_round_trip);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_tokens); i++)
    g_test_add_data_func (bad_tokens[i].path, &bad_tokens[i], test_bad_token);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_jwks); i++)
    g_test_add_data_func (bad_jwks[i].path, &bad_jwks[i], test_bad_jwk);
  g_test_add_func ("/sim/jose/bad-scalar", test_bad_scalar);
  g_test_add_func ("/sim/jose/jwks", test_jwks);
  g_test_add_func ("/sim/jose/base64url", test_base64url);
  return g_test_run ();
}
