/* device-client.c: the TV calendar app of RFC 8628 (device-client.h).
 *
 * It registers as a public client for the device_code grant, asks for codes at the device
 * authorization endpoint (§3.1), shows the user code and where to enter it (§3.3), and polls
 * the token endpoint with its device_code (§3.4), never faster than the interval it was given,
 * which grows by 5 s each time the server says slow_down (§3.5). When is the scenario's to say:
 * each poll is a step, and the simulated clock moves between them.
 */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "actors/device-client.h"
#include "actors/oauth.h"

struct _DeviceClient
{
  SimWorld *world;
  char *sender;
  char *name;
  char *scope;
  char *server;
  char *api;

  char *client_id;
  char *device_code;
  char *user_code;
  char *verification_uri;
  char *verification_uri_complete;
  gint64 interval;
  char *access_token;
  char *refresh_token;
  char *granted_scope;
  char *error;
};

static void
replace (char       **field,
         const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

/**
 * device_client_new:
 * @world: (not owned)
 * @config: copied
 *
 * Returns: (transfer full): an unregistered device client.
 */
DeviceClient *
device_client_new (SimWorld                 *world,
                   const DeviceClientConfig *config)
{
  DeviceClient *self = g_new0 (DeviceClient, 1);

  self->world = world;
  self->sender = g_strdup (config->sender ? config->sender : "client");
  self->name = g_strdup (config->name ? config->name : "TV Calendar");
  self->scope = g_strdup (config->scope ? config->scope : "calendar.read");
  self->server = g_strdup (config->server);
  self->api = g_strdup (config->api);
  self->interval = 5;
  return self;
}

void
device_client_free (DeviceClient *self)
{
  if (!self)
    return;
  g_free (self->sender);
  g_free (self->name);
  g_free (self->scope);
  g_free (self->server);
  g_free (self->api);
  g_free (self->client_id);
  g_free (self->device_code);
  g_free (self->user_code);
  g_free (self->verification_uri);
  g_free (self->verification_uri_complete);
  g_free (self->access_token);
  g_free (self->refresh_token);
  g_free (self->granted_scope);
  g_free (self->error);
  g_free (self);
}

static const char *const held_names[] = {
  "client_id", "device_code", "user_code", "verification_uri", "verification_uri_complete",
  "access_token", "refresh_token", "scope", "error", NULL
};

const char *const *
device_client_held_names (void)
{
  return held_names;
}

/**
 * device_client_get_held:
 * Returns: (transfer none) (nullable): the value the device holds under @what.
 */
const char *
device_client_get_held (DeviceClient *self,
                        const char   *what)
{
  const char *values[] = {
    self->client_id, self->device_code, self->user_code, self->verification_uri,
    self->verification_uri_complete, self->access_token, self->refresh_token,
    self->granted_scope, self->error
  };

  for (guint i = 0; held_names[i]; i++)
    if (strcmp (held_names[i], what) == 0)
      return values[i];
  return NULL;
}

static void
remember_error (DeviceClient *self,
                SimMessage   *message)
{
  g_autoptr(SimFields) answer = sim_message_get_response_fields (message, NULL);
  const char *error = answer ? sim_fields_get_string (answer, "error", NULL) : NULL;

  replace (&self->error, error ? error : "http_error");
}

static SimMessage *
post_form (DeviceClient *self,
           const char   *path,
           SimParams    *form,
           SimPhase      phase)
{
  g_autofree char *url = g_strconcat (self->server, path, NULL);
  SimMessage *message = sim_message_new ("POST", url);

  /* RFC 8628 §3.1: a public client identifies itself with its client_id (RFC 6749 §2.3). */
  sim_params_set (form, "client_id", self->client_id ? self->client_id : "");
  sim_message_set_request_params (message, form);
  sim_message_set_phase (message, phase);
  return message;
}

SimMessage *
device_client_register (DeviceClient *self)
{
  g_autofree char *url = g_strconcat (self->server, "/register", NULL);
  SimMessage *message = sim_message_new ("POST", url);
  static const char *const grant_types[] = { DEVICE_CODE_GRANT, "refresh_token", NULL };
  g_autoptr(SimFields) metadata = sim_fields_new ();
  g_autoptr(SimFields) answer = NULL;

  sim_fields_add_string (metadata, "client_name", self->name);
  sim_fields_add_strv (metadata, "grant_types", grant_types);
  sim_fields_add_string (metadata, "token_endpoint_auth_method", "none");
  sim_fields_add_string (metadata, "scope", self->scope);
  sim_message_set_request_fields (message, metadata);
  sim_message_set_phase (message, SIM_PHASE_REGISTRATION);
  sim_message_narrate (message, _("The TV app registers with the authorization server as a public client (it cannot keep a secret) for the device_code grant. It has no browser, so it registers no redirect URI."));
  sim_bus_deliver (self->world->bus, self->sender, message);
  if (message->status == SOUP_STATUS_CREATED
      && (answer = sim_message_get_response_fields (message, NULL)))
    replace (&self->client_id, sim_fields_get_string (answer, "client_id", NULL));
  else
    remember_error (self, message);
  return message;
}

/* The attacker's copy of the app presents the real app's client_id: a public client's id is
 * no secret, and proves nothing (RFC 8628 §5.6). */
void
device_client_use_client_id (DeviceClient *self,
                             const char   *client_id)
{
  replace (&self->client_id, client_id);
}

SimMessage *
device_client_authorize (DeviceClient *self)
{
  g_autoptr(SimParams) form = sim_params_new ();
  g_autoptr(SimFields) answer = NULL;
  SimMessage *message;

  sim_params_set (form, "scope", self->scope);
  message = post_form (self, "/device_authorization", g_steal_pointer (&form), SIM_PHASE_CONSENT);
  sim_message_narrate (message, _("The TV app asks the authorization server to start a device authorization, with its client_id and the scope it wants (RFC 8628 §3.1)."));
  sim_bus_deliver (self->world->bus, self->sender, message);
  if (message->status != SOUP_STATUS_OK || !(answer = sim_message_get_response_fields (message, NULL)))
    {
      remember_error (self, message);
      return message;
    }
  replace (&self->device_code, sim_fields_get_string (answer, "device_code", NULL));
  replace (&self->user_code, sim_fields_get_string (answer, "user_code", NULL));
  replace (&self->verification_uri, sim_fields_get_string (answer, "verification_uri", NULL));
  replace (&self->verification_uri_complete, sim_fields_get_string (answer, "verification_uri_complete", NULL));
  /* RFC 8628 §3.2: without an interval, the client waits 5 s */
  self->interval = sim_fields_get_int (answer, "interval", 5);
  g_clear_pointer (&self->error, g_free);
  return message;
}

SimMessage *
device_client_poll (DeviceClient *self)
{
  g_autoptr(SimParams) form = sim_params_new ();
  g_autofree char *access = NULL, *refresh = NULL, *scope = NULL, *error = NULL;
  SimMessage *message;

  sim_params_set (form, "grant_type", DEVICE_CODE_GRANT);
  sim_params_set (form, "device_code", self->device_code ? self->device_code : "");
  message = post_form (self, "/token", g_steal_pointer (&form), SIM_PHASE_CODE_EXCHANGE);
  sim_message_narrate (message, _("The TV app asks the token endpoint whether the owner has answered, with its device_code and its client_id (RFC 8628 §3.4)."));
  sim_bus_deliver (self->world->bus, self->sender, message);
  if (!oauth_read_token_response (message, &access, &refresh, &scope, &error))
    {
      /* RFC 8628 §3.5: "slow_down" adds 5 s to this and every later interval */
      if (g_strcmp0 (error, "slow_down") == 0)
        self->interval += 5;
      replace (&self->error, error);
      return message;
    }
  replace (&self->access_token, access);
  if (refresh)
    replace (&self->refresh_token, refresh);
  replace (&self->granted_scope, scope ? scope : self->scope);
  g_clear_pointer (&self->error, g_free);
  return message;
}

/* The TV shows the owner's calendar. */
SimMessage *
device_client_call_api (DeviceClient *self)
{
  g_autofree char *url = g_strconcat (self->api, "/calendar/events", NULL);
  SimMessage *message = sim_message_new ("GET", url);

  if (self->access_token)
    {
      g_autofree char *value = g_strconcat ("Bearer ", self->access_token, NULL);
      sim_headers_replace (message->request_headers, "Authorization", value);
      sim_message_narrate (message, _("The TV app reads the calendar with its access token (RFC 6750 §2.1): the owner's password never reached the TV."));
    }
  else
    sim_message_narrate (message, _("The TV app calls the API without an access token."));
  sim_message_set_phase (message, SIM_PHASE_ACCESS);
  sim_bus_deliver (self->world->bus, self->sender, message);
  if (message->status >= 400)
    replace (&self->error, message->status == SOUP_STATUS_FORBIDDEN ? "insufficient_scope" : "invalid_token");
  return message;
}
