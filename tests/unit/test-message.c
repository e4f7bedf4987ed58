/* test-message.c: SimMessage (bodies, responses, content types) and SimParams (ordered
 * parameters that remember a repeated name, because OAuth endpoints must refuse one). */
#include <string.h>

#include "sim/message.h"

/* Parsing: table-driven. */

typedef struct
{
  const char *path;
  const char *encoded;
  const char *pairs[10];   /* name, value, name, value, ..., NULL */
  const char *repeated;    /* expected sim_params_repeated_name() */
} ParseCase;

static const ParseCase parse_cases[] = {
  { "/sim/params/parse/empty", "", { NULL }, NULL },
  { "/sim/params/parse/simple", "a=1&b=2", { "a", "1", "b", "2", NULL }, NULL },
  { "/sim/params/parse/order", "z=1&a=2&m=3", { "z", "1", "a", "2", "m", "3", NULL }, NULL },
  { "/sim/params/parse/plus-and-escapes", "q=a+b%2Bc%26d", { "q", "a b+c&d", NULL }, NULL },
  { "/sim/params/parse/escaped-name", "redirect%5Furi=x", { "redirect_uri", "x", NULL }, NULL },
  { "/sim/params/parse/utf8", "name=%ED%95%9C%EA%B8%80", { "name", "한글", NULL }, NULL },
  { "/sim/params/parse/empty-value", "a=&b=2", { "a", "", "b", "2", NULL }, NULL },
  { "/sim/params/parse/equals-in-value", "a=x=y", { "a", "x=y", NULL }, NULL },
  { "/sim/params/parse/repeated", "a=1&b=2&a=3", { "a", "1", "b", "2", "a", "3", NULL }, "a" },
  { "/sim/params/parse/repeated-first-wins", "a=1&b=2&b=3&a=4",
    { "a", "1", "b", "2", "b", "3", "a", "4", NULL }, "b" },
  { "/sim/params/parse/repeated-empty", "scope=&scope=", { "scope", "", "scope", "", NULL }, "scope" },
  { "/sim/params/parse/same-value-different-name", "a=1&A=1", { "a", "1", "A", "1", NULL }, NULL },
};

static void
test_parse (gconstpointer data)
{
  const ParseCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SimParams) params = sim_params_parse (c->encoded, &error);
  guint n = 0;

  g_assert_no_error (error);
  g_assert_nonnull (params);
  while (c->pairs[n * 2])
    n++;
  g_assert_cmpuint (sim_params_size (params), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpstr (sim_params_name_at (params, i), ==, c->pairs[i * 2]);
      g_assert_cmpstr (sim_params_value_at (params, i), ==, c->pairs[i * 2 + 1]);
    }
  g_assert_cmpstr (sim_params_repeated_name (params), ==, c->repeated);
}

typedef struct
{
  const char *path;
  const char *encoded;
} MalformedCase;

static const MalformedCase malformed_cases[] = {
  { "/sim/params/malformed/bad-hex", "a=%zz" },
  { "/sim/params/malformed/short-escape", "a=%4" },
  { "/sim/params/malformed/escape-at-end", "a=1&b=%" },
  { "/sim/params/malformed/bad-escape-in-name", "a%G1=1" },
  { "/sim/params/malformed/nul-escape-in-value", "a=%00b" },
  { "/sim/params/malformed/nul-escape-in-name", "a%00=1" },
  { "/sim/params/malformed/invalid-utf8", "a=%FF" },
  { "/sim/params/malformed/truncated-utf8", "a=%ED%95" },
};

static void
test_malformed (gconstpointer data)
{
  const MalformedCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SimParams) params = sim_params_parse (c->encoded, &error);

  g_assert_null (params);
  g_assert_error (error, SIM_MESSAGE_ERROR, SIM_MESSAGE_ERROR_MALFORMED);
}

static void
test_parse_null (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SimParams) params = sim_params_parse (NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (params);
  g_assert_cmpuint (sim_params_size (params), ==, 0);
  g_assert_null (sim_params_repeated_name (params));
}

static void
test_get (void)
{
  g_autoptr(SimParams) params = sim_params_parse ("a=1&b=2&a=3", NULL);

  g_assert_nonnull (params);
  /* The first occurrence, never the last (which soup_form_decode would keep). */
  g_assert_cmpstr (sim_params_get (params, "a"), ==, "1");
  g_assert_cmpstr (sim_params_get (params, "b"), ==, "2");
  g_assert_null (sim_params_get (params, "c"));
  g_assert_null (sim_params_get (params, "A"));
}

static void
test_set (void)
{
  g_autoptr(SimParams) params = sim_params_parse ("a=1&b=2&c=3", NULL);
  g_autofree char *encoded = NULL;

  g_assert_nonnull (params);
  sim_params_set (params, "b", "two");
  g_assert_cmpuint (sim_params_size (params), ==, 3);
  g_assert_cmpstr (sim_params_name_at (params, 1), ==, "b");
  g_assert_cmpstr (sim_params_value_at (params, 1), ==, "two");

  sim_params_set (params, "d", "4");
  g_assert_cmpuint (sim_params_size (params), ==, 4);
  g_assert_cmpstr (sim_params_name_at (params, 3), ==, "d");
  g_assert_cmpstr (sim_params_get (params, "d"), ==, "4");

  encoded = sim_params_encode (params);
  g_assert_cmpstr (encoded, ==, "a=1&b=two&c=3&d=4");
}

static void
test_set_repeated (void)
{
  g_autoptr(SimParams) params = sim_params_parse ("a=1&b=2&a=3", NULL);
  g_autofree char *encoded = NULL;

  g_assert_nonnull (params);
  sim_params_set (params, "a", "x");
  g_assert_cmpuint (sim_params_size (params), ==, 3);
  g_assert_cmpstr (sim_params_value_at (params, 0), ==, "x");
  g_assert_cmpstr (sim_params_value_at (params, 2), ==, "3");
  encoded = sim_params_encode (params);
  g_assert_cmpstr (encoded, ==, "a=x&b=2&a=3");
}

static void
test_remove (void)
{
  g_autoptr(SimParams) params = sim_params_parse ("a=1&b=2&a=3&c=4", NULL);
  g_autofree char *encoded = NULL;

  g_assert_nonnull (params);
  sim_params_remove (params, "a");
  g_assert_cmpuint (sim_params_size (params), ==, 2);
  g_assert_null (sim_params_get (params, "a"));
  g_assert_cmpstr (sim_params_name_at (params, 0), ==, "b");
  g_assert_cmpstr (sim_params_name_at (params, 1), ==, "c");

  sim_params_remove (params, "missing");
  g_assert_cmpuint (sim_params_size (params), ==, 2);

  encoded = sim_params_encode (params);
  g_assert_cmpstr (encoded, ==, "b=2&c=4");
}

static void
test_new_empty (void)
{
  g_autoptr(SimParams) params = sim_params_new ();
  g_autofree char *empty = sim_params_encode (params);
  g_autofree char *one = NULL;

  g_assert_cmpuint (sim_params_size (params), ==, 0);
  g_assert_cmpstr (empty, ==, "");
  g_assert_null (sim_params_repeated_name (params));

  sim_params_set (params, "state", "xyz");
  one = sim_params_encode (params);
  g_assert_cmpstr (one, ==, "state=xyz");
}

static void
test_encode (void)
{
  g_autoptr(SimParams) params = sim_params_new ();
  g_autofree char *encoded = NULL;
  g_autoptr(SimParams) back = NULL;
  g_autoptr(GError) error = NULL;

  sim_params_set (params, "redirect_uri", "https://c.example/cb?x=1 2");
  sim_params_set (params, "scope", "read write");
  sim_params_set (params, "name", "한 글&=+");
  encoded = sim_params_encode (params);
  g_assert_cmpstr (encoded, ==,
                   "redirect_uri=https%3A%2F%2Fc.example%2Fcb%3Fx%3D1+2"
                   "&scope=read+write"
                   "&name=%ED%95%9C+%EA%B8%80%26%3D%2B");

  /* What is encoded parses back to the same list. */
  back = sim_params_parse (encoded, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sim_params_size (back), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpstr (sim_params_name_at (back, i), ==, sim_params_name_at (params, i));
      g_assert_cmpstr (sim_params_value_at (back, i), ==, sim_params_value_at (params, i));
    }
}

/* Messages */

static void
test_message_new (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("GET", "https://auth.example/authorize?a=1");
  g_autoptr(SimMessage) bare = sim_message_new ("GET", "https://auth.example");
  g_autoptr(SimMessage) port = sim_message_new ("POST", "http://localhost:8080/token");
  g_autofree char *origin = sim_message_dup_origin (m);
  g_autofree char *port_origin = sim_message_dup_origin (port);

  g_assert_cmpstr (m->method, ==, "GET");
  g_assert_cmpstr (sim_message_get_path (m), ==, "/authorize");
  g_assert_cmpstr (origin, ==, "https://auth.example");
  g_assert_cmpuint (m->status, ==, 0);
  g_assert_null (sim_message_get_request_body (m));
  g_assert_null (sim_message_get_response_body (m));
  g_assert_cmpint (m->phase, ==, SIM_PHASE_NONE);
  g_assert_cmpuint (m->narration->len, ==, 0);

  g_assert_cmpstr (sim_message_get_path (bare), ==, "/");
  g_assert_cmpstr (port_origin, ==, "http://localhost:8080");
  g_assert_cmpstr (sim_message_get_path (port), ==, "/token");
}

static void
test_message_ref (void)
{
  SimMessage *m = sim_message_new ("GET", "https://auth.example/");
  SimMessage *again = sim_message_ref (m);

  g_assert_true (again == m);
  sim_message_unref (m);
  /* Still alive through the second reference. */
  sim_message_set_phase (again, SIM_PHASE_ACCESS);
  g_assert_cmpint (again->phase, ==, SIM_PHASE_ACCESS);
  sim_message_unref (again);
}

static void
test_message_set_uri (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("GET", "https://auth.example/a");
  g_autoptr(SimUri) uri = sim_uri_parse ("https://api.example/b?x=1", NULL);
  g_autofree char *origin = NULL;
  g_autoptr(SimParams) query = NULL;

  sim_message_set_uri (m, uri);
  origin = sim_message_dup_origin (m);
  g_assert_cmpstr (origin, ==, "https://api.example");
  g_assert_cmpstr (sim_message_get_path (m), ==, "/b");
  query = sim_message_get_query (m, NULL);
  g_assert_nonnull (query);
  g_assert_cmpstr (sim_params_get (query, "x"), ==, "1");
}

static void
test_message_narrate (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("GET", "https://auth.example/");

  m->quiet = FALSE;   /* made while nobody listens anywhere; this test does */
  sim_message_narrate (m, "The code %s is %d seconds old.", "abc", 42);
  sim_message_narrate (m, "Refused.");
  sim_message_add_note (m, "Codes are single-use.");
  g_assert_cmpuint (m->narration->len, ==, 2);
  g_assert_cmpstr (m->narration->pdata[0], ==, "The code abc is 42 seconds old.");
  g_assert_cmpstr (m->narration->pdata[1], ==, "Refused.");
  g_assert_cmpuint (m->notes->len, ==, 1);
  g_assert_cmpstr (m->notes->pdata[0], ==, "Codes are single-use.");
}

/* The reference: what GLib's GUriParamsIter reads, as sim_params_parse() did before it read
 * simple lists itself. NULL when it refuses the list. */
static GPtrArray *
reference_parse (const char *encoded)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  GUriParamsIter iter;
  char *name = NULL, *value = NULL;
  g_autoptr(GError) error = NULL;

  if (*encoded == '\0')
    return g_steal_pointer (&out);
  g_uri_params_iter_init (&iter, encoded, -1, "&", G_URI_PARAMS_WWW_FORM);
  while (g_uri_params_iter_next (&iter, &name, &value, &error))
    {
      g_ptr_array_add (out, name);
      g_ptr_array_add (out, value);
      if (!g_utf8_validate (name, -1, NULL) || !g_utf8_validate (value, -1, NULL))
        return NULL;
    }
  return error ? NULL : g_steal_pointer (&out);
}

/* sim_params_parse() reads every list as GLib does: random lists over an alphabet of the
 * characters that matter (separators, escapes good and bad, "+", NUL escapes, UTF-8 good and
 * bad), compared one by one. */
static void
test_parse_matches_glib (void)
{
  static const char *const pieces[] = {
    "a", "b", "=", "&", "+", "%", "%4", "%41", "%4g", "%00", "%2B", "%26", "%3D", "%C3%A9",
    "%C3", "%FF", "\xc3\xa9", "\xff", "code", "state", " ", "~", "%%", "==", "&&",
  };
  GRand *rand = g_rand_new_with_seed (7636);
  guint read = 0, refused = 0;

  for (guint round = 0; round < 20000; round++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      guint n = g_rand_int_range (rand, 0, 12);
      g_autoptr(GPtrArray) expected = NULL;
      g_autoptr(SimParams) params = NULL;

      for (guint i = 0; i < n; i++)
        g_string_append (text, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
      expected = reference_parse (text->str);
      params = sim_params_parse (text->str, NULL);
      if (expected == NULL)
        {
          g_assert_null (params);
          refused++;
          continue;
        }
      g_assert_nonnull (params);
      read++;
      g_assert_cmpuint (sim_params_size (params) * 2, ==, expected->len);
      for (guint i = 0; i < sim_params_size (params); i++)
        {
          g_assert_cmpstr (sim_params_name_at (params, i), ==, expected->pdata[2 * i]);
          g_assert_cmpstr (sim_params_value_at (params, i), ==, expected->pdata[2 * i + 1]);
        }
    }
  g_rand_free (rand);
  /* Both outcomes were exercised, many times. */
  g_assert_cmpuint (read, >, 2000);
  g_assert_cmpuint (refused, >, 2000);
}

/* A quiet message (the bus has nobody listening) does not even compute the arguments. */
static int
counted (int *calls)
{
  return ++*calls;
}

static void
test_message_quiet (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("GET", "https://auth.example/");
  int calls = 0;

  g_assert_true (m->quiet);   /* nobody listens on any bus */
  sim_message_narrate (m, "call %d", counted (&calls));
  g_assert_cmpuint (m->narration->len, ==, 0);
  g_assert_cmpint (calls, ==, 0);
  m->quiet = FALSE;
  sim_message_narrate (m, "call %d", counted (&calls));
  g_assert_cmpuint (m->narration->len, ==, 1);
  g_assert_cmpstr (m->narration->pdata[0], ==, "call 1");
}

/* The form encoder writes every byte as soup_form_encode() does. */
static void
test_encode_every_byte (void)
{
  for (int c = 1; c < 256; c++)
    {
      char text[4] = { 'a', (char) c, 'b', 0 };
      g_autoptr(GString) ours = g_string_new (NULL);
      g_autofree char *soups = soup_form_encode ("n", text, NULL);

      g_string_append (ours, "n=");
      sim_params_append_encoded (ours, text);
      g_assert_cmpstr (ours->str, ==, soups);
    }
}

/* A form written as parameters reads back as them, renders to the bytes libsoup would write,
 * and a copy of the request carries the same body. */
static void
test_request_form_model (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("POST", "https://auth.example/token");
  g_autoptr(SimMessage) copy = sim_message_new ("POST", "https://auth.example/token");
  g_autoptr(SimParams) form = NULL;
  g_autoptr(SimParams) again = NULL;
  g_autofree char *expected = soup_form_encode ("grant_type", "authorization_code",
                                                "code", "a b&c=d/é", "scope", "", NULL);
  g_autofree char *text = NULL;

  sim_message_set_request_form (m, "grant_type", "authorization_code",
                                "code", "a b&c=d/é", "scope", "", NULL);
  g_assert_nonnull (sim_message_peek_request_model (m, &sim_body_form));
  form = sim_message_get_form (m, NULL);
  g_assert_cmpuint (sim_params_size (form), ==, 3);
  g_assert_cmpstr (sim_params_get (form, "code"), ==, "a b&c=d/é");
  /* The list is the body's own: changing it is a programmer error; a copy may change. */
  g_test_expect_message ("oauth-sim-core", G_LOG_LEVEL_CRITICAL, "*ref_count == 1*");
  sim_params_set (form, "code", "changed");
  g_test_assert_expected_messages ();
  {
    g_autoptr(SimParams) mine = sim_params_copy (form);
    sim_params_set (mine, "code", "changed");
    g_assert_cmpstr (sim_params_get (mine, "code"), ==, "changed");
  }
  text = sim_message_dup_request_text (m);
  g_assert_cmpstr (text, ==, expected);

  sim_message_copy_request_body (copy, m);
  sim_headers_replace (copy->request_headers, "Content-Type",
                       "application/x-www-form-urlencoded");
  again = sim_message_get_form (copy, NULL);
  g_assert_cmpstr (sim_params_get (again, "code"), ==, "a b&c=d/é");

  /* Bytes set afterwards replace the parameters. */
  sim_message_set_request_form_encoded (m, "code=x");
  g_assert_null (sim_message_peek_request_model (m, &sim_body_form));
  g_clear_pointer (&form, sim_params_free);
  form = sim_message_get_form (m, NULL);
  g_assert_cmpstr (sim_params_get (form, "code"), ==, "x");
}

static void
test_query (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("GET",
      "https://auth.example/authorize?response_type=code&state=a%20b&scope=read+write&state=x");
  g_autoptr(SimMessage) none = sim_message_new ("GET", "https://auth.example/authorize");
  g_autoptr(SimMessage) bad = sim_message_new ("GET", "https://auth.example/authorize?a=%zz");
  g_autoptr(SimParams) query = NULL;
  g_autoptr(SimParams) empty = NULL;
  g_autoptr(SimParams) none_params = NULL;
  g_autoptr(GError) error = NULL;

  query = sim_message_get_query (m, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sim_params_size (query), ==, 4);
  g_assert_cmpstr (sim_params_get (query, "response_type"), ==, "code");
  g_assert_cmpstr (sim_params_get (query, "state"), ==, "a b");
  g_assert_cmpstr (sim_params_get (query, "scope"), ==, "read write");
  g_assert_cmpstr (sim_params_repeated_name (query), ==, "state");

  none_params = sim_message_get_query (none, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sim_params_size (none_params), ==, 0);

  empty = sim_message_get_query (bad, &error);
  g_assert_null (empty);
  g_assert_error (error, SIM_MESSAGE_ERROR, SIM_MESSAGE_ERROR_MALFORMED);
}

static void
test_request_form (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("POST", "https://auth.example/token");
  g_autoptr(SimParams) form = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  sim_message_set_request_form (m,
                                "grant_type", "authorization_code",
                                "code", "abc def",
                                "redirect_uri", "https://c.example/cb",
                                NULL);
  g_assert_cmpstr (sim_headers_get_content_type (m->request_headers), ==,
                   "application/x-www-form-urlencoded");
  text = sim_message_dup_request_text (m);
  g_assert_cmpstr (text, ==,
                   "grant_type=authorization_code&code=abc+def&redirect_uri=https%3A%2F%2Fc.example%2Fcb");

  form = sim_message_get_form (m, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sim_params_size (form), ==, 3);
  g_assert_cmpstr (sim_params_name_at (form, 0), ==, "grant_type");
  g_assert_cmpstr (sim_params_name_at (form, 1), ==, "code");
  g_assert_cmpstr (sim_params_value_at (form, 1), ==, "abc def");
  g_assert_cmpstr (sim_params_name_at (form, 2), ==, "redirect_uri");
  g_assert_cmpstr (sim_params_value_at (form, 2), ==, "https://c.example/cb");
  g_assert_null (sim_params_repeated_name (form));
}

static void
test_request_form_repeated (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("POST", "https://auth.example/token");
  g_autoptr(SimParams) form = NULL;
  g_autoptr(GError) error = NULL;

  sim_message_set_request_form_encoded (m, "grant_type=authorization_code&code=a&code=b");
  form = sim_message_get_form (m, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sim_params_repeated_name (form), ==, "code");
  g_assert_cmpstr (sim_params_get (form, "code"), ==, "a");
}

static void
test_request_form_charset (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("POST", "https://auth.example/token");
  g_autoptr(GBytes) body = g_bytes_new_static ("a=1", 3);
  g_autoptr(SimParams) form = NULL;
  g_autoptr(GError) error = NULL;

  sim_message_set_request_body (m, "application/x-www-form-urlencoded; charset=UTF-8", body);
  form = sim_message_get_form (m, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sim_params_get (form, "a"), ==, "1");
}

static void
test_request_form_malformed (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("POST", "https://auth.example/token");
  g_autoptr(SimParams) form = NULL;
  g_autoptr(GError) error = NULL;

  sim_message_set_request_form_encoded (m, "code=%G0");
  form = sim_message_get_form (m, &error);
  g_assert_null (form);
  g_assert_error (error, SIM_MESSAGE_ERROR, SIM_MESSAGE_ERROR_MALFORMED);
}

static void
test_request_form_nul (void)
{
  static const char data[] = "a=1\0b=2";
  g_autoptr(SimMessage) m = sim_message_new ("POST", "https://auth.example/token");
  g_autoptr(GBytes) body = g_bytes_new_static (data, sizeof data - 1);
  g_autoptr(SimParams) form = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (g_bytes_get_size (body), ==, 7);
  sim_message_set_request_body (m, "application/x-www-form-urlencoded", body);
  form = sim_message_get_form (m, &error);
  g_assert_null (form);
  g_assert_error (error, SIM_MESSAGE_ERROR, SIM_MESSAGE_ERROR_MALFORMED);
}

static void
test_request_form_wrong_type (void)
{
  g_autoptr(SimMessage) json = sim_message_new ("POST", "https://auth.example/token");
  g_autoptr(SimMessage) none = sim_message_new ("POST", "https://auth.example/token");
  g_autoptr(GBytes) body = g_bytes_new_static ("a=1", 3);
  g_autoptr(SimParams) form = NULL;
  g_autoptr(GError) error = NULL;

  sim_message_set_request_body (json, "application/json", body);
  form = sim_message_get_form (json, &error);
  g_assert_null (form);
  g_assert_error (error, SIM_MESSAGE_ERROR, SIM_MESSAGE_ERROR_WRONG_CONTENT_TYPE);
  g_clear_error (&error);

  /* A form body whose Content-Type was taken away is not a form any more. */
  sim_message_set_request_body (none, "application/x-www-form-urlencoded", body);
  sim_message_set_request_body (none, NULL, body);
  g_assert_null (sim_headers_get_one (none->request_headers, "Content-Type"));
  form = sim_message_get_form (none, &error);
  g_assert_null (form);
  g_assert_error (error, SIM_MESSAGE_ERROR, SIM_MESSAGE_ERROR_WRONG_CONTENT_TYPE);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_parser_steal_root (parser);
}

static void
test_request_json (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("POST", "https://auth.example/register");
  g_autoptr(JsonNode) sent = parse_json ("{\"client_name\":\"Calendar\",\"redirect_uris\":[\"https://c.example/cb\"]}");
  g_autoptr(JsonNode) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SimParams) form = NULL;

  sim_message_set_request_json (m, sent);
  g_assert_true (sim_message_is_json (m->request_headers));
  g_assert_false (sim_message_is_form (m->request_headers));
  got = sim_message_get_request_json (m, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (sent, got));

  form = sim_message_get_form (m, &error);
  g_assert_null (form);
  g_assert_error (error, SIM_MESSAGE_ERROR, SIM_MESSAGE_ERROR_WRONG_CONTENT_TYPE);
}

static void
test_request_json_errors (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("POST", "https://auth.example/register");
  g_autoptr(GBytes) broken = g_bytes_new_static ("{\"a\":", 5);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = sim_message_dup_request_text (m);

  g_assert_cmpstr (text, ==, "");
  node = sim_message_get_request_json (m, &error);
  g_assert_null (node);
  g_assert_error (error, SIM_MESSAGE_ERROR, SIM_MESSAGE_ERROR_MALFORMED);
  g_clear_error (&error);

  sim_message_set_request_body (m, "application/json", broken);
  node = sim_message_get_request_json (m, &error);
  g_assert_null (node);
  g_assert_nonnull (error);
  g_assert_true (error->domain == JSON_PARSER_ERROR);
}

static void
test_response_json (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("POST", "https://auth.example/token");
  g_autoptr(JsonNode) sent = parse_json ("{\"error\":\"invalid_grant\"}");
  g_autoptr(JsonNode) got = NULL;
  g_autoptr(GError) error = NULL;

  sim_message_set_response_json (m, SOUP_STATUS_BAD_REQUEST, sent);
  g_assert_cmpuint (m->status, ==, 400);
  g_assert_true (sim_message_is_json (m->response_headers));
  got = sim_message_get_response_json (m, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (got), "error"), ==, "invalid_grant");
}

static void
test_response_text (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("GET", "https://api.example/calendar");
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  sim_message_set_response_text (m, 200, "text/plain", "hello");
  g_assert_cmpuint (m->status, ==, 200);
  g_assert_cmpstr (sim_headers_get_content_type (m->response_headers), ==, "text/plain");
  text = sim_message_dup_response_text (m);
  g_assert_cmpstr (text, ==, "hello");
  g_assert_false (sim_message_is_json (m->response_headers));

  node = sim_message_get_response_json (m, &error);
  g_assert_null (node);
  g_assert_nonnull (error);
}

static void
test_redirect (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("GET", "https://auth.example/authorize");
  g_autofree char *text = NULL;

  /* a JSON answer replaced by a redirect leaves no Content-Type behind */
  sim_message_set_response_text (m, 200, "application/json", "{}");
  sim_message_set_redirect (m, "https://c.example/cb?code=abc&state=xyz");
  g_assert_null (sim_headers_get_one (m->response_headers, "Content-Type"));
  g_assert_cmpuint (m->status, ==, SOUP_STATUS_FOUND);
  g_assert_cmpstr (sim_headers_get_one (m->response_headers, "Location"), ==,
                   "https://c.example/cb?code=abc&state=xyz");
  g_assert_null (sim_message_get_response_body (m));
  text = sim_message_dup_response_text (m);
  g_assert_cmpstr (text, ==, "");
}

/* RFC 6454 §6.2: the default port is not part of the serialized origin; IPv6 keeps brackets. */
/* Content types: table-driven. */

typedef struct
{
  const char *path;
  const char *content_type;  /* NULL: no header */
  gboolean is_form;
  gboolean is_json;
} TypeCase;

static const TypeCase type_cases[] = {
  { "/sim/message/content-type/form", "application/x-www-form-urlencoded", TRUE, FALSE },
  { "/sim/message/content-type/form-mixed-case", "Application/X-WWW-Form-Urlencoded", TRUE, FALSE },
  { "/sim/message/content-type/form-charset", "application/x-www-form-urlencoded; charset=utf-8", TRUE, FALSE },
  { "/sim/message/content-type/json", "application/json", FALSE, TRUE },
  { "/sim/message/content-type/json-upper", "APPLICATION/JSON", FALSE, TRUE },
  { "/sim/message/content-type/json-charset", "application/json; charset=utf-8", FALSE, TRUE },
  { "/sim/message/content-type/json-patch", "application/json-patch+json", FALSE, FALSE },
  { "/sim/message/content-type/multipart", "multipart/form-data; boundary=x", FALSE, FALSE },
  { "/sim/message/content-type/text", "text/plain", FALSE, FALSE },
  { "/sim/message/content-type/none", NULL, FALSE, FALSE },
};

static void
test_content_type (gconstpointer data)
{
  const TypeCase *c = data;
  g_autoptr(SimHeaders) headers = sim_headers_new ();

  if (c->content_type)
    sim_headers_replace (headers, "Content-Type", c->content_type);
  g_assert_cmpint (sim_message_is_form (headers), ==, c->is_form);
  g_assert_cmpint (sim_message_is_json (headers), ==, c->is_json);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    g_test_add_data_func_full (parse_cases[i].path, (gpointer) &parse_cases[i], test_parse, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (malformed_cases); i++)
    g_test_add_data_func_full (malformed_cases[i].path, (gpointer) &malformed_cases[i], test_malformed, NULL);
  g_test_add_func ("/sim/params/parse/null", test_parse_null);
  g_test_add_func ("/sim/params/get", test_get);
  g_test_add_func ("/sim/params/set", test_set);
  g_test_add_func ("/sim/params/set/repeated", test_set_repeated);
  g_test_add_func ("/sim/params/remove", test_remove);
  g_test_add_func ("/sim/params/new", test_new_empty);
  g_test_add_func ("/sim/params/encode", test_encode);

  g_test_add_func ("/sim/message/new", test_message_new);
  g_test_add_func ("/sim/message/ref", test_message_ref);
  g_test_add_func ("/sim/message/set-uri", test_message_set_uri);
  g_test_add_func ("/sim/message/narrate", test_message_narrate);
  g_test_add_func ("/sim/message/narrate/quiet", test_message_quiet);
  g_test_add_func ("/sim/params/encode/every-byte", test_encode_every_byte);
  g_test_add_func ("/sim/params/parse/matches-glib", test_parse_matches_glib);
  g_test_add_func ("/sim/message/form/model", test_request_form_model);
  g_test_add_func ("/sim/message/query", test_query);
  g_test_add_func ("/sim/message/form", test_request_form);
  g_test_add_func ("/sim/message/form/repeated", test_request_form_repeated);
  g_test_add_func ("/sim/message/form/charset", test_request_form_charset);
  g_test_add_func ("/sim/message/form/malformed", test_request_form_malformed);
  g_test_add_func ("/sim/message/form/nul-byte", test_request_form_nul);
  g_test_add_func ("/sim/message/form/wrong-content-type", test_request_form_wrong_type);
  g_test_add_func ("/sim/message/json/request", test_request_json);
  g_test_add_func ("/sim/message/json/request-errors", test_request_json_errors);
  g_test_add_func ("/sim/message/json/response", test_response_json);
  g_test_add_func ("/sim/message/response/text", test_response_text);
  g_test_add_func ("/sim/message/response/redirect", test_redirect);
  for (guint i = 0; i < G_N_ELEMENTS (type_cases); i++)
    g_test_add_data_func_full (type_cases[i].path, (gpointer) &type_cases[i], test_content_type, NULL);

  return g_test_run ();
}
