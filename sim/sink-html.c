/* sink-html.c: the trace as one self-contained web page, a player for the classroom
 * (docs/trace-format.md).
 *
 * The page is sim/player/player.html with its CSS and JavaScript inlined, compiled in as a
 * GResource, and the trace embedded as JSON: the steps exactly as the JSON Lines trace writes
 * them (an inner JSON Lines sink makes them, so the two never drift apart, and a member the
 * JSON Lines trace gains, such as `knowledge`, reaches the page unchanged), the order in which
 * steps began and ended, the scenario's remarks, and the page's words, translated here. Nothing
 * is loaded from anywhere: the page works from a file, offline, on a projector.
 */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "sim/tracer.h"
#include "sim/trace-view.h"
#include "player-resources.h"

#define PLAYER_PATH "/org/oauth-sim/player/"

typedef struct
{
  guint after;       /* how many begin and end events came before it */
  SimRemark kind;
  char *text;
} Remark;

typedef struct
{
  SimSink parent;
  SimSink *steps;      /* the JSON Lines sink: one line per step, in step order */
  char *title;
  char *description;
  GArray *events;      /* (element-type gint): step N began as N, ended as -N */
  GArray *remarks;     /* (element-type Remark) */
} HtmlSink;

static void
html_begin (SimSink            *sink,
            const SimTraceStep *step)
{
  HtmlSink *self = (HtmlSink *) sink;
  gint event = (gint) step->step;

  if (self->steps->klass->begin)
    self->steps->klass->begin (self->steps, step);
  g_array_append_val (self->events, event);
}

static void
html_end (SimSink            *sink,
          const SimTraceStep *step)
{
  HtmlSink *self = (HtmlSink *) sink;
  gint event = -(gint) step->step;

  self->steps->klass->end (self->steps, step);
  g_array_append_val (self->events, event);
}

static const char *
remark_kind (SimRemark kind)
{
  switch (kind)
    {
    case SIM_REMARK_SECTION: return "section";
    case SIM_REMARK_CLOCK: return "clock";
    case SIM_REMARK_NOTE: return "note";
    case SIM_REMARK_CHECK_OK: return "check-ok";
    case SIM_REMARK_CHECK_FAIL: return "check-fail";
    case SIM_REMARK_TITLE:
    case SIM_REMARK_TEXT:
    default: return "text";
    }
}

static void
html_remark (SimSink    *sink,
             SimRemark   kind,
             const char *text)
{
  HtmlSink *self = (HtmlSink *) sink;
  Remark remark = { self->events->len, kind, NULL };

  if (kind == SIM_REMARK_TITLE)
    {
      g_free (self->title);
      self->title = g_strdup (text);
      return;
    }
  if (kind == SIM_REMARK_TEXT && self->events->len == 0 && !self->description)
    {
      self->description = g_strdup (text);
      return;
    }
  remark.text = g_strdup (text);
  g_array_append_val (self->remarks, remark);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/* The page's words. Placeholders in braces are filled in by the page. */
static void
add_strings (JsonBuilder *b)
{
  json_builder_set_member_name (b, "strings");
  json_builder_begin_object (b);
  add_string (b, "back", _("Back"));
  add_string (b, "next", _("Next"));
  add_string (b, "play", _("Play"));
  add_string (b, "pause", _("Pause"));
  add_string (b, "projector", _("Projector"));
  /* TRANSLATORS: the player's position; keep {step} and {total} */
  add_string (b, "step_of", _("Step {step} of {total}"));
  /* TRANSLATORS: keep {step} */
  add_string (b, "while_answering", _("while answering step {step}"));
  /* TRANSLATORS: a step whose answer comes later, after the steps it causes; keep {step} */
  add_string (b, "answer_later", _("answered after step {step}"));
  add_string (b, "request", _("Request"));
  add_string (b, "response", _("Response"));
  add_string (b, "headers", _("Headers"));
  add_string (b, "body", _("Body"));
  add_string (b, "no_headers", _("no headers"));
  add_string (b, "no_body", _("no body"));
  add_string (b, "no_answer", _("no answer"));
  add_string (b, "note", _("Teacher’s note"));
  add_string (b, "knowledge", _("Who knows what"));
  add_string (b, "knowledge_legend", _("The secrets each actor holds: given at the start, made itself, or seen in a message."));
  /* TRANSLATORS: heads the who-knows-what panel; keep {step} */
  add_string (b, "knowledge_after", _("after the answer to step {step}"));
  add_string (b, "not_available", _("not available"));
  add_string (b, "knows_nothing", _("no secrets"));
  add_string (b, "no_steps", _("This scenario exchanged no messages."));
  add_string (b, "keys", _("Keys: → next, ← back, Space play or pause, Home and End, P projector"));
  json_builder_end_object (b);
}

static void
add_actors (JsonBuilder *b)
{
  json_builder_set_member_name (b, "actors");
  json_builder_begin_array (b);
  for (guint i = 0; sim_trace_actor_names[i]; i++)
    {
      json_builder_begin_object (b);
      add_string (b, "name", sim_trace_actor_names[i]);
      add_string (b, "label", sim_trace_actor_label (sim_trace_actor_names[i]));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "phases");
  json_builder_begin_object (b);
  for (SimPhase phase = SIM_PHASE_NONE; phase <= SIM_PHASE_LAST; phase++)
    add_string (b, sim_phase_to_string (phase), sim_phase_to_label (phase));
  json_builder_end_object (b);
}

/* Parses the JSON Lines sink's output back into nodes: the page gets the same objects. Collects
 * the statuses seen into @statuses. */
static void
add_steps (JsonBuilder *b,
           const char  *lines,
           GArray      *statuses)
{
  g_auto(GStrv) split = g_strsplit (lines, "\n", -1);

  json_builder_set_member_name (b, "steps");
  json_builder_begin_array (b);
  for (guint i = 0; split[i]; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();

      if (*split[i] == '\0')
        continue;
      if (!json_parser_load_from_data (parser, split[i], -1, NULL))
        g_assert_not_reached ();  /* the JSON Lines sink writes what json-glib generated */
      {
        JsonObject *step = json_node_get_object (json_parser_get_root (parser));
        guint status = json_object_get_int_member_with_default (step, "status", 0);
        g_array_append_val (statuses, status);
      }
      json_builder_add_value (b, json_parser_steal_root (parser));
    }
  json_builder_end_array (b);
}

static int
compare_uint (gconstpointer a,
              gconstpointer b)
{
  guint x = *(const guint *) a;
  guint y = *(const guint *) b;
  return x < y ? -1 : x > y;
}

/* The reason phrases of the statuses the steps have, as libsoup names them. */
static void
add_status_phrases (JsonBuilder *b,
                    GArray      *statuses)
{
  g_array_sort (statuses, compare_uint);
  json_builder_set_member_name (b, "status_phrases");
  json_builder_begin_object (b);
  for (guint i = 0; i < statuses->len; i++)
    {
      guint status = g_array_index (statuses, guint, i);
      g_autofree char *name = g_strdup_printf ("%u", status);

      if (status == 0 || (i > 0 && g_array_index (statuses, guint, i - 1) == status))
        continue;
      add_string (b, name, soup_status_get_phrase (status));
    }
  json_builder_end_object (b);
}

/* Returns: (transfer full): the page's data as JSON that can sit inside <script>: "<" never
 * appears, so neither "</script>" nor "<!--" can end or confuse the element. */
static char *
page_data (HtmlSink *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GArray) statuses = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *json = NULL;
  GString *safe;

  json_builder_begin_object (b);
  add_string (b, "title", self->title);
  add_string (b, "description", self->description);
  add_actors (b);
  add_strings (b);

  json_builder_set_member_name (b, "events");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->events->len; i++)
    json_builder_add_int_value (b, g_array_index (self->events, gint, i));
  json_builder_end_array (b);

  json_builder_set_member_name (b, "remarks");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->remarks->len; i++)
    {
      Remark *remark = &g_array_index (self->remarks, Remark, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "after");
      json_builder_add_int_value (b, remark->after);
      add_string (b, "kind", remark_kind (remark->kind));
      add_string (b, "text", remark->text);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  add_steps (b, self->steps->out->str, statuses);
  add_status_phrases (b, statuses);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json = json_to_string (root, FALSE);
  safe = g_string_new (json);
  g_string_replace (safe, "<", "\\u003c", 0);
  g_string_replace (safe, ">", "\\u003e", 0);
  g_string_replace (safe, "&", "\\u0026", 0);
  return g_string_free (safe, FALSE);
}

static char *
load_part (const char *name)
{
  g_autofree char *path = g_strconcat (PLAYER_PATH, name, NULL);
  g_autoptr(GBytes) bytes = g_resource_lookup_data (oauth_sim_player_get_resource (), path,
                                                    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  g_assert (bytes != NULL);  /* compiled in */
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* Copies @template into @out with each @NAME@ replaced by its value; one pass, so a value that
 * happens to contain a placeholder's text stays as it is. */
static void
expand (GString           *out,
        const char        *template,
        const char *const *names,
        const char *const *values)
{
  const char *p = template;

  while (*p)
    {
      const char *at = strchr (p, '@');
      const char *close;
      gboolean done = FALSE;

      if (at == NULL)
        {
          g_string_append (out, p);
          return;
        }
      g_string_append_len (out, p, at - p);
      close = strchr (at + 1, '@');
      for (guint i = 0; close && names[i] && !done; i++)
        if ((gsize) (close - at - 1) == strlen (names[i]) && strncmp (at + 1, names[i], close - at - 1) == 0)
          {
            g_string_append (out, values[i]);
            p = close + 1;
            done = TRUE;
          }
      if (!done)
        {
          g_string_append_c (out, '@');
          p = at + 1;
        }
    }
}

static void
html_finish (SimSink *sink)
{
  HtmlSink *self = (HtmlSink *) sink;
  g_autofree char *html = load_part ("player.html");
  g_autofree char *css = load_part ("player.css");
  g_autofree char *js = load_part ("player.js");
  g_autofree char *data = page_data (self);
  g_autofree char *title = g_markup_escape_text (self->title ? self->title : "oauth-sim", -1);
  const char *const names[] = { "TITLE", "CSS", "JS", "DATA", NULL };
  const char *const values[] = { title, css, js, data, NULL };

  expand (sink->out, html, names, values);
}

static void
remark_clear (gpointer data)
{
  g_free (((Remark *) data)->text);
}

static void
html_destroy (SimSink *sink)
{
  HtmlSink *self = (HtmlSink *) sink;

  sim_sink_free (self->steps);
  g_array_unref (self->events);
  g_array_unref (self->remarks);
  g_free (self->title);
  g_free (self->description);
  g_free (self);
}

static const SimSinkClass html_sink_class = {
  .begin = html_begin,
  .end = html_end,
  .remark = html_remark,
  .finish = html_finish,
  .destroy = html_destroy,
};

/**
 * sim_sink_html_new:
 * Returns: (transfer full): a sink writing the whole trace as one self-contained HTML page
 * when the trace finishes.
 */
SimSink *
sim_sink_html_new (void)
{
  HtmlSink *self = g_new0 (HtmlSink, 1);

  self->parent.klass = &html_sink_class;
  self->parent.out = g_string_new (NULL);
  self->steps = sim_sink_jsonl_new ();
  self->events = g_array_new (FALSE, FALSE, sizeof (gint));
  self->remarks = g_array_new (FALSE, FALSE, sizeof (Remark));
  g_array_set_clear_func (self->remarks, remark_clear);
  return &self->parent;
}
