/* test-rfc-examples.c: the worked examples the RFCs print, checked against actors/oauth.c.
 *
 * An example value in an RFC is the one test vector every implementation shares: if our PKCE
 * or HTTP Basic code disagrees with it, we disagree with every other client and server too.
 */
#include <string.h>

#include "actors/oauth.h"
#include "sim/rng.h"

/* RFC 7636 Appendix B: the 32 random octets, the verifier they encode to, the SHA-256 of that
 * verifier and the S256 challenge. */
static const guint8 appendix_b_octets[32] = {
  116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186,
  22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121
};
static const guint8 appendix_b_hash[32] = {
  19, 211, 30, 150, 26, 26, 216, 236, 47, 22, 177, 12, 76, 152, 46, 8,
  118, 168, 120, 173, 109, 241, 68, 86, 110, 225, 137, 74, 203, 112, 249, 195
};
#define APPENDIX_B_VERIFIER  "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define APPENDIX_B_CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static void
test_pkce_verifier_encoding (void)
{
  g_autofree char *verifier = sim_base64url_encode (appendix_b_octets, sizeof appendix_b_octets);

  g_assert_cmpstr (verifier, ==, APPENDIX_B_VERIFIER);
}

static void
test_pkce_s256 (void)
{
  g_autofree char *challenge = oauth_pkce_s256 (APPENDIX_B_VERIFIER);
  g_autofree char *hash = sim_base64url_encode (appendix_b_hash, sizeof appendix_b_hash);

  /* The challenge is the base64url of the printed hash, and our function computes both. */
  g_assert_cmpstr (hash, ==, APPENDIX_B_CHALLENGE);
  g_assert_cmpstr (challenge, ==, APPENDIX_B_CHALLENGE);
  g_assert_cmpuint (strlen (challenge), ==, 43);
  g_assert_null (strchr (challenge, '='));
}

static void
test_pkce_s256_other_verifier (void)
{
  /* One character less gives another challenge: the test above can fail. */
  g_autofree char *challenge = oauth_pkce_s256 ("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX");

  g_assert_cmpstr (challenge, !=, APPENDIX_B_CHALLENGE);
}

/* RFC 7636 §4.1: code_verifier = 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." /
 * "_" / "~". §4.2 gives the challenge the same shape. */
typedef struct
{
  const char *path;
  gsize length;       /* built of 'a' repeated, when value is NULL */
  const char *value;
  gboolean valid;
} ValueCase;

static const ValueCase value_cases[] = {
  { "/rfc7636/4.1/length/0", 0, NULL, FALSE },
  { "/rfc7636/4.1/length/42", 42, NULL, FALSE },
  { "/rfc7636/4.1/length/43", 43, NULL, TRUE },
  { "/rfc7636/4.1/length/128", 128, NULL, TRUE },
  { "/rfc7636/4.1/length/129", 129, NULL, FALSE },
  { "/rfc7636/4.1/appendix-b-verifier", 0, APPENDIX_B_VERIFIER, TRUE },
  { "/rfc7636/4.1/appendix-b-challenge", 0, APPENDIX_B_CHALLENGE, TRUE },
  { "/rfc7636/4.1/unreserved", 0, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~", TRUE },
  { "/rfc7636/4.1/plus", 0, "dBjftJeZ4CVP+mB92K27uhbUJU1p1r_wW1gFWFOEjXk", FALSE },
  { "/rfc7636/4.1/slash", 0, "dBjftJeZ4CVP/mB92K27uhbUJU1p1r_wW1gFWFOEjXk", FALSE },
  { "/rfc7636/4.1/padding", 0, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk=", FALSE },
  { "/rfc7636/4.1/space", 0, "dBjftJeZ4CVP mB92K27uhbUJU1p1r_wW1gFWFOEjXk", FALSE },
  { "/rfc7636/4.1/non-ascii", 0, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjé", FALSE },
};

static void
test_pkce_value (gconstpointer data)
{
  const ValueCase *c = data;
  g_autofree char *value = c->value ? g_strdup (c->value) : g_strnfill (c->length, 'a');

  if (c->value == NULL)
    g_assert_cmpuint (strlen (value), ==, c->length);
  g_assert_cmpint (oauth_pkce_is_valid_value (value), ==, c->valid);
}

static void
test_pkce_value_null (void)
{
  g_assert_false (oauth_pkce_is_valid_value (NULL));
}

/* RFC 6749 §2.3.1: client s6BhdRkqt3 with secret 7Fjfp0ZBr1KtDRbnfVdmIw. */
#define RFC6749_BASIC "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3"

static void
test_basic_set (void)
{
  SimHeaders *headers = sim_headers_new ();

  oauth_set_basic (headers, "s6BhdRkqt3", "7Fjfp0ZBr1KtDRbnfVdmIw");
  g_assert_cmpstr (sim_headers_get_one (headers, "Authorization"), ==, RFC6749_BASIC);
  sim_headers_free (headers);
}

static void
test_basic_parse (void)
{
  SimHeaders *headers = sim_headers_new ();
  g_autofree char *id = NULL;
  g_autofree char *secret = NULL;

  sim_headers_replace (headers, "Authorization", RFC6749_BASIC);
  g_assert_true (oauth_parse_basic (headers, &id, &secret));
  g_assert_cmpstr (id, ==, "s6BhdRkqt3");
  g_assert_cmpstr (secret, ==, "7Fjfp0ZBr1KtDRbnfVdmIw");
  sim_headers_free (headers);
}

/* RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined with ':', so a
 * secret with ':', '%', '+' or non-ASCII characters survives the trip; the encoding is
 * g_uri_escape_string's. */
static void
test_basic_escapes (void)
{
  static const char *const secrets[][2] = {
    { "plain-id_1.2~", "plain-secret" }, { "id:with:colons", "se:cr%et+plus" },
    { "é id", "비밀 /?#[]@!$&'()*,;=" }, { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    {
      SimHeaders *headers = sim_headers_new ();
      g_autofree char *id_escaped = g_uri_escape_string (secrets[i][0], NULL, FALSE);
      g_autofree char *secret_escaped = g_uri_escape_string (secrets[i][1], NULL, FALSE);
      g_autofree char *joined = g_strconcat (id_escaped, ":", secret_escaped, NULL);
      g_autofree char *encoded = g_base64_encode ((const guchar *) joined, strlen (joined));
      g_autofree char *expected = g_strconcat ("Basic ", encoded, NULL);
      g_autofree char *id = NULL;
      g_autofree char *secret = NULL;

      oauth_set_basic (headers, secrets[i][0], secrets[i][1]);
      g_assert_cmpstr (sim_headers_get_one (headers, "Authorization"), ==, expected);
      g_assert_true (oauth_parse_basic (headers, &id, &secret) || *joined == ':');
      if (id)
        {
          g_assert_cmpstr (id, ==, secrets[i][0]);
          g_assert_cmpstr (secret, ==, secrets[i][1]);
        }
      sim_headers_free (headers);
    }
}

/* The reading before a quicker one: GLib's lenient base64, then the same checks. */
static gboolean
reference_parse_basic (const char  *value,
                       char       **client_id,
                       char       **client_secret)
{
  g_autofree guchar *decoded = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  char *colon;

  *client_id = *client_secret = NULL;
  if (g_ascii_strncasecmp (value, "Basic ", 6) != 0)
    return FALSE;
  decoded = g_base64_decode (value + 6, &len);
  if (decoded == NULL || len == 0)
    return FALSE;
  text = g_strndup ((const char *) decoded, len);
  if (strlen (text) != len || (colon = strchr (text, ':')) == NULL)
    return FALSE;
  *colon = '\0';
  *client_id = g_uri_unescape_string (text, NULL);
  *client_secret = g_uri_unescape_string (colon + 1, NULL);
  if (*client_id == NULL || *client_secret == NULL
      || !g_utf8_validate (*client_id, -1, NULL) || !g_utf8_validate (*client_secret, -1, NULL))
    {
      g_clear_pointer (client_id, g_free);
      g_clear_pointer (client_secret, g_free);
      return FALSE;
    }
  return TRUE;
}

/* Odd Authorization values read as GLib's base64 reads them: padding in the middle, missing
 * padding, characters outside the alphabet, NUL bytes, a bad escape, no colon. */
static void
test_basic_odd_values (void)
{
  static const char *const values[] = {
    "Basic YWJjOmRlZg==", "Basic YWJjOmRlZg", "Basic YWJj=ZA==", "Basic ====", "Basic !!!!",
    "Basic YQ", "Basic", "Basic ", "basic YWJjOmRlZg==", "Basic YWJjOmRl\nZg==", "Basic AAAA",
    "Basic YTolenE=", "Basic JXp6OmI=", "Basic YWJj", "Basic Y*Jj Om Rl Zg==", "Bearer YWJjOmRlZg==",
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(SimHeaders) headers = sim_headers_new ();
      g_autofree char *id = NULL, *secret = NULL, *ref_id = NULL, *ref_secret = NULL;
      gboolean ours, theirs;

      if (strchr (values[i], '\n'))
        continue;   /* a header value cannot hold a line break */
      sim_headers_append (headers, "Authorization", values[i]);
      ours = oauth_parse_basic (headers, &id, &secret);
      theirs = reference_parse_basic (values[i], &ref_id, &ref_secret);
      g_assert_cmpint (ours, ==, theirs);
      g_assert_cmpstr (id, ==, ref_id);
      g_assert_cmpstr (secret, ==, ref_secret);
    }
}

/* RFC 6749 §3.3: a scope is a list of space-delimited, case-sensitive tokens, in any order. */
static void
test_scope_lists (void)
{
  g_assert_true (oauth_scope_contains ("calendar.read calendar.write", "calendar.write"));
  g_assert_true (oauth_scope_contains ("calendar.read", "calendar.read"));
  g_assert_false (oauth_scope_contains ("calendar.read", "calendar"));
  g_assert_false (oauth_scope_contains ("calendar.reader", "calendar.read"));
  g_assert_false (oauth_scope_contains ("Calendar.read", "calendar.read"));
  g_assert_false (oauth_scope_contains ("calendar.read", ""));
  g_assert_false (oauth_scope_contains (NULL, "calendar.read"));
  g_assert_false (oauth_scope_contains ("a b", "a b"));

  g_assert_true (oauth_scope_is_subset ("b a", "a b c"));
  g_assert_true (oauth_scope_is_subset ("", "a"));
  g_assert_true (oauth_scope_is_subset ("a  a", "a"));
  g_assert_false (oauth_scope_is_subset ("a d", "a b c"));
  g_assert_false (oauth_scope_is_subset ("a", NULL));
  g_assert_false (oauth_scope_is_subset ("ab", "a b"));

  {
    static const char *const scopes[][2] = {
      { "a b c", "a b c" }, { "c b a", "a b c" }, { "a a", "a" }, { " a  b ", "a b" },
      { "ab a", "a ab" }, { "a ab", "a ab" }, { "", "" }, { "b a b", "a b" },
      { "calendar.read calendar.write", "calendar.read calendar.write" },
    };
    for (guint i = 0; i < G_N_ELEMENTS (scopes); i++)
      {
        g_autofree char *normal = oauth_scope_normalize (scopes[i][0]);
        g_assert_cmpstr (normal, ==, scopes[i][1]);
      }
  }

  {
    static const char *const lists[][3] = {
      { "a b", "a", "b" }, { "b a b", "a", "b" }, { "", NULL, NULL }, { " a ", "a", NULL },
      { "calendar.read", "calendar.read", NULL },
    };
    for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
      {
        g_auto(GStrv) tokens = oauth_scope_parse (lists[i][0]);
        for (guint j = 0; j < 2; j++)
          {
            g_assert_cmpstr (tokens[j], ==, lists[i][j + 1]);
            if (lists[i][j + 1] == NULL)
              break;
          }
      }
  }

  g_assert_true (oauth_scope_is_empty (NULL));
  g_assert_true (oauth_scope_is_empty (""));
  g_assert_true (oauth_scope_is_empty ("   "));
  g_assert_false (oauth_scope_is_empty (" a "));
}

/* RFC 6749 §10.14: what a page echoes is escaped, exactly as g_markup_escape_text() escapes it. */
static void
test_html_escape (void)
{
  static const char *const texts[] = {
    "calendar.read", "", "<script>alert(1)</script>", "Tom & Jerry's \"app\"", "tab\there",
    "é 일정 😀", "\x7f\x01", "\xc2\x85 next line",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GString) ours = g_string_new ("<p>");
      g_autofree char *theirs = g_markup_escape_text (texts[i], -1);

      oauth_html_append_escaped (ours, texts[i]);
      g_assert_cmpstr (ours->str + 3, ==, theirs);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rfc7636/appendix-b/verifier", test_pkce_verifier_encoding);
  g_test_add_func ("/rfc7636/appendix-b/s256", test_pkce_s256);
  g_test_add_func ("/rfc7636/appendix-b/s256-other-verifier", test_pkce_s256_other_verifier);
  for (guint i = 0; i < G_N_ELEMENTS (value_cases); i++)
    g_test_add_data_func_full (value_cases[i].path, (gpointer) &value_cases[i], test_pkce_value, NULL);
  g_test_add_func ("/rfc7636/4.1/null", test_pkce_value_null);
  g_test_add_func ("/rfc6749/2.3.1/basic/set", test_basic_set);
  g_test_add_func ("/rfc6749/2.3.1/basic/parse", test_basic_parse);
  g_test_add_func ("/rfc6749/2.3.1/basic/escapes", test_basic_escapes);
  g_test_add_func ("/rfc6749/2.3.1/basic/odd-values", test_basic_odd_values);
  g_test_add_func ("/rfc6749/3.3/scope-lists", test_scope_lists);
  g_test_add_func ("/rfc6749/10.14/html-escape", test_html_escape);

  return g_test_run ();
}
