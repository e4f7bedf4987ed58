/* sink-text.c: the trace for people, in a terminal or on a projector.
 *
 * Each step gets a rule with its number and phase, the actors, the request line, the headers
 * and body fields that matter, the answer, and the narration wrapped to the width. A step that
 * nests other steps (the API asking the server about a token) prints its answer after them,
 * under a short "answer to step N" line.
 */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "sim/jose.h"
#include "sim/tracer.h"
#include "sim/textwrap.h"
#include "sim/trace-view.h"
#include "sim/jose.h"

#define ESC "\033["

typedef struct
{
  SimSink parent;
  SimTextOptions options;
  guint last_begun;
  GString *scratch;      /* a line being put together; reused, so a step costs few allocations */
  gint64 clock_time;     /* the step time that clock_text shows, if any */
  char *clock_text;      /* (owned) "10:02:11": steps come many a second in serve mode */
  char *narration;       /* (owned) (nullable) the last narration wrapped, and its wrapping */
  GString *narration_wrapped;
  const char *indent;    /* the last indent field() measured, and its columns */
  guint indent_columns;
} TextSink;

/* Headers the text view leaves out: the same on every page, and shown in the JSON trace. */
static const char *const quiet_headers[] = {
  "Content-Length", "Content-Security-Policy", "Referrer-Policy", "X-Content-Type-Options",
  "X-Frame-Options", "Pragma", NULL
};

static const char *
phase_color (SimPhase phase)
{
  switch (phase)
    {
    case SIM_PHASE_REGISTRATION: return ESC "1;35m";
    case SIM_PHASE_CONSENT: return ESC "1;34m";
    case SIM_PHASE_CODE_EXCHANGE: return ESC "1;36m";
    case SIM_PHASE_ACCESS: return ESC "1;32m";
    case SIM_PHASE_REFRESH: return ESC "1;33m";
    case SIM_PHASE_NONE:
    default: return ESC "1m";
    }
}

/* The attacker's steps stand out in their own colour, whatever their phase. */
#define ATTACKER_COLOR ESC "1;91m"

static gboolean
involves_attacker (SimMessage *message)
{
  return g_strcmp0 (message->from, "attacker") == 0 || g_strcmp0 (message->to, "attacker") == 0;
}

/* sim_text_columns(), without decoding ASCII text, which is nearly all of it: an ASCII
 * character takes one column. */
static gboolean
is_ascii (const char *text)
{
  for (; *text; text++)
    if ((guchar) *text >= 0x80)
      return FALSE;
  return TRUE;
}

static guint
columns (const char *text)
{
  return is_ascii (text) ? strlen (text) : sim_text_columns (text);
}

static void
paint (TextSink   *self,
       const char *color,
       const char *text)
{
  GString *out = self->parent.out;
  if (self->options.color)
    {
      g_string_append (out, color);
      g_string_append (out, text);
      g_string_append (out, ESC "0m");
    }
  else
    g_string_append (out, text);
}

static void
rule (TextSink   *self,
      SimPhase    phase,
      gboolean    attacker,
      const char *label)
{
  GString *line = self->scratch;
  guint used;

  g_string_assign (line, "── ");
  g_string_append (line, label);
  g_string_append_c (line, ' ');
  used = columns (line->str);
  for (; used < self->options.width; used++)
    g_string_append (line, "─");
  paint (self, attacker ? ATTACKER_COLOR : phase_color (phase), line->str);
  g_string_append_c (self->parent.out, '\n');
}

static void
field (TextSink   *self,
       const char *indent,
       const char *name,
       const char *sep,
       const char *value)
{
  GString *out = self->parent.out;
  gsize start = out->len;
  guint used, room;

  g_string_append (out, indent);
  g_string_append (out, name);
  g_string_append (out, sep);
  if (is_ascii (name) && is_ascii (sep))
    {
      /* The indents are a few literals, one with a "│": measured once each. */
      if (indent != self->indent)
        {
          self->indent = indent;
          self->indent_columns = sim_text_columns (indent);
        }
      used = self->indent_columns + strlen (name) + strlen (sep);
    }
  else
    used = columns (out->str + start);
  room = self->options.width > used + 8 ? self->options.width - used : 8;
  if (is_ascii (value))
    {
      gsize length = strlen (value);

      /* As sim_text_truncate() cuts ASCII text (room is at least 8). */
      if (length <= room)
        g_string_append_len (out, value, length);
      else
        {
          g_string_append_len (out, value, room - 1);
          g_string_append (out, "…");
        }
    }
  else if (sim_text_columns (value) <= room)
    g_string_append (out, value);
  else
    {
      g_autofree char *shown = sim_text_truncate (value, room);
      g_string_append (out, shown);
    }
  g_string_append_c (out, '\n');
}

static void jwt_hint (TextSink *self, const char *value);

static void
params_block (TextSink   *self,
              const char *indent,
              const char *encoded)
{
  g_autoptr(SimParams) params = sim_params_parse (encoded, NULL);

  if (!params)
    {
      field (self, indent, "", "", encoded);
      return;
    }
  for (guint i = 0; i < sim_params_size (params); i++)
    {
      field (self, indent, sim_params_name_at (params, i), "=", sim_params_value_at (params, i));
      jwt_hint (self, sim_params_value_at (params, i));
    }
}

static void
show_url_query (TextSink *self,
                SimUri   *uri)
{
  if (sim_uri_get_query (uri))
    params_block (self, "      ", sim_uri_get_query (uri));
}

/* HTTP Basic is only base64: show what it carries, since that is the lesson. */
static void
basic_hint (TextSink   *self,
            const char *value)
{
  g_autofree guchar *decoded = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;

  if (g_ascii_strncasecmp (value, "Basic ", 6) != 0)
    return;
  decoded = g_base64_decode (value + 6, &len);
  if (!decoded || len == 0)
    return;
  text = g_strndup ((const char *) decoded, len);
  if (strlen (text) != len || !g_utf8_validate (text, -1, NULL))
    return;
  field (self, "      ", _("↳ decodes to"), " ", text);
}

/* A JWT (an access token, RFC 9068; an ID token; a DPoP proof, RFC 9449 §4.2) is only
 * base64url too: show its header, the key it carries by type and curve, and its claims one by
 * one, wherever it travels (a header, a form, a JSON member). Nothing here is verified: the
 * receiver does that. */
static void
jwt_hint (TextSink   *self,
          const char *value)
{
  g_autoptr(JsonObject) header = NULL, claims = NULL;
  g_autoptr(GString) summary = g_string_new (NULL);
  g_autoptr(GList) names = NULL, members = NULL;

  if (g_ascii_strncasecmp (value, "Bearer ", 7) == 0)
    value += 7;
  else if (g_ascii_strncasecmp (value, "DPoP ", 5) == 0)
    value += 5;
  if (!sim_jose_looks_compact (value)
      || !sim_jose_decode_unverified (value, &header, &claims, NULL))
    return;
  names = json_object_get_members (header);
  for (GList *l = names; l; l = l->next)
    {
      JsonNode *node = json_object_get_member (header, l->data);
      g_string_append_printf (summary, "%s%s=", summary->len ? " " : "", (const char *) l->data);
      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *jwk = json_node_get_object (node);
          g_string_append_printf (summary, "%s/%s",
                                  json_object_get_string_member_with_default (jwk, "kty", "?"),
                                  json_object_get_string_member_with_default (jwk, "crv", "?"));
        }
      else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        g_string_append (summary, json_node_get_string (node));
      else
        {
          g_autofree char *shown = json_to_string (node, FALSE);
          g_string_append (summary, shown);
        }
    }
  field (self, "      ", _("↳ header"), " ", summary->str);
  members = json_object_get_members (claims);
  for (GList *l = members; l; l = l->next)
    {
      JsonNode *node = json_object_get_member (claims, l->data);
      g_autofree char *shown = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
                               ? g_strdup (json_node_get_string (node)) : json_to_string (node, FALSE);
      field (self, "        ", l->data, ": ", shown);
    }
}

static void
headers_block (TextSink   *self,
               SimHeaders *headers,
               gboolean    show_content_type)
{
  g_autoptr(GPtrArray) names = sim_trace_sorted_headers (headers);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      const char *value = sim_headers_get_list (headers, name);

      if (g_strv_contains (quiet_headers, name))
        continue;
      if (!show_content_type && g_ascii_strcasecmp (name, "Content-Type") == 0)
        continue;
      field (self, "    ", name, ": ", value);
      if (g_ascii_strcasecmp (name, "Authorization") == 0)
        {
          basic_hint (self, value);
          jwt_hint (self, value);
        }
      if (g_ascii_strcasecmp (name, "DPoP") == 0)
        jwt_hint (self, value);
      if (g_ascii_strcasecmp (name, "Location") == 0)
        {
          g_autoptr(SimUri) uri = sim_uri_parse (value, NULL);
          if (uri)
            show_url_query (self, uri);
          /* the implicit grant answers in the fragment (RFC 6749 §4.2.2) */
          if (uri && sim_uri_get_fragment (uri))
            {
              field (self, "      ", "#", "", "");
              params_block (self, "      ", sim_uri_get_fragment (uri));
            }
        }
    }
}

static void
json_members (TextSink *self,
              JsonNode *root)
{
  JsonObject *object = json_node_get_object (root);
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l; l = l->next)
    {
      JsonNode *value = json_object_get_member (object, l->data);

      if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
        {
          field (self, "    │ ", l->data, ": ", json_node_get_string (value));
          jwt_hint (self, json_node_get_string (value));
        }
      else
        {
          g_autofree char *shown = json_to_string (value, FALSE);
          field (self, "    │ ", l->data, ": ", shown);
        }
    }
}

/* The JSON bodies of a trace are nearly all flat objects of plain strings, integers and
 * booleans (a token response, an introspection answer, an error). Those are read here and shown
 * as json_members() would show them, without building nodes; anything else (an escape, a
 * fraction, a nested value, a repeated name, a syntax error) returns FALSE before writing, and
 * json-glib's parser decides. @text is valid UTF-8. */
#define FLAT_MAX_MEMBERS 32

typedef struct
{
  const char *name, *value;
  gsize name_len, value_len;
} FlatMember;

static const char *
flat_space (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

/* A string without escapes or control characters: its inside, and the end after the quote. */
static const char *
flat_string (const char  *p,
             const char **start,
             gsize       *len)
{
  if (*p != '"')
    return NULL;
  *start = ++p;
  for (; *p != '"'; p++)
    if (*p == '\\' || (guchar) *p < 0x20 || *p == 0x7f)
      return NULL;
  *len = p - *start;
  return p + 1;
}

static const char *
flat_value (const char  *p,
            const char **start,
            gsize       *len)
{
  const char *q = p;

  if (*p == '"')
    return flat_string (p, start, len);
  *start = p;
  if (g_str_has_prefix (p, "true") || g_str_has_prefix (p, "null"))
    q = p + 4;
  else if (g_str_has_prefix (p, "false"))
    q = p + 5;
  else
    {
      /* An integer as json-glib writes it back: no "-0", no leading zero, at most 18 digits. */
      if (*q == '-')
        q++;
      if (!g_ascii_isdigit (*q) || (*q == '0' && (g_ascii_isdigit (q[1]) || q != p)))
        return NULL;
      while (g_ascii_isdigit (*q))
        q++;
      if (q - p > 18 || *q == '.' || *q == 'e' || *q == 'E')
        return NULL;
    }
  *len = q - p;
  return q;
}

static gboolean
flat_json_members (TextSink   *self,
                   const char *text)
{
  FlatMember members[FLAT_MAX_MEMBERS];
  guint n = 0;
  const char *p = flat_space (text);

  if (*p++ != '{')
    return FALSE;
  p = flat_space (p);
  if (*p == '}')
    p++;
  else
    for (;;)
      {
        FlatMember *m;

        if (n == FLAT_MAX_MEMBERS)
          return FALSE;
        m = &members[n++];
        if (!(p = flat_string (p, &m->name, &m->name_len)))
          return FALSE;
        p = flat_space (p);
        if (*p++ != ':')
          return FALSE;
        if (!(p = flat_value (flat_space (p), &m->value, &m->value_len)))
          return FALSE;
        for (guint i = 0; i + 1 < n; i++)
          if (members[i].name_len == m->name_len && memcmp (members[i].name, m->name, m->name_len) == 0)
            return FALSE;
        p = flat_space (p);
        if (*p == '}')
          {
            p++;
            break;
          }
        if (*p++ != ',')
          return FALSE;
        p = flat_space (p);
      }
  if (*flat_space (p) != '\0')
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      GString *member = self->scratch;
      gsize value_at;

      /* "name\0value\0" in one buffer */
      g_string_truncate (member, 0);
      g_string_append_len (member, members[i].name, members[i].name_len);
      g_string_append_c (member, '\0');
      value_at = member->len;
      g_string_append_len (member, members[i].value, members[i].value_len);
      field (self, "    │ ", member->str, ": ", member->str + value_at);
      if (members[i].value_len > 0 && members[i].value[-1] == '"')
        jwt_hint (self, member->str + value_at);
    }
  return TRUE;
}

static void
json_block (TextSink   *self,
            const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;


  /* Whitespace parses, to no node at all. */
  if (!json_parser_load_from_data (parser, text, -1, NULL)
      || !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root))
    {
      field (self, "    │ ", "", "", text);
      return;
    }
  json_members (self, root);
}

static void
body_block (TextSink   *self,
            SimHeaders *headers,
            GBytes     *body,
            JsonNode   *node)
{
  g_autofree char *text = NULL;
  g_autofree char *title = NULL;
  SimBodyKind kind;
  gsize size;
  const char *data;

  if (!body)
    return;
  kind = sim_trace_body_kind (headers, body);
  data = g_bytes_get_data (body, &size);
  /* The sealed node a JSON body was written from: parsing the body would give it back (the
   * parser refuses what is not UTF-8, and then the text is shown as it is). */
  if (kind == SIM_BODY_JSON && node && JSON_NODE_HOLDS_OBJECT (node)
      && memchr (data, '\0', size) == NULL && g_utf8_validate (data, size, NULL))
    {
      json_members (self, node);
      return;
    }
  text = g_strndup (data, size);
  if (kind == SIM_BODY_JSON && strlen (text) == size && g_utf8_validate (text, size, NULL)
      && flat_json_members (self, text))
    return;
  switch (kind)
    {
    case SIM_BODY_NONE:
      break;
    case SIM_BODY_FORM:
      params_block (self, "    │ ", text);
      break;
    case SIM_BODY_JSON:
      json_block (self, text);
      break;
    case SIM_BODY_HTML:
      title = sim_trace_html_title (text);
      {
        g_autofree char *what = g_strdup_printf (_("(a web page: “%s”)"), title ? title : "?");
        field (self, "    │ ", "", "", what);
      }
      break;
    case SIM_BODY_TEXT:
    default:
      {
        g_auto(GStrv) lines = g_strsplit (text, "\n", 2);
        field (self, "    │ ", "", "", lines[0] ? lines[0] : "");
      }
      break;
    }
}

/* The lesson's central point made visible: which secrets each actor holds now, whether it was
 * provisioned with them, made them or saw them in a message. */
static void
knowledge_block (TextSink   *self,
                 JsonObject *knowledge)
{
  g_autoptr(GList) actors = json_object_get_members (knowledge);
  guint name_width = 0;

  for (GList *l = actors; l; l = l->next)
    name_width = MAX (name_width, sim_text_columns (l->data));
  paint (self, ESC "2m", _("  Who knows what (secrets held from the start, made, or seen in a message):"));
  g_string_append_c (self->parent.out, '\n');
  for (GList *l = actors; l; l = l->next)
    {
      JsonArray *kinds = json_object_get_array_member (knowledge, l->data);
      g_autoptr(GString) first = g_string_new ("    ");
      g_autoptr(GString) indent = g_string_new ("    ");
      g_autoptr(GString) list = g_string_new (NULL);
      g_autoptr(GString) wrapped = g_string_new (NULL);

      g_string_append (first, l->data);
      for (guint pad = sim_text_columns (l->data); pad < name_width + 2; pad++)
        g_string_append_c (first, ' ');
      for (guint pad = 0; pad < name_width + 2; pad++)
        g_string_append_c (indent, ' ');
      for (guint i = 0; i < json_array_get_length (kinds); i++)
        g_string_append_printf (list, "%s%s", i ? ", " : "", json_array_get_string_element (kinds, i));
      sim_text_wrap (wrapped, list->len ? list->str : "—", first->str, indent->str, self->options.width);
      paint (self, ESC "2m", wrapped->str);
    }
}

static char *
request_target (SimMessage *message)
{
  g_autofree char *origin = NULL;

  /* a native app's custom scheme has no host: com.example.app:/callback */
  if (sim_uri_get_host (message->uri) == NULL)
    return g_strdup_printf ("%s:%s", sim_uri_get_scheme (message->uri), sim_message_get_path (message));
  origin = sim_message_dup_origin (message);
  return g_strdup_printf ("%s%s", origin, sim_message_get_path (message));
}

static void
text_begin (SimSink            *sink,
            const SimTraceStep *step)
{
  TextSink *self = (TextSink *) sink;
  SimMessage *m = step->message;
  g_autofree char *label = NULL;
  g_autofree char *actors = NULL;
  g_autofree char *target = request_target (m);

  if (self->clock_text == NULL || self->clock_time != step->time)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (step->time);

      g_free (self->clock_text);
      self->clock_text = dt ? g_date_time_format (dt, "%H:%M:%S") : g_strdup ("?");
      self->clock_time = step->time;
    }
  label = g_strdup_printf ("%u · %s · %s", step->step, sim_phase_to_label (m->phase), self->clock_text);
  g_string_append_c (sink->out, '\n');
  rule (self, m->phase, involves_attacker (m), label);

  actors = g_strdup_printf ("%s → %s", m->from, m->to);
  paint (self, involves_attacker (m) ? ATTACKER_COLOR : ESC "1m", actors);
  if (step->parent)
    g_string_append_printf (sink->out, _("  (while answering step %u)"), step->parent);
  g_string_append_c (sink->out, '\n');

  field (self, "  ", m->method, " ", target);
  show_url_query (self, m->uri);
  headers_block (self, m->request_headers, sim_message_get_request_body (m) == NULL);
  body_block (self, m->request_headers, sim_message_get_request_body (m),
              (JsonNode *) sim_message_peek_request_model (m, &sim_body_json));
  self->last_begun = step->step;
}

static void
text_end (SimSink            *sink,
          const SimTraceStep *step)
{
  TextSink *self = (TextSink *) sink;
  SimMessage *m = step->message;
  g_autofree char *status = NULL;
  g_autofree char *narration = sim_trace_narration (m);

  if (self->last_begun != step->step)
    {
      g_autofree char *label = g_strdup_printf (_("answer to step %u"), step->step);
      g_string_append_c (sink->out, '\n');
      rule (self, m->phase, involves_attacker (m), label);
    }
  self->last_begun = 0;

  if (m->status == SOUP_STATUS_NONE)
    status = g_strdup (_("← no answer"));
  else
    status = g_strdup_printf ("← %u %s", m->status, soup_status_get_phrase (m->status));
  paint (self, m->status >= 400 || m->status == 0 ? ESC "1;31m" : ESC "32m", status);
  g_string_append_c (sink->out, '\n');
  headers_block (self, m->response_headers, FALSE);
  body_block (self, m->response_headers, sim_message_get_response_body (m),
              (JsonNode *) sim_message_peek_response_model (m, &sim_body_json));

  if (*narration)
    {
      /* Under load the same few narrations come again and again: wrap each once. */
      if (g_strcmp0 (narration, self->narration) != 0)
        {
          g_free (self->narration);
          self->narration = g_strdup (narration);
          g_string_truncate (self->narration_wrapped, 0);
          sim_text_wrap (self->narration_wrapped, narration, "  ", "  ", self->options.width);
        }
      paint (self, ESC "3m", self->narration_wrapped->str);
    }
  for (guint i = 0; i < m->notes->len; i++)
    {
      g_autoptr(GString) wrapped = g_string_new (NULL);
      g_autofree char *note = g_strdup_printf (_("✎ Note: %s"), (char *) m->notes->pdata[i]);
      sim_text_wrap (wrapped, note, "  ", "  ", self->options.width);
      paint (self, ESC "33m", wrapped->str);
    }
  if (self->options.show_knowledge && step->knowledge)
    knowledge_block (self, step->knowledge);
}

static void
text_remark (SimSink    *sink,
             SimRemark   kind,
             const char *text)
{
  TextSink *self = (TextSink *) sink;
  g_autoptr(GString) wrapped = g_string_new (NULL);

  switch (kind)
    {
    case SIM_REMARK_TITLE:
      sim_text_wrap (wrapped, text, "", "", self->options.width);
      paint (self, ESC "1m", wrapped->str);
      break;
    case SIM_REMARK_TEXT:
      g_string_append_c (sink->out, '\n');
      sim_text_wrap (wrapped, text, "", "", self->options.width);
      g_string_append (sink->out, wrapped->str);
      break;
    case SIM_REMARK_SECTION:
      g_string_append_c (sink->out, '\n');
      sim_text_wrap (wrapped, text, "▶ ", "  ", self->options.width);
      paint (self, ESC "1m", wrapped->str);
      break;
    case SIM_REMARK_CLOCK:
      g_string_append_c (sink->out, '\n');
      sim_text_wrap (wrapped, text, "⏱ ", "  ", self->options.width);
      paint (self, ESC "33m", wrapped->str);
      break;
    case SIM_REMARK_NOTE:
      sim_text_wrap (wrapped, text, "✎ ", "  ", self->options.width);
      paint (self, ESC "33m", wrapped->str);
      break;
    case SIM_REMARK_CHECK_OK:
      sim_text_wrap (wrapped, text, "  ✓ ", "    ", self->options.width);
      paint (self, ESC "32m", wrapped->str);
      break;
    case SIM_REMARK_CHECK_FAIL:
    default:
      sim_text_wrap (wrapped, text, "  ✗ ", "    ", self->options.width);
      paint (self, ESC "1;31m", wrapped->str);
      break;
    }
}

static void
text_destroy (SimSink *sink)
{
  TextSink *self = (TextSink *) sink;

  g_string_free (self->scratch, TRUE);
  g_string_free (self->narration_wrapped, TRUE);
  g_free (self->narration);
  g_free (self->clock_text);
  g_free (self);
}

static const SimSinkClass text_sink_class = {
  .begin = text_begin,
  .end = text_end,
  .remark = text_remark,
  .destroy = text_destroy,
};

/**
 * sim_sink_text_new:
 * Returns: (transfer full): a sink writing the human-readable trace.
 */
SimSink *
sim_sink_text_new (const SimTextOptions *options)
{
  TextSink *self = g_new0 (TextSink, 1);
  self->parent.klass = &text_sink_class;
  self->parent.out = g_string_new (NULL);
  self->options = *options;
  self->scratch = g_string_new (NULL);
  self->narration_wrapped = g_string_new (NULL);
  if (self->options.width < 40)
    self->options.width = 80;
  return &self->parent;
}
