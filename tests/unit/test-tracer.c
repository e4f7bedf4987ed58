/* test-tracer.c: bus exchanges become numbered, phase-labelled steps in both sinks: JSON Lines
 * (one line per step, in step order, even though a nested step ends first) and text (for
 * people, within its width). Also what both share in trace-view.c: sorted headers, body kinds.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/tracer.h"
#include "sim/textwrap.h"
#include "sim/trace-view.h"

/* 2026-03-02T09:00:00Z */
#define LESSON_START G_GINT64_CONSTANT (1772442000)

enum { JSONL, TEXT };

typedef struct
{
  SimClock *clock;
  SimBus *bus;
  SimTracer *tracer;
  char *jsonl_during_nested;   /* what the JSON Lines sink had written once the nested step ended */
  const char *narration;       /* what the server says about each token */
} Fixture;

/* The authorization server: introspection answers in JSON. */
static void
server_handle (gpointer    actor,
               SimMessage *message)
{
  Fixture *f = actor;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "active");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "scope");
  json_builder_add_string_value (b, "calendar.read");
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  sim_message_set_response_json (message, 200, node);
  sim_message_narrate (message, "%s", f->narration);
}

/* The API asks the server about the token before it answers. */
static void
api_handle (gpointer    actor,
            SimMessage *message)
{
  Fixture *f = actor;
  g_autoptr(SimMessage) introspect = sim_message_new ("POST", "https://auth.example/introspect");

  sim_message_set_request_form (introspect, "token", "at_abc", "token_type_hint", "access_token", NULL);
  sim_bus_deliver (f->bus, "api", introspect);
  g_free (f->jsonl_during_nested);
  f->jsonl_during_nested = sim_tracer_steal_output (f->tracer, JSONL);
  sim_message_set_response_text (message, 200, "text/plain", "2 events");
}

/* "/relay/N" asks "/relay/N-1", down to "/relay/0". */
static void
relay_handle (gpointer    actor,
              SimMessage *message)
{
  Fixture *f = actor;
  guint n = (guint) g_ascii_strtoull (sim_message_get_path (message) + strlen ("/relay/"), NULL, 10);

  if (n > 0)
    {
      g_autofree char *uri = g_strdup_printf ("https://relay.example/relay/%u", n - 1);
      g_autoptr(SimMessage) next = sim_message_new ("GET", uri);
      sim_bus_deliver (f->bus, "relay", next);
    }
  sim_message_set_response_text (message, 200, "text/plain", "relayed");
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  SimTextOptions options = { .color = FALSE, .width = 80 };

  f->clock = sim_clock_new_simulated (LESSON_START);
  f->bus = sim_bus_new ();
  f->narration = "The token is active.";
  sim_bus_add_actor (f->bus, "server", "https://auth.example", server_handle, f);
  sim_bus_add_actor (f->bus, "api", "https://api.example", api_handle, f);
  sim_bus_add_actor (f->bus, "relay", "https://relay.example", relay_handle, f);
  f->tracer = sim_tracer_new (f->bus, f->clock);
  sim_tracer_add_sink (f->tracer, sim_sink_jsonl_new (), NULL);
  if (data)
    options.width = GPOINTER_TO_UINT (data);
  sim_tracer_add_sink (f->tracer, sim_sink_text_new (&options), NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->tracer, sim_tracer_free);
  g_clear_pointer (&f->bus, sim_bus_free);
  g_clear_pointer (&f->clock, sim_clock_unref);
  g_clear_pointer (&f->jsonl_during_nested, g_free);
}

static void
deliver (Fixture    *f,
         const char *method,
         const char *uri,
         SimPhase    phase)
{
  g_autoptr(SimMessage) m = sim_message_new (method, uri);

  sim_message_set_phase (m, phase);
  sim_bus_deliver (f->bus, "client", m);
}

/* Splits JSON Lines output into parsed objects; every line must end in "\n". */
static GPtrArray *
parse_lines (const char *text)
{
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);

  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpstr (lines[n - 1], ==, "");
  for (guint i = 0; i + 1 < n; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      g_ptr_array_add (objects, json_parser_steal_root (parser));
    }
  return objects;
}

static JsonObject *
line_at (GPtrArray *lines,
         guint      i)
{
  g_assert_cmpuint (i, <, lines->len);
  return json_node_get_object (lines->pdata[i]);
}

static GList *
member_names (JsonObject *object)
{
  return json_object_get_members (object);
}

/* JSON Lines */

static void
test_jsonl_step_order (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  JsonObject *first, *second;

  deliver (f, "GET", "https://api.example/calendar", SIM_PHASE_ACCESS);

  /* The nested step ended first, but its line waited for step 1's. */
  g_assert_cmpstr (f->jsonl_during_nested, ==, "");

  out = sim_tracer_steal_output (f->tracer, JSONL);
  lines = parse_lines (out);
  g_assert_cmpuint (lines->len, ==, 2);

  first = line_at (lines, 0);
  g_assert_cmpint (json_object_get_int_member (first, "step"), ==, 1);
  g_assert_true (json_object_get_null_member (first, "parent"));
  g_assert_cmpstr (json_object_get_string_member (first, "phase"), ==, "access");
  g_assert_cmpstr (json_object_get_string_member (first, "from"), ==, "client");
  g_assert_cmpstr (json_object_get_string_member (first, "to"), ==, "api");
  g_assert_cmpstr (json_object_get_string_member (first, "method"), ==, "GET");
  g_assert_cmpstr (json_object_get_string_member (first, "url"), ==, "https://api.example/calendar");
  g_assert_cmpstr (json_object_get_string_member (first, "time"), ==, "2026-03-02T09:00:00Z");
  g_assert_cmpint (json_object_get_int_member (first, "status"), ==, 200);

  second = line_at (lines, 1);
  g_assert_cmpint (json_object_get_int_member (second, "step"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (second, "parent"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (second, "phase"), ==, "access");
  g_assert_cmpstr (json_object_get_string_member (second, "from"), ==, "api");
  g_assert_cmpstr (json_object_get_string_member (second, "to"), ==, "server");
  g_assert_cmpstr (json_object_get_string_member (second, "method"), ==, "POST");
  g_assert_cmpstr (json_object_get_string_member (second, "url"), ==, "https://auth.example/introspect");

  /* Everything was handed over: nothing is left for later. */
  g_clear_pointer (&out, g_free);
  out = sim_tracer_steal_output (f->tracer, JSONL);
  g_assert_cmpstr (out, ==, "");
}

/* Three levels deep, then another top-level step: line N is step N. */
static void
test_jsonl_deep (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  static const gint64 parents[] = { 0, 1, 2, 3, 0 };

  deliver (f, "GET", "https://relay.example/relay/3", SIM_PHASE_REFRESH);
  deliver (f, "GET", "https://relay.example/relay/0", SIM_PHASE_REVOCATION);
  out = sim_tracer_steal_output (f->tracer, JSONL);
  lines = parse_lines (out);
  g_assert_cmpuint (lines->len, ==, 5);
  for (guint i = 0; i < lines->len; i++)
    {
      JsonObject *line = line_at (lines, i);

      g_assert_cmpint (json_object_get_int_member (line, "step"), ==, i + 1);
      if (parents[i])
        g_assert_cmpint (json_object_get_int_member (line, "parent"), ==, parents[i]);
      else
        g_assert_true (json_object_get_null_member (line, "parent"));
      g_assert_cmpstr (json_object_get_string_member (line, "phase"), ==,
                       i < 4 ? "refresh" : "revocation");
    }
}

/* A repeated form parameter keeps every value in the trace, in order. */
static void
test_jsonl_repeated_params (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(SimMessage) m = sim_message_new ("POST", "https://auth.example/token");
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  JsonObject *form;
  JsonArray *codes;

  sim_message_set_request_form_encoded (m, "grant_type=authorization_code&code=first&code=second");
  sim_bus_deliver (f->bus, "client", m);
  out = sim_tracer_steal_output (f->tracer, JSONL);
  lines = parse_lines (out);
  form = json_object_get_object_member (json_object_get_object_member (line_at (lines, 0), "request"), "body");
  g_assert_cmpstr (json_object_get_string_member (form, "grant_type"), ==, "authorization_code");
  codes = json_object_get_array_member (form, "code");
  g_assert_cmpuint (json_array_get_length (codes), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (codes, 0), ==, "first");
  g_assert_cmpstr (json_array_get_string_element (codes, 1), ==, "second");
}

static void
test_jsonl_bodies (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  JsonObject *first, *second, *request, *response, *form, *json;
  g_autoptr(GList) names = NULL;
  JsonArray *notes;

  deliver (f, "GET", "https://api.example/calendar", SIM_PHASE_ACCESS);
  out = sim_tracer_steal_output (f->tracer, JSONL);
  lines = parse_lines (out);
  first = line_at (lines, 0);
  second = line_at (lines, 1);

  /* No request body: null. A text response: the text. */
  request = json_object_get_object_member (first, "request");
  g_assert_true (json_object_get_null_member (request, "body"));
  response = json_object_get_object_member (first, "response");
  g_assert_cmpstr (json_object_get_string_member (response, "body"), ==, "2 events");

  /* A form: an object, its fields in order. */
  request = json_object_get_object_member (second, "request");
  form = json_object_get_object_member (request, "body");
  names = member_names (form);
  g_assert_cmpuint (g_list_length (names), ==, 2);
  g_assert_cmpstr (names->data, ==, "token");
  g_assert_cmpstr (names->next->data, ==, "token_type_hint");
  g_assert_cmpstr (json_object_get_string_member (form, "token"), ==, "at_abc");

  /* JSON: the value itself, not a string holding it. */
  response = json_object_get_object_member (second, "response");
  json = json_object_get_object_member (response, "body");
  g_assert_true (json_object_get_boolean_member (json, "active"));
  g_assert_cmpstr (json_object_get_string_member (json, "scope"), ==, "calendar.read");

  g_assert_cmpstr (json_object_get_string_member (second, "narration"), ==, "The token is active.");
  g_assert_cmpstr (json_object_get_string_member (first, "narration"), ==, "");
  notes = json_object_get_array_member (second, "notes");
  g_assert_cmpuint (json_array_get_length (notes), ==, 0);
}

static void
test_jsonl_headers_sorted (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(SimMessage) m = sim_message_new ("GET", "https://auth.example/x");
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  JsonObject *headers;
  g_autoptr(GList) names = NULL;
  /* Sorted without regard to case: a byte order would put "x-alpha" after "X-Zeta". */
  static const char *const expected[] = { "Authorization", "Cookie", "x-alpha", "X-Zeta" };
  guint i = 0;

  sim_headers_append (m->request_headers, "X-Zeta", "1");
  sim_headers_append (m->request_headers, "x-alpha", "a");
  sim_headers_append (m->request_headers, "Cookie", "sid=1");
  sim_headers_append (m->request_headers, "Authorization", "Bearer at_abc");
  sim_headers_append (m->request_headers, "X-Zeta", "2");
  sim_bus_deliver (f->bus, "client", m);

  out = sim_tracer_steal_output (f->tracer, JSONL);
  lines = parse_lines (out);
  headers = json_object_get_object_member (json_object_get_object_member (line_at (lines, 0), "request"),
                                           "headers");
  names = member_names (headers);
  g_assert_cmpuint (g_list_length (names), ==, G_N_ELEMENTS (expected));
  for (GList *l = names; l; l = l->next, i++)
    g_assert_cmpstr (l->data, ==, expected[i]);
  /* A repeated header is listed once, with both values. */
  g_assert_cmpstr (json_object_get_string_member (headers, "X-Zeta"), ==, "1, 2");
}

static void
test_jsonl_time (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  deliver (f, "GET", "https://auth.example/a", SIM_PHASE_CONSENT);
  sim_clock_advance (f->clock, 300);
  deliver (f, "GET", "https://auth.example/b", SIM_PHASE_CONSENT);
  out = sim_tracer_steal_output (f->tracer, JSONL);
  lines = parse_lines (out);
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 0), "time"), ==, "2026-03-02T09:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (line_at (lines, 1), "time"), ==, "2026-03-02T09:05:00Z");
}

static void
test_jsonl_unreachable (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  JsonObject *line;

  deliver (f, "GET", "https://nowhere.example/", SIM_PHASE_NONE);
  out = sim_tracer_steal_output (f->tracer, JSONL);
  lines = parse_lines (out);
  g_assert_cmpuint (lines->len, ==, 1);
  line = line_at (lines, 0);
  g_assert_cmpint (json_object_get_int_member (line, "status"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (line, "phase"), ==, "none");
  g_assert_cmpstr (json_object_get_string_member (line, "to"), ==, "https://nowhere.example");
  g_assert_true (json_object_get_null_member (json_object_get_object_member (line, "response"), "body"));
}

/* The JSON Lines sink writes its lines as text; they must be the very bytes json-glib gave when
 * the sink built each line as a JsonBuilder tree. That tree-building sink is kept here, as it
 * was, to be the reference for bodies and strings the lessons do not have. */

static void
reference_params (JsonBuilder *b,
                  const char  *encoded)
{
  g_autoptr(SimParams) params = sim_params_parse (encoded, NULL);

  if (!params)
    {
      json_builder_add_string_value (b, encoded);
      return;
    }
  json_builder_begin_object (b);
  for (guint i = 0; i < sim_params_size (params); i++)
    {
      const char *name = sim_params_name_at (params, i);
      guint count = 0;
      gboolean earlier = FALSE;

      for (guint j = 0; j < sim_params_size (params); j++)
        if (strcmp (sim_params_name_at (params, j), name) == 0)
          {
            earlier |= j < i;
            count++;
          }
      if (earlier)
        continue;
      json_builder_set_member_name (b, name);
      if (count == 1)
        {
          json_builder_add_string_value (b, sim_params_value_at (params, i));
          continue;
        }
      json_builder_begin_array (b);
      for (guint j = i; j < sim_params_size (params); j++)
        if (strcmp (sim_params_name_at (params, j), name) == 0)
          json_builder_add_string_value (b, sim_params_value_at (params, j));
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

static void
reference_headers (JsonBuilder *b,
                   SimHeaders  *headers)
{
  g_autoptr(GPtrArray) names = sim_trace_sorted_headers (headers);

  json_builder_begin_object (b);
  for (guint i = 0; i < names->len; i++)
    {
      json_builder_set_member_name (b, names->pdata[i]);
      json_builder_add_string_value (b, sim_headers_get_list (headers, names->pdata[i]));
    }
  json_builder_end_object (b);
}

static void
reference_body (JsonBuilder   *b,
                SimHeaders    *headers,
                GBytes        *body,
                gconstpointer  node)
{
  g_autofree char *text = NULL;

  if (body == NULL || g_bytes_get_size (body) == 0)
    {
      json_builder_add_null_value (b);
      return;
    }
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid (text, -1);
      json_builder_add_string_value (b, valid);
      return;
    }
  switch (sim_trace_body_kind (headers, body))
    {
    case SIM_BODY_FORM:
      reference_params (b, text);
      return;
    case SIM_BODY_JSON:
      if (node)
        {
          json_builder_add_value (b, json_node_ref ((JsonNode *) node));
          return;
        }
      {
        g_autoptr(JsonParser) parser = json_parser_new_immutable ();
        if (json_parser_load_from_data (parser, text, -1, NULL) && json_parser_get_root (parser))
          {
            json_builder_add_value (b, json_parser_steal_root (parser));
            return;
          }
      }
      break;
    default:
      break;
    }
  json_builder_add_string_value (b, text);
}

static void
reference_end (SimSink            *sink,
               const SimTraceStep *step)
{
  SimMessage *m = step->message;
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *time = sim_time_format_iso (step->time);
  g_autofree char *url = sim_uri_to_string (m->uri);
  g_autofree char *narration = sim_trace_narration (m);
  g_autofree char *line = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "step");
  json_builder_add_int_value (b, step->step);
  json_builder_set_member_name (b, "parent");
  if (step->parent)
    json_builder_add_int_value (b, step->parent);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "phase");
  json_builder_add_string_value (b, sim_phase_to_string (m->phase));
  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, time);
  json_builder_set_member_name (b, "from");
  json_builder_add_string_value (b, m->from);
  json_builder_set_member_name (b, "to");
  json_builder_add_string_value (b, m->to);
  json_builder_set_member_name (b, "method");
  json_builder_add_string_value (b, m->method);
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, url);
  json_builder_set_member_name (b, "request");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "headers");
  reference_headers (b, m->request_headers);
  json_builder_set_member_name (b, "body");
  reference_body (b, m->request_headers, sim_message_get_request_body (m),
                  sim_message_peek_request_model (m, &sim_body_json));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_int_value (b, m->status);
  json_builder_set_member_name (b, "response");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "headers");
  reference_headers (b, m->response_headers);
  json_builder_set_member_name (b, "body");
  reference_body (b, m->response_headers, sim_message_get_response_body (m),
                  sim_message_peek_response_model (m, &sim_body_json));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "narration");
  json_builder_add_string_value (b, narration);
  json_builder_set_member_name (b, "notes");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->notes->len; i++)
    json_builder_add_string_value (b, m->notes->pdata[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  line = json_to_string (root, FALSE);
  g_string_append (sink->out, line);
  g_string_append_c (sink->out, '\n');
}

static const SimSinkClass reference_sink_class = { .end = reference_end };

typedef enum
{
  BODY_BYTES,
  BODY_JSON_MODEL,
  BODY_FORM_MODEL,
} BodyForm;

typedef struct
{
  const char *path;
  const char *content_type;
  BodyForm form;
  const char *bytes;          /* BODY_BYTES: @length of them */
  gsize length;
  JsonNode *(*json) (void);   /* BODY_JSON_MODEL: a sealed node */
  const char *pairs[9];       /* BODY_FORM_MODEL: name, value, ..., NULL */
} BodyCase;

#define BYTES_CASE(path, type, text) \
  { path, type, BODY_BYTES, text, sizeof text - 1, NULL, { NULL } }

static JsonNode *
tricky_json (void)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "quote\" back\\slash\ttab");
  json_builder_add_string_value (b, "\x01\x1f\x7f \xe2\x80\xa8 \xf0\x9f\x94\x91 </script>");
  json_builder_set_member_name (b, "numbers");
  json_builder_begin_array (b);
  json_builder_add_int_value (b, G_MININT64);
  json_builder_add_double_value (b, 1e21);
  json_builder_add_double_value (b, 0.1);
  json_builder_add_boolean_value (b, FALSE);
  json_builder_add_null_value (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "empty");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* A string that is not UTF-8: the body's bytes are not either, and the trace shows them as text. */
static JsonNode *
invalid_json (void)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "caf\xe9 \xff");
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
string_json (void)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, "just a string");
  json_node_seal (node);
  return g_steal_pointer (&node);
}

static const BodyCase body_cases[] = {
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/empty", "text/plain", ""),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/text", "text/plain", "2 events\n\"quoted\" \\ \t\x01\x1f\x7f"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/no-type", NULL, "no content type"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/invalid-utf8", "text/plain", "caf\xe9 \xff\xfe \xc3("),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/invalid-utf8-form", "application/x-www-form-urlencoded", "a=\xff&b=2"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/invalid-utf8-json", "application/json", "{\"a\":\"\xff\"}"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/nul", "text/plain", "before\0after"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/nul-first", "text/plain", "\0after"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/nul-first-form", "application/x-www-form-urlencoded", "\0a=1"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/nul-first-json", "application/json", "\0{}"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/nul-form", "application/x-www-form-urlencoded", "a=1\0&b=2"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/nul-invalid", "text/plain", "ok\0\xff"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/html", "text/html; charset=utf-8",
              "<!DOCTYPE html>\n<title>Sign in</title><input name=\"a\" value='b'>\r\n"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/form", "application/x-www-form-urlencoded",
              "grant_type=authorization_code&code=a+b%20c&redirect_uri=https%3A%2F%2Fc.example%2Fcb"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/form-repeated", "application/x-www-form-urlencoded",
              "a=1&b=2&a=3&c=&a=4"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/form-malformed", "application/x-www-form-urlencoded", "a=%zz&b"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/form-controls", "application/x-www-form-urlencoded",
              "q=%01%1F%7F%22%5C%E2%80%A8&%0A=newline"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/form-upper-case-type", "Application/X-WWW-Form-Urlencoded", "a=1"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/json", "application/json",
              " { \"a\" : \"\\u2028\\/\\u0001\" , \"n\": 1.50, \"e\": 1E2, \"i\": -0, \"dup\": 1, \"dup\": 2 } "),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/json-canonical", "application/json",
              "{\"access_token\":\"at_1\",\"expires_in\":3600,\"active\":true,\"x\":null,"
              "\"s\":\"\\\"\\\\\\n\\u0001\\u007f \xe2\x80\xa8\",\"list\":[\"a\",{}]}"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/json-duplicate", "application/json", "{\"a\":1,\"b\":2,\"a\":3}"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/json-other-escapes", "application/json",
              "{\"s\":\"\\u00e9\\/\\u001f\\u000A\"}"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/json-double", "application/json", "{\"n\":1e21,\"m\":0.5}"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/json-scalar", "application/json", "\"alone\""),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/json-broken", "application/json", "{not json"),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/json-whitespace", "application/json", " \n "),
  BYTES_CASE ("/sim/tracer/jsonl/as-builder/json-charset", "application/json; charset=utf-8", "[1,2]"),
  { "/sim/tracer/jsonl/as-builder/json-model", "application/json", BODY_JSON_MODEL, NULL, 0, tricky_json, { NULL } },
  { "/sim/tracer/jsonl/as-builder/json-model-string", "application/json", BODY_JSON_MODEL, NULL, 0, string_json, { NULL } },
  { "/sim/tracer/jsonl/as-builder/json-model-invalid", "application/json", BODY_JSON_MODEL, NULL, 0, invalid_json, { NULL } },
  { "/sim/tracer/jsonl/as-builder/json-model-as-text", "text/plain", BODY_JSON_MODEL, NULL, 0, tricky_json, { NULL } },
  { "/sim/tracer/jsonl/as-builder/json-model-as-form", "application/x-www-form-urlencoded", BODY_JSON_MODEL, NULL, 0, tricky_json, { NULL } },
  { "/sim/tracer/jsonl/as-builder/form-model", "application/x-www-form-urlencoded", BODY_FORM_MODEL, NULL, 0, NULL,
    { "token", "at_1 2+3", "scope", "a\tb \"c\" \xe2\x80\xa8", "token", "again", NULL } },
  { "/sim/tracer/jsonl/as-builder/form-model-empty", "application/x-www-form-urlencoded", BODY_FORM_MODEL, NULL, 0, NULL,
    { NULL } },
  { "/sim/tracer/jsonl/as-builder/form-model-empty-name", "application/x-www-form-urlencoded", BODY_FORM_MODEL, NULL, 0, NULL,
    { "", "nameless", "b", "", NULL } },
  { "/sim/tracer/jsonl/as-builder/form-model-invalid", "application/x-www-form-urlencoded", BODY_FORM_MODEL, NULL, 0, NULL,
    { "a", "\xff", NULL } },
  { "/sim/tracer/jsonl/as-builder/form-model-as-json", "application/json", BODY_FORM_MODEL, NULL, 0, NULL,
    { "a", "1", NULL } },
};

static void
set_case_body (SimMessage     *m,
               const BodyCase *c,
               gboolean        response)
{
  g_autoptr(GBytes) bytes = NULL;
  SimParams *params;

  switch (c->form)
    {
    case BODY_BYTES:
      bytes = g_bytes_new (c->bytes, c->length);
      if (response)
        sim_message_set_response (m, 200, c->content_type, bytes);
      else
        sim_message_set_request_body (m, c->content_type, bytes);
      return;
    case BODY_JSON_MODEL:
      if (response)
        sim_message_set_response_model (m, 200, c->content_type, &sim_body_json, c->json ());
      else
        sim_message_set_request_model (m, c->content_type, &sim_body_json, c->json ());
      return;
    case BODY_FORM_MODEL:
    default:
      params = sim_params_new ();
      for (guint i = 0; c->pairs[i]; i += 2)
        sim_params_add (params, c->pairs[i], c->pairs[i + 1]);
      if (response)
        sim_message_set_response_model (m, 200, c->content_type, &sim_body_form, params);
      else
        sim_message_set_request_model (m, c->content_type, &sim_body_form, params);
      return;
    }
}

static void
echo_handle (gpointer    actor,
             SimMessage *message)
{
  const BodyCase *c = actor;

  set_case_body (message, c, TRUE);
  sim_headers_append (message->response_headers, "X-Repeated", "one");
  sim_headers_append (message->response_headers, "x-repeated", "two \"2\"\t\x7f");
  sim_message_narrate (message, "Said with \"quotes\",\ta tab");
  sim_message_narrate (message, "and a second sentence \xe2\x80\xa8 \xf0\x9f\x94\x91.");
  sim_message_add_note (message, "a note\nacross lines");
  sim_message_add_note (message, "");
}

static void
test_jsonl_as_builder (gconstpointer data)
{
  const BodyCase *c = data;
  g_autoptr(SimClock) clock = sim_clock_new_simulated (LESSON_START);
  g_autoptr(SimBus) bus = sim_bus_new ();
  g_autoptr(SimTracer) tracer = sim_tracer_new (bus, clock);
  g_autoptr(SimMessage) m = sim_message_new ("POST", "https://echo.example/p%20ath?q=%E2%80%A8&x=%22");
  SimSink *reference = g_new0 (SimSink, 1);
  g_autofree char *got = NULL;
  g_autofree char *expected = NULL;

  reference->klass = &reference_sink_class;
  reference->out = g_string_new (NULL);
  sim_tracer_add_sink (tracer, sim_sink_jsonl_new (), NULL);
  sim_tracer_add_sink (tracer, reference, NULL);
  sim_bus_add_actor (bus, "echo", "https://echo.example", echo_handle, (gpointer) c);

  set_case_body (m, c, FALSE);
  sim_headers_append (m->request_headers, "Authorization", "Basic YTpi");
  sim_message_set_phase (m, SIM_PHASE_CODE_EXCHANGE);
  sim_bus_deliver (bus, "client", m);

  got = sim_tracer_steal_output (tracer, 0);
  expected = sim_tracer_steal_output (tracer, 1);
  g_assert_cmpstr (expected, !=, "");
  if (strcmp (got, expected) != 0)
    {
      gsize i = 0;
      while (got[i] && got[i] == expected[i])
        i++;
      g_error ("byte %" G_GSIZE_FORMAT " differs:\n  got      %s\n  expected %s", i, got, expected);
    }
}

/* Text */

static gsize
offset_of (const char *haystack,
           const char *needle)
{
  const char *at = strstr (haystack, needle);

  if (at == NULL)
    g_error ("“%s” not found in the trace:\n%s", needle, haystack);
  return at - haystack;
}

static void
test_text_label (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *out = NULL;

  deliver (f, "POST", "https://auth.example/token", SIM_PHASE_CODE_EXCHANGE);
  out = sim_tracer_steal_output (f->tracer, TEXT);
  g_assert_true (g_str_has_prefix (out, "\n── 1 · code exchange · 09:00:00 ─"));
  offset_of (out, "client → server\n");
  offset_of (out, "  POST https://auth.example/token\n");
  offset_of (out, "← 200 OK\n");
  offset_of (out, "    │ scope: calendar.read\n");
  offset_of (out, "  The token is active.\n");
  /* No colour unless asked for. */
  g_assert_null (strchr (out, '\033'));
}

static void
test_text_nested (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *out = NULL;
  gsize step1, step2, nested_from, answer;

  sim_clock_advance (f->clock, 3723);
  deliver (f, "GET", "https://api.example/calendar", SIM_PHASE_ACCESS);
  out = sim_tracer_steal_output (f->tracer, TEXT);

  step1 = offset_of (out, "── 1 · access · 10:02:03 ─");
  step2 = offset_of (out, "── 2 · access · 10:02:03 ─");
  nested_from = offset_of (out, "api → server  (while answering step 1)\n");
  answer = offset_of (out, "── answer to step 1 ─");
  /* Step 1's request, then step 2 whole, then step 1's answer. */
  g_assert_cmpuint (step1, <, step2);
  g_assert_cmpuint (step2, <, nested_from);
  g_assert_cmpuint (nested_from, <, answer);
  g_assert_cmpuint (answer, <, offset_of (out, "│ 2 events"));
  g_assert_null (strstr (out, "answer to step 2"));
}

static void
test_text_headers_sorted (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(SimMessage) m = sim_message_new ("GET", "https://auth.example/x");
  g_autofree char *out = NULL;

  sim_headers_append (m->request_headers, "X-Zeta", "1");
  sim_headers_append (m->request_headers, "Cookie", "sid=1");
  sim_headers_append (m->request_headers, "x-alpha", "a");
  sim_bus_deliver (f->bus, "client", m);
  out = sim_tracer_steal_output (f->tracer, TEXT);
  g_assert_cmpuint (offset_of (out, "    Cookie: sid=1\n"), <, offset_of (out, "    x-alpha: a\n"));
  g_assert_cmpuint (offset_of (out, "    x-alpha: a\n"), <, offset_of (out, "    X-Zeta: 1\n"));
}

/* Every line fits the width, with long URLs, long narration, and Korean narration. */
static void
test_text_width (Fixture       *f,
                 gconstpointer  data)
{
  guint width = GPOINTER_TO_UINT (data);
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  f->narration = "The authorization server looked the token up, found that it was issued to this "
                 "client for the calendar.read scope, and that it has not expired or been revoked.";
  deliver (f, "GET", "https://api.example/calendar?from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z"
           "&fields=summary,start,end,location,attendees", SIM_PHASE_ACCESS);
  f->narration = "인가 서버가 토큰을 확인했습니다. 이 토큰은 calendar.read 범위로 이 클라이언트에게 "
                 "발급되었고 아직 만료되거나 폐기되지 않았습니다.";
  deliver (f, "GET", "https://api.example/calendar", SIM_PHASE_ACCESS);
  sim_tracer_remark (f->tracer, SIM_REMARK_SECTION, "%s",
                     "The client calls the API again, and the API asks the server about the token once more.");
  out = sim_tracer_steal_output (f->tracer, TEXT);

  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >, 20);
  for (guint i = 0; lines[i]; i++)
    if (sim_text_columns (lines[i]) > width)
      g_error ("line %u is %u columns, wider than %u: “%s”", i + 1, sim_text_columns (lines[i]),
               width, lines[i]);
  /* The rules fill the width exactly. */
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], "── "))
      g_assert_cmpuint (sim_text_columns (lines[i]), ==, width);
}

static void
test_remarks (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *text = NULL;
  g_autofree char *jsonl = NULL;

  sim_tracer_remark (f->tracer, SIM_REMARK_TITLE, "The %s lesson", "classic");
  sim_tracer_remark (f->tracer, SIM_REMARK_CHECK_OK, "the code was refused");
  sim_tracer_remark (f->tracer, SIM_REMARK_CHECK_FAIL, "the token was %s", "accepted");
  text = sim_tracer_steal_output (f->tracer, TEXT);
  jsonl = sim_tracer_steal_output (f->tracer, JSONL);

  g_assert_true (g_str_has_prefix (text, "The classic lesson\n"));
  offset_of (text, "  ✓ the code was refused\n");
  offset_of (text, "  ✗ the token was accepted\n");
  /* JSON Lines holds steps only. */
  g_assert_cmpstr (jsonl, ==, "");
}

/* What has reached @stream's file, leaving its buffer alone (a rewind would flush it). */
static char *
written_to (FILE *stream)
{
  char buffer[8192];
  ssize_t n = pread (fileno (stream), buffer, sizeof buffer - 1, 0);

  g_assert_cmpint (n, >=, 0);
  return g_strndup (buffer, n);
}

/* Serve mode's trace (the clock is the real one) reaches the stream step by step. */
static void
test_stream_live (void)
{
  g_autoptr(SimClock) clock = sim_clock_new_real ();
  g_autoptr(SimBus) bus = sim_bus_new ();
  g_autoptr(SimTracer) tracer = sim_tracer_new (bus, clock);
  g_autoptr(SimMessage) m = sim_message_new ("GET", "https://nowhere.example/");
  FILE *stream = tmpfile ();
  g_autofree char *written = NULL;
  g_autofree char *left = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  g_assert_nonnull (stream);
  sim_tracer_add_sink (tracer, sim_sink_jsonl_new (), stream);
  sim_bus_deliver (bus, "client", m);
  written = written_to (stream);
  lines = parse_lines (written);
  g_assert_cmpuint (lines->len, ==, 1);
  g_assert_cmpint (json_object_get_int_member (line_at (lines, 0), "step"), ==, 1);
  left = sim_tracer_steal_output (tracer, 0);
  g_assert_cmpstr (left, ==, "");
  g_clear_pointer (&tracer, sim_tracer_free);
  fclose (stream);
}

/* A simulated run's trace to a file is written in large pieces: all of it by the finish, and
 * by the tracer's end when nobody calls finish. */
static void
test_stream_batched (void)
{
  g_autoptr(SimClock) clock = sim_clock_new_simulated (LESSON_START);
  g_autoptr(SimBus) bus = sim_bus_new ();
  SimTracer *tracer = sim_tracer_new (bus, clock);
  FILE *stream = tmpfile ();
  g_autofree char *written = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  g_assert_nonnull (stream);
  sim_tracer_add_sink (tracer, sim_sink_jsonl_new (), stream);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(SimMessage) m = sim_message_new ("GET", "https://nowhere.example/");
      sim_bus_deliver (bus, "client", m);
    }
  written = written_to (stream);
  g_assert_cmpstr (written, ==, "");
  sim_tracer_finish (tracer);
  g_clear_pointer (&written, g_free);
  written = written_to (stream);
  lines = parse_lines (written);
  g_assert_cmpuint (lines->len, ==, 3);
  g_assert_cmpint (json_object_get_int_member (line_at (lines, 2), "step"), ==, 3);

  /* More steps, no finish: freeing the tracer writes them. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(SimMessage) m = sim_message_new ("GET", "https://nowhere.example/");
      sim_bus_deliver (bus, "client", m);
    }
  sim_tracer_free (tracer);
  g_clear_pointer (&written, g_free);
  g_clear_pointer (&lines, g_ptr_array_unref);
  written = written_to (stream);
  lines = parse_lines (written);
  g_assert_cmpuint (lines->len, ==, 5);
  g_assert_cmpint (json_object_get_int_member (line_at (lines, 4), "step"), ==, 5);
  fclose (stream);
}

/* Many steps are written while the run goes on, not kept to the end. */
static void
test_stream_large (void)
{
  g_autoptr(SimClock) clock = sim_clock_new_simulated (LESSON_START);
  g_autoptr(SimBus) bus = sim_bus_new ();
  g_autoptr(SimTracer) tracer = sim_tracer_new (bus, clock);
  FILE *stream = tmpfile ();
  g_autofree char *left = NULL;
  struct stat st;

  g_assert_nonnull (stream);
  sim_tracer_add_sink (tracer, sim_sink_jsonl_new (), stream);
  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(SimMessage) m = sim_message_new ("GET", "https://nowhere.example/");
      sim_bus_deliver (bus, "client", m);
    }
  g_assert_cmpint (fstat (fileno (stream), &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 64 * 1024);
  left = sim_tracer_steal_output (tracer, 0);
  g_assert_cmpuint (strlen (left), <, 64 * 1024);
  g_clear_pointer (&tracer, sim_tracer_free);
  fclose (stream);
}

/* trace-view */

static void
test_sorted_headers (void)
{
  g_autoptr(SimHeaders) headers = sim_headers_new ();
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) empty = NULL;
  static const char *const expected[] = {
    "a-header", "Cache-Control", "Content-Type", "Location", "x-b", "X-C"
  };

  sim_headers_append (headers, "X-C", "3");
  sim_headers_append (headers, "Location", "https://c.example/cb");
  sim_headers_append (headers, "a-header", "1");
  sim_headers_append (headers, "Content-Type", "text/html");
  sim_headers_append (headers, "x-b", "2");
  sim_headers_append (headers, "Cache-Control", "no-store");
  sim_headers_append (headers, "X-B", "again");
  names = sim_trace_sorted_headers (headers);
  g_assert_cmpuint (names->len, ==, G_N_ELEMENTS (expected));
  /* libsoup may spell a name its own way ("X-B" or "x-b"): the order is what counts. */
  for (guint i = 0; i < names->len; i++)
    if (g_ascii_strcasecmp (names->pdata[i], expected[i]) != 0)
      g_error ("header %u is “%s”, expected “%s”", i, (char *) names->pdata[i], expected[i]);

  g_clear_pointer (&headers, sim_headers_free);
  headers = sim_headers_new ();
  empty = sim_trace_sorted_headers (headers);
  g_assert_cmpuint (empty->len, ==, 0);
}

typedef struct
{
  const char *path;
  const char *content_type;
  const char *body;      /* NULL: no body */
  SimBodyKind kind;
} BodyKindCase;

static const BodyKindCase body_kind_cases[] = {
  { "/sim/trace-view/body-kind/form", "application/x-www-form-urlencoded", "a=1", SIM_BODY_FORM },
  { "/sim/trace-view/body-kind/json", "application/json; charset=utf-8", "{}", SIM_BODY_JSON },
  { "/sim/trace-view/body-kind/html", "text/html; charset=utf-8", "<html></html>", SIM_BODY_HTML },
  { "/sim/trace-view/body-kind/text", "text/plain", "hello", SIM_BODY_TEXT },
  { "/sim/trace-view/body-kind/untyped", NULL, "hello", SIM_BODY_TEXT },
  { "/sim/trace-view/body-kind/empty", "application/json", "", SIM_BODY_NONE },
  { "/sim/trace-view/body-kind/none", "application/json", NULL, SIM_BODY_NONE },
};

static void
test_body_kind (gconstpointer data)
{
  const BodyKindCase *c = data;
  g_autoptr(SimHeaders) headers = sim_headers_new ();
  g_autoptr(GBytes) body = c->body ? g_bytes_new_static (c->body, strlen (c->body)) : NULL;

  if (c->content_type)
    sim_headers_replace (headers, "Content-Type", c->content_type);
  g_assert_cmpint (sim_trace_body_kind (headers, body), ==, c->kind);
}

static void
test_html_title (void)
{
  g_autofree char *title = sim_trace_html_title ("<html><head><title>Sign in to Example</title></head></html>");
  g_autofree char *none = sim_trace_html_title ("<html><body>no title</body></html>");
  g_autofree char *unclosed = sim_trace_html_title ("<title>never closed");

  g_assert_cmpstr (title, ==, "Sign in to Example");
  g_assert_null (none);
  g_assert_null (unclosed);
}

static void
test_narration (void)
{
  g_autoptr(SimMessage) m = sim_message_new ("GET", "https://auth.example/");
  g_autofree char *empty = sim_trace_narration (m);
  g_autofree char *joined = NULL;

  g_assert_cmpstr (empty, ==, "");
  m->quiet = FALSE;   /* made while nobody listens anywhere; this test does */
  sim_message_narrate (m, "First.");
  sim_message_narrate (m, "Second.");
  joined = sim_trace_narration (m);
  g_assert_cmpstr (joined, ==, "First. Second.");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/sim/tracer/jsonl/step-order", test_jsonl_step_order);
  ADD ("/sim/tracer/jsonl/deep", test_jsonl_deep);
  ADD ("/sim/tracer/jsonl/bodies", test_jsonl_bodies);
  ADD ("/sim/tracer/jsonl/repeated-params", test_jsonl_repeated_params);
  ADD ("/sim/tracer/jsonl/headers-sorted", test_jsonl_headers_sorted);
  ADD ("/sim/tracer/jsonl/time", test_jsonl_time);
  ADD ("/sim/tracer/jsonl/unreachable", test_jsonl_unreachable);
  for (guint i = 0; i < G_N_ELEMENTS (body_cases); i++)
    g_test_add_data_func (body_cases[i].path, &body_cases[i], test_jsonl_as_builder);
  ADD ("/sim/tracer/text/label", test_text_label);
  ADD ("/sim/tracer/text/nested", test_text_nested);
  ADD ("/sim/tracer/text/headers-sorted", test_text_headers_sorted);
  ADD ("/sim/tracer/remarks", test_remarks);
#undef ADD
  g_test_add ("/sim/tracer/text/width/80", Fixture, GUINT_TO_POINTER (80),
              fixture_set_up, test_text_width, fixture_tear_down);
  g_test_add ("/sim/tracer/text/width/60", Fixture, GUINT_TO_POINTER (60),
              fixture_set_up, test_text_width, fixture_tear_down);
  g_test_add ("/sim/tracer/text/width/40", Fixture, GUINT_TO_POINTER (40),
              fixture_set_up, test_text_width, fixture_tear_down);
  g_test_add_func ("/sim/tracer/stream/live", test_stream_live);
  g_test_add_func ("/sim/tracer/stream/batched", test_stream_batched);
  g_test_add_func ("/sim/tracer/stream/large", test_stream_large);

  g_test_add_func ("/sim/trace-view/sorted-headers", test_sorted_headers);
  for (guint i = 0; i < G_N_ELEMENTS (body_kind_cases); i++)
    g_test_add_data_func_full (body_kind_cases[i].path, (gpointer) &body_kind_cases[i], test_body_kind, NULL);
  g_test_add_func ("/sim/trace-view/html-title", test_html_title);
  g_test_add_func ("/sim/trace-view/narration", test_narration);

  return g_test_run ();
}
