/* tamper.c: "what if": a scenario step may change, drop, delay or duplicate a message on its
 * way, so a student can try a wrong secret or a late exchange without writing C. Each tamper
 * applies to the first matching exchange of its step, once, and says so in the trace. */
#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "sim/scenario/run-private.h"
#include "sim/textwrap.h"

/**
 * sim_message_copy_request:
 * Returns: (transfer full): a new message with the same request and no response.
 */
SimMessage *
sim_message_copy_request (SimMessage *message)
{
  SimMessage *copy = sim_message_new_from_uri (message->method, message->uri);
  SimHeadersIter iter;
  const char *name, *value;

  sim_headers_iter_init (&iter, message->request_headers);
  while (sim_headers_iter_next (&iter, &name, &value))
    sim_headers_append (copy->request_headers, name, value);
  sim_message_copy_request_body (copy, message);
  copy->phase = message->phase;
  return copy;
}

static void
edit_params (SimParams *params,
             SimTamper *t,
             GString   *what)
{
  for (guint i = 0; t->remove_params && i < t->remove_params->len; i++)
    {
      sim_params_remove (params, t->remove_params->pdata[i]);
      sim_text_append_item (what, _("%s removed"), (char *) t->remove_params->pdata[i]);
    }
  for (guint i = 0; t->set_params && i < sim_params_size (t->set_params); i++)
    {
      sim_params_set (params, sim_params_name_at (t->set_params, i), sim_params_value_at (t->set_params, i));
      sim_text_append_item (what, _("%s set to “%s”"), sim_params_name_at (t->set_params, i),
                              sim_params_value_at (t->set_params, i));
    }
}

/* A JSON body (a registration request) is edited member by member, so that the rest of it
 * survives: a value replaces a string member, and becomes the only element of an array member
 * ("grant_types": "password" sends ["password"]). */
static gboolean
tamper_json (SimMessage *message,
             SimTamper  *t,
             GString    *what)
{
  g_autoptr(JsonParser) parser = json_parser_new (); /* mutable nodes, unlike the message's */
  g_autofree char *text = NULL;
  JsonNode *root;
  JsonObject *object;

  if (!sim_message_is_json (message->request_headers))
    return FALSE;
  text = sim_message_dup_request_text (message);
  if (!json_parser_load_from_data (parser, text, -1, NULL)
      || !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  object = json_node_get_object (root);
  for (guint i = 0; t->remove_params && i < t->remove_params->len; i++)
    {
      if (json_object_has_member (object, t->remove_params->pdata[i]))
        json_object_remove_member (object, t->remove_params->pdata[i]);
      sim_text_append_item (what, _("%s removed"), (char *) t->remove_params->pdata[i]);
    }
  for (guint i = 0; t->set_params && i < sim_params_size (t->set_params); i++)
    {
      const char *name = sim_params_name_at (t->set_params, i);
      const char *value = sim_params_value_at (t->set_params, i);
      JsonNode *old = json_object_has_member (object, name) ? json_object_get_member (object, name) : NULL;

      if (old && JSON_NODE_HOLDS_ARRAY (old))
        {
          JsonArray *array = json_array_new ();
          json_array_add_string_element (array, value);
          json_object_set_array_member (object, name, array);
          sim_text_append_item (what, _("%s set to [“%s”]"), name, value);
        }
      else
        {
          json_object_set_string_member (object, name, value);
          sim_text_append_item (what, _("%s set to “%s”"), name, value);
        }
    }
  sim_message_set_request_json (message, root);
  return TRUE;
}

static void
tamper_params (SimMessage *message,
               SimTamper  *t,
               GString    *what)
{
  g_autoptr(SimParams) params = NULL;
  g_autofree char *encoded = NULL;

  if (!t->set_params && !t->remove_params)
    return;
  if (tamper_json (message, t, what))
    return;
  if (strcmp (message->method, "GET") == 0)
    {
      g_autoptr(GUri) built = NULL;
      g_autoptr(SimUri) uri = NULL;

      params = sim_message_get_query (message, NULL);
      if (!params)
        params = sim_params_new ();
      edit_params (params, t, what);
      encoded = sim_params_encode (params);
      built = g_uri_build (G_URI_FLAGS_ENCODED, sim_uri_get_scheme (message->uri), NULL,
                           sim_uri_get_host (message->uri), sim_uri_get_port (message->uri),
                           sim_uri_get_path (message->uri), *encoded ? encoded : NULL, NULL);
      uri = sim_uri_new_from_guri (built);
      sim_message_set_uri (message, uri);
      return;
    }
  {
    g_autoptr(SimParams) sent = sim_message_get_form (message, NULL);
    params = sent ? sim_params_copy (sent) : sim_params_new ();
  }
  edit_params (params, t, what);
  encoded = sim_params_encode (params);
  sim_message_set_request_form_encoded (message, encoded);
}

static void
tamper_headers (SimHeaders *headers,
                SimTamper  *t,
                GString    *what)
{
  for (guint i = 0; t->remove_headers && i < t->remove_headers->len; i++)
    {
      sim_headers_remove (headers, t->remove_headers->pdata[i]);
      sim_text_append_item (what, _("header %s removed"), (char *) t->remove_headers->pdata[i]);
    }
  for (guint i = 0; t->set_headers && i < sim_params_size (t->set_headers); i++)
    {
      sim_headers_replace (headers, sim_params_name_at (t->set_headers, i),
                           sim_params_value_at (t->set_headers, i));
      sim_text_append_item (what, _("header %s set to “%s”"), sim_params_name_at (t->set_headers, i),
                              sim_params_value_at (t->set_headers, i));
    }
}

static void
note_tampering (SimMessage *message,
                GString    *what)
{
  if (what->len == 0)
    return;
  sim_message_narrate (message, _("What if: this message was altered on its way: %s."), what->str);
}

static void
duplicate (SimRun     *self,
           SimBus     *bus,
           SimMessage *message)
{
  g_autoptr(SimMessage) copy = sim_message_copy_request (message);
  sim_message_narrate (copy, _("What if: the same request arrives a second time, unchanged."));
  sim_bus_deliver (bus, message->from, copy);
}

static gboolean
apply_tampers (SimRun         *self,
               SimBus         *bus,
               SimMessage     *message,
               SimTamperStage  stage)
{
  SimStep *step;
  gboolean deliver = TRUE;

  if (self->current_step >= self->scenario->steps->len)
    return TRUE;
  step = self->scenario->steps->pdata[self->current_step];
  for (guint i = 0; i < step->tampers->len; i++)
    {
      SimTamper *t = step->tampers->pdata[i];
      g_autoptr(GString) what = g_string_new (NULL);

      if (t->done || !sim_exchange_matches (message, t->exchange))
        continue;
      if (stage == SIM_TAMPER_RESPONSE)
        {
          /* A request tamper that duplicates acts once its first copy has been answered. */
          if (t->stage == SIM_TAMPER_RESPONSE)
            {
              tamper_headers (message->response_headers, t, what);
              note_tampering (message, what);
            }
          if (t->stage == SIM_TAMPER_RESPONSE || t->duplicate)
            {
              t->done = TRUE;
              if (t->duplicate)
                duplicate (self, bus, message);
            }
          continue;
        }
      if (t->stage != SIM_TAMPER_REQUEST)
        continue;
      if (!t->duplicate)
        t->done = TRUE;
      if (t->delay > 0)
        {
          g_autofree char *now = NULL;
          sim_clock_advance (self->world->clock, t->delay);
          now = sim_clock_format_iso (self->world->clock);
          sim_text_append_item (what, _("it was held back %" PRId64 " s and arrives at %s"), (gint64) t->delay, now);
        }
      tamper_params (message, t, what);
      tamper_headers (message->request_headers, t, what);
      note_tampering (message, what);
      if (t->drop)
        deliver = FALSE;
    }
  return deliver;
}

/* The bus's interceptor while a scenario plays: the step's tampering, then, once an answer is
 * final, its sender reads it (a browser decides whether a frame may show the page), so that
 * what it decides is told in the same step. */
gboolean
sim_run_intercept (gpointer        data,
                   SimBus         *bus,
                   SimMessage     *message,
                   SimTamperStage  stage)
{
  SimRun *self = data;
  gboolean deliver = apply_tampers (self, bus, message, stage);

  if (stage == SIM_TAMPER_RESPONSE && g_strcmp0 (message->from, "resource-owner") == 0)
    resource_owner_read_answer (self->owner, message);
  else if (stage == SIM_TAMPER_RESPONSE && self->attacker && g_strcmp0 (message->from, "attacker") == 0)
    attacker_read_answer (self->attacker, message);
  return deliver;
}
