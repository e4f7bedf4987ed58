/* run.c: builds the world a scenario describes and plays its steps. */
#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "sim/scenario/run-private.h"
#include "actors/secrets.h"

#define API_ORIGIN "https://api.example"

static const char *const actor_names[] = { "resource-owner", "client", "auth-server", "api", NULL };
static const char *const actor_names_with_attacker[] = {
  "resource-owner", "client", "auth-server", "api", "attacker", NULL
};
static const char *const default_events[][2] = {
  { "Team meeting", "2026-03-02T10:00:00Z" },
  { "Dentist", "2026-03-03T15:30:00Z" },
};

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

  for (guint i = 0; i < G_N_ELEMENTS (default_events); i++)
    calendar_api_add_event (self->api, owner, default_events[i][0], default_events[i][1]);
}

/* The origin of a URL, or NULL. */
static char *
origin_of (const char *url)
{
  g_autoptr(SimUri) uri = url ? sim_uri_parse (url, NULL) : NULL;
  return uri ? sim_uri_dup_origin (uri) : NULL;
}

/* The attack lab: the attacker answers on its origin and on every name under it that the
 * scenario uses (it owns the DNS zone), and, when it claims the client's custom scheme on a
 * shared device, for that scheme, before the client (the device picks one app, RFC 8252 §8.1).
 * What the attacker should not get, the owner's calendar, is declared hers, so that who knows
 * what can show whether it reached the attacker: her events, and what her app writes for her. */
static void
add_attacker (SimRun *self)
{
  SimScenario *scenario = self->scenario;
  AttackerConfig config = scenario->attacker;
  g_autoptr(GPtrArray) origins = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *own = NULL;

  config.server = scenario->server.issuer;
  config.api = (char *) API_ORIGIN;
  for (guint i = 0; i < scenario->scopes->len; i++)
    if (strcmp (((SimScope *) scenario->scopes->pdata[i])->name, "openid") == 0)
      config.openid = TRUE;
  self->attacker = attacker_new (self->world, &config);
  own = g_strdup (attacker_get_origin (self->attacker));
  auth_server_add_user (self->server, scenario->attacker.username, scenario->attacker.password);

  g_ptr_array_add (origins, g_strdup (own));
  for (guint i = 0; i < scenario->steps->len; i++)
    {
      SimStep *step = scenario->steps->pdata[i];
      g_autofree char *origin = origin_of (step->kind == SIM_ACTION_ATTACKER_PHISH ? step->redirect_uri : NULL);
      g_autofree char *suffix = g_strconcat (".", own + strlen ("https://"), NULL);
      if (origin && g_str_has_suffix (origin, suffix)
          && !g_ptr_array_find_with_equal_func (origins, origin, g_str_equal, NULL))
        g_ptr_array_add (origins, g_steal_pointer (&origin));
    }
  if (scenario->claims_scheme)
    g_ptr_array_add (origins, origin_of (scenario->client.redirect_uri));
  for (guint i = 0; i < origins->len; i++)
    sim_bus_add_actor (self->world->bus, "attacker", origins->pdata[i], attacker_handle, self->attacker);
}

static void
declare_calendar (SimRun *self)
{
  SimScenario *scenario = self->scenario;

  /* The owner's, kept by the API from the start. */
  if (scenario->events->len == 0)
    for (guint i = 0; i < G_N_ELEMENTS (default_events); i++)
      {
        sim_knowledge_learn (self->knowledge, "resource-owner", "calendar", default_events[i][0]);
        sim_knowledge_learn (self->knowledge, "api", "calendar", default_events[i][0]);
      }
  for (guint i = 0; i < scenario->events->len; i++)
    {
      const char *title = ((SimEvent *) scenario->events->pdata[i])->title;
      sim_knowledge_learn (self->knowledge, "resource-owner", "calendar", title);
      sim_knowledge_learn (self->knowledge, "api", "calendar", title);
    }
  for (guint i = 0; i < scenario->steps->len; i++)
    {
      SimStep *step = scenario->steps->pdata[i];
      JsonObject *body = step->kind == SIM_ACTION_CALL_API && step->body && JSON_NODE_HOLDS_OBJECT (step->body)
                         ? json_node_get_object (step->body) : NULL;
      const char *title = body ? json_object_get_string_member_with_default (body, "title", NULL) : NULL;
      if (title)
        sim_knowledge_learn (self->knowledge, "resource-owner", "calendar", title);
    }
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
  AuthServerConfig server = scenario->server;

  self->scenario = scenario;
  self->world = sim_world_new (clock, rng);
  /* Who holds what, from the start: the actors declare what they are provisioned with and what
   * they make (sim_world_hold); the messages delivered teach the rest. */
  self->knowledge = sim_knowledge_new (self->world->bus,
                                       scenario->has_attacker ? actor_names_with_attacker : actor_names,
                                       &oauth_secret_classifier);
  self->world->knowledge = self->knowledge;
  self->records = g_ptr_array_new_with_free_func (record_free);
  self->failures = g_ptr_array_new_with_free_func (g_free);

  /* The tokens are for the calendar API unless a client names another resource (RFC 8707). */
  server.audience = (char *) API_ORIGIN;
  self->server = auth_server_new (self->world, &server);
  auth_server_add_user (self->server, scenario->owner.username, scenario->owner.password);
  auth_server_set_user_claims (self->server, scenario->owner.username, scenario->owner.name,
                               scenario->owner.email);
  for (guint i = 0; i < scenario->scopes->len; i++)
    {
      SimScope *scope = scenario->scopes->pdata[i];
      auth_server_add_scope (self->server, scope->name, scope->description);
    }
  api_secret = sim_rng_token (rng, "rs_", 18);
  auth_server_add_resource (self->server, "calendar-api", api_secret);

  introspect = g_strconcat (scenario->server.issuer, "/introspect", NULL);
  self->api = calendar_api_new (self->world, API_ORIGIN, introspect, "calendar-api", api_secret);
  if (scenario->defenses.audience_restriction)
    calendar_api_set_audience (self->api, API_ORIGIN);
  /* The API and the server are one deployment: DPoP at one is DPoP at both. */
  if (server.dpop)
    calendar_api_set_dpop (self->api, server.dpop_nonce);
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
  if (scenario->device_client)
    {
      DeviceClientConfig device = { "client", client.name, client.scope, client.server, client.api };
      self->device = device_client_new (self->world, &device);
    }
  for (guint i = 0; i < scenario->steps->len && !self->attacker_device; i++)
    if (((SimStep *) scenario->steps->pdata[i])->kind == SIM_ACTION_ATTACKER_DEVICE_AUTHORIZE)
      {
        DeviceClientConfig copy = { "attacker", client.name, client.scope, client.server, client.api };
        self->attacker_device = device_client_new (self->world, &copy);
      }

  sim_bus_add_actor (self->world->bus, "auth-server", scenario->server.issuer, auth_server_handle, self->server);
  sim_bus_add_actor (self->world->bus, "api", API_ORIGIN, calendar_api_handle, self->api);
  if (scenario->has_attacker)
    add_attacker (self);
  sim_bus_add_actor (self->world->bus, "client", scenario->client.origin, client_app_handle, self->client);
  {
    /* a native app's custom scheme: the device hands such addresses to the app */
    g_autofree char *redirect_origin = origin_of (scenario->client.redirect_uri);
    if (redirect_origin && g_strcmp0 (redirect_origin, scenario->client.origin) != 0)
      sim_bus_add_actor (self->world->bus, "client", redirect_origin, client_app_handle, self->client);
  }
  sim_bus_add_observer (self->world->bus, &run_observer, self);
  if (scenario->has_attacker)
    declare_calendar (self);
  sim_bus_set_interceptor (self->world->bus, sim_run_intercept, self);
  return self;
}

void
sim_run_free (SimRun *self)
{
  if (!self)
    return;
  sim_bus_remove_observer (self->world->bus, self);
  self->world->knowledge = NULL;
  sim_knowledge_free (self->knowledge);
  g_ptr_array_unref (self->records);
  client_app_free (self->client);
  device_client_free (self->device);
  device_client_free (self->attacker_device);
  resource_owner_free (self->owner);
  attacker_free (self->attacker);
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
Attacker *sim_run_get_attacker (SimRun *self) { return self->attacker; }
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
    case SIM_ACTION_USERINFO: return _("The client asks the UserInfo endpoint who the owner is.");
    case SIM_ACTION_CALL_API: return _("The client calls the calendar API.");
    case SIM_ACTION_REFRESH: return _("The client uses its refresh token.");
    case SIM_ACTION_REVOKE: return _("The client revokes a token.");
    case SIM_ACTION_CLIENT_CREDENTIALS: return _("The client asks for a token for itself (client credentials).");
    case SIM_ACTION_CONNECT: return _("The owner clicks “Connect your calendar” in the client app.");
    case SIM_ACTION_CONSENT: return _("The owner signs in at the authorization server and answers the consent page.");
    case SIM_ACTION_VISIT: return _("The owner's browser opens a link.");
    case SIM_ACTION_ADVANCE: return _("Time passes.");
    case SIM_ACTION_REPLAY: return _("The network delivers an old request again.");
    case SIM_ACTION_ATTACKER_REGISTER: return _("The attacker registers a client of its own.");
    case SIM_ACTION_ATTACKER_AUTHORIZE: return _("The attacker signs in with its own account.");
    case SIM_ACTION_ATTACKER_REDEEM: return _("The attacker tries to redeem the code it holds.");
    case SIM_ACTION_ATTACKER_REFRESH: return _("The attacker tries the refresh token it holds.");
    case SIM_ACTION_ATTACKER_CALL_API: return _("The attacker tries to read the calendar.");
    case SIM_ACTION_ATTACKER_SIGN_IN: return _("The attacker tries to sign in at the app with the tokens it holds.");
    case SIM_ACTION_ATTACKER_REPLAY: return _("The attacker sends a captured request again.");
    case SIM_ACTION_ATTACKER_READ_LEAK: return _("The attacker reads what leaked.");
    case SIM_ACTION_ATTACKER_FORGE_CALLBACK: return _("The owner opens a page of the attacker's.");
    case SIM_ACTION_ATTACKER_PHISH: return _("The owner follows a link from the attacker.");
    case SIM_ACTION_ATTACKER_FRAME: return _("The owner opens the attacker's game page.");
    case SIM_ACTION_ATTACKER_PASSWORD_GRANT: return _("The attacker signs in with the owner's password.");
    case SIM_ACTION_DEVICE_AUTHORIZE: return _("The TV app asks for a code, and shows it with the address where to enter it.");
    case SIM_ACTION_POLL: return _("The TV app asks the token endpoint whether the owner has answered.");
    case SIM_ACTION_ENTER_USER_CODE: return _("On her phone, the owner opens the address the TV shows and types its code.");
    case SIM_ACTION_ATTACKER_DEVICE_AUTHORIZE: return _("The attacker starts a device flow with its own copy of the TV app.");
    case SIM_ACTION_ATTACKER_POLL: return _("The attacker's copy of the TV app polls the token endpoint.");
    case SIM_ACTION_ATTACKER_SEND_USER_CODE: return _("The owner follows a link the attacker sent her, with its user code.");
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

/* The last exchange of an earlier step (of step->from_step, when given) that matches
 * step->exchange, sent by @sender when it is given: what a replay resends and a leak reveals. */
static SimRecord *
find_earlier (SimRun     *self,
              SimStep    *step,
              const char *sender)
{
  for (guint i = self->records->len; i > 0; i--)
    {
      SimRecord *record = self->records->pdata[i - 1];
      if (record->scenario_step == self->current_step)
        continue;
      if (sender && g_strcmp0 (record->message->from, sender) != 0)
        continue;
      if (step->from_step && record->scenario_step + 1 != (guint) step->from_step)
        continue;
      if (sim_exchange_matches (record->message, step->exchange))
        return record;
    }
  return NULL;
}

static void
replay (SimRun  *self,
        SimStep *step)
{
  SimRecord *found = find_earlier (self, step, NULL);
  g_autoptr(SimMessage) copy = NULL;
  g_autofree char *sender = NULL;

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

/* The attack lab's read-leak: the scenario says which exchange leaked and where; the attacker
 * reads it without being part of it. */
static void
read_leak (SimRun  *self,
           SimStep *step)
{
  /* A browser history holds what the owner's browser asked for, not the attacker's own. */
  SimRecord *found = find_earlier (self, step, step->source == SIM_LEAK_HISTORY ? "resource-owner" : NULL);

  if (found == NULL)
    {
      g_autofree char *none = g_strdup_printf (_("There is no earlier “%s” that could have leaked."), step->exchange);
      remark (self, SIM_REMARK_NOTE, none);
      return;
    }
  {
    g_autofree char *said = NULL;
    guint n = found->trace_step;

    switch (step->source)
      {
      case SIM_LEAK_HISTORY:
        said = step->response ? g_strdup_printf (_("The attacker looks through the browser history of the computer the owner used, and finds the answer of step %u there."), n)
                              : g_strdup_printf (_("The attacker looks through the browser history of the computer the owner used, and finds the address of step %u there, query and all (RFC 9700 §4.3)."), n);
        break;
      case SIM_LEAK_DEVICE:
        said = step->response ? g_strdup_printf (_("The attacker gets hold of the device the app runs on, and reads from the app's storage what the answer of step %u gave it."), n)
                              : g_strdup_printf (_("The attacker gets hold of the device the app runs on, and finds the request of step %u in its storage."), n);
        break;
      case SIM_LEAK_LOG:
      default:
        said = step->response ? g_strdup_printf (_("The attacker reads a log that recorded the answer of step %u in full."), n)
                              : g_strdup_printf (_("The attacker reads a log that recorded the request of step %u in full: its address, its headers, its body."), n);
        break;
      }
    remark (self, SIM_REMARK_NOTE, said);
  }
  attacker_read_leak (self->attacker, found->message, step->response);
  sim_knowledge_learn_message (self->knowledge, "attacker", found->message, step->response);
}

/* The attacker knows the client's id and redirect URI, as anyone who tries the app does. */
static void
tell_attacker_the_victim (SimRun *self)
{
  AttackerVictim victim = { 0 };

  victim.client_id = self->device ? device_client_get_held (self->device, "client_id")
                                   : client_app_get_held (self->client, "client_id");
  victim.redirect_uri = self->scenario->client.redirect_uri;
  victim.scope = self->scenario->client.scope;
  victim.is_public = g_strcmp0 (self->scenario->client.auth_method, "none") == 0;
  victim.uses_pkce = self->scenario->client.use_pkce;
  attacker_set_victim (self->attacker, &victim);
}

/* The owner's browser opens a page of the attacker's site. */
static SimMessage *
lure (SimRun     *self,
      const char *url,
      SimPhase    phase)
{
  return resource_owner_visit (self->owner, url, phase);
}

static SimMessage *
play_attacker (SimRun  *self,
               SimStep *step)
{
  const char *why_not = NULL;
  g_autofree char *url = NULL;
  SimMessage *last = NULL;

  switch (step->kind)
    {
    case SIM_ACTION_ATTACKER_REGISTER:
      last = attacker_register (self->attacker);
      break;
    case SIM_ACTION_ATTACKER_AUTHORIZE:
      {
        gboolean own = g_strcmp0 (step->client_kind, "victim") != 0;
        last = attacker_authorize (self->attacker, own, step->pkce < 0 ? own : step->pkce);
      }
      break;
    case SIM_ACTION_ATTACKER_REDEEM:
      last = attacker_redeem (self->attacker, step->role, &why_not);
      break;
    case SIM_ACTION_ATTACKER_REFRESH:
      last = attacker_refresh (self->attacker, &why_not);
      break;
    case SIM_ACTION_ATTACKER_CALL_API:
      last = attacker_call_api (self->attacker, &why_not);
      break;
    case SIM_ACTION_ATTACKER_SIGN_IN:
      last = attacker_sign_in (self->attacker, &why_not);
      break;
    case SIM_ACTION_ATTACKER_PASSWORD_GRANT:
      last = attacker_password_grant (self->attacker, &why_not);
      break;
    case SIM_ACTION_ATTACKER_REPLAY:
      last = attacker_replay (self->attacker, &why_not);
      break;
    case SIM_ACTION_ATTACKER_READ_LEAK:
      read_leak (self, step);
      break;
    case SIM_ACTION_ATTACKER_FORGE_CALLBACK:
      if ((url = attacker_prepare_forgery (self->attacker, &why_not)))
        last = lure (self, url, SIM_PHASE_CODE_EXCHANGE);
      break;
    case SIM_ACTION_ATTACKER_PHISH:
      url = attacker_prepare_phish (self->attacker, step->redirect_uri, step->pkce != 0);
      last = lure (self, url, SIM_PHASE_CONSENT);
      break;
    case SIM_ACTION_ATTACKER_FRAME:
      if ((url = attacker_prepare_frame (self->attacker, &why_not)))
        last = lure (self, url, SIM_PHASE_CONSENT);
      break;
    case SIM_ACTION_ATTACKER_DEVICE_AUTHORIZE:
      /* its copy of the app presents the real app's public client_id */
      if (self->device)
        device_client_use_client_id (self->attacker_device, device_client_get_held (self->device, "client_id"));
      last = device_client_authorize (self->attacker_device);
      break;
    case SIM_ACTION_ATTACKER_POLL:
      last = device_client_poll (self->attacker_device);
      /* what its app gets, the attacker has */
      attacker_read_leak (self->attacker, last, TRUE);
      break;
    case SIM_ACTION_ATTACKER_SEND_USER_CODE:
      /* RFC 8628 §5.4: the link is the server's own, with the attacker's code in it */
      if ((url = g_strdup (device_client_get_held (self->attacker_device, "verification_uri_complete"))))
        last = lure (self, url, SIM_PHASE_CONSENT);
      else
        why_not = _("The attacker holds no user code to send.");
      break;
    default:
      g_assert_not_reached ();
    }
  if (why_not)
    remark (self, SIM_REMARK_NOTE, why_not);
  return last;
}

static void
play_action (SimRun  *self,
             SimStep *step)
{
  g_autoptr(SimMessage) last = NULL;

  switch (step->kind)
    {
    case SIM_ACTION_REGISTER:
      last = self->device ? device_client_register (self->device)
                          : client_app_register_at (self->client, step->server);
      break;
    case SIM_ACTION_DEVICE_AUTHORIZE:
      last = device_client_authorize (self->device);
      /* the TV is hers: she sees the code on its screen */
      resource_owner_see_code (self->owner, device_client_get_held (self->device, "user_code"));
      break;
    case SIM_ACTION_POLL:
      last = device_client_poll (self->device);
      break;
    case SIM_ACTION_ENTER_USER_CODE:
      {
        const char *where = device_client_get_held (self->device, "verification_uri");
        const char *code = device_client_get_held (self->device, "user_code");
        g_autoptr(SimMessage) page = where ? resource_owner_visit (self->owner, where, SIM_PHASE_CONSENT) : NULL;
        if (page && code)
          last = resource_owner_fill_in (self->owner, "user_code", code);
        else
          remark (self, SIM_REMARK_NOTE, _("The TV shows no code, so the owner has nothing to enter."));
      }
      break;
    case SIM_ACTION_DISCOVER:
      last = client_app_discover (self->client);
      break;
    case SIM_ACTION_USERINFO:
      last = client_app_userinfo (self->client);
      break;
    case SIM_ACTION_CALL_API:
      if (self->device)
        last = device_client_call_api (self->device);
      else if (step->url)
        last = client_app_call_other (self->client, step->method ? step->method : "GET", step->url);
      else
        last = client_app_call_api (self->client, step->method ? step->method : "GET",
                                    step->path ? step->path : "/calendar/events", step->body);
      break;
    case SIM_ACTION_REFRESH:
      last = client_app_refresh (self->client, step->scope);
      break;
    case SIM_ACTION_REVOKE:
      last = client_app_revoke (self->client, step->token ? step->token : "access_token");
      break;
    case SIM_ACTION_CLIENT_CREDENTIALS:
      last = client_app_request_token (self->client, step->scope);
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
      last = play_attacker (self, step);
      break;
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
  if (self->attacker)
    tell_attacker_the_victim (self);
  play_action (self, step);
  if (self->pending_note)
    {
      remark (self, SIM_REMARK_NOTE, self->pending_note);
      self->pending_note = NULL;
    }

  for (guint i = 0; i < step->expects->len; i++)
    {
      self->checks++;
      sim_run_check_expect (self, index, step->expects->pdata[i]);
    }
}

/**
 * sim_run_attack_succeeded:
 *
 * The attack lab's verdict on a run: the scenario's attack worked when the attacker now holds
 * every kind of secret its prize names (by default, the owner's calendar). Computed from what
 * the attacker came to know, never from the scenario's expectations.
 *
 * Returns: %FALSE too for a scenario with no attack.
 */
gboolean
sim_run_attack_succeeded (SimRun *self)
{
  SimAttack *attack = self->scenario->attack;

  if (attack == NULL || self->attacker == NULL)
    return FALSE;
  for (guint i = 0; i < attack->prize->len; i++)
    if (!sim_knowledge_holds (self->knowledge, "attacker", attack->prize->pdata[i]))
      return FALSE;
  return TRUE;
}

/* The last word of an attack lesson, computed from the run like the lab's matrix. */
static void
attack_verdict (SimRun *self)
{
  SimAttack *attack = self->scenario->attack;
  gboolean on = *oauth_defenses_lookup (&self->scenario->defenses, attack->defense);
  g_autofree char *prize = NULL;

  if (attack->prize->len == 1 && strcmp (attack->prize->pdata[0], "calendar") == 0)
    prize = g_strdup (_("the owner's calendar"));
  else
    {
      g_ptr_array_add (attack->prize, NULL);
      prize = g_strjoinv (", ", (GStrv) attack->prize->pdata);
      g_ptr_array_remove_index (attack->prize, attack->prize->len - 1);
    }
  if (sim_run_attack_succeeded (self) && !on)
    sim_tracer_remark (self->tracer, SIM_REMARK_TEXT,
                       _("Outcome: the attack worked. The attacker now holds %s (%s). The defense at stake, %s, is off in this lesson; with it on, %s."),
                       prize, attack->cites, attack->defense, oauth_defense_describe (attack->defense));
  else if (sim_run_attack_succeeded (self))
    sim_tracer_remark (self->tracer, SIM_REMARK_TEXT,
                       _("Outcome: the attack worked, although the defense at stake, %s, is on: %s. The attacker now holds %s (%s)."),
                       attack->defense, oauth_defense_describe (attack->defense), prize, attack->cites);
  else if (on)
    sim_tracer_remark (self->tracer, SIM_REMARK_TEXT,
                       _("Outcome: the attack failed. The attacker never got %s. The defense at stake, %s, is on in this lesson: %s."),
                       prize, attack->defense, oauth_defense_describe (attack->defense));
  else
    sim_tracer_remark (self->tracer, SIM_REMARK_TEXT,
                       _("Outcome: the attack failed, although the defense at stake, %s, is off. The attacker never got %s."),
                       attack->defense, prize);
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
  /* The default profile goes without saying: a scenario plays as it always has. */
  if (self->tracer && g_strcmp0 (self->scenario->profile, OAUTH_PROFILE_DEFAULT) != 0)
    sim_tracer_remark (self->tracer, SIM_REMARK_TEXT, _("Profile %s: %s."), self->scenario->profile,
                       oauth_profile_describe (self->scenario->profile));
  for (guint i = 0; i < self->scenario->steps->len; i++)
    sim_run_play_step (self, i);
  if (self->tracer && self->scenario->attack)
    attack_verdict (self);
  if (self->tracer)
    sim_tracer_finish (self->tracer);
  return self->failures->len == 0;
}
