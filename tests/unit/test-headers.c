/* test-headers.c: SimHeaders behaves as SoupMessageHeaders, operation for operation. */
#include <libsoup/soup.h>

#include "sim/headers.h"

static const char *const names[] = {
  "Content-Type", "content-type", "CONTENT-TYPE", "Authorization", "authorization", "Location",
  "Set-Cookie", "set-cookie", "Cookie", "Cache-Control", "Pragma", "WWW-Authenticate",
  "Referer", "Referrer-Policy", "X-Frame-Options", "Content-Security-Policy", "Content-Length",
  "X-Custom", "x-custom", "X-CUSTOM", "DPoP", "dpop", "X-Other",
};
static const char *const values[] = {
  "a", "b, c", "", "application/json", "text/html; charset=utf-8", "application/json ; x=1",
  "text", "a/b/c", " application/json", "application/json ", "é", "Bearer at_x",
  "application/x-www-form-urlencoded", "a b/c",
};

/* Both list the same fields, in the same order, spelled the same way. */
static void
assert_same (SoupMessageHeaders *theirs,
             SimHeaders         *ours)
{
  SoupMessageHeadersIter soup_iter;
  SimHeadersIter sim_iter;
  const char *soup_name, *soup_value, *sim_name, *sim_value;

  soup_message_headers_iter_init (&soup_iter, theirs);
  sim_headers_iter_init (&sim_iter, ours);
  while (soup_message_headers_iter_next (&soup_iter, &soup_name, &soup_value))
    {
      g_assert_true (sim_headers_iter_next (&sim_iter, &sim_name, &sim_value));
      g_assert_cmpstr (sim_name, ==, soup_name);
      g_assert_cmpstr (sim_value, ==, soup_value);
    }
  g_assert_false (sim_headers_iter_next (&sim_iter, &sim_name, &sim_value));

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_cmpstr (sim_headers_get_one (ours, names[i]), ==,
                       soup_message_headers_get_one (theirs, names[i]));
      g_assert_cmpstr (sim_headers_get_list (ours, names[i]), ==,
                       soup_message_headers_get_list (theirs, names[i]));
    }
  g_assert_cmpstr (sim_headers_get_content_type (ours), ==,
                   soup_message_headers_get_content_type (theirs, NULL));
}

/* Random appends, replaces and removes, compared after each one. */
static void
test_matches_libsoup (void)
{
  GRand *rand = g_rand_new_with_seed (9110);

  for (guint round = 0; round < 300; round++)
    {
      SoupMessageHeaders *theirs = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
      g_autoptr(SimHeaders) ours = sim_headers_new ();

      for (guint step = 0; step < 12; step++)
        {
          const char *name = names[g_rand_int_range (rand, 0, G_N_ELEMENTS (names))];
          const char *value = values[g_rand_int_range (rand, 0, G_N_ELEMENTS (values))];

          switch (g_rand_int_range (rand, 0, 3))
            {
            case 0:
              soup_message_headers_append (theirs, name, value);
              sim_headers_append (ours, name, value);
              break;
            case 1:
              soup_message_headers_replace (theirs, name, value);
              sim_headers_replace (ours, name, value);
              break;
            default:
              soup_message_headers_remove (theirs, name);
              sim_headers_remove (ours, name);
              break;
            }
          assert_same (theirs, ours);
        }
      soup_message_headers_unref (theirs);
    }
  g_rand_free (rand);
}

/* A name or value that would split the field is refused, as libsoup refuses it. */
static void
test_refuses_injection (void)
{
  g_autoptr(SimHeaders) ours = sim_headers_new ();

  g_test_expect_message ("oauth-sim-core", G_LOG_LEVEL_CRITICAL, "*strpbrk*");
  sim_headers_append (ours, "Location", "https://a.example/\r\nSet-Cookie: x=1");
  g_test_assert_expected_messages ();
  g_test_expect_message ("oauth-sim-core", G_LOG_LEVEL_CRITICAL, "*strpbrk*");
  sim_headers_append (ours, "X-Bad: name", "1");
  g_test_assert_expected_messages ();
  g_assert_cmpuint (sim_headers_size (ours), ==, 0);
}

/* Made-up names are not all remembered: a peer could send any number of them. */
static void
test_many_names (void)
{
  g_autoptr(SimHeaders) ours = sim_headers_new ();

  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *name = g_strdup_printf ("X-Made-Up-%u", i);
      sim_headers_append (ours, name, "1");
      g_assert_cmpstr (sim_headers_get_one (ours, name), ==, "1");
    }
  g_assert_cmpuint (sim_headers_size (ours), ==, 2000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sim/headers/matches-libsoup", test_matches_libsoup);
  g_test_add_func ("/sim/headers/refuses-injection", test_refuses_injection);
  g_test_add_func ("/sim/headers/many-names", test_many_names);
  return g_test_run ();
}
