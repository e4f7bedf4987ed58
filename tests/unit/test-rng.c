/* test-rng.c: the seeded generator repeats itself exactly, and tokens are base64url. */
#include <string.h>

#include "sim/rng.h"

static const char base64url_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Length of @n bytes in base64 without padding. */
static gsize
unpadded_length (gsize n)
{
  return (n * 4 + 2) / 3;
}

static void
assert_base64url (const char *text)
{
  g_assert_nonnull (text);
  g_assert_null (strchr (text, '='));
  g_assert_null (strchr (text, '+'));
  g_assert_null (strchr (text, '/'));
  g_assert_cmpuint (strspn (text, base64url_alphabet), ==, strlen (text));
}

static void
test_same_seed (void)
{
  g_autoptr(SimRng) a = sim_rng_new_seeded (20260302);
  g_autoptr(SimRng) b = sim_rng_new_seeded (20260302);
  guint8 bytes_a[64], bytes_b[64];

  sim_rng_fill (a, bytes_a, sizeof bytes_a);
  sim_rng_fill (b, bytes_b, sizeof bytes_b);
  g_assert_cmpmem (bytes_a, sizeof bytes_a, bytes_b, sizeof bytes_b);

  /* ... and keeps doing so as the sequence goes on. */
  sim_rng_fill (a, bytes_a, sizeof bytes_a);
  sim_rng_fill (b, bytes_b, sizeof bytes_b);
  g_assert_cmpmem (bytes_a, sizeof bytes_a, bytes_b, sizeof bytes_b);
}

static void
test_sequence_moves (void)
{
  g_autoptr(SimRng) rng = sim_rng_new_seeded (7);
  guint8 first[32], second[32];

  sim_rng_fill (rng, first, sizeof first);
  sim_rng_fill (rng, second, sizeof second);
  g_assert_true (memcmp (first, second, sizeof first) != 0);
}

typedef struct
{
  const char *path;
  guint64 seed_a;
  guint64 seed_b;
} SeedPair;

static const SeedPair seed_pairs[] = {
  { "/sim/rng/seeded/different/adjacent", 1, 2 },
  { "/sim/rng/seeded/different/zero", 0, 1 },
  /* The high half of the seed counts too. */
  { "/sim/rng/seeded/different/high-word", 1, G_GUINT64_CONSTANT (1) << 32 | 1 },
  { "/sim/rng/seeded/different/swapped-words", G_GUINT64_CONSTANT (1) << 32, 1 },
};

static void
test_different_seed (gconstpointer data)
{
  const SeedPair *c = data;
  g_autoptr(SimRng) a = sim_rng_new_seeded (c->seed_a);
  g_autoptr(SimRng) b = sim_rng_new_seeded (c->seed_b);
  guint8 bytes_a[32], bytes_b[32];

  sim_rng_fill (a, bytes_a, sizeof bytes_a);
  sim_rng_fill (b, bytes_b, sizeof bytes_b);
  g_assert_true (memcmp (bytes_a, bytes_b, sizeof bytes_a) != 0);
}

/* The seed alone decides the bytes, on every machine: this value was checked against a
 * reference MT19937 (init_by_array {42, 0}, words written little-endian). If it changes,
 * every generated value in every lesson's trace changes with it. */
static void
test_known_answer (void)
{
  static const guint8 expected[] = { 0x11, 0x88, 0x3d, 0x79, 0x23, 0xbb, 0x68, 0xcb };
  g_autoptr(SimRng) rng = sim_rng_new_seeded (42);
  g_autofree char *token = sim_rng_token (rng, "at_", 16);
  guint8 bytes[8];

  g_assert_cmpstr (token, ==, "at_isuntK2y7V5pz_lfWFuKsA");
  sim_rng_fill (rng, bytes, sizeof bytes);
  g_assert_cmpmem (bytes, sizeof bytes, expected, sizeof expected);
}

static void
test_partial_word (void)
{
  g_autoptr(SimRng) a = sim_rng_new_seeded (99);
  g_autoptr(SimRng) b = sim_rng_new_seeded (99);
  guint8 five[5], eight[8];

  /* A length that is not a multiple of four still gets the sequence's first bytes. */
  sim_rng_fill (a, five, sizeof five);
  sim_rng_fill (b, eight, sizeof eight);
  g_assert_cmpmem (five, sizeof five, eight, sizeof five);
}

/* base64url: RFC 4648 §10 test vectors, and the two characters that differ from base64. */

typedef struct
{
  const char *path;
  const guint8 *data;
  gsize length;
  const char *expected;
} Base64Case;

static const Base64Case base64_cases[] = {
  { "/sim/rng/base64url/empty", (const guint8 *) "", 0, "" },
  { "/sim/rng/base64url/f", (const guint8 *) "f", 1, "Zg" },
  { "/sim/rng/base64url/fo", (const guint8 *) "fo", 2, "Zm8" },
  { "/sim/rng/base64url/foo", (const guint8 *) "foo", 3, "Zm9v" },
  { "/sim/rng/base64url/foob", (const guint8 *) "foob", 4, "Zm9vYg" },
  { "/sim/rng/base64url/fooba", (const guint8 *) "fooba", 5, "Zm9vYmE" },
  { "/sim/rng/base64url/foobar", (const guint8 *) "foobar", 6, "Zm9vYmFy" },
  { "/sim/rng/base64url/plus-slash", (const guint8 *) "\xfb\xff", 2, "-_8" },
  { "/sim/rng/base64url/all-plus", (const guint8 *) "\xfb\xef\xbe", 3, "----" },
  { "/sim/rng/base64url/all-slash", (const guint8 *) "\xff\xff\xfe", 3, "___-" },
  { "/sim/rng/base64url/zeros", (const guint8 *) "\0\0\0\0", 4, "AAAAAA" },
};

static void
test_base64url (gconstpointer data)
{
  const Base64Case *c = data;
  g_autofree char *encoded = sim_base64url_encode (c->data, c->length);

  g_assert_cmpstr (encoded, ==, c->expected);
}

/* Any bytes: no padding, no + or /, the unpadded length, and decoding gives the bytes back. */
static void
test_base64url_any (void)
{
  g_autoptr(SimRng) rng = sim_rng_new_seeded (4648);

  for (gsize n = 0; n <= 66; n++)
    {
      g_autofree guint8 *bytes = g_malloc (n + 1);
      g_autofree char *encoded = NULL;
      g_autoptr(GString) standard = NULL;
      g_autofree guchar *decoded = NULL;
      gsize decoded_len = 0;

      sim_rng_fill (rng, bytes, n);
      encoded = sim_base64url_encode (bytes, n);
      assert_base64url (encoded);
      g_assert_cmpuint (strlen (encoded), ==, unpadded_length (n));

      standard = g_string_new (encoded);
      g_string_replace (standard, "-", "+", 0);
      g_string_replace (standard, "_", "/", 0);
      while (standard->len % 4)
        g_string_append_c (standard, '=');
      decoded = g_base64_decode (standard->str, &decoded_len);
      g_assert_cmpmem (decoded, decoded_len, bytes, n);
    }
}

typedef struct
{
  const char *path;
  const char *prefix;
  gsize n_bytes;
} TokenCase;

static const TokenCase token_cases[] = {
  { "/sim/rng/token/access", "at_", 32 },
  { "/sim/rng/token/code", "code_", 16 },
  { "/sim/rng/token/odd-length", "x", 31 },
  { "/sim/rng/token/no-prefix", NULL, 24 },
  { "/sim/rng/token/empty-prefix", "", 1 },
  { "/sim/rng/token/no-bytes", "rt_", 0 },
};

static void
test_token (gconstpointer data)
{
  const TokenCase *c = data;
  const char *prefix = c->prefix ? c->prefix : "";
  g_autoptr(SimRng) rng = sim_rng_new_seeded (1);
  g_autoptr(SimRng) again = sim_rng_new_seeded (1);
  g_autofree char *token = sim_rng_token (rng, c->prefix, c->n_bytes);
  g_autofree char *same = sim_rng_token (again, c->prefix, c->n_bytes);
  g_autofree char *next = sim_rng_token (rng, c->prefix, c->n_bytes);

  g_assert_true (g_str_has_prefix (token, prefix));
  g_assert_cmpuint (strlen (token), ==, strlen (prefix) + unpadded_length (c->n_bytes));
  assert_base64url (token + strlen (prefix));
  g_assert_cmpstr (token, ==, same);
  if (c->n_bytes > 0)
    g_assert_cmpstr (token, !=, next);
}

static void
test_system (void)
{
  g_autoptr(SimRng) rng = sim_rng_new_system ();
  g_autofree char *a = sim_rng_token (rng, "at_", 32);
  g_autofree char *b = sim_rng_token (rng, "at_", 32);

  g_assert_true (g_str_has_prefix (a, "at_"));
  g_assert_cmpuint (strlen (a), ==, 3 + 43);
  assert_base64url (a + 3);
  /* 256 bits apart: equal only if the entropy is broken. */
  g_assert_cmpstr (a, !=, b);
}

/* Both alphabets against GLib's base64 (RFC 4648 §4), for every length up to 64 bytes. */
static void
test_base64_matches_glib (void)
{
  GRand *rand = g_rand_new_with_seed (4648);

  for (gsize length = 0; length <= 64; length++)
    {
      guint8 data[64];
      char ours[4 * 22 + 1];
      g_autofree char *theirs = NULL;
      g_autofree char *url = NULL;
      gsize written;

      for (gsize i = 0; i < length; i++)
        data[i] = g_rand_int_range (rand, 0, 256);
      theirs = g_base64_encode (data, length);
      written = sim_base64_write (ours, data, length, FALSE);
      g_assert_cmpstr (ours, ==, theirs);
      g_assert_cmpuint (written, ==, strlen (theirs));
      /* base64url: the same with - and _, and no padding. */
      g_strdelimit (theirs, "+", '-');
      g_strdelimit (theirs, "/", '_');
      *strchrnul (theirs, '=') = '\0';
      url = sim_base64url_encode (data, length);
      g_assert_cmpstr (url, ==, theirs);
    }
  g_rand_free (rand);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sim/rng/seeded/same", test_same_seed);
  g_test_add_func ("/sim/rng/seeded/sequence", test_sequence_moves);
  for (guint i = 0; i < G_N_ELEMENTS (seed_pairs); i++)
    g_test_add_data_func_full (seed_pairs[i].path, (gpointer) &seed_pairs[i], test_different_seed, NULL);
  g_test_add_func ("/sim/rng/seeded/known-answer", test_known_answer);
  g_test_add_func ("/sim/rng/seeded/partial-word", test_partial_word);
  for (guint i = 0; i < G_N_ELEMENTS (base64_cases); i++)
    g_test_add_data_func_full (base64_cases[i].path, (gpointer) &base64_cases[i], test_base64url, NULL);
  g_test_add_func ("/sim/rng/base64url/any", test_base64url_any);
  for (guint i = 0; i < G_N_ELEMENTS (token_cases); i++)
    g_test_add_data_func_full (token_cases[i].path, (gpointer) &token_cases[i], test_token, NULL);
  g_test_add_func ("/sim/rng/system", test_system);

  g_test_add_func ("/sim/rng/base64/matches-glib", test_base64_matches_glib);

  return g_test_run ();
}
