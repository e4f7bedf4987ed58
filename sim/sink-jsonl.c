/* sink-jsonl.c: the trace for machines, one JSON object per step (docs/trace-format.md).
 *
 * A nested step ends before the step it nests in; lines are still written in step order, so
 * line N is step N.
 */
#include <string.h>

#include "sim/tracer.h"
#include "sim/clock.h"
#include "sim/trace-view.h"

typedef struct
{
  SimSink parent;
  guint next_step;
  GHashTable *done;  /* step -> finished line, waiting for the steps before it */
} JsonlSink;

static void
add_params_object (JsonBuilder *b,
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
      /* A repeated parameter keeps every value: hiding one would hide an attack. */
      json_builder_begin_array (b);
      for (guint j = i; j < sim_params_size (params); j++)
        if (strcmp (sim_params_name_at (params, j), name) == 0)
          json_builder_add_string_value (b, sim_params_value_at (params, j));
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

static void
add_headers (JsonBuilder        *b,
             SoupMessageHeaders *headers)
{
  g_autoptr(GPtrArray) names = sim_trace_sorted_headers (headers);

  json_builder_begin_object (b);
  for (guint i = 0; i < names->len; i++)
    {
      json_builder_set_member_name (b, names->pdata[i]);
      json_builder_add_string_value (b, soup_message_headers_get_list (headers, names->pdata[i]));
    }
  json_builder_end_object (b);
}

static void
add_body (JsonBuilder        *b,
          SoupMessageHeaders *headers,
          GBytes             *body,
          gconstpointer       node)
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
      add_params_object (b, text);
      return;
    case SIM_BODY_JSON:
      /* The sealed node the body was written from: parsing the body would give it back. */
      if (node)
        {
          json_builder_add_value (b, json_node_ref ((JsonNode *) node));
          return;
        }
      {
        g_autoptr(JsonParser) parser = json_parser_new_immutable ();
        /* Whitespace parses, to no node at all. */
        if (json_parser_load_from_data (parser, text, -1, NULL) && json_parser_get_root (parser))
          {
            json_builder_add_value (b, json_parser_steal_root (parser));
            return;
          }
      }
      break;
    case SIM_BODY_NONE:
    case SIM_BODY_HTML:
    case SIM_BODY_TEXT:
    default:
      break;
    }
  json_builder_add_string_value (b, text);
}

static char *
step_to_line (const SimTraceStep *step)
{
  SimMessage *m = step->message;
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *time = sim_time_format_iso (step->time);
  g_autofree char *url = g_uri_to_string (m->uri);
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
  add_headers (b, m->request_headers);
  json_builder_set_member_name (b, "body");
  add_body (b, m->request_headers, sim_message_get_request_body (m),
            sim_message_peek_request_model (m, &sim_body_json));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_int_value (b, m->status);
  json_builder_set_member_name (b, "response");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "headers");
  add_headers (b, m->response_headers);
  json_builder_set_member_name (b, "body");
  add_body (b, m->response_headers, sim_message_get_response_body (m),
            sim_message_peek_response_model (m, &sim_body_json));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "narration");
  json_builder_add_string_value (b, narration);
  json_builder_set_member_name (b, "notes");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->notes->len; i++)
    json_builder_add_string_value (b, m->notes->pdata[i]);
  json_builder_end_array (b);
  if (step->knowledge)
    {
      g_autoptr(JsonNode) knowledge = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (knowledge, step->knowledge);
      json_builder_set_member_name (b, "knowledge");
      json_builder_add_value (b, g_steal_pointer (&knowledge));
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  line = json_to_string (root, FALSE);
  return g_strconcat (line, "\n", NULL);
}

static void
jsonl_end (SimSink            *sink,
           const SimTraceStep *step)
{
  JsonlSink *self = (JsonlSink *) sink;
  char *line;

  g_hash_table_insert (self->done, GUINT_TO_POINTER (step->step), step_to_line (step));
  while ((line = g_hash_table_lookup (self->done, GUINT_TO_POINTER (self->next_step))))
    {
      g_string_append (sink->out, line);
      g_hash_table_remove (self->done, GUINT_TO_POINTER (self->next_step));
      self->next_step++;
    }
}

static void
jsonl_destroy (SimSink *sink)
{
  JsonlSink *self = (JsonlSink *) sink;
  g_hash_table_unref (self->done);
  g_free (self);
}

static const SimSinkClass jsonl_sink_class = {
  .end = jsonl_end,
  .destroy = jsonl_destroy,
};

/**
 * sim_sink_jsonl_new:
 * Returns: (transfer full): a sink writing one JSON object per step.
 */
SimSink *
sim_sink_jsonl_new (void)
{
  JsonlSink *self = g_new0 (JsonlSink, 1);
  self->parent.klass = &jsonl_sink_class;
  self->parent.out = g_string_new (NULL);
  self->next_step = 1;
  self->done = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  return &self->parent;
}
