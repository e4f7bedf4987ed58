/* sink-jsonl.c: the trace for machines, one JSON object per step and one per failed
 * expectation (docs/trace-format.md).
 *
 * A nested step ends before the step it nests in; lines are still written in step order.
 *
 * Each line is written as text (sim/json-write.c), the same bytes json-glib's generator would
 * write for the object: building that object as a tree and then generating it took more time
 * than playing the step. A body kept as a value (a sealed JSON node, a parameter list) is
 * written from the value, without rendering it to bytes and parsing them back, and a JSON body
 * already in json-glib's own form is copied, not parsed and written again.
 */
#include <string.h>

#include "sim/tracer.h"
#include "sim/clock.h"
#include "sim/json-write.h"
#include "sim/trace-view.h"

typedef struct
{
  SimSink parent;
  guint next_step;           /* the step whose line comes next */
  GPtrArray *held;           /* (element-type GString) (nullable elements): held[i] is the
                              * line of step next_step + i, when it ended before next_step */
  GPtrArray *header_names;   /* (element-type utf8) (transfer none): reused for every step */
  GString *scratch;
  gint64 time;               /* the last time written, and its text */
  char *time_text;
} JsonlSink;

/* Every distinct name once, with one value or, when repeated, with all of them in order. */
static void
write_params (GString   *out,
              SimParams *params)
{
  guint size = sim_params_size (params);
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  for (guint i = 0; i < size; i++)
    {
      const char *name = sim_params_name_at (params, i);
      guint count = 0;
      gboolean earlier = FALSE;

      for (guint j = 0; j < size; j++)
        if (strcmp (sim_params_name_at (params, j), name) == 0)
          {
            earlier |= j < i;
            count++;
          }
      if (earlier)
        continue;
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      sim_json_write_string (out, name, -1);
      g_string_append_c (out, ':');
      if (count == 1)
        {
          sim_json_write_string (out, sim_params_value_at (params, i), -1);
          continue;
        }
      /* A repeated parameter keeps every value: hiding one would hide an attack. */
      g_string_append_c (out, '[');
      for (guint j = i; j < size; j++)
        if (strcmp (sim_params_name_at (params, j), name) == 0)
          {
            if (j > i)
              g_string_append_c (out, ',');
            sim_json_write_string (out, sim_params_value_at (params, j), -1);
          }
      g_string_append_c (out, ']');
    }
  g_string_append_c (out, '}');
}

static void
write_headers (JsonlSink  *self,
               GString    *out,
               SimHeaders *headers)
{
  GPtrArray *names = self->header_names;

  sim_trace_list_headers (headers, names);
  g_string_append_c (out, '{');
  for (guint i = 0; i < names->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      sim_json_write_string (out, names->pdata[i], -1);
      g_string_append_c (out, ':');
      sim_json_write_string (out, sim_headers_get_list (headers, names->pdata[i]), -1);
    }
  g_string_append_c (out, '}');
}

static void
write_node_text (GString       *out,
                 gconstpointer  node)
{
  sim_json_write_node (out, (JsonNode *) node);
}

static void
write_fields_text (GString       *out,
                   gconstpointer  fields)
{
  sim_fields_write_json ((SimFields *) fields, out);
}

/* A JSON body's value (a sealed node, a flat object) under a JSON content type: its text is
 * what the body's bytes would be, so it is the body, unless it is not UTF-8 (a string in it is
 * not), which the bytes show as text. */
static gboolean
write_json_model (GString    *out,
                  SimHeaders *headers,
                  void      (*write) (GString *, gconstpointer),
                  gconstpointer value)
{
  gsize mark = out->len;

  if (!sim_message_is_json (headers))
    return FALSE;
  write (out, value);
  if (out->len > mark && g_utf8_validate_len (out->str + mark, out->len - mark, NULL))
    return TRUE;
  g_string_truncate (out, mark);
  return FALSE;
}

/* A parameter list under a form content type: encoding it and parsing the text gives it back,
 * except for what the parser refuses (not UTF-8) or may read otherwise (an empty name), and an
 * empty list, which is no body: those go the way of bytes. */
static gboolean
write_form_model (GString    *out,
                  SimHeaders *headers,
                  SimParams  *params)
{
  guint size = sim_params_size (params);

  if (size == 0 || !sim_message_is_form (headers))
    return FALSE;
  for (guint i = 0; i < size; i++)
    {
      const char *name = sim_params_name_at (params, i);
      if (*name == '\0' || !g_utf8_validate (name, -1, NULL)
          || !g_utf8_validate (sim_params_value_at (params, i), -1, NULL))
        return FALSE;
    }
  write_params (out, params);
  return TRUE;
}

/* A body as bytes: up to its first NUL; as text when it is not UTF-8; a form as its parameters
 * and JSON as itself when they parse; anything else as text. */
static void
write_bytes (GString    *out,
             SimHeaders *headers,
             GBytes     *body)
{
  gsize size = 0;
  const char *data = body ? g_bytes_get_data (body, &size) : NULL;
  const char *nul;
  gsize length;
  g_autofree char *text = NULL;

  if (size == 0)
    {
      g_string_append (out, "null");
      return;
    }
  nul = memchr (data, '\0', size);
  length = nul ? (gsize) (nul - data) : size;
  if (!g_utf8_validate_len (data, length, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid (data, length);
      sim_json_write_string (out, valid, -1);
      return;
    }
  switch (sim_trace_body_kind (headers, body))
    {
    case SIM_BODY_FORM:
      {
        g_autoptr(SimParams) params = NULL;

        text = g_strndup (data, length);
        params = sim_params_parse (text, NULL);
        if (params)
          {
            write_params (out, params);
            return;
          }
      }
      break;
    case SIM_BODY_JSON:
      {
        g_autoptr(JsonParser) parser = NULL;

        /* Most JSON bodies are json-glib's own text already: parsed, they would be written
         * back as they are. */
        if (sim_json_is_canonical (data, length))
          {
            g_string_append_len (out, data, length);
            return;
          }
        parser = json_parser_new_immutable ();
        text = g_strndup (data, length);
        /* Whitespace parses, to no node at all. */
        if (json_parser_load_from_data (parser, text, -1, NULL) && json_parser_get_root (parser))
          {
            sim_json_write_node (out, json_parser_get_root (parser));
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
  sim_json_write_string (out, data, length);
}

/* A body from the value it was written from when there is one, else from its bytes. */
static void
write_body (GString    *out,
            SimMessage *m,
            gboolean    request)
{
  SimHeaders *headers = request ? m->request_headers : m->response_headers;
  gconstpointer (*peek) (SimMessage *, const SimBodyCodec *) =
    request ? sim_message_peek_request_model : sim_message_peek_response_model;
  gconstpointer json = peek (m, &sim_body_json);
  gconstpointer fields = peek (m, &sim_body_fields);
  gconstpointer form = peek (m, &sim_body_form);

  if (json && write_json_model (out, headers, write_node_text, json))
    return;
  if (fields && write_json_model (out, headers, write_fields_text, fields))
    return;
  if (form && write_form_model (out, headers, (SimParams *) form))
    return;
  write_bytes (out, headers, request ? sim_message_get_request_body (m) : sim_message_get_response_body (m));
}

/* The clock stands still for several steps at a time: format each time once. */
static const char *
time_text (JsonlSink *self,
           gint64     time)
{
  if (self->time_text == NULL || self->time != time)
    {
      g_free (self->time_text);
      self->time_text = sim_time_format_iso (time);
      self->time = time;
    }
  return self->time_text;
}

static void
write_member (GString    *out,
              const char *member,
              const char *value)
{
  g_string_append (out, member);
  sim_json_write_string (out, value, -1);
}

/* @member, then the strings of @values as a JSON array. */
static void
write_strings_member (GString         *out,
                      const char      *member,
                      const GPtrArray *values)
{
  g_string_append (out, member);
  g_string_append_c (out, '[');
  for (guint i = 0; i < values->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      sim_json_write_string (out, values->pdata[i], -1);
    }
  g_string_append_c (out, ']');
}

static void
write_line (JsonlSink          *self,
            GString            *out,
            const SimTraceStep *step)
{
  SimMessage *m = step->message;
  g_autofree char *url = sim_uri_to_string (m->uri);

  g_string_append (out, "{\"step\":");
  sim_json_write_int (out, step->step);
  g_string_append (out, ",\"parent\":");
  if (step->parent)
    sim_json_write_int (out, step->parent);
  else
    g_string_append (out, "null");
  write_member (out, ",\"phase\":", sim_phase_to_string (m->phase));
  write_member (out, ",\"time\":", time_text (self, step->time));
  write_member (out, ",\"from\":", m->from);
  write_member (out, ",\"to\":", m->to);
  write_member (out, ",\"method\":", m->method);
  write_member (out, ",\"url\":", url);
  g_string_append (out, ",\"request\":{\"headers\":");
  write_headers (self, out, m->request_headers);
  g_string_append (out, ",\"body\":");
  write_body (out, m, TRUE);
  g_string_append (out, "},\"status\":");
  sim_json_write_int (out, m->status);
  g_string_append (out, ",\"response\":{\"headers\":");
  write_headers (self, out, m->response_headers);
  g_string_append (out, ",\"body\":");
  write_body (out, m, FALSE);

  /* The narration is one paragraph of its sentences. */
  g_string_truncate (self->scratch, 0);
  for (guint i = 0; i < m->narration->len; i++)
    {
      if (i > 0)
        g_string_append_c (self->scratch, ' ');
      g_string_append (self->scratch, m->narration->pdata[i]);
    }
  g_string_append (out, "},\"narration\":");
  sim_json_write_string (out, self->scratch->str, self->scratch->len);

  write_strings_member (out, ",\"notes\":", m->notes);
  if (step->knowledge)
    {
      g_string_append (out, ",\"knowledge\":");
      sim_json_write_object (out, step->knowledge);
    }
  g_string_append (out, "}\n");
}

static void
free_line (gpointer line)
{
  if (line)
    g_string_free (line, TRUE);
}

static void
jsonl_end (SimSink            *sink,
           const SimTraceStep *step)
{
  JsonlSink *self = (JsonlSink *) sink;
  guint later;

  /* A step that already had its line (one the tracer saw twice) gets no other. */
  if (step->step < self->next_step)
    return;
  later = step->step - self->next_step;
  if (later > 0)
    {
      GString *line = g_string_new (NULL);

      write_line (self, line, step);
      if (self->held->len <= later)
        g_ptr_array_set_size (self->held, later + 1);
      free_line (self->held->pdata[later]);
      self->held->pdata[later] = line;
      return;
    }

  /* The step due: straight out, then the nested steps that ended before it. */
  write_line (self, sink->out, step);
  self->next_step++;
  if (self->held->len > 0)
    g_ptr_array_remove_index (self->held, 0);
  while (self->held->len > 0 && self->held->pdata[0])
    {
      GString *line = self->held->pdata[0];

      g_string_append_len (sink->out, line->str, line->len);
      g_ptr_array_remove_index (self->held, 0);
      self->next_step++;
    }
}

static void
write_uint_member (GString    *out,
                   const char *member,
                   guint       value)
{
  g_string_append (out, member);
  if (value)
    sim_json_write_int (out, value);
  else
    g_string_append (out, "null");
}

/* A failed expectation has a line of its own, after the lines of the steps it looked at, so
 * that CI finds it with `jq 'select(.expectation == "failed")'`. */
static void
jsonl_check_failed (SimSink               *sink,
                    const SimCheckFailure *failure)
{
  GString *out = sink->out;

  g_string_append (out, "{\"expectation\":\"failed\"");
  write_member (out, ",\"file\":", failure->file);
  write_uint_member (out, ",\"line\":", failure->line);
  write_uint_member (out, ",\"column\":", failure->column);
  write_uint_member (out, ",\"scenario_step\":", failure->scenario_step);
  write_member (out, ",\"actor\":", failure->actor);
  write_member (out, ",\"action\":", failure->action);
  write_uint_member (out, ",\"trace_step\":", failure->trace_step);
  g_string_append (out, ",\"exchange\":");
  if (failure->exchange)
    sim_json_write_string (out, failure->exchange, -1);
  else
    g_string_append (out, "null");
  write_strings_member (out, ",\"problems\":", failure->problems);
  write_member (out, ",\"message\":", failure->message);
  g_string_append (out, "}\n");
}

static void
jsonl_destroy (SimSink *sink)
{
  JsonlSink *self = (JsonlSink *) sink;

  g_ptr_array_unref (self->held);
  g_ptr_array_unref (self->header_names);
  g_string_free (self->scratch, TRUE);
  g_free (self->time_text);
  g_free (self);
}

static const SimSinkClass jsonl_sink_class = {
  .end = jsonl_end,
  .check_failed = jsonl_check_failed,
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
  self->held = g_ptr_array_new_with_free_func (free_line);
  self->header_names = g_ptr_array_new ();
  self->scratch = g_string_new (NULL);
  return &self->parent;
}
