/* sink-mermaid.c: the trace as a Mermaid sequenceDiagram, to paste into a Markdown file or a
 * slide (docs/trace-format.md).
 *
 * The four actors are participants in a fixed order. Each step is two arrows: the request when
 * the step begins, the answer when it ends, so a nested step (the API asking the server about a
 * token) sits between its parent's request and answer, and activation bars show who is busy
 * answering. Both arrows carry the trace's step number. Each phase is a tinted rect headed by a
 * note; an answer with status 0 or >= 400 is a cross-headed arrow in a red rect.
 *
 * Participants are declared before the first message, and an unknown origin may only show up
 * late (a message nobody answered), so the diagram is kept until the trace finishes.
 */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "sim/tracer.h"
#include "sim/textwrap.h"
#include "sim/uri.h"
#include "sim/trace-view.h"

/* Columns before a label wraps: Mermaid does not wrap message text by itself. */
#define LABEL_WIDTH 46
#define NOTE_WIDTH 70

/* Mermaid ids for the four actors, in the order of sim_trace_actor_names. */
static const char *const actor_ids[] = { "Owner", "Client", "Server", "API" };

/* Light tints that read on a white and on a dark page alike. */
static const char *const phase_tints[] = {
  [SIM_PHASE_NONE] = NULL,
  [SIM_PHASE_REGISTRATION] = "rgba(186, 104, 200, 0.15)",
  [SIM_PHASE_CONSENT] = "rgba(66, 133, 244, 0.15)",
  [SIM_PHASE_CODE_EXCHANGE] = "rgba(0, 172, 193, 0.15)",
  [SIM_PHASE_TOKEN_REQUEST] = "rgba(255, 112, 67, 0.15)",
  [SIM_PHASE_ACCESS] = "rgba(67, 160, 71, 0.15)",
  [SIM_PHASE_REFRESH] = "rgba(251, 192, 45, 0.2)",
  [SIM_PHASE_REVOCATION] = "rgba(120, 120, 120, 0.18)",
};

#define ERROR_TINT "rgba(229, 57, 53, 0.22)"

typedef struct
{
  guint step;
  char *from_id;
  char *to_id;
} OpenStep;

typedef struct
{
  SimSink parent;
  char *title;
  GPtrArray *others;   /* (element-type utf8): actors beyond the four, in order of appearance */
  GString *body;       /* the diagram after the participants */
  GString *pending;    /* notes announcing what comes next, placed after the next phase box opens */
  GArray *open;        /* (element-type OpenStep): steps begun and not ended */
  SimPhase box;        /* the phase whose rect is open, or SIM_PHASE_NONE */
} MermaidSink;

/* Mermaid reads ; and # as syntax anywhere in a line, and renders text as HTML: every ASCII
 * character that could mean something is written as an entity code (#59; is ;), which Mermaid
 * turns back into the character. Line ends become spaces. */
static void
append_escaped (GString    *out,
                const char *text)
{
  for (const char *p = text; *p; p++)
    {
      guchar c = (guchar) *p;

      if (c == '\n' || c == '\r' || c == '\t')
        g_string_append_c (out, ' ');
      else if (c < 0x20 || c == 0x7f)
        continue;
      else if (strchr (";#&<>\"%'`\\{}|", c))
        g_string_append_printf (out, "#%u;", c);
      else
        g_string_append_c (out, c);
    }
}

/* Wraps @text to @width columns and escapes each line; lines are joined with <br/>, the one
 * piece of markup Mermaid keeps in labels. */
static void
append_wrapped (GString    *out,
                const char *text,
                guint       width)
{
  g_autoptr(GString) wrapped = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  gboolean first = TRUE;

  sim_text_wrap (wrapped, text, "", "", width);
  lines = g_strsplit (wrapped->str, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      if (*lines[i] == '\0')
        continue;
      if (!first)
        g_string_append (out, "<br/>");
      append_escaped (out, lines[i]);
      first = FALSE;
    }
}

/* Returns: (transfer full): the id for @name, declaring an unknown actor (an origin nobody
 * answers for) as Other1, Other2, ... */
static char *
dup_participant_id (MermaidSink *self,
                    const char  *name)
{
  guint i;

  for (i = 0; sim_trace_actor_names[i]; i++)
    if (g_strcmp0 (name, sim_trace_actor_names[i]) == 0)
      return g_strdup (actor_ids[i]);
  for (i = 0; i < self->others->len; i++)
    if (g_strcmp0 (self->others->pdata[i], name) == 0)
      break;
  if (i == self->others->len)
    g_ptr_array_add (self->others, g_strdup (name ? name : "?"));
  return g_strdup_printf ("Other%u", i + 1);
}

static void
indent (MermaidSink *self)
{
  g_string_append (self->body, "    ");
  if (self->box != SIM_PHASE_NONE)
    g_string_append (self->body, "    ");
}

static void
note_line (MermaidSink *self,
           GString     *out,
           const char  *prefix,
           const char  *text)
{
  g_autofree char *full = g_strconcat (prefix, text, NULL);

  g_string_append_printf (out, "Note over %s,%s: ", actor_ids[0], actor_ids[G_N_ELEMENTS (actor_ids) - 1]);
  append_wrapped (out, full, NOTE_WIDTH);
  g_string_append_c (out, '\n');
}

static void
flush_pending (MermaidSink *self)
{
  g_auto(GStrv) lines = g_strsplit (self->pending->str, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    if (*lines[i])
      {
        indent (self);
        g_string_append_printf (self->body, "%s\n", lines[i]);
      }
  g_string_truncate (self->pending, 0);
}

static void
close_box (MermaidSink *self)
{
  if (self->box == SIM_PHASE_NONE)
    return;
  self->box = SIM_PHASE_NONE;
  g_string_append (self->body, "    end\n");
}

static void
open_box (MermaidSink *self,
          SimPhase     phase)
{
  g_autofree char *heading = NULL;

  close_box (self);
  if (phase == SIM_PHASE_NONE || phase > SIM_PHASE_LAST)
    return;
  g_string_append_printf (self->body, "    rect %s\n", phase_tints[phase]);
  self->box = phase;
  /* TRANSLATORS: heads a phase's box in the Mermaid diagram, e.g. "Phase: code exchange" */
  heading = g_strdup_printf (_("Phase: %s"), sim_phase_to_label (phase));
  indent (self);
  note_line (self, self->body, "", heading);
}

/* The parameter names a request carries (values are random noise; names are the lesson). */
static void
add_param_names (GPtrArray  *words,
                 const char *encoded)
{
  g_autoptr(SimParams) params = encoded ? sim_params_parse (encoded, NULL) : NULL;

  for (guint i = 0; params && i < sim_params_size (params); i++)
    g_ptr_array_add (words, g_strdup (sim_params_name_at (params, i)));
}

static void
add_json_names (GPtrArray *words,
                GBytes    *body)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  g_autoptr(GList) members = NULL;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL)
      || !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  members = json_object_get_members (json_node_get_object (root));
  for (GList *l = members; l; l = l->next)
    g_ptr_array_add (words, g_strdup (l->data));
}

/* Returns: (transfer full): what a body holds, in a few words: field names, a page's title. */
static char *
describe_body (SimHeaders *headers,
               GBytes     *body)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;
  g_autofree char *title = NULL;

  switch (sim_trace_body_kind (headers, body))
    {
    case SIM_BODY_FORM:
      text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      add_param_names (words, text);
      break;
    case SIM_BODY_JSON:
      add_json_names (words, body);
      break;
    case SIM_BODY_HTML:
      text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      title = sim_trace_html_title (text);
      /* TRANSLATORS: a response that is a web page, with the page's title */
      return g_strdup_printf (_("a web page: “%s”"), title ? title : "?");
    case SIM_BODY_NONE:
    case SIM_BODY_TEXT:
    default:
      return NULL;
    }
  if (words->len == 0)
    return NULL;
  g_ptr_array_add (words, NULL);
  return g_strjoinv (", ", (char **) words->pdata);
}

/* Returns: (transfer full) (nullable): the OAuth error code an answer carries, from its JSON
 * body or its WWW-Authenticate header (RFC 6750 §3). */
static char *
dup_error_code (SimMessage *m)
{
  const char *challenge = sim_headers_get_one (m->response_headers, "WWW-Authenticate");
  g_autoptr(JsonNode) node = NULL;

  if (sim_message_is_json (m->response_headers) && sim_message_get_response_body (m)
      && (node = sim_message_get_response_json (m, NULL)) && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *error = json_object_get_member (object, "error");
      if (error && JSON_NODE_HOLDS_VALUE (error) && json_node_get_value_type (error) == G_TYPE_STRING)
        return g_strdup (json_node_get_string (error));
    }
  if (challenge)
    {
      const char *start = strstr (challenge, "error=\"");
      const char *end;
      if (start && (end = strchr (start + 7, '"')))
        return g_strndup (start + 7, end - start - 7);
    }
  return NULL;
}

static char *
request_label (const SimTraceStep *step)
{
  SimMessage *m = step->message;
  g_autoptr(GString) label = g_string_new (NULL);
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *fields = NULL;
  const char *authorization = sim_headers_get_one (m->request_headers, "Authorization");

  g_string_append_printf (label, "%u · %s %s", step->step, m->method, sim_message_get_path (m));
  add_param_names (words, sim_uri_get_query (m->uri));
  if (sim_message_get_request_body (m))
    {
      g_autofree char *body = describe_body (m->request_headers, sim_message_get_request_body (m));
      if (body)
        g_ptr_array_add (words, g_steal_pointer (&body));
    }
  if (authorization)
    {
      g_autofree char *scheme = g_strndup (authorization, strcspn (authorization, " "));
      /* TRANSLATORS: the scheme of an Authorization header: Basic or Bearer */
      g_ptr_array_add (words, g_strdup_printf (_("%s credentials"), scheme));
    }
  if (words->len > 0)
    {
      g_ptr_array_add (words, NULL);
      fields = g_strjoinv (", ", (char **) words->pdata);
      g_string_append_printf (label, "\n%s", fields);
    }
  return g_string_free (g_steal_pointer (&label), FALSE);
}

/* Returns: (transfer full): where a redirect sends the browser and the names of what it carries. */
static char *
dup_redirect_line (const char *location)
{
  /* Through SimUri, which refuses what GLib parses but cannot write back. */
  g_autoptr(SimUri) parsed = sim_uri_parse (location, NULL);
  g_autoptr(GUri) uri = parsed ? sim_uri_to_guri (parsed) : NULL;
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *target = NULL;
  g_autofree char *names = NULL;

  if (uri == NULL)
    return g_strdup_printf ("→ %s", location);
  target = g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO | G_URI_HIDE_QUERY | G_URI_HIDE_FRAGMENT);
  add_param_names (words, g_uri_get_query (uri));
  if (words->len == 0)
    return g_strdup_printf ("→ %s", target);
  g_ptr_array_add (words, NULL);
  names = g_strjoinv (", ", (char **) words->pdata);
  /* TRANSLATORS: a redirect: where it sends the browser, then the names of the parameters it carries */
  return g_strdup_printf (_("→ %s with %s"), target, names);
}

static char *
response_label (const SimTraceStep *step)
{
  SimMessage *m = step->message;
  g_autoptr(GString) label = g_string_new (NULL);
  g_autofree char *error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *redirect = NULL;
  const char *location = sim_headers_get_one (m->response_headers, "Location");

  if (m->status == SOUP_STATUS_NONE)
    {
      g_string_append_printf (label, "%u · %s", step->step, _("no answer"));
      return g_string_free (g_steal_pointer (&label), FALSE);
    }
  g_string_append_printf (label, "%u · %u %s", step->step, m->status, soup_status_get_phrase (m->status));
  if (m->status >= 400 && (error = dup_error_code (m)))
    g_string_append_printf (label, "\n%s", error);
  else if (location)
    g_string_append_printf (label, "\n%s", (redirect = dup_redirect_line (location)));
  else if ((body = describe_body (m->response_headers, sim_message_get_response_body (m))))
    g_string_append_printf (label, "\n%s", body);
  return g_string_free (g_steal_pointer (&label), FALSE);
}

/* A label's first line is kept whole; what follows wraps. */
static void
append_label (GString    *out,
              const char *label)
{
  const char *newline = strchr (label, '\n');

  if (!newline)
    {
      append_escaped (out, label);
      return;
    }
  {
    g_autofree char *head = g_strndup (label, newline - label);
    append_escaped (out, head);
  }
  g_string_append (out, "<br/>");
  append_wrapped (out, newline + 1, LABEL_WIDTH);
}

static void
mermaid_begin (SimSink            *sink,
               const SimTraceStep *step)
{
  MermaidSink *self = (MermaidSink *) sink;
  SimMessage *m = step->message;
  g_autofree char *label = request_label (step);
  OpenStep open = { step->step, dup_participant_id (self, m->from), dup_participant_id (self, m->to) };

  /* Phases change only between top-level steps: a nested step stays in its parent's box. */
  if (self->open->len == 0 && m->phase != self->box)
    open_box (self, m->phase);
  flush_pending (self);

  indent (self);
  g_string_append_printf (self->body, "%s->>+%s: ", open.from_id, open.to_id);
  append_label (self->body, label);
  g_string_append_c (self->body, '\n');
  g_array_append_val (self->open, open);
}

static void
mermaid_end (SimSink            *sink,
             const SimTraceStep *step)
{
  MermaidSink *self = (MermaidSink *) sink;
  SimMessage *m = step->message;
  g_autofree char *label = response_label (step);
  gboolean failed = m->status == SOUP_STATUS_NONE || m->status >= 400;
  OpenStep open = { 0 };
  guint i;

  for (i = self->open->len; i > 0; i--)
    if (g_array_index (self->open, OpenStep, i - 1).step == step->step)
      break;
  if (i > 0)
    {
      open = g_array_index (self->open, OpenStep, i - 1);
      g_array_remove_index (self->open, i - 1);
    }
  else
    {
      /* begun while the tracer was muted: no activation to end */
      open.from_id = dup_participant_id (self, m->from);
      open.to_id = dup_participant_id (self, m->to);
    }

  if (failed)
    {
      indent (self);
      g_string_append (self->body, "rect " ERROR_TINT "\n");
      g_string_append (self->body, "    ");
    }
  indent (self);
  g_string_append_printf (self->body, "%s%s%s%s: ", open.to_id, failed ? "--x" : "-->>",
                          open.step ? "-" : "", open.from_id);
  append_label (self->body, label);
  g_string_append_c (self->body, '\n');
  if (failed)
    {
      indent (self);
      g_string_append (self->body, "end\n");
    }
  for (guint n = 0; n < m->notes->len; n++)
    {
      indent (self);
      note_line (self, self->body, "✎ ", m->notes->pdata[n]);
    }
  g_free (open.from_id);
  g_free (open.to_id);
}

static void
mermaid_remark (SimSink    *sink,
                SimRemark   kind,
                const char *text)
{
  MermaidSink *self = (MermaidSink *) sink;

  switch (kind)
    {
    case SIM_REMARK_TITLE:
      g_free (self->title);
      self->title = g_strdup (text);
      break;
    case SIM_REMARK_TEXT:
    case SIM_REMARK_CHECK_OK:
      /* too long for a diagram; the text trace has them */
      break;
    case SIM_REMARK_SECTION:
      /* announces the steps that follow: placed once their phase box is open */
      note_line (self, self->pending, "▶ ", text);
      break;
    case SIM_REMARK_CLOCK:
      /* no clock symbol: common fonts lack one, and the text says the clock moved */
      note_line (self, self->pending, "", text);
      break;
    case SIM_REMARK_NOTE:
      flush_pending (self);
      indent (self);
      note_line (self, self->body, "✎ ", text);
      break;
    case SIM_REMARK_CHECK_FAIL:
    default:
      flush_pending (self);
      indent (self);
      note_line (self, self->body, "✗ ", text);
      break;
    }
}

static void
mermaid_finish (SimSink *sink)
{
  MermaidSink *self = (MermaidSink *) sink;
  GString *out = sink->out;

  flush_pending (self);
  close_box (self);

  g_string_append (out, "sequenceDiagram\n");
  if (self->title)
    {
      g_string_append (out, "    title ");
      append_escaped (out, self->title);
      g_string_append_c (out, '\n');
    }
  for (guint i = 0; i < G_N_ELEMENTS (actor_ids); i++)
    {
      g_string_append_printf (out, "    participant %s as ", actor_ids[i]);
      append_escaped (out, sim_trace_actor_label (sim_trace_actor_names[i]));
      g_string_append_c (out, '\n');
    }
  for (guint i = 0; i < self->others->len; i++)
    {
      g_string_append_printf (out, "    participant Other%u as ", i + 1);
      append_escaped (out, sim_trace_actor_label (self->others->pdata[i]));
      g_string_append_c (out, '\n');
    }
  g_string_append (out, self->body->str);
  g_string_truncate (self->body, 0);
}

static void
mermaid_destroy (SimSink *sink)
{
  MermaidSink *self = (MermaidSink *) sink;

  for (guint i = 0; i < self->open->len; i++)
    {
      g_free (g_array_index (self->open, OpenStep, i).from_id);
      g_free (g_array_index (self->open, OpenStep, i).to_id);
    }
  g_array_unref (self->open);
  g_string_free (self->pending, TRUE);
  g_string_free (self->body, TRUE);
  g_ptr_array_unref (self->others);
  g_free (self->title);
  g_free (self);
}

static const SimSinkClass mermaid_sink_class = {
  .begin = mermaid_begin,
  .end = mermaid_end,
  .remark = mermaid_remark,
  .finish = mermaid_finish,
  .destroy = mermaid_destroy,
};

/**
 * sim_sink_mermaid_new:
 * Returns: (transfer full): a sink writing the whole trace as one Mermaid sequenceDiagram when
 * the trace finishes.
 */
SimSink *
sim_sink_mermaid_new (void)
{
  MermaidSink *self = g_new0 (MermaidSink, 1);

  self->parent.klass = &mermaid_sink_class;
  self->parent.out = g_string_new (NULL);
  self->others = g_ptr_array_new_with_free_func (g_free);
  self->body = g_string_new (NULL);
  self->pending = g_string_new (NULL);
  self->open = g_array_new (FALSE, FALSE, sizeof (OpenStep));
  self->box = SIM_PHASE_NONE;
  return &self->parent;
}
