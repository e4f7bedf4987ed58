/* test-uri.c: SimUri reads every URI as GLib's parser does, and writes it back the same way. */
#include "sim/uri.h"

static void
assert_same (SimUri     *ours,
             GUri       *theirs,
             const char *text)
{
  g_autofree char *a = NULL, *b = NULL;

  if (theirs == NULL)
    {
      g_assert_null (ours);
      return;
    }
  g_assert_nonnull (ours);
  g_assert_cmpstr (sim_uri_get_scheme (ours), ==, g_uri_get_scheme (theirs));
  g_assert_cmpstr (sim_uri_get_userinfo (ours), ==, g_uri_get_userinfo (theirs));
  g_assert_cmpstr (sim_uri_get_host (ours), ==, g_uri_get_host (theirs));
  g_assert_cmpint (sim_uri_get_port (ours), ==, g_uri_get_port (theirs));
  g_assert_cmpstr (sim_uri_get_path (ours), ==, g_uri_get_path (theirs));
  g_assert_cmpstr (sim_uri_get_query (ours), ==, g_uri_get_query (theirs));
  g_assert_cmpstr (sim_uri_get_fragment (ours), ==, g_uri_get_fragment (theirs));
  g_assert_cmpint (sim_uri_get_flags (ours), ==, g_uri_get_flags (theirs));
  a = sim_uri_to_string (ours);
  b = g_uri_to_string (theirs);
  g_assert_cmpstr (a, ==, b);
}

/* Random URIs over the pieces that matter: schemes, hosts, ports good and bad, paths with
 * escapes good and bad, dot segments, queries, fragments, userinfo, IP literals, upper case. */
static void
test_matches_glib (void)
{
  static const char *const schemes[] = { "https", "http", "com.example.app", "HTTPS", "h2", "" };
  static const char *const hosts[] = {
    "auth.example", "127.0.0.1", "[::1]", "Auth.Example", "", "user@host", "a-b.c", "x_y",
  };
  static const char *const ports[] = { "", ":8080", ":443", ":0", ":080", ":65535", ":65536", ":", ":x" };
  static const char *const segments[] = {
    "/", "/authorize", "/cb", "/a%20b", "/%zz", "/./x", "/../x", "/é", "/a b", "/~u", "/a:b@c",
    "//", "",
  };
  static const char *const queries[] = {
    "", "?", "?a=1&b=2", "?code=abc&state=x%2By", "?q=a+b", "?x=/.", "?bad=%G1", "?a=é",
    "?r=https://x/y?z",
  };
  static const char *const ends[] = { "", "", "", "#frag", "#" };
  GRand *rand = g_rand_new_with_seed (3986);
  guint quick = 0;

#define PICK(a) a[g_rand_int_range (rand, 0, G_N_ELEMENTS (a))]
  for (guint round = 0; round < 20000; round++)
    {
      g_autofree char *text = g_strconcat (PICK (schemes), "://", PICK (hosts), PICK (ports),
                                           PICK (segments), PICK (segments), PICK (queries),
                                           PICK (ends), NULL);
      g_autoptr(SimUri) ours = sim_uri_parse (text, NULL);
      g_autoptr(GUri) theirs = g_uri_parse (text, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL);
      g_autofree char *written = theirs ? g_uri_to_string (theirs) : NULL;

      assert_same (ours, theirs, text);
      quick += written && g_str_equal (written, text);
    }
#undef PICK
  g_rand_free (rand);
  g_assert_cmpuint (quick, >, 2000);   /* plenty of plain URIs, the hand-split kind */
}

/* A reference, absolute or relative, resolves as g_uri_parse_relative() resolves it. */
static void
test_resolve (void)
{
  static const char *const refs[] = {
    "http://127.0.0.1:9400/callback?code=ac_x&state=st_y&iss=https%3A%2F%2Fauth.example",
    "https://client.example/cb?code=a%2Bb", "HTTPS://Client.Example/cb", "https://client.example",
    "com.example.app:/cb?code=1", "https://c.example/a/./b/../c", "https://c.example:443/x#f",
    "/consent", "consent", "?x=1", "../up", "//host/p", "#f", "", "1abc:x", ":x", "a+b.c-d:x",
    "javascript:alert(1)", "https://[::1]:8080/x", "https://bad host/", "https://x/%zz",
  };
  static const char *const bases[] = {
    "https://auth.example/a/authorize?x=1", "http://127.0.0.1:9400/authorize",
    "https://user@auth.example/a", "http://[::1]:8080/a/b", "HTTPS://Auth.Example/x",
  };
  static const char *const more[] = { "/consent?request_id=rq_1", "/a/./b", "/a%zz", "/a b", "/é" };

  for (guint b = 0; b < G_N_ELEMENTS (bases); b++)
    {
      g_autoptr(SimUri) base = sim_uri_parse (bases[b], NULL);
      g_autoptr(GUri) guri_base = g_uri_parse (bases[b], G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL);

      for (guint i = 0; i < G_N_ELEMENTS (refs) + G_N_ELEMENTS (more); i++)
        {
          const char *ref = i < G_N_ELEMENTS (refs) ? refs[i] : more[i - G_N_ELEMENTS (refs)];
          g_autoptr(SimUri) ours = sim_uri_resolve (base, ref);
          g_autoptr(GUri) theirs = g_uri_parse_relative (guri_base, ref, G_URI_FLAGS_ENCODED, NULL);

          assert_same (ours, theirs, ref);
        }
    }
}

/* Origins: serialized as RFC 6454 §6.2 has it, compared as §5 has it. */
static void
test_origins (void)
{
  static const char *const cases[][2] = {
    { "https://auth.example/token", "https://auth.example" },
    { "https://auth.example:443/token", "https://auth.example" },
    { "http://auth.example:80/x", "http://auth.example" },
    { "https://auth.example:8443/x", "https://auth.example:8443" },
    { "http://auth.example:443/x", "http://auth.example:443" },
    { "HTTPS://Auth.Example/x", "https://auth.example" },
    { "http://[::1]:8080/x", "http://[::1]:8080" },
    { "com.example.app:/cb?code=1", "com.example.app://" },
  };
  static const char *const misses[][2] = {
    { "https://auth.example/token", "http://auth.example" },
    { "https://auth.example/token", "https://auth.example.evil" },
    { "https://auth.example:8443/x", "https://auth.example" },
    { "http://127.0.0.1:9400/", "http://127.0.0.1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SimUri) uri = sim_uri_parse (cases[i][0], NULL);
      g_autoptr(SimUri) origin = sim_uri_parse (cases[i][1], NULL);
      g_autofree char *text = sim_uri_dup_origin (uri);

      g_assert_cmpstr (text, ==, cases[i][1]);
      g_assert_true (sim_uri_same_origin (uri, origin));
    }
  for (guint i = 0; i < G_N_ELEMENTS (misses); i++)
    {
      g_autoptr(SimUri) uri = sim_uri_parse (misses[i][0], NULL);
      g_autoptr(SimUri) origin = sim_uri_parse (misses[i][1], NULL);

      g_assert_false (sim_uri_same_origin (uri, origin));
    }
}

/* What GLib parses but cannot write back (its g_uri_to_string() would raise a critical) is
 * refused; found by fuzz-authorize in a Location header the text sink reads. */
static void
test_unwritable (void)
{
  static const char *const texts[] = {
    "https://api.exa;mple/x", "phtlps://api.epe=&=&cgi;ri=s", "https://a.example;x",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GUri) theirs = g_uri_parse (texts[i], G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL);
      g_autoptr(SimUri) ours = sim_uri_parse (texts[i], &error);
      g_autoptr(SimUri) base = sim_uri_parse ("https://client.example/", NULL);
      g_autoptr(SimUri) resolved = sim_uri_resolve (base, texts[i]);

      g_assert_nonnull (theirs);   /* GLib takes it ... */
      g_assert_null (ours);        /* ... we do not */
      g_assert_error (error, G_URI_ERROR, G_URI_ERROR_BAD_PATH);
      /* A reference is parsed strictly, where ';' belongs to the host: writable. */
      if (resolved)
        g_assert_true (sim_uri_get_path (resolved)[0] == '\0' || sim_uri_get_path (resolved)[0] == '/');
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sim/uri/matches-glib", test_matches_glib);
  g_test_add_func ("/sim/uri/resolve", test_resolve);
  g_test_add_func ("/sim/uri/origins", test_origins);
  g_test_add_func ("/sim/uri/unwritable", test_unwritable);
  return g_test_run ();
}
