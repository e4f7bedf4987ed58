/* test-json-doc.c: where members, elements and objects stand in a scenario file, and the files
 * json-doc refuses (with "NAME:LINE:COLUMN: " in front of every message that has a place). */
#include <glib/gstdio.h>
#include <string.h>

#include "sim/scenario/json-doc.h"

#define assert_pos(pos, l, c) \
  G_STMT_START { \
    SimPos _p = (pos); \
    g_assert_cmpuint (_p.line, ==, (l)); \
    g_assert_cmpuint (_p.column, ==, (c)); \
  } G_STMT_END

static void
assert_prefix (const char *message,
               const char *prefix)
{
  if (!g_str_has_prefix (message, prefix))
    g_error ("expected a message starting “%s”, got “%s”", prefix, message);
}

static SimDoc *
load (const char *text)
{
  g_autoptr(GError) error = NULL;
  SimDoc *doc = sim_doc_load_data ("lesson.json", text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (doc);
  return doc;
}

static const char positions_text[] =
  "{\n"                                   /* 1 */
  "  \"title\": \"x\",\n"                 /* 2 */
  "  \"actors\": [\n"                     /* 3 */
  "    {\"name\": \"a\"},\n"              /* 4 */
  "    {\"name\": \"b\", \"n\": 2}\n"     /* 5 */
  "  ],\n"                                /* 6 */
  "  \"nested\": { \"k\": [1, 2] }\n"     /* 7 */
  "}\n";

static void
test_member_positions (void)
{
  g_autoptr(SimDoc) doc = load (positions_text);
  JsonObject *root = json_node_get_object (sim_doc_get_root (doc));
  JsonArray *actors = json_object_get_array_member (root, "actors");
  JsonObject *second = json_array_get_object_element (actors, 1);
  JsonObject *nested = json_object_get_object_member (root, "nested");

  g_assert_cmpstr (sim_doc_get_name (doc), ==, "lesson.json");
  assert_pos (sim_doc_member_pos (doc, root, "title"), 2, 3);
  assert_pos (sim_doc_member_pos (doc, root, "actors"), 3, 3);
  assert_pos (sim_doc_member_pos (doc, root, "nested"), 7, 3);
  assert_pos (sim_doc_member_pos (doc, second, "name"), 5, 6);
  assert_pos (sim_doc_member_pos (doc, second, "n"), 5, 19);
  assert_pos (sim_doc_member_pos (doc, nested, "k"), 7, 15);
  /* Unknown: no position. */
  assert_pos (sim_doc_member_pos (doc, root, "missing"), 0, 0);
  assert_pos (sim_doc_member_pos (doc, second, "title"), 0, 0);
}

static void
test_element_positions (void)
{
  g_autoptr(SimDoc) doc = load (positions_text);
  JsonObject *root = json_node_get_object (sim_doc_get_root (doc));
  JsonArray *actors = json_object_get_array_member (root, "actors");
  JsonArray *k = json_object_get_array_member (json_object_get_object_member (root, "nested"), "k");

  assert_pos (sim_doc_element_pos (doc, actors, 0), 4, 5);
  assert_pos (sim_doc_element_pos (doc, actors, 1), 5, 5);
  assert_pos (sim_doc_element_pos (doc, k, 0), 7, 21);
  assert_pos (sim_doc_element_pos (doc, k, 1), 7, 24);
  assert_pos (sim_doc_element_pos (doc, actors, 2), 0, 0);
}

static void
test_object_positions (void)
{
  g_autoptr(SimDoc) doc = load (positions_text);
  JsonObject *root = json_node_get_object (sim_doc_get_root (doc));
  JsonArray *actors = json_object_get_array_member (root, "actors");

  assert_pos (sim_doc_object_pos (doc, root), 1, 1);
  assert_pos (sim_doc_object_pos (doc, json_array_get_object_element (actors, 0)), 4, 5);
  assert_pos (sim_doc_object_pos (doc, json_array_get_object_element (actors, 1)), 5, 5);
  assert_pos (sim_doc_object_pos (doc, json_object_get_object_member (root, "nested")), 7, 13);
}

/* Inner arrays finish before outer ones: positions still go to the right elements. */
static void
test_positions_nested_arrays (void)
{
  g_autoptr(SimDoc) doc = load ("[[1, 2],\n [3, [4, {}]], [], {\"x\": []}]");
  JsonArray *root = json_node_get_array (sim_doc_get_root (doc));
  JsonArray *first = json_array_get_array_element (root, 0);
  JsonArray *second = json_array_get_array_element (root, 1);
  JsonArray *deepest = json_array_get_array_element (second, 1);
  JsonObject *last = json_array_get_object_element (root, 3);

  assert_pos (sim_doc_element_pos (doc, root, 0), 1, 2);
  assert_pos (sim_doc_element_pos (doc, root, 1), 2, 2);
  assert_pos (sim_doc_element_pos (doc, root, 2), 2, 16);
  assert_pos (sim_doc_element_pos (doc, root, 3), 2, 20);
  assert_pos (sim_doc_element_pos (doc, first, 0), 1, 3);
  assert_pos (sim_doc_element_pos (doc, first, 1), 1, 6);
  assert_pos (sim_doc_element_pos (doc, second, 0), 2, 3);
  assert_pos (sim_doc_element_pos (doc, second, 1), 2, 6);
  assert_pos (sim_doc_element_pos (doc, deepest, 0), 2, 7);
  assert_pos (sim_doc_element_pos (doc, deepest, 1), 2, 10);
  assert_pos (sim_doc_object_pos (doc, json_array_get_object_element (deepest, 1)), 2, 10);
  assert_pos (sim_doc_object_pos (doc, last), 2, 20);
  assert_pos (sim_doc_member_pos (doc, last, "x"), 2, 21);
}

/* Columns count characters, as editors do, not bytes. */
static void
test_positions_utf8 (void)
{
  g_autoptr(SimDoc) doc = load ("{\"이름\": \"값\", \"b\": 1,\n \"é\": [\"ü\", 2]}");
  JsonObject *root = json_node_get_object (sim_doc_get_root (doc));

  assert_pos (sim_doc_member_pos (doc, root, "이름"), 1, 2);
  assert_pos (sim_doc_member_pos (doc, root, "b"), 1, 13);
  assert_pos (sim_doc_member_pos (doc, root, "é"), 2, 2);
  assert_pos (sim_doc_element_pos (doc, json_object_get_array_member (root, "é"), 1), 2, 13);
}

/* Strings holding brackets, braces, commas and escaped quotes do not confuse the positions. */
static void
test_positions_tricky_strings (void)
{
  g_autoptr(SimDoc) doc = load ("{\"a\": \"{[\\\"],}\", \"b\": [\"]\", {\"c\": \"}\"}],\n\t\"d\": null}");
  JsonObject *root = json_node_get_object (sim_doc_get_root (doc));
  JsonArray *b = json_object_get_array_member (root, "b");
  JsonObject *inner = json_array_get_object_element (b, 1);

  g_assert_cmpstr (json_object_get_string_member (root, "a"), ==, "{[\"],}");
  assert_pos (sim_doc_member_pos (doc, root, "b"), 1, 18);
  assert_pos (sim_doc_element_pos (doc, b, 0), 1, 24);
  assert_pos (sim_doc_element_pos (doc, b, 1), 1, 29);
  assert_pos (sim_doc_object_pos (doc, inner), 1, 29);
  assert_pos (sim_doc_member_pos (doc, inner, "c"), 1, 30);
  assert_pos (sim_doc_member_pos (doc, root, "d"), 2, 2);
}

/* Two objects with the same member names keep their own positions. */
static void
test_positions_same_names (void)
{
  g_autoptr(SimDoc) doc = load ("[{\"id\": 1},\n {\"id\": 2},\n {\"id\": 3}]");
  JsonArray *root = json_node_get_array (sim_doc_get_root (doc));

  for (guint i = 0; i < 3; i++)
    {
      JsonObject *o = json_array_get_object_element (root, i);
      assert_pos (sim_doc_member_pos (doc, o, "id"), i + 1, 3);
      assert_pos (sim_doc_object_pos (doc, o), i + 1, 2);
    }
}

static void
test_set_error (void)
{
  g_autoptr(SimDoc) doc = load (positions_text);
  JsonObject *root = json_node_get_object (sim_doc_get_root (doc));
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) no_pos = NULL;

  sim_doc_set_error (doc, &error, sim_doc_member_pos (doc, root, "actors"), "expected %d actors", 3);
  g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "lesson.json:3:3: expected 3 actors");

  sim_doc_set_error (doc, &no_pos, sim_doc_member_pos (doc, root, "missing"), "no steps");
  g_assert_error (no_pos, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_INVALID);
  g_assert_cmpstr (no_pos->message, ==, "lesson.json: no steps");
}

/* Refusals: table-driven. */

typedef struct
{
  const char *path;
  const char *data;
  gssize length;          /* -1: strlen (data) */
  int code;
  const char *prefix;     /* the message starts with it */
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "/sim/json-doc/error/empty", "", 0, SIM_SCENARIO_ERROR_INVALID, "t.json:1:1: " },
  { "/sim/json-doc/error/blank", " \n\t\r\n ", -1, SIM_SCENARIO_ERROR_INVALID, "t.json:1:1: " },
  { "/sim/json-doc/error/nul-byte", "{\"a\":\n 1\0}", 10, SIM_SCENARIO_ERROR_INVALID, "t.json:2:3: " },
  { "/sim/json-doc/error/nul-first", "\0{}", 3, SIM_SCENARIO_ERROR_INVALID, "t.json:1:1: " },
  { "/sim/json-doc/error/invalid-utf8", "{\"a\": \"\xff\"}", -1, SIM_SCENARIO_ERROR_INVALID, "t.json:1:8: " },
  { "/sim/json-doc/error/invalid-utf8-after-wide", "{\"é\":\n \"한\xed\x95\"}", -1,
    SIM_SCENARIO_ERROR_INVALID, "t.json:2:4: " },
  { "/sim/json-doc/error/duplicate", "{\n  \"a\": 1,\n  \"a\": 2\n}", -1,
    SIM_SCENARIO_ERROR_INVALID, "t.json:3:3: the field 'a' appears twice" },
  { "/sim/json-doc/error/duplicate-nested", "{\"x\": {\"a\": 1, \"b\": 2,\n \"b\": 3}, \"a\": 4}", -1,
    SIM_SCENARIO_ERROR_INVALID, "t.json:2:2: the field 'b' appears twice" },
  /* An escape spells the same name: still twice. */
  { "/sim/json-doc/error/duplicate-escaped", "{\"ab\": 1, \"a\\u0062\": 2}", -1,
    SIM_SCENARIO_ERROR_INVALID, "t.json:1:11: the field 'ab' appears twice" },
  { "/sim/json-doc/error/syntax-missing-colon", "{\n\"a\": 1,\n\"b\" 2}", -1,
    SIM_SCENARIO_ERROR_SYNTAX, "t.json:3:" },
  { "/sim/json-doc/error/syntax-trailing-comma", "{\"a\": [1, 2,]}", -1,
    SIM_SCENARIO_ERROR_SYNTAX, "t.json:1:12: JSON allows no comma after the last element of an array" },
  { "/sim/json-doc/error/syntax-trailing-comma-object", "{\"a\": 1,\n\t}", -1,
    SIM_SCENARIO_ERROR_SYNTAX, "t.json:1:8: JSON allows no comma after the last member of an object" },
  /* An earlier mistake is reported first. */
  { "/sim/json-doc/error/syntax-before-trailing-comma", "{\"a\": yes,\n \"b\": [1,]}", -1,
    SIM_SCENARIO_ERROR_SYNTAX, "t.json:1:9: unexpected identifier" },
  { "/sim/json-doc/error/syntax-comment-line", "{\"a\": 1 // one\n}", -1,
    SIM_SCENARIO_ERROR_SYNTAX, "t.json:1:9: JSON has no comments" },
  /* json-glib would skip it and take the file. */
  { "/sim/json-doc/error/syntax-comment-block", "{\"a\": /* é */ 1}", -1,
    SIM_SCENARIO_ERROR_SYNTAX, "t.json:1:7: JSON has no comments" },
  { "/sim/json-doc/error/syntax-comment-hash", "{\"a\": 1}\n# end\n", -1,
    SIM_SCENARIO_ERROR_SYNTAX, "t.json:2:1: JSON has no comments" },
  /* Slashes and ",]" in strings are text; a quote left open ends at its line. */
  { "/sim/json-doc/error/syntax-slashes-in-strings", "{\"a\": \"http://x/ \\\" // ,]\", \"b\": \"#\", \"c\": [1 2]}", -1,
    SIM_SCENARIO_ERROR_SYNTAX, "t.json:1:45: unexpected number" },
  { "/sim/json-doc/error/syntax-unclosed", "{\"a\": {\n\"b\": 1\n", -1,
    SIM_SCENARIO_ERROR_SYNTAX, "t.json:" },
  { "/sim/json-doc/error/syntax-bare-word", "{\"a\": yes}", -1,
    SIM_SCENARIO_ERROR_SYNTAX, "t.json:1:" },
};

static void
test_error (gconstpointer data)
{
  const ErrorCase *c = data;
  gsize length = c->length < 0 ? strlen (c->data) : (gsize) c->length;
  g_autoptr(GError) error = NULL;
  g_autoptr(SimDoc) doc = sim_doc_load_data ("t.json", c->data, length, &error);

  g_assert_null (doc);
  g_assert_error (error, SIM_SCENARIO_ERROR, c->code);
  assert_prefix (error->message, c->prefix);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_null (strchr (error->message, '\n'));
}

/* Every syntax error reads "NAME:LINE:COL: WHAT", with the line where the mistake is. */
static void
test_syntax_error_format (void)
{
  static const struct { const char *text; guint line; } cases[] = {
    { "{\"a\": }", 1 },
    { "{\n  \"a\": 1,\n  \"b\" 2\n}", 3 },
    { "{\n\n\n\n  \"a\": tru\n}", 5 },
    /* A missing comma is reported on the line where it is missing. */
    { "[1,\n 2,\n 3\n 4]", 3 },
    { "{\"a\": 1,\n \"b\": 2\n \"c\": 3}", 2 },
  };
  g_autoptr(GRegex) regex = g_regex_new ("^my lesson\\.json:([0-9]+):([0-9]+): .+$", 0, 0, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SimDoc) doc = sim_doc_load_data ("my lesson.json", cases[i].text, strlen (cases[i].text), &error);
      g_autoptr(GMatchInfo) match = NULL;
      g_autofree char *line = NULL;
      g_autofree char *column = NULL;

      g_assert_null (doc);
      g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX);
      if (!g_regex_match (regex, error->message, 0, &match))
        g_error ("not NAME:LINE:COL: WHAT: “%s”", error->message);
      line = g_match_info_fetch (match, 1);
      column = g_match_info_fetch (match, 2);
      g_assert_cmpuint (g_ascii_strtoull (line, NULL, 10), ==, cases[i].line);
      g_assert_cmpuint (g_ascii_strtoull (column, NULL, 10), >=, 1);
      /* json-glib's own "<data>" and "Parse error" do not leak through. */
      g_assert_null (strstr (error->message, "<data>"));
      g_assert_null (strstr (error->message, "Parse error"));
    }
}

static char *
nest (guint       depth,
      const char *open,
      const char *close)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append (text, open);
  g_string_append (text, "1");
  for (guint i = 0; i < depth; i++)
    g_string_append (text, close);
  return g_string_free (text, FALSE);
}

static void
test_depth_limit (void)
{
  g_autofree char *arrays_ok = nest (SIM_DOC_MAX_DEPTH, "[", "]");
  g_autofree char *arrays_deep = nest (SIM_DOC_MAX_DEPTH + 1, "[", "]");
  g_autofree char *objects_ok = NULL;
  g_autofree char *objects_deep = NULL;
  g_autoptr(SimDoc) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = NULL;

  doc = sim_doc_load_data ("t.json", arrays_ok, strlen (arrays_ok), &error);
  g_assert_no_error (error);
  g_assert_nonnull (doc);
  g_clear_pointer (&doc, sim_doc_free);

  doc = sim_doc_load_data ("t.json", arrays_deep, strlen (arrays_deep), &error);
  g_assert_null (doc);
  g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_INVALID);
  /* The position of the bracket that goes one level too deep. */
  prefix = g_strdup_printf ("t.json:1:%u: ", SIM_DOC_MAX_DEPTH + 1);
  assert_prefix (error->message, prefix);
  g_clear_error (&error);

  /* Objects count the same way, and a bracket inside a string does not count at all. */
  {
    GString *ok = g_string_new (NULL);
    GString *deep = g_string_new (NULL);

    for (guint i = 0; i < SIM_DOC_MAX_DEPTH; i++)
      g_string_append (ok, "{\"a[{\": ");
    g_string_append (ok, "\"[[[[{{{{\"");
    for (guint i = 0; i < SIM_DOC_MAX_DEPTH; i++)
      g_string_append_c (ok, '}');
    for (guint i = 0; i < SIM_DOC_MAX_DEPTH + 1; i++)
      g_string_append (deep, "{\"a\": ");
    g_string_append (deep, "1");
    for (guint i = 0; i < SIM_DOC_MAX_DEPTH + 1; i++)
      g_string_append_c (deep, '}');
    objects_ok = g_string_free (ok, FALSE);
    objects_deep = g_string_free (deep, FALSE);
  }
  doc = sim_doc_load_data ("t.json", objects_ok, strlen (objects_ok), &error);
  g_assert_no_error (error);
  g_assert_nonnull (doc);
  g_clear_pointer (&doc, sim_doc_free);

  doc = sim_doc_load_data ("t.json", objects_deep, strlen (objects_deep), &error);
  g_assert_null (doc);
  g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_INVALID);
  /* The 33rd brace, after 32 times `{"a": ` (6 characters each). */
  g_clear_pointer (&prefix, g_free);
  prefix = g_strdup_printf ("t.json:1:%u: ", SIM_DOC_MAX_DEPTH * 6 + 1);
  assert_prefix (error->message, prefix);
}

static void
test_size_limit (void)
{
  g_autoptr(GString) text = g_string_new ("{\"a\": 1}");
  g_autoptr(SimDoc) doc = NULL;
  g_autoptr(GError) error = NULL;

  /* Exactly the limit is accepted... */
  while (text->len < SIM_DOC_MAX_BYTES)
    g_string_append_c (text, ' ');
  doc = sim_doc_load_data ("big.json", text->str, text->len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (doc);
  g_clear_pointer (&doc, sim_doc_free);

  /* ...one byte more is not. */
  g_string_append_c (text, '\n');
  doc = sim_doc_load_data ("big.json", text->str, text->len, &error);
  g_assert_null (doc);
  g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_INVALID);
  assert_prefix (error->message, "big.json: ");
}

static void
test_load_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("json-doc-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *missing = NULL;
  g_autoptr(SimDoc) doc = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "lesson.json", NULL);
  missing = g_build_filename (dir, "missing.json", NULL);
  g_file_set_contents (path, "{\n  \"title\": \"x\"\n}\n", -1, &error);
  g_assert_no_error (error);

  doc = sim_doc_load_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sim_doc_get_name (doc), ==, path);
  assert_pos (sim_doc_member_pos (doc, json_node_get_object (sim_doc_get_root (doc)), "title"), 2, 3);
  g_clear_pointer (&doc, sim_doc_free);

  doc = sim_doc_load_file (missing, &error);
  g_assert_null (doc);
  g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_IO);
  assert_prefix (error->message, missing);
  g_clear_error (&error);

  doc = sim_doc_load_file (dir, &error);
  g_assert_null (doc);
  g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_IO);
  g_clear_error (&error);

  /* A syntax error in a file is reported with the file's name. */
  g_file_set_contents (path, "{\n  \"title\" \"x\"\n}\n", -1, &error);
  g_assert_no_error (error);
  doc = sim_doc_load_file (path, &error);
  g_assert_null (doc);
  g_assert_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX);
  {
    g_autofree char *prefix = g_strdup_printf ("%s:2:", path);
    assert_prefix (error->message, prefix);
  }

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sim/json-doc/positions/members", test_member_positions);
  g_test_add_func ("/sim/json-doc/positions/elements", test_element_positions);
  g_test_add_func ("/sim/json-doc/positions/objects", test_object_positions);
  g_test_add_func ("/sim/json-doc/positions/nested-arrays", test_positions_nested_arrays);
  g_test_add_func ("/sim/json-doc/positions/utf8", test_positions_utf8);
  g_test_add_func ("/sim/json-doc/positions/tricky-strings", test_positions_tricky_strings);
  g_test_add_func ("/sim/json-doc/positions/same-names", test_positions_same_names);
  g_test_add_func ("/sim/json-doc/set-error", test_set_error);
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    g_test_add_data_func_full (error_cases[i].path, (gpointer) &error_cases[i], test_error, NULL);
  g_test_add_func ("/sim/json-doc/error/syntax-format", test_syntax_error_format);
  g_test_add_func ("/sim/json-doc/error/depth", test_depth_limit);
  g_test_add_func ("/sim/json-doc/error/size", test_size_limit);
  g_test_add_func ("/sim/json-doc/load-file", test_load_file);

  return g_test_run ();
}
