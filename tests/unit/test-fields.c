/* test-fields.c: flat JSON objects written without a tree, read the same way whether they were
 * written here or parsed from text. */
#include <string.h>

#include "sim/fields.h"
#include "sim/message.h"

static SimFields *
token_answer (const char *tricky)
{
  static const char *const uris[] = { "https://client.example/cb", "http://127.0.0.1:9/cb", NULL };
  SimFields *fields = sim_fields_new ();

  sim_fields_add_string (fields, "access_token", tricky);
  sim_fields_add_string (fields, "token_type", "Bearer");
  sim_fields_add_int (fields, "expires_in", 3600);
  sim_fields_add_int (fields, "negative", G_MININT64);
  sim_fields_add_boolean (fields, "active", TRUE);
  sim_fields_add_boolean (fields, "revoked", FALSE);
  sim_fields_add_strv (fields, "redirect_uris", uris);
  return fields;
}

/* The text is what json-glib writes for the same object, for strings that need escaping. */
static void
test_text_is_json_glib (void)
{
  static const char *const tricky[] = {
    "plain", "", "quote \" and backslash \\", "slash / and tab \t and newline \n",
    "controls \x01\x1f\x7f", "é 토큰 😀", "line\u2028separator", "<script>&amp;</script>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (tricky); i++)
    {
      g_autoptr(SimFields) fields = token_answer (tricky[i]);
      g_autoptr(GString) ours = g_string_new (NULL);
      g_autoptr(JsonNode) node = sim_fields_to_node (fields);
      g_autofree char *theirs = json_to_string (node, FALSE);

      sim_fields_write_json (fields, ours);
      g_assert_cmpstr (ours->str, ==, theirs);
      g_assert_true (json_node_is_immutable (node));
    }
}

static void
assert_reads (SimFields *fields)
{
  g_assert_cmpstr (sim_fields_get_string (fields, "token_type", NULL), ==, "Bearer");
  g_assert_cmpstr (sim_fields_get_string (fields, "expires_in", "dflt"), ==, "dflt");
  g_assert_cmpstr (sim_fields_get_string (fields, "missing", NULL), ==, NULL);
  g_assert_cmpstr (sim_fields_get_string (fields, "redirect_uris", "dflt"), ==, "dflt");
  g_assert_cmpint (sim_fields_get_int (fields, "expires_in", -1), ==, 3600);
  g_assert_cmpint (sim_fields_get_int (fields, "negative", -1), ==, G_MININT64);
  g_assert_cmpint (sim_fields_get_int (fields, "active", -1), ==, 1);
  g_assert_cmpint (sim_fields_get_int (fields, "token_type", -1), ==, -1);
  g_assert_cmpint (sim_fields_get_int (fields, "redirect_uris", -1), ==, -1);
  g_assert_true (sim_fields_get_boolean (fields, "active", FALSE));
  g_assert_false (sim_fields_get_boolean (fields, "revoked", TRUE));
  g_assert_true (sim_fields_get_boolean (fields, "expires_in", FALSE));
  g_assert_true (sim_fields_get_boolean (fields, "token_type", TRUE));
  g_assert_false (sim_fields_get_boolean (fields, "missing", FALSE));
  g_assert_true (sim_fields_has (fields, "redirect_uris"));
  g_assert_false (sim_fields_has (fields, "missing"));
}

/* Written members and parsed text read alike. */
static void
test_reads_alike (void)
{
  g_autoptr(SimFields) written = token_answer ("abc");
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(SimFields) parsed = NULL;

  assert_reads (written);
  sim_fields_write_json (written, text);
  g_assert_true (json_parser_load_from_data (parser, text->str, -1, NULL));
  parsed = sim_fields_new_for_object (json_node_get_object (json_parser_get_root (parser)));
  assert_reads (parsed);
}

/* A parsed member that is null, an object or an array gives the default, without a critical. */
static void
test_parsed_odd_members (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(SimFields) fields = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  g_assert_true (json_parser_load_from_data (parser, "{\"a\":null,\"b\":{\"c\":1},\"d\":[1],\"e\":2.9}", -1, NULL));
  fields = sim_fields_new_for_object (json_node_get_object (json_parser_get_root (parser)));
  g_assert_cmpstr (sim_fields_get_string (fields, "a", "x"), ==, "x");
  g_assert_cmpstr (sim_fields_get_string (fields, "b", "x"), ==, "x");
  g_assert_cmpint (sim_fields_get_int (fields, "d", 7), ==, 7);
  g_assert_cmpint (sim_fields_get_int (fields, "e", 7), ==, 2);
  g_assert_true (sim_fields_has (fields, "a"));
  sim_fields_write_json (fields, text);
  {
    g_autofree char *theirs = json_to_string (json_parser_get_root (parser), FALSE);
    g_assert_cmpstr (text->str, ==, theirs);
  }
}

/* Member types, and arrays of strings, read alike from both backends. */
static void
test_types (void)
{
  static const char *const empty[] = { NULL };
  g_autoptr(SimFields) written = token_answer ("abc");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(SimFields) parsed = NULL;
  g_auto(GStrv) uris = NULL;
  g_auto(GStrv) none = NULL;

  sim_fields_add_strv (written, "empty", empty);
  g_assert_true (json_parser_load_from_data (parser,
    "{\"access_token\":\"abc\",\"expires_in\":3600,\"active\":true,\"empty\":[],"
    "\"redirect_uris\":[\"https://client.example/cb\",\"http://127.0.0.1:9/cb\"],"
    "\"mixed\":[\"a\",1],\"null\":null,\"half\":0.5,\"object\":{}}", -1, NULL));
  parsed = sim_fields_new_for_object (json_node_get_object (json_parser_get_root (parser)));

  for (guint i = 0; i < 2; i++)
    {
      SimFields *f = i == 0 ? written : parsed;

      g_assert_cmpint (sim_fields_get_type (f, "access_token"), ==, SIM_FIELD_STRING);
      g_assert_cmpint (sim_fields_get_type (f, "expires_in"), ==, SIM_FIELD_INTEGER);
      g_assert_cmpint (sim_fields_get_type (f, "active"), ==, SIM_FIELD_BOOLEAN);
      g_assert_cmpint (sim_fields_get_type (f, "redirect_uris"), ==, SIM_FIELD_STRINGS);
      g_assert_cmpint (sim_fields_get_type (f, "empty"), ==, SIM_FIELD_STRINGS);
      g_assert_cmpint (sim_fields_get_type (f, "missing"), ==, SIM_FIELD_MISSING);
      g_clear_pointer (&uris, g_strfreev);
      uris = sim_fields_dup_strv (f, "redirect_uris");
      g_assert_cmpuint (g_strv_length (uris), ==, 2);
      g_assert_cmpstr (uris[1], ==, "http://127.0.0.1:9/cb");
      g_assert_null (sim_fields_dup_strv (f, "access_token"));
    }
  g_assert_cmpint (sim_fields_get_type (parsed, "mixed"), ==, SIM_FIELD_OTHER);
  g_assert_cmpint (sim_fields_get_type (parsed, "null"), ==, SIM_FIELD_NULL);
  g_assert_cmpint (sim_fields_get_type (parsed, "half"), ==, SIM_FIELD_OTHER);
  g_assert_cmpint (sim_fields_get_type (parsed, "object"), ==, SIM_FIELD_OTHER);
  none = sim_fields_dup_strv (parsed, "mixed");
  g_assert_null (none);
}

/* A message keeps the members as its body: the receiver gets them back, anybody reading the
 * bytes gets the text, and JSON readers get the equivalent node. */
static void
test_message_body (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("POST", "https://auth.example/token");
  g_autoptr(SimFields) fields = token_answer ("abc");
  g_autoptr(SimFields) again = NULL;
  g_autoptr(SimFields) reparsed = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;

  sim_message_set_response_fields (m, 200, fields);
  g_assert_cmpuint (m->status, ==, 200);
  g_assert_true (sim_message_is_json (m->response_headers));
  again = sim_message_get_response_fields (m, NULL);
  g_assert_true (again == fields);
  node = sim_message_get_response_json (m, NULL);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "expires_in"), ==, 3600);
  text = sim_message_dup_response_text (m);
  sim_fields_write_json (fields, expected);
  g_assert_cmpstr (text, ==, expected->str);

  /* The same text from elsewhere (serve mode, a tampered answer) reads the same. */
  bytes = g_bytes_new (text, strlen (text));
  sim_message_set_response (m, 200, "application/json", bytes);
  reparsed = sim_message_get_response_fields (m, NULL);
  g_assert_nonnull (reparsed);
  g_assert_true (reparsed != fields);
  assert_reads (reparsed);
}

static void
test_message_not_an_object (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("POST", "https://auth.example/token");
  g_autoptr(GError) error = NULL;

  sim_message_set_response_text (m, 200, "application/json", "[1, 2]");
  g_assert_null (sim_message_get_response_fields (m, &error));
  g_assert_error (error, SIM_MESSAGE_ERROR, SIM_MESSAGE_ERROR_MALFORMED);
  g_clear_error (&error);
  sim_message_set_response_text (m, 200, "application/json", "{\"a\":");
  g_assert_null (sim_message_get_response_fields (m, &error));
  g_assert_nonnull (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sim/fields/text", test_text_is_json_glib);
  g_test_add_func ("/sim/fields/reads-alike", test_reads_alike);
  g_test_add_func ("/sim/fields/parsed-odd-members", test_parsed_odd_members);
  g_test_add_func ("/sim/fields/types", test_types);
  g_test_add_func ("/sim/fields/message-body", test_message_body);
  g_test_add_func ("/sim/fields/message-not-an-object", test_message_not_an_object);

  return g_test_run ();
}
