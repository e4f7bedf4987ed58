/* test-json-write.c: sim/json-write.c writes what json_to_string (node, FALSE) writes, byte for
 * byte, for the strings a trace can meet (control characters, quotes, U+2028, invalid UTF-8 made
 * valid or not) and for every kind of node. */
#include <string.h>

#include "sim/json-write.h"

/* Fails with the first byte where the two differ. */
static void
assert_same_text (const char *got,
                  const char *expected)
{
  gsize i = 0;

  if (strcmp (got, expected) == 0)
    return;
  while (got[i] && got[i] == expected[i])
    i++;
  g_error ("byte %" G_GSIZE_FORMAT " differs:\n  got      %s\n  expected %s", i, got, expected);
}

static void
assert_node_as_generator (JsonNode *node)
{
  g_autofree char *expected = json_to_string (node, FALSE);
  g_autoptr(GString) out = g_string_new ("prefix ");

  sim_json_write_node (out, node);
  g_assert_true (g_str_has_prefix (out->str, "prefix "));
  assert_same_text (out->str + strlen ("prefix "), expected);
}

static void
assert_string_as_generator (const char *text)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *expected = NULL;

  json_node_set_string (node, text);
  expected = json_to_string (node, FALSE);
  sim_json_write_string (out, text, -1);
  assert_same_text (out->str, expected);

  /* With a length, the bytes after it are not written. */
  g_string_truncate (out, 0);
  sim_json_write_string (out, text, strlen (text));
  assert_same_text (out->str, expected);
}

static const char *const tricky_strings[] = {
  "",
  "plain ASCII, with spaces",
  "\"quoted\" and back\\slash \\\" \\\\",
  "/solidus/ stays",
  "\b\f\n\r\t",
  "\x01\x02\x03\x04\x05\x06\x07\x0b\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e",
  "unit separator \x1f and delete \x7f",
  "line\xe2\x80\xa8separator and paragraph\xe2\x80\xa9separator",
  "caf\xc3\xa9, \xed\x95\x9c\xea\xb5\xad\xec\x96\xb4, \xf0\x9f\x94\x91 (non-BMP)",
  "\xef\xbf\xbd replacement character",
  "invalid \xff\xfe and a lone \xc3 and a surrogate \xed\xa0\x80",
  "<script>alert('x')</script> & </title>",
  "\xc2\x80\xc2\x9f C1 controls",
};

static void
test_strings (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (tricky_strings); i++)
    assert_string_as_generator (tricky_strings[i]);
}

/* Every byte, alone and at every place of a string long enough to be read eight at a time. */
static void
test_every_byte (void)
{
  for (guint byte = 1; byte < 256; byte++)
    {
      char text[] = { 'a', (char) byte, 'z', (char) byte, '\0' };

      assert_string_as_generator (text);
      for (guint at = 0; at < 19; at++)
        {
          char longer[] = "abcdefghijklmnopqrs";
          longer[at] = (char) byte;
          assert_string_as_generator (longer);
        }
    }
}

/* What the trace writes for a body that is not UTF-8: g_utf8_make_valid's text. */
static void
test_made_valid (void)
{
  static const char *const invalid[] = {
    "\xff", "abc\x80", "\xc3(", "\xe2\x82", "\xf0\x9f\x94", "\xed\xa0\x80\xed\xb0\x80",
    "ok\xc0\xafslash",
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autofree char *valid = g_utf8_make_valid (invalid[i], -1);
      g_assert_true (g_utf8_validate (valid, -1, NULL));
      assert_string_as_generator (valid);
    }
}

static void
test_ints (void)
{
  static const gint64 values[] = {
    0, 1, -1, 9, 10, 99, 100, 1772442000, -1772442000, G_MAXINT32, G_MININT32,
    G_MAXINT64, G_MININT64, G_MININT64 + 1,
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
      g_autoptr(GString) out = g_string_new (NULL);

      json_node_set_int (node, values[i]);
      assert_node_as_generator (node);
      sim_json_write_int (out, values[i]);
      g_assert_cmpint (g_ascii_strtoll (out->str, NULL, 10), ==, values[i]);
    }
}

static void
test_doubles (void)
{
  static const double values[] = {
    0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5e-7, 3.0e8, 1e21, 1e22, 1e300, -1e-300, 4.9e-324,
    1.7976931348623157e308, 9007199254740993.0, 123456789.125, 2.0 / 3.0,
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
      json_node_set_double (node, values[i]);
      assert_node_as_generator (node);
    }
}

static void
test_scalars (void)
{
  g_autoptr(JsonNode) yes = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonNode) no = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonNode) null = json_node_new (JSON_NODE_NULL);

  json_node_set_boolean (yes, TRUE);
  json_node_set_boolean (no, FALSE);
  assert_node_as_generator (yes);
  assert_node_as_generator (no);
  assert_node_as_generator (null);
}

/* Documents as a parser gives them, which is how a JSON body reaches the trace. */
static const char *const documents[] = {
  "{}",
  "[]",
  "[[],{},[[]],{\"a\":{}}]",
  "{\"client_id\":\"c_1\",\"expires_in\":3600,\"active\":true,\"scope\":null}",
  "  { \"spaced\" : [ 1 , 2.50 , -3e2 , \"x\" ] }  ",
  "{\"escaped\":\"\\u0000 nul, \\u001f, \\u2028, \\ud83d\\udd11, \\/ and \\\"\"}",
  "{\"na\\\"me\":1,\"tab\\tname\":2,\"\\u00e9\":3}",
  "{\"dup\":1,\"other\":2,\"dup\":3}",
  "[1.0,100,1e2,0.000001,12345678901234567890]",
  "\"a string alone\"",
  "42",
  "{\"deep\":[{\"deeper\":[{\"deepest\":[true,false,null]}]}]}",
};

static void
test_document (gconstpointer data)
{
  const char *text = data;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  assert_node_as_generator (json_parser_get_root (parser));
}

/* Objects as code builds them: a member set again keeps its first place, a removed one goes. */
static void
test_built_object (void)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonArray) array = json_array_new ();

  json_object_set_string_member (object, "b", "first");
  json_object_set_int_member (object, "a", 1);
  json_object_set_string_member (object, "z", "gone soon");
  json_object_set_string_member (object, "b", "second");
  json_object_remove_member (object, "z");
  json_object_set_null_member (object, "n");
  json_array_add_string_element (array, "x\ny");
  json_array_add_double_element (array, 2.0);
  json_object_set_array_member (object, "list", json_array_ref (array));
  json_object_set_object_member (object, "empty", json_object_new ());
  json_node_set_object (node, object);
  assert_node_as_generator (node);

  sim_json_write_object (out, object);
  g_assert_cmpstr (out->str, ==,
                   "{\"b\":\"second\",\"a\":1,\"n\":null,\"list\":[\"x\\ny\",2.0],\"empty\":{}}");
}

/* sim_json_is_canonical: when it says yes, parsing and writing back gives the text itself. */

typedef struct
{
  const char *text;
  gboolean canonical;
} CanonicalCase;

static const CanonicalCase canonical_cases[] = {
  { "{}", TRUE },
  { "[]", TRUE },
  { "{\"access_token\":\"at_1\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"scope\":\"a b\"}", TRUE },
  { "{\"active\":true,\"exp\":-1772445600,\"n\":0,\"x\":null,\"f\":false}", TRUE },
  { "[[],{},[[]],{\"a\":{}},[1,\"2\",true]]", TRUE },
  { "{\"\":\"empty name\"}", TRUE },
  { "{\"s\":\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001e\\u007f\\u000b\"}", TRUE },
  { "{\"s\":\"caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x94\x91 \xef\xbf\xbf / <>\"}", TRUE },
  { "{\"long\":\"0123456789abcdef0123456789abcdef0123456789abcdef\",\"n\":999999999999999999}", TRUE },
  { "{\"a\":[\"x\",\"y\"],\"b\":[\"x\",\"y\"]}", TRUE },
  /* Not what the generator writes back. */
  { "", FALSE },
  { "\"a string\"", FALSE },
  { "42", FALSE },
  { "{} ", FALSE },
  { " {}", FALSE },
  { "{\"a\": 1}", FALSE },
  { "{\"a\":1 }", FALSE },
  { "[1, 2]", FALSE },
  { "{\"dup\":1,\"dup\":2}", FALSE },
  { "{\"a\":{\"dup\":1,\"x\":2,\"dup\":3}}", FALSE },
  { "{\"a\":1.5}", FALSE },
  { "{\"a\":1e2}", FALSE },
  { "{\"a\":1E2}", FALSE },
  { "{\"a\":-0}", FALSE },
  { "{\"a\":01}", FALSE },
  { "{\"a\":1234567890123456789}", FALSE },
  { "{\"a\":+1}", FALSE },
  { "{\"s\":\"\\/\"}", FALSE },
  { "{\"s\":\"\\u00e9\"}", FALSE },
  { "{\"s\":\"\\u0000\"}", FALSE },
  { "{\"s\":\"\\u001f\"}", FALSE },
  { "{\"s\":\"\\u0041\"}", FALSE },
  { "{\"s\":\"\\u000A\"}", FALSE },
  { "{\"s\":\"\\u000a\"}", FALSE },
  { "{\"s\":\"\\u0009\"}", FALSE },
  { "{\"s\":\"\\ud83d\\udd11\"}", FALSE },
  { "{\"s\":\"raw\ttab\"}", FALSE },
  { "{\"s\":\"raw\x1funit separator\"}", FALSE },
  { "{\"s\":\"raw\x7f delete\"}", FALSE },
  { "{\"s\":\"\\x\"}", FALSE },
  { "{\"s\":\"unterminated}", FALSE },
  { "{\"a\":1,}", FALSE },
  { "[1,]", FALSE },
  { "{\"a\"}", FALSE },
  { "{\"a\":tru}", FALSE },
  { "{\"a\":True}", FALSE },
  { "{a:1}", FALSE },
  { "[1][2]", FALSE },
  { "{\"a\":1}}", FALSE },
  { "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", FALSE },
};

static void
test_canonical (gconstpointer data)
{
  const CanonicalCase *c = data;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *written = NULL;

  g_assert_true (g_utf8_validate (c->text, -1, NULL));
  g_assert_cmpint (sim_json_is_canonical (c->text, strlen (c->text)), ==, c->canonical);
  if (!c->canonical)
    return;
  g_assert_true (json_parser_load_from_data (parser, c->text, -1, NULL));
  written = json_to_string (json_parser_get_root (parser), FALSE);
  assert_same_text (written, c->text);
}

/* What the generator writes is canonical, doubles apart; cut short, it is not. */
static void
test_canonical_generated (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      g_autofree char *written = NULL;
      gboolean has_double;

      g_assert_true (json_parser_load_from_data (parser, documents[i], -1, NULL));
      written = json_to_string (json_parser_get_root (parser), FALSE);
      has_double = strchr (written, '.') != NULL;
      if (!has_double && (written[0] == '{' || written[0] == '['))
        g_assert_true (sim_json_is_canonical (written, strlen (written)));
      if (strlen (written) > 1)
        g_assert_false (sim_json_is_canonical (written, strlen (written) - 1));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sim/json-write/strings", test_strings);
  g_test_add_func ("/sim/json-write/every-byte", test_every_byte);
  g_test_add_func ("/sim/json-write/made-valid", test_made_valid);
  g_test_add_func ("/sim/json-write/ints", test_ints);
  g_test_add_func ("/sim/json-write/doubles", test_doubles);
  g_test_add_func ("/sim/json-write/scalars", test_scalars);
  g_test_add_func ("/sim/json-write/built-object", test_built_object);
  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sim/json-write/document/%u", i);
      g_test_add_data_func (path, documents[i], test_document);
    }
  for (guint i = 0; i < G_N_ELEMENTS (canonical_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sim/json-write/canonical/%u", i);
      g_test_add_data_func (path, &canonical_cases[i], test_canonical);
    }
  g_test_add_func ("/sim/json-write/canonical-generated", test_canonical_generated);
  return g_test_run ();
}
