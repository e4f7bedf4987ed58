/* expect.c: checking what a step must have produced: status, OAuth error, response fields,
 * headers, narration, and what the client holds afterwards. */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "sim/scenario/run-private.h"
#include "sim/textwrap.h"
#include "sim/trace-view.h"

/* "POST /token" matches a POST whose path is /token. */
gboolean
sim_exchange_matches (SimMessage *message,
                      const char *exchange)
{
  const char *space = strchr (exchange, ' ');

  if (space == NULL)
    return FALSE;
  return strncmp (message->method, exchange, space - exchange) == 0
         && message->method[space - exchange] == '\0'
         && strcmp (sim_message_get_path (message), space + 1) == 0;
}

/**
 * sim_run_find_record:
 * @exchange: (nullable): "METHOD /path"; %NULL for the step's last top-level exchange
 *
 * Returns: (transfer none) (nullable): the last matching exchange of scenario step @step_index.
 */
SimRecord *
sim_run_find_record (SimRun     *self,
                     guint       step_index,
                     const char *exchange)
{
  for (guint i = self->records->len; i > 0; i--)
    {
      SimRecord *record = self->records->pdata[i - 1];
      if (record->scenario_step != step_index)
        continue;
      if (exchange ? sim_exchange_matches (record->message, exchange) : record->depth == 0)
        return record;
    }
  return NULL;
}

static SimParams *
location_params (SimMessage *message)
{
  const char *location = sim_headers_get_one (message->response_headers, "Location");
  g_autoptr(GUri) uri = NULL;

  if (location == NULL)
    return NULL;
  uri = g_uri_parse (location, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL);
  return uri ? sim_params_parse (g_uri_get_query (uri), NULL) : NULL;
}

static JsonObject *
body_object (SimMessage *message)
{
  g_autoptr(JsonNode) root = NULL;

  if (!sim_message_is_json (message->response_headers))
    return NULL;
  root = sim_message_get_response_json (message, NULL);
  return root && JSON_NODE_HOLDS_OBJECT (root) ? json_object_ref (json_node_get_object (root)) : NULL;
}

/**
 * sim_message_find_error:
 *
 * The OAuth error a response carries, wherever the RFCs put it: the JSON body (RFC 6749 §5.2),
 * the redirect's query (§4.1.2.1) or the WWW-Authenticate challenge (RFC 6750 §3).
 *
 * Returns: (transfer full) (nullable): the error code.
 */
char *
sim_message_find_error (SimMessage *message)
{
  g_autoptr(JsonObject) body = body_object (message);
  g_autoptr(SimParams) params = NULL;
  const char *challenge;

  if (body && json_object_has_member (body, "error"))
    return g_strdup (json_object_get_string_member_with_default (body, "error", ""));
  params = location_params (message);
  if (params && sim_params_get (params, "error"))
    return g_strdup (sim_params_get (params, "error"));
  challenge = sim_headers_get_one (message->response_headers, "WWW-Authenticate");
  if (challenge)
    {
      const char *start = strstr (challenge, "error=\"");
      const char *end;
      if (start && (end = strchr (start + 7, '"')))
        return g_strndup (start + 7, end - start - 7);
    }
  return NULL;
}

static gboolean
has_field (SimMessage *message,
           const char *name)
{
  g_autoptr(JsonObject) body = body_object (message);
  g_autoptr(SimParams) params = NULL;

  if (body && json_object_has_member (body, name))
    return TRUE;
  params = location_params (message);
  return params && sim_params_get (params, name) != NULL;
}

/* What the client holds is its own state; what the attacker holds is what it has come to
 * know, from the messages it sent, received or read (sim/knowledge.c). */
static gboolean
held (SimRun  *self,
      SimHeld *h)
{
  if (strcmp (h->actor, "attacker") == 0)
    return sim_knowledge_holds (self->knowledge, "attacker", h->what);
  if (self->device)
    return device_client_get_held (self->device, h->what) != NULL;
  return client_app_get_held (self->client, h->what) != NULL;
}

static void
check_message (SimExpect  *e,
               SimMessage *m,
               GPtrArray  *problems)
{
  if (e->status >= 0 && (guint) e->status != m->status)
    g_ptr_array_add (problems, g_strdup_printf (_("expected status %d, saw %u"), e->status, m->status));
  if (e->error)
    {
      g_autofree char *error = sim_message_find_error (m);
      if (*e->error == '\0' && error)
        g_ptr_array_add (problems, g_strdup_printf (_("expected no error, saw %s"), error));
      else if (*e->error && g_strcmp0 (error, e->error) != 0)
        g_ptr_array_add (problems, g_strdup_printf (_("expected error %s, saw %s"), e->error,
                                                    error ? error : _("no error")));
    }
  for (guint i = 0; e->present && i < e->present->len; i++)
    if (!has_field (m, e->present->pdata[i]))
      g_ptr_array_add (problems, g_strdup_printf (_("expected '%s' in the response, it is not there"),
                                                  (char *) e->present->pdata[i]));
  for (guint i = 0; e->absent && i < e->absent->len; i++)
    if (has_field (m, e->absent->pdata[i]))
      g_ptr_array_add (problems, g_strdup_printf (_("expected no '%s' in the response, it is there"),
                                                  (char *) e->absent->pdata[i]));
  for (guint i = 0; e->header_names && i < e->header_names->len; i++)
    {
      const char *name = e->header_names->pdata[i];
      const char *want = e->header_values->pdata[i];
      const char *seen = sim_headers_get_list (m->response_headers, name);
      if (want == NULL && seen)
        g_ptr_array_add (problems, g_strdup_printf (_("expected no %s header, saw “%s”"), name, seen));
      else if (want && g_strcmp0 (seen, want) != 0)
        g_ptr_array_add (problems, g_strdup_printf (_("expected header %s: “%s”, saw %s%s%s"), name, want,
                                                    seen ? "“" : "", seen ? seen : _("none"), seen ? "”" : ""));
    }
  for (guint i = 0; e->says && i < e->says->len; i++)
    {
      g_autofree char *narration = sim_trace_narration (m);
      if (!strstr (narration, e->says->pdata[i]))
        g_ptr_array_add (problems, g_strdup_printf (_("expected the narration to say “%s”"),
                                                    (char *) e->says->pdata[i]));
    }
}

static gboolean
checks_message (SimExpect *e)
{
  return e->status >= 0 || e->error || e->present || e->absent || e->header_names || e->says;
}

/* The last trace step of scenario step @step_index, or 0 when it had none. */
static guint
last_trace_step (SimRun *self,
                 guint   step_index)
{
  guint last = 0;

  for (guint i = 0; i < self->records->len; i++)
    {
      SimRecord *record = self->records->pdata[i];
      if (record->scenario_step == step_index)
        last = MAX (last, record->trace_step);
    }
  return last;
}

/* "step 3 (resource-owner consent) at trace step 6 (code exchange, POST /token)": the scenario's
 * step as the file counts them, and the step of the trace the reader sees (── 6 · code exchange). */
static char *
describe_where (SimStep   *step,
                guint      step_index,
                SimRecord *record,
                guint      after)
{
  if (record)
    {
      g_autofree char *exchange = g_strdup_printf ("%s %s", record->message->method,
                                                   sim_message_get_path (record->message));
      /* TRANSLATORS: a failed expectation's place: the scenario's step number, its actor and
       * action, then the trace's step number, its phase and its exchange ("POST /token") */
      return g_strdup_printf (_("step %u (%s %s) at trace step %u (%s, %s)"), step_index + 1,
                              step->actor, step->action, record->trace_step,
                              sim_phase_to_label (record->message->phase), exchange);
    }
  if (after)
    /* TRANSLATORS: a failed expectation about what is held after a step: the scenario's step
     * number, its actor and action, and the last trace step it played */
    return g_strdup_printf (_("step %u (%s %s) after trace step %u"), step_index + 1, step->actor,
                            step->action, after);
  /* TRANSLATORS: a failed expectation of a step that played no exchange */
  return g_strdup_printf (_("step %u (%s %s)"), step_index + 1, step->actor, step->action);
}

/**
 * sim_run_check_expect:
 *
 * Checks @e after scenario step @step_index. A failure is added to the run's failures as
 * "FILE:LINE:COL: step N (actor action) at trace step M (phase, METHOD /path): what was
 * expected, what was seen", and handed to the tracer as a #SimCheckFailure.
 *
 * Returns: whether the expectation held.
 */
gboolean
sim_run_check_expect (SimRun    *self,
                      guint      step_index,
                      SimExpect *e)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  SimStep *step = self->scenario->steps->pdata[step_index];
  SimRecord *record = NULL;
  g_autofree char *where = NULL;
  g_autofree char *exchange = NULL;
  g_autofree char *message = NULL;
  g_autoptr(GString) list = g_string_new (NULL);
  SimCheckFailure failure = { 0 };

  if (checks_message (e))
    {
      record = sim_run_find_record (self, step_index, e->exchange);
      if (record == NULL)
        g_ptr_array_add (problems, e->exchange
                                   ? g_strdup_printf (_("expected a “%s” exchange in this step, there was none"), e->exchange)
                                   : g_strdup (_("expected an exchange in this step, there was none")));
      else
        check_message (e, record->message, problems);
    }
  for (guint i = 0; e->holds && i < e->holds->len; i++)
    {
      SimHeld *h = e->holds->pdata[i];
      if (!held (self, h))
        g_ptr_array_add (problems, g_strdup_printf (_("expected the %s to hold %s, it does not"), h->actor, h->what));
    }
  for (guint i = 0; e->lacks && i < e->lacks->len; i++)
    {
      SimHeld *h = e->lacks->pdata[i];
      if (held (self, h))
        g_ptr_array_add (problems, g_strdup_printf (_("expected the %s not to hold %s, it does"), h->actor, h->what));
    }
  if (problems->len == 0)
    return TRUE;

  for (guint i = 0; i < problems->len; i++)
    sim_text_append_item (list, "%s", (char *) problems->pdata[i]);
  failure.trace_step = record ? record->trace_step : last_trace_step (self, step_index);
  where = describe_where (step, step_index, record, failure.trace_step);
  message = g_strdup_printf ("%s:%u:%u: %s: %s", self->scenario->file, e->pos.line, e->pos.column,
                             where, list->str);
  if (record)
    exchange = g_strdup_printf ("%s %s", record->message->method, sim_message_get_path (record->message));

  failure.message = message;
  failure.file = self->scenario->file;
  failure.line = e->pos.line;
  failure.column = e->pos.column;
  failure.scenario_step = step_index + 1;
  failure.actor = step->actor;
  failure.action = step->action;
  failure.exchange = exchange;
  failure.problems = problems;
  if (self->tracer)
    sim_tracer_check_failed (self->tracer, &failure);
  g_ptr_array_add (self->failures, g_steal_pointer (&message));
  return FALSE;
}
