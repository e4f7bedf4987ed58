/* run.c: builds the world a scenario describes and plays its steps. */
#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "sim/scenario/run-private.h"
#include "actors/secrets.h"

#define API_ORIGIN "https://api.example"

static const char *const actor_names[] = { "resource-owner", "client", "auth-server", "api", NULL };

static void
record_free (gpointer data)
{
  SimRecord *record = data;
  sim_message_unref (record->message);
  g_free (record);
}

static void
on_begin (gpointer           data,
          const SimExchange *exchange)
{
  SimRun *self = data;
  SimRecord *record = g_new0 (SimRecord, 1);

  record->scenario_step = self->current_step;
  record->trace_step = exchange->step;
  record->depth = exchange->depth;
  record->message = sim_message_ref (exchange->message);
  g_ptr_array_add (self->records, record);

  /* A teacher's note belongs to the first message of its step. */
  if (self->pending_note)
    {
      sim_message_add_note (exchange->message, self->pending_note);
      self->pending_note = NULL;
    }
}

static const SimBusObserver run_observer = { on_begin, NULL };

static void
add_default_events (SimRun *self)
{
  const char *owner = self->scenario->owner.username;

  calendar_api_add_event (self->api, owner, "Team meeting", "2026-03-02T10:00:00Z");
  calendar_api_add_event (self->api, owner, "Dentist", "2026-03-03T15:30:00Z");
}

/**
 * sim_run_new:
 * @scenario: (not owned): must outlive the run
 * @seed_set: whether @seed replaces the scenario's seed
 *
 * Returns: (transfer full): the world the scenario describes, before its first step.
 */
SimRun *
sim_run_new (SimScenario *scenario,
             gboolean     seed_set,
             guint64      seed)
{
  SimRun *self = g_new0 (SimRun, 1);
  SimClock *clock = sim_clock_new_simulated (scenario->start);
  SimRng *rng = sim_rng_new_seeded (seed_set ? seed : scenario->seed);
  g_autofree char *api_secret = NULL;
  g_autofree char *introspect = NULL;
  ClientConfig client = scenario->client;

  self->scenario = scenario;
  self->world = sim_world_new (clock, rng);
  self->records = g_ptr_array_new_with_free_func (record_free);
  self->failures = g_ptr_array_new_with_free_func (g_free);

  self->server = auth_server_new (self->world, &scenario->server);
  auth_server_add_user (self->server, scenario->owner.username, scenario->owner.password);
  for (guint i = 0; i < scenario->scopes->len; i++)
    {
      SimScope *scope = scenario->scopes->pdata[i];
      auth_server_add_scope (self->server, scope->name, scope->description);
    }
  api_secret = sim_rng_token (rng, "rs_", 18);
  auth_server_add_resource (self->server, "calendar-api", api_secret);

  introspect = g_strconcat (scenario->server.issuer, "/introspect", NULL);
  self->api = calendar_api_new (self->world, API_ORIGIN, introspect, "calendar-api", api_secret);
  if (scenario->events->len == 0)
    add_default_events (self);
  for (guint i = 0; i < scenario->events->len; i++)
    {
      SimEvent *event = scenario->events->pdata[i];
      calendar_api_add_event (self->api, event->owner, event->title, event->start);
    }

  client.server = scenario->server.issuer;
  client.api = (char *) API_ORIGIN;
  self->client = client_app_new (self->world, &client);
  self->owner = resource_owner_new (self->world, &scenario->owner);

  sim_bus_add_actor (self->world->bus, "auth-server", scenario->server.issuer, auth_server_handle, self->server);
  sim_bus_add_actor (self->world->bus, "api", API_ORIGIN, calendar_api_handle, self->api);
  sim_bus_add_actor (self->world->bus, "client", scenario->client.origin, client_app_handle, self->client);
  sim_bus_add_observer (self->world->bus, &run_observer, self);
  /* Who knows what starts with the one secret nobody gave anyone: the owner's password. */
  self->knowledge = sim_knowledge_new (self->world->bus, actor_names, &oauth_secret_classifier);
  sim_knowledge_learn (self->knowledge, "resource-owner", "password", scenario->owner.password);
  sim_knowledge_learn (self->knowledge, "api", "api_secret", api_secret);
  sim_bus_set_interceptor (self->world->bus, sim_run_intercept, self);
  return self;
}

void
sim_run_free (SimRun *self)
{
  if (!self)
    return;
  sim_bus_remove_observer (self->world->bus, self);
  sim_knowledge_free (self->knowledge);
  g_ptr_array_unref (self->records);
  client_app_free (self->client);
  resource_owner_free (self->owner);
  calendar_api_free (self->api);
  auth_server_free (self->server);
  sim_world_free (self->world);
  g_ptr_array_unref (self->failures);
  g_free (self);
}

SimWorld *sim_run_get_world (SimRun *self) { return self->world; }
AuthServer *sim_run_get_server (SimRun *self) { return self->server; }
ClientApp *sim_run_get_client (SimRun *self) { return self->client; }
ResourceOwner *sim_run_get_owner (SimRun *self) { return self->owner; }
CalendarApi *sim_run_get_api (SimRun *self) { return self->api; }
SimKnowledge *sim_run_get_knowledge (SimRun *self) { return self->knowledge; }
GPtrArray *sim_run_get_failures (SimRun *self) { return self->failures; }
GPtrArray *sim_run_get_records (SimRun *self) { return self->records; }
guint sim_run_count_checks (SimRun *self) { return self->checks; }

/* The tracer only shows; the run works the same without one. */
void
sim_run_set_tracer (SimRun    *self,
                    SimTracer *tracer)
{
  self->tracer = tracer;
  if (tracer)
    sim_tracer_set_knowledge (tracer, self->knowledge);
}

static const char *
default_title (SimStep *step)
{
  switch (step->kind)
    {
    case SIM_ACTION_REGISTER: return _("The client registers with the authorization server.");
    case SIM_ACTION_DISCOVER: return _("The client reads the authorization server's metadata.");
    case SIM_ACTION_CALL_API: return _("The client calls the calendar API.");
    case SIM_ACTION_REFRESH: return _("The client uses its refresh token.");
    case SIM_ACTION_REVOKE: return _("The client revokes a token.");
    case SIM_ACTION_CONNECT: return _("The owner clicks “Connect your calendar” in the client app.");
    case SIM_ACTION_CONSENT: return _("The owner signs in at the authorization server and answers the consent page.");
    case SIM_ACTION_VISIT: return _("The owner's browser opens a link.");
    case SIM_ACTION_ADVANCE: return _("Time passes.");
    case SIM_ACTION_REPLAY: return _("The network delivers an old request again.");
    default: return "";
    }
}

static void
remark (SimRun     *self,
        SimRemark   kind,
        const char *text)
{
  if (self->tracer)
    sim_tracer_remark (self->tracer, kind, "%s", text);
}

static void
replay (SimRun  *self,
        SimStep *step)
{
  SimRecord *found = NULL;
  g_autoptr(SimMessage) copy = NULL;
  g_autofree char *sender = NULL;

  for (guint i = self->records->len; i > 0 && !found; i--)
    {
      SimRecord *record = self->records->pdata[i - 1];
      if (record->scenario_step == self->current_step)
        continue;
      if (step->from_step && record->scenario_step + 1 != (guint) step->from_step)
        continue;
      if (sim_exchange_matches (record->message, step->exchange))
        found = record;
    }
  if (found == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("There is no earlier “%s” to replay."), step->exchange);
      remark (self, SIM_REMARK_NOTE, text);
      return;
    }
  copy = sim_message_copy_request (found->message);
  sender = g_strdup (found->message->from);
  sim_message_narrate (copy, _("This is step %u's request, captured and sent again unchanged."), found->trace_step);
  sim_bus_deliver (self->world->bus, sender, copy);
}

static void
play_action (SimRun  *self,
             SimStep *step)
{
  g_autoptr(SimMessage) last = NULL;

  switch (step->kind)
    {
    case SIM_ACTION_REGISTER:
      last = client_app_register (self->client);
      break;
    case SIM_ACTION_DISCOVER:
      last = client_app_discover (self->client);
      break;
    case SIM_ACTION_CALL_API:
      last = client_app_call_api (self->client, step->method ? step->method : "GET",
                                  step->path ? step->path : "/calendar/events", step->body);
      break;
    case SIM_ACTION_REFRESH:
      last = client_app_refresh (self->client, step->scope);
      break;
    case SIM_ACTION_REVOKE:
      last = client_app_revoke (self->client, step->token ? step->token : "access_token");
      break;
    case SIM_ACTION_CONNECT:
      {
        g_autofree char *url = step->url ? g_strdup (step->url)
                                         : g_strconcat (self->scenario->client.origin, "/connect", NULL);
        last = resource_owner_visit (self->owner, url, SIM_PHASE_CONSENT);
      }
      break;
    case SIM_ACTION_VISIT:
      last = resource_owner_visit (self->owner, step->url, step->phase);
      break;
    case SIM_ACTION_CONSENT:
      last = resource_owner_consent (self->owner, step->password, step->decision, step->approve_scopes);
      if (last == NULL)
        remark (self, SIM_REMARK_NOTE, _("The page in the browser has no consent form, so the owner has nothing to answer."));
      break;
    case SIM_ACTION_ADVANCE:
      {
        g_autofree char *now = NULL;
        g_autofree char *text = NULL;
        sim_clock_advance (self->world->clock, step->seconds);
        now = sim_clock_format_iso (self->world->clock);
        text = g_strdup_printf (_("The clock moves forward %" PRId64 " s; it is now %s."), step->seconds, now);
        remark (self, SIM_REMARK_CLOCK, text);
      }
      break;
    case SIM_ACTION_REPLAY:
      replay (self, step);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Plays scenario step @index, then checks its expectations. */
void
sim_run_play_step (SimRun *self,
                   guint   index)
{
  SimStep *step;

  g_return_if_fail (index < self->scenario->steps->len);
  step = self->scenario->steps->pdata[index];
  self->current_step = index;
  for (guint i = 0; i < step->tampers->len; i++)
    ((SimTamper *) step->tampers->pdata[i])->done = FALSE;

  if (self->tracer)
    sim_tracer_remark (self->tracer, SIM_REMARK_SECTION, "%u/%u · %s", index + 1,
                       self->scenario->steps->len, step->title ? step->title : default_title (step));
  self->pending_note = step->note;
  play_action (self, step);
  if (self->pending_note)
    {
      remark (self, SIM_REMARK_NOTE, self->pending_note);
      self->pending_note = NULL;
    }

  for (guint i = 0; i < step->expects->len; i++)
    {
      g_autofree char *failure = NULL;
      self->checks++;
      if (sim_run_check_expect (self, index, step->expects->pdata[i], &failure))
        continue;
      remark (self, SIM_REMARK_CHECK_FAIL, failure);
      g_ptr_array_add (self->failures, g_steal_pointer (&failure));
    }
}

/**
 * sim_run_play:
 * Returns: %TRUE when every expectation held.
 */
gboolean
sim_run_play (SimRun *self)
{
  if (self->tracer)
    sim_tracer_remark (self->tracer, SIM_REMARK_TITLE, "%s", self->scenario->title);
  if (self->tracer && self->scenario->description)
    sim_tracer_remark (self->tracer, SIM_REMARK_TEXT, "%s", self->scenario->description);
  for (guint i = 0; i < self->scenario->steps->len; i++)
    sim_run_play_step (self, i);
  if (self->tracer)
    sim_tracer_finish (self->tracer);
  return self->failures->len == 0;
}
