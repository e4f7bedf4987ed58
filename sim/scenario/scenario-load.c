/* scenario-load.c: reading and checking a scenario file (docs/scenario-format.md).
 *
 * Strict: every field is known, typed and in range, every actor and action exists, and steps
 * come in an order that can happen; the first problem stops the load with its position.
 */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "sim/scenario/scenario.h"
#include "sim/scenario/reader.h"
#include "actors/profiles.h"
#include "actors/device-client.h"
#include "actors/secrets.h"

#define DEFAULT_START "2026-03-02T09:00:00Z"

static const char *const top_fields[] = {
  "title", "description", "seed", "start", "profile", "server", "owner", "client", "defenses",
  "attacker", "attack", "steps", NULL
};
static const char *const server_fields[] = {
  "issuer", "code_lifetime", "access_token_lifetime", "refresh_token_lifetime",
  "rotate_refresh_tokens", "require_pkce", "allow_plain_pkce", "max_login_attempts", "scopes", "dpop",
  "dpop_nonce", "access_token_format", "device_code_lifetime", "device_poll_interval", NULL
};
static const char *const owner_fields[] = { "username", "password", "name", "email", "consent", "events", NULL };
static const char *const consent_fields[] = { "decision", "scopes", NULL };
static const char *const event_fields[] = { "title", "start", NULL };
static const char *const client_fields[] = {
  "name", "redirect_uri", "scope", "auth_method", "grant_types", "pkce", "check_state", "refresh_on_401",
  "embed", "id_token_signed_response_alg", "client_secret", "dpop", "device", NULL
};
static const char *const attacker_fields[] = { "username", "password", "client_name", "claims_scheme", NULL };
static const char *const attack_fields[] = { "name", "cites", "defense", "prize", NULL };
static const char *const expect_fields[] = {
  "exchange", "status", "error", "present", "absent", "headers", "holds", "lacks", "says", NULL
};
static const char *const tamper_fields[] = {
  "exchange", "stage", "set", "remove", "set_header", "remove_header", "drop", "duplicate", "delay", NULL
};
static const char *const actors[] = { "client", "resource-owner", "clock", "network", "attacker", NULL };
static const char *const decisions[] = { "approve", "deny", NULL };
static const char *const auth_methods[] = { "client_secret_basic", "client_secret_post", "none", NULL };
static const char *const revocable[] = { "access_token", "refresh_token", NULL };
static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", NULL };
static const char *const stages[] = { "request", "response", NULL };
static const char *const phases[] = {
  "registration", "consent", "code-exchange", "token-request", "access", "refresh", "revocation", NULL
};
static const char *const holders[] = { "client", "attacker", NULL };
static const char *const client_kinds[] = { "own", "victim", NULL };
static const char *const redeem_roles[] = { "victim", "own", "app", NULL };
static const char *const leak_parts[] = { "request", "response", NULL };
static const char *const leak_sources[] = { "history", "log", "device", NULL };

#define COMMON "actor", "action", "title", "note", "expect", "tamper"

typedef struct
{
  const char *actor;
  const char *action;
  SimActionKind kind;
  const char *fields[12];
} ActionInfo;

static const ActionInfo action_table[] = {
  { "client", "register", SIM_ACTION_REGISTER, { COMMON, "server", NULL } },
  { "client", "discover", SIM_ACTION_DISCOVER, { COMMON, NULL } },
  { "client", "call-api", SIM_ACTION_CALL_API, { COMMON, "method", "path", "body", "url", NULL } },
  { "client", "refresh", SIM_ACTION_REFRESH, { COMMON, "scope", NULL } },
  { "client", "revoke", SIM_ACTION_REVOKE, { COMMON, "token", NULL } },
  { "client", "userinfo", SIM_ACTION_USERINFO, { COMMON, NULL } },
  { "client", "client-credentials", SIM_ACTION_CLIENT_CREDENTIALS, { COMMON, "scope", NULL } },
  { "client", "device-authorize", SIM_ACTION_DEVICE_AUTHORIZE, { COMMON, NULL } },
  { "client", "poll", SIM_ACTION_POLL, { COMMON, NULL } },
  { "resource-owner", "connect", SIM_ACTION_CONNECT, { COMMON, "url", NULL } },
  { "resource-owner", "consent", SIM_ACTION_CONSENT, { COMMON, "decision", "scopes", "password", NULL } },
  { "resource-owner", "visit", SIM_ACTION_VISIT, { COMMON, "url", "phase", NULL } },
  { "resource-owner", "enter-user-code", SIM_ACTION_ENTER_USER_CODE, { COMMON, NULL } },
  { "clock", "advance", SIM_ACTION_ADVANCE, { COMMON, "seconds", NULL } },
  { "network", "replay", SIM_ACTION_REPLAY, { COMMON, "exchange", "step", NULL } },
  { "attacker", "register", SIM_ACTION_ATTACKER_REGISTER, { COMMON, NULL } },
  { "attacker", "authorize", SIM_ACTION_ATTACKER_AUTHORIZE, { COMMON, "client", "pkce", NULL } },
  { "attacker", "redeem", SIM_ACTION_ATTACKER_REDEEM, { COMMON, "as", NULL } },
  { "attacker", "refresh", SIM_ACTION_ATTACKER_REFRESH, { COMMON, NULL } },
  { "attacker", "call-api", SIM_ACTION_ATTACKER_CALL_API, { COMMON, NULL } },
  { "attacker", "sign-in", SIM_ACTION_ATTACKER_SIGN_IN, { COMMON, NULL } },
  { "attacker", "replay", SIM_ACTION_ATTACKER_REPLAY, { COMMON, NULL } },
  { "attacker", "read-leak", SIM_ACTION_ATTACKER_READ_LEAK, { COMMON, "exchange", "step", "part", "source", NULL } },
  { "attacker", "forge-callback", SIM_ACTION_ATTACKER_FORGE_CALLBACK, { COMMON, NULL } },
  { "attacker", "phish", SIM_ACTION_ATTACKER_PHISH, { COMMON, "redirect_uri", "pkce", NULL } },
  { "attacker", "frame", SIM_ACTION_ATTACKER_FRAME, { COMMON, NULL } },
  { "attacker", "password-grant", SIM_ACTION_ATTACKER_PASSWORD_GRANT, { COMMON, NULL } },
  { "attacker", "device-authorize", SIM_ACTION_ATTACKER_DEVICE_AUTHORIZE, { COMMON, NULL } },
  { "attacker", "poll", SIM_ACTION_ATTACKER_POLL, { COMMON, NULL } },
  { "attacker", "send-user-code", SIM_ACTION_ATTACKER_SEND_USER_CODE, { COMMON, NULL } },
};

static void
expect_free (gpointer data)
{
  SimExpect *e = data;
  g_free (e->exchange);
  g_free (e->error);
  g_clear_pointer (&e->present, g_ptr_array_unref);
  g_clear_pointer (&e->absent, g_ptr_array_unref);
  g_clear_pointer (&e->header_names, g_ptr_array_unref);
  g_clear_pointer (&e->header_values, g_ptr_array_unref);
  g_clear_pointer (&e->holds, g_ptr_array_unref);
  g_clear_pointer (&e->lacks, g_ptr_array_unref);
  g_clear_pointer (&e->says, g_ptr_array_unref);
  g_free (e);
}

static void
tamper_free (gpointer data)
{
  SimTamper *t = data;
  g_free (t->exchange);
  g_clear_pointer (&t->set_params, sim_params_free);
  g_clear_pointer (&t->remove_params, g_ptr_array_unref);
  g_clear_pointer (&t->set_headers, sim_params_free);
  g_clear_pointer (&t->remove_headers, g_ptr_array_unref);
  g_free (t);
}

static void
held_free (gpointer data)
{
  SimHeld *h = data;
  g_free (h->actor);
  g_free (h->what);
  g_free (h);
}

static void
step_free (gpointer data)
{
  SimStep *s = data;
  g_free (s->actor);
  g_free (s->action);
  g_free (s->title);
  g_free (s->note);
  g_free (s->method);
  g_free (s->path);
  g_free (s->url);
  g_free (s->scope);
  g_free (s->password);
  g_free (s->token);
  g_free (s->exchange);
  g_clear_pointer (&s->body, json_node_unref);
  g_free (s->approve_scopes);
  g_free (s->server);
  g_free (s->client_kind);
  g_free (s->redirect_uri);
  g_ptr_array_unref (s->expects);
  g_ptr_array_unref (s->tampers);
  g_free (s);
}

static void
scope_free (gpointer data)
{
  SimScope *s = data;
  g_free (s->name);
  g_free (s->description);
  g_free (s);
}

static void
event_free (gpointer data)
{
  SimEvent *e = data;
  g_free (e->owner);
  g_free (e->title);
  g_free (e->start);
  g_free (e);
}

void
sim_scenario_free (SimScenario *self)
{
  if (!self)
    return;
  g_free (self->file);
  g_free (self->profile);
  g_free (self->title);
  g_free (self->description);
  auth_server_config_clear (&self->server);
  g_ptr_array_unref (self->scopes);
  owner_config_clear (&self->owner);
  g_ptr_array_unref (self->events);
  client_config_clear (&self->client);
  attacker_config_clear (&self->attacker);
  if (self->attack)
    {
      g_free (self->attack->name);
      g_free (self->attack->cites);
      g_free (self->attack->defense);
      g_clear_pointer (&self->attack->prize, g_ptr_array_unref);
      g_free (self->attack);
    }
  g_ptr_array_unref (self->steps);
  g_free (self);
}

static SimScenario *
scenario_new (const char *file)
{
  SimScenario *self = g_new0 (SimScenario, 1);
  self->file = g_strdup (file);
  self->seed = 1;
  auth_server_config_init (&self->server);
  owner_config_init (&self->owner);
  client_config_init (&self->client);
  oauth_defenses_init (&self->defenses);
  attacker_config_init (&self->attacker);
  self->scopes = g_ptr_array_new_with_free_func (scope_free);
  self->events = g_ptr_array_new_with_free_func (event_free);
  self->steps = g_ptr_array_new_with_free_func (step_free);
  return self;
}

static gboolean
is_space_free (SimReader  *r,
               JsonObject *object,
               const char *name,
               const char *value)
{
  if (value && (strchr (value, ' ') || *value == '\0'))
    {
      sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, name),
                         _("'%s' must be one word without spaces"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_printable_ascii (const char *text)
{
  for (const char *p = text; *p; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f)
      return FALSE;
  return TRUE;
}

static gboolean
read_url (SimReader   *r,
          JsonObject  *object,
          const char  *name,
          gboolean     required,
          char       **out)
{
  g_autoptr(GUri) uri = NULL;

  if (!sim_reader_string (r, object, name, required, out))
    return FALSE;
  if (*out == NULL)
    return TRUE;
  uri = g_uri_parse (*out, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL);
  /* A relaxed parse reads "https://a.exa;mple/x" as host "a.exa", path ";mple/x": a URI that
   * GLib cannot turn back into a string, so refuse it here. It also takes a space or a line
   * break (which json-glib lets into a string), which would end up in a Location header: RFC
   * 3986 §2 has a URI in printable ASCII. */
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || (*g_uri_get_path (uri) != '\0' && *g_uri_get_path (uri) != '/')
      || !is_printable_ascii (*out))
    {
      sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, name),
                         _("'%s' must be an absolute URL such as https://client.example/callback"), name);
      return FALSE;
    }
  return TRUE;
}

/* RFC 8252 §7.1: a native app's private-use scheme, a reversed domain name, as in
 * "com.example.calendar:/callback". */
static gboolean
is_private_use_uri (const char *value)
{
  g_autoptr(GUri) uri = g_uri_parse (value, G_URI_FLAGS_ENCODED, NULL);
  return uri && strchr (g_uri_get_scheme (uri), '.') && g_uri_get_host (uri) == NULL
         && g_uri_get_path (uri)[0] == '/';
}

static gboolean
read_redirect_uri (SimReader   *r,
                   JsonObject  *object,
                   const char  *name,
                   char       **out)
{
  g_autofree char *value = NULL;

  if (!sim_reader_string (r, object, name, FALSE, &value))
    return FALSE;
  /* A redirect URI with a space or a line break in it is a lesson (the server must refuse
   * it at registration), not a mistake in the scenario: it goes to the server as written. */
  if (value && (is_private_use_uri (value) || !is_printable_ascii (value)))
    {
      g_free (*out);
      *out = g_steal_pointer (&value);
      return TRUE;
    }
  return read_url (r, object, name, FALSE, out);
}

/* A setting a profile also gives: whether the scenario names it, so that the attack lab can put
 * another profile under the scenario and keep what the scenario says of its own actors. */
static gboolean
read_explicit_bool (SimReader  *r,
                    JsonObject *object,
                    const char *name,
                    gboolean   *out,
                    gboolean   *set)
{
  *set = json_object_has_member (object, name);
  return sim_reader_bool (r, object, name, out);
}

/* The profile comes first: everything the scenario says after it is said over it. */
static gboolean
read_profile (SimReader   *r,
              JsonObject  *object,
              const char  *override,
              SimScenario *s)
{
  if (!sim_reader_choice (r, object, "profile", oauth_profile_names (), &s->profile))
    return FALSE;
  if (override)
    {
      g_free (s->profile);
      s->profile = g_strdup (override);
    }
  if (s->profile == NULL)
    s->profile = g_strdup (OAUTH_PROFILE_DEFAULT);
  sim_scenario_apply_profile (s, oauth_profile_lookup (s->profile));
  return TRUE;
}

/**
 * sim_scenario_apply_profile:
 *
 * Puts @profile under the scenario: its defenses and its server's PKCE rules, and its app's
 * PKCE unless the scenario says what its app does. Loading does this before it reads the
 * scenario's own settings; the attack lab does it to play a lesson under another profile.
 */
void
sim_scenario_apply_profile (SimScenario        *self,
                            const OAuthProfile *profile)
{
  g_return_if_fail (profile != NULL);
  self->defenses = profile->defenses;
  if (!self->require_pkce_set)
    self->server.require_pkce = profile->require_pkce;
  self->server.pkce_for_public_clients = profile->pkce_for_public_clients;
  if (!self->client_pkce_set)
    self->client_pkce = self->client.use_pkce = profile->client_pkce;
  sim_scenario_apply_defenses (self);
}

static gboolean
read_server (SimReader   *r,
             JsonObject  *object,
             SimScenario *s)
{
  static const char *const token_formats[] = { "opaque", "jwt", NULL };
  JsonObject *server = NULL, *scopes = NULL;
  gint64 attempts = s->server.max_login_attempts;
  g_autofree char *token_format = NULL;

  if (!sim_reader_object (r, object, "server", FALSE, &server))
    return FALSE;
  if (server == NULL)
    return TRUE;
  if (!sim_reader_check_fields (r, server, "'server'", server_fields)
      || !read_url (r, server, "issuer", FALSE, &s->server.issuer)
      || !sim_reader_int (r, server, "code_lifetime", 1, 600, &s->server.code_lifetime)
      || !sim_reader_int (r, server, "access_token_lifetime", 1, 366 * 86400, &s->server.access_token_lifetime)
      || !sim_reader_int (r, server, "refresh_token_lifetime", 1, 3660 * 86400, &s->server.refresh_token_lifetime)
      || !sim_reader_bool (r, server, "rotate_refresh_tokens", &s->server.rotate_refresh_tokens)
      || !read_explicit_bool (r, server, "require_pkce", &s->server.require_pkce, &s->require_pkce_set)
      || !sim_reader_bool (r, server, "allow_plain_pkce", &s->server.allow_plain_pkce)
      || !sim_reader_int (r, server, "max_login_attempts", 1, 100, &attempts)
      || !read_explicit_bool (r, server, "dpop", &s->server.dpop, &s->server_dpop_set)
      || !sim_reader_bool (r, server, "dpop_nonce", &s->server.dpop_nonce)
      || !sim_reader_choice (r, server, "access_token_format", token_formats, &token_format)
      || !sim_reader_int (r, server, "device_code_lifetime", 1, 3600, &s->server.device_code_lifetime)
      || !sim_reader_int (r, server, "device_poll_interval", 1, 60, &s->server.device_poll_interval)
      || !sim_reader_object (r, server, "scopes", FALSE, &scopes))
    return FALSE;
  s->server.max_login_attempts = attempts;
  s->server.jwt_access_tokens = g_strcmp0 (token_format, "jwt") == 0;
  if (scopes)
    {
      g_autoptr(GPtrArray) names = NULL, values = NULL;
      if (!sim_reader_string_map (r, server, "scopes", FALSE, &names, &values))
        return FALSE;
      for (guint i = 0; i < names->len; i++)
        {
          SimScope *scope;
          if (!is_space_free (r, scopes, names->pdata[i], names->pdata[i]))
            return FALSE;
          scope = g_new0 (SimScope, 1);
          scope->name = g_strdup (names->pdata[i]);
          scope->description = g_strdup (values->pdata[i]);
          g_ptr_array_add (s->scopes, scope);
        }
      if (names->len == 0)
        {
          sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, server, "scopes"),
                             _("'scopes' must name at least one scope"));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
read_owner (SimReader   *r,
            JsonObject  *object,
            SimScenario *s)
{
  JsonObject *owner = NULL, *consent = NULL;
  JsonNode *events;

  if (!sim_reader_object (r, object, "owner", FALSE, &owner))
    return FALSE;
  if (owner == NULL)
    return TRUE;
  if (!sim_reader_check_fields (r, owner, "'owner'", owner_fields)
      || !sim_reader_string (r, owner, "username", FALSE, &s->owner.username)
      || !is_space_free (r, owner, "username", s->owner.username)
      || !sim_reader_string (r, owner, "password", FALSE, &s->owner.password)
      || !sim_reader_string (r, owner, "name", FALSE, &s->owner.name)
      || !sim_reader_string (r, owner, "email", FALSE, &s->owner.email)
      || !sim_reader_object (r, owner, "consent", FALSE, &consent))
    return FALSE;
  if (consent)
    {
      g_autofree char *decision = NULL;
      g_autoptr(GPtrArray) scopes = NULL;
      if (!sim_reader_check_fields (r, consent, "'consent'", consent_fields)
          || !sim_reader_choice (r, consent, "decision", decisions, &decision)
          || !sim_reader_strings (r, consent, "scopes", &scopes))
        return FALSE;
      if (decision)
        s->owner.approve = strcmp (decision, "approve") == 0;
      if (scopes)
        {
          g_ptr_array_add (scopes, NULL);
          g_free (s->owner.approve_scopes);
          s->owner.approve_scopes = g_strjoinv (" ", (GStrv) scopes->pdata);
        }
    }
  events = json_object_has_member (owner, "events") ? json_object_get_member (owner, "events") : NULL;
  if (events)
    {
      JsonArray *array;
      if (!JSON_NODE_HOLDS_ARRAY (events))
        {
          sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, owner, "events"),
                             _("'events' must be an array of objects"));
          return FALSE;
        }
      array = json_node_get_array (events);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);
          JsonObject *e;
          SimEvent *event;
          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              sim_doc_set_error (r->doc, r->error, sim_doc_element_pos (r->doc, array, i),
                                 _("each event must be an object with 'title' and 'start'"));
              return FALSE;
            }
          e = json_node_get_object (node);
          event = g_new0 (SimEvent, 1);
          g_ptr_array_add (s->events, event);
          if (!sim_reader_check_fields (r, e, "an event", event_fields)
              || !sim_reader_string (r, e, "title", TRUE, &event->title)
              || !sim_reader_string (r, e, "start", TRUE, &event->start))
            return FALSE;
        }
    }
  return TRUE;
}

/* The grant types the client registers: any names, so that a lesson can show the server
 * refusing one it does not offer (RFC 7591 §2). */
static gboolean
read_grant_types (SimReader   *r,
                  JsonObject  *client,
                  SimScenario *s)
{
  g_autoptr(GPtrArray) names = NULL;

  if (!sim_reader_strings (r, client, "grant_types", &names))
    return FALSE;
  if (names == NULL)
    return TRUE;
  g_ptr_array_add (names, NULL);
  g_strfreev (s->client.grant_types);
  s->client.grant_types = g_strdupv ((char **) names->pdata);
  return TRUE;
}

/* A public client has no secret to get wrong. */
static gboolean
check_client_secret (SimReader   *r,
                     JsonObject  *client,
                     SimScenario *s)
{
  if (s->client.client_secret == NULL || g_strcmp0 (s->client.auth_method, "none") != 0)
    return TRUE;
  sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, client, "client_secret"),
                     _("'client_secret' needs a client that authenticates with a secret; with 'auth_method' \"none\" the client is public and has none"));
  return FALSE;
}

static gboolean
read_client (SimReader   *r,
             JsonObject  *object,
             SimScenario *s)
{
  JsonObject *client = NULL;

  if (!sim_reader_object (r, object, "client", FALSE, &client))
    return FALSE;
  if (client == NULL)
    return TRUE;
  if (!sim_reader_check_fields (r, client, "'client'", client_fields)
      || !sim_reader_bool (r, client, "device", &s->device_client))
    return FALSE;
  /* a TV app has its own name unless the scenario gives one */
  if (s->device_client && !json_object_has_member (client, "name"))
    {
      g_free (s->client.name);
      s->client.name = g_strdup ("TV Calendar");
    }
  return sim_reader_string (r, client, "name", FALSE, &s->client.name)
         && read_redirect_uri (r, client, "redirect_uri", &s->client.redirect_uri)
         && read_url (r, client, "embed", FALSE, &s->client.embed)
         && sim_reader_string (r, client, "scope", FALSE, &s->client.scope)
         && sim_reader_choice (r, client, "auth_method", auth_methods, &s->client.auth_method)
         && sim_reader_string (r, client, "id_token_signed_response_alg", FALSE, &s->client.id_token_alg)
         && read_grant_types (r, client, s)
         && read_explicit_bool (r, client, "pkce", &s->client.use_pkce, &s->client_pkce_set)
         && sim_reader_bool (r, client, "check_state", &s->client.check_state)
         && sim_reader_bool (r, client, "refresh_on_401", &s->client.refresh_on_401)
         && sim_reader_string (r, client, "client_secret", FALSE, &s->client.client_secret)
         && check_client_secret (r, client, s)
         && sim_reader_bool (r, client, "dpop", &s->client.dpop);
}

static gboolean
read_exchange (SimReader   *r,
               JsonObject  *object,
               const char  *name,
               gboolean     required,
               char       **out)
{
  g_auto(GStrv) parts = NULL;

  if (!sim_reader_string (r, object, name, required, out))
    return FALSE;
  if (*out == NULL)
    return TRUE;
  parts = g_strsplit (*out, " ", -1);
  if (g_strv_length (parts) != 2 || !g_strv_contains (methods, parts[0]) || parts[1][0] != '/')
    {
      sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, name),
                         _("'%s' must be a method and a path, such as \"POST /token\""), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_held (SimReader   *r,
           JsonObject  *expect,
           const char  *name,
           GPtrArray  **out)
{
  JsonObject *map = NULL;
  g_autoptr(GList) members = NULL;

  if (!sim_reader_object (r, expect, name, FALSE, &map))
    return FALSE;
  if (map == NULL)
    return TRUE;
  *out = g_ptr_array_new_with_free_func (held_free);
  members = json_object_get_members (map);
  for (GList *l = members; l; l = l->next)
    {
      g_autoptr(GPtrArray) things = NULL;
      gboolean attacker = strcmp (l->data, "attacker") == 0;
      /* The client's holdings are its own fields; the attacker's, what it has come to know. */
      const char *const *known = attacker ? oauth_secret_classifier.kinds : client_app_held_names ();
      JsonNode *node = json_object_get_member (map, l->data);

      if (!g_strv_contains (holders, l->data))
        {
          sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, map, l->data),
                             _("'%s' lists what an actor holds; '%s' is not one whose holdings can be checked (expected 'client' or 'attacker')"),
                             name, (char *) l->data);
          return FALSE;
        }
      if (!sim_reader_strings (r, map, l->data, &things))
        return FALSE;
      for (guint i = 0; i < things->len; i++)
        {
          SimHeld *held;
          /* a device client (RFC 8628) holds a few things of its own */
          if (!g_strv_contains (known, things->pdata[i])
              && (attacker || !g_strv_contains (device_client_held_names (), things->pdata[i])))
            {
              g_autofree char *list = sim_reader_join (known);
              /* point at the name itself when it stands in a list */
              SimPos pos = JSON_NODE_HOLDS_ARRAY (node)
                           ? sim_doc_element_pos (r->doc, json_node_get_array (node), i)
                           : sim_doc_member_pos (r->doc, map, l->data);
              const char *suggestion = attacker ? sim_reader_closest (things->pdata[i], known) : NULL;
              if (suggestion)
                sim_doc_set_error (r->doc, r->error, pos,
                                   _("the attacker can know no '%s' (did you mean '%s'?)"),
                                   (char *) things->pdata[i], suggestion);
              else if (attacker)
                sim_doc_set_error (r->doc, r->error, pos,
                                   _("the attacker can know no '%s'; expected one of %s"),
                                   (char *) things->pdata[i], list);
              else
                sim_doc_set_error (r->doc, r->error, pos,
                                   _("the client holds no '%s'; expected one of %s"),
                                   (char *) things->pdata[i], list);
              return FALSE;
            }
          held = g_new0 (SimHeld, 1);
          held->actor = g_strdup (l->data);
          held->what = g_strdup (things->pdata[i]);
          held->pos = sim_doc_member_pos (r->doc, map, l->data);
          g_ptr_array_add (*out, held);
        }
    }
  return TRUE;
}

static gboolean
read_expect (SimReader  *r,
             JsonObject *object,
             SimStep    *step)
{
  SimExpect *e = g_new0 (SimExpect, 1);
  gint64 status = -1;
  JsonNode *error;

  g_ptr_array_add (step->expects, e);
  e->pos = sim_doc_object_pos (r->doc, object);
  e->status = -1;
  if (!sim_reader_check_fields (r, object, "'expect'", expect_fields)
      || !read_exchange (r, object, "exchange", FALSE, &e->exchange)
      || !sim_reader_int (r, object, "status", 0, 599, &status)
      || !sim_reader_strings (r, object, "present", &e->present)
      || !sim_reader_strings (r, object, "absent", &e->absent)
      || !sim_reader_string_map (r, object, "headers", TRUE, &e->header_names, &e->header_values)
      || !read_held (r, object, "holds", &e->holds)
      || !read_held (r, object, "lacks", &e->lacks)
      || !sim_reader_texts (r, object, "says", &e->says))
    return FALSE;
  e->status = (int) status;
  error = json_object_has_member (object, "error") ? json_object_get_member (object, "error") : NULL;
  if (error && JSON_NODE_HOLDS_NULL (error))
    e->error = g_strdup ("");
  else if (!sim_reader_string (r, object, "error", FALSE, &e->error))
    return FALSE;
  return TRUE;
}

/* RFC 9110 §5.1, §5.5: a field name is a token, and a value carries no line break; libsoup
 * refuses anything else with a critical. */
static gboolean
is_field_name (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("!#$%&'*+-.^_`|~", *p))
      return FALSE;
  return TRUE;
}

static gboolean
check_header_names (SimReader  *r,
                    JsonObject *object,
                    const char *member,
                    GPtrArray  *names,
                    GPtrArray  *values)
{
  for (guint i = 0; names && i < names->len; i++)
    {
      const char *name = names->pdata[i];
      const char *value = values ? values->pdata[i] : NULL;

      if (!is_field_name (name))
        {
          sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, member),
                             _("'%s' names a header “%s” that HTTP cannot carry: a header name is letters, digits and !#$%%&'*+-.^_`|~ only"),
                             member, name);
          return FALSE;
        }
      if (value && strpbrk (value, "\r\n"))
        {
          sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, member),
                             _("'%s' gives the header “%s” a value with a line break, which HTTP cannot carry"),
                             member, name);
          return FALSE;
        }
    }
  return TRUE;
}

/* Header names a student may write in 'set' or 'remove' when she means a header: the request
 * headers of HTTP and its browsers, and the response headers the actors send. No OAuth parameter
 * and no JSON member of the simulator has any of these names, in any case. The list is in
 * docs/scenario-format.md, "Tampering". */
static const char *const known_header_names[] = {
  "Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Cache-Control", "Connection",
  "Content-Length", "Content-Security-Policy", "Content-Type", "Cookie", "DPoP", "Forwarded",
  "Host", "If-Modified-Since", "If-None-Match", "Location", "Origin", "Pragma",
  "Proxy-Authorization", "Referer", "Referrer-Policy", "Sec-Fetch-Dest", "Sec-Fetch-Mode",
  "Sec-Fetch-Site", "Sec-Fetch-User", "Set-Cookie", "Transfer-Encoding",
  "Upgrade-Insecure-Requests", "User-Agent", "WWW-Authenticate", "X-Forwarded-For",
  "X-Forwarded-Host", "X-Forwarded-Proto", "X-Frame-Options", NULL
};

/* Refuses a header name in @member ('set' or 'remove'), which act on parameters: said silently,
 * `"set": {"Authorization": …}` would add a form field of that name. */
static gboolean
refuse_header_name (SimReader  *r,
                    SimPos      pos,
                    const char *member,
                    const char *name,
                    const char *instead)
{
  for (guint i = 0; known_header_names[i]; i++)
    if (g_ascii_strcasecmp (name, known_header_names[i]) == 0)
      {
        sim_doc_set_error (r->doc, r->error, pos,
                           _("'%s' is an HTTP header, but '%s' acts on parameters (the query, the form body or JSON members); did you mean \"%s\"?"),
                           name, member, instead);
        return FALSE;
      }
  return TRUE;
}

static gboolean
check_parameter_names (SimReader  *r,
                       JsonObject *tamper)
{
  JsonNode *remove = json_object_has_member (tamper, "remove") ? json_object_get_member (tamper, "remove") : NULL;

  if (json_object_has_member (tamper, "set"))
    {
      JsonObject *set = json_object_get_object_member (tamper, "set");  /* an object: read before */
      g_autoptr(GList) names = json_object_get_members (set);
      for (GList *l = names; l; l = l->next)
        if (!refuse_header_name (r, sim_doc_member_pos (r->doc, set, l->data), "set", l->data, "set_header"))
          return FALSE;
    }
  if (remove && JSON_NODE_HOLDS_ARRAY (remove))
    {
      JsonArray *array = json_node_get_array (remove);  /* of strings: read before */
      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!refuse_header_name (r, sim_doc_element_pos (r->doc, array, i), "remove",
                                 json_array_get_string_element (array, i), "remove_header"))
          return FALSE;
    }
  else if (remove)
    return refuse_header_name (r, sim_doc_member_pos (r->doc, tamper, "remove"), "remove",
                               json_node_get_string (remove), "remove_header");
  return TRUE;
}

static gboolean
read_tamper (SimReader  *r,
             JsonObject *object,
             SimStep    *step)
{
  SimTamper *t = g_new0 (SimTamper, 1);
  g_autofree char *stage = NULL;
  g_autoptr(GPtrArray) names = NULL, values = NULL;
  g_autoptr(GPtrArray) header_names = NULL, header_values = NULL;

  g_ptr_array_add (step->tampers, t);
  t->pos = sim_doc_object_pos (r->doc, object);
  if (!sim_reader_check_fields (r, object, "'tamper'", tamper_fields)
      || !read_exchange (r, object, "exchange", TRUE, &t->exchange)
      || !sim_reader_choice (r, object, "stage", stages, &stage)
      || !sim_reader_string_map (r, object, "set", FALSE, &names, &values)
      || !sim_reader_strings (r, object, "remove", &t->remove_params)
      || !sim_reader_string_map (r, object, "set_header", FALSE, &header_names, &header_values)
      || !sim_reader_strings (r, object, "remove_header", &t->remove_headers)
      || !sim_reader_bool (r, object, "drop", &t->drop)
      || !sim_reader_bool (r, object, "duplicate", &t->duplicate)
      || !sim_reader_int (r, object, "delay", 0, 366 * 86400, &t->delay))
    return FALSE;
  t->stage = g_strcmp0 (stage, "response") == 0 ? SIM_TAMPER_RESPONSE : SIM_TAMPER_REQUEST;
  if (!check_parameter_names (r, object)
      || !check_header_names (r, object, "set_header", header_names, header_values)
      || !check_header_names (r, object, "remove_header", t->remove_headers, NULL))
    return FALSE;
  if (names)
    {
      t->set_params = sim_params_new ();
      for (guint i = 0; i < names->len; i++)
        sim_params_set (t->set_params, names->pdata[i], values->pdata[i]);
    }
  if (header_names)
    {
      t->set_headers = sim_params_new ();
      for (guint i = 0; i < header_names->len; i++)
        sim_params_set (t->set_headers, header_names->pdata[i], header_values->pdata[i]);
    }
  if (t->stage == SIM_TAMPER_RESPONSE && (t->set_params || t->remove_params || t->delay || t->drop))
    {
      sim_doc_set_error (r->doc, r->error, t->pos,
                         _("a response can only have its headers changed or be duplicated; 'set', 'remove', 'drop' and 'delay' act on requests"));
      return FALSE;
    }
  return TRUE;
}

/* "expect" and "tamper" take one object or an array of them. */
static gboolean
read_list (SimReader  *r,
           JsonObject *object,
           const char *name,
           SimStep    *step,
           gboolean  (*read_one) (SimReader *, JsonObject *, SimStep *))
{
  JsonNode *node = json_object_has_member (object, name) ? json_object_get_member (object, name) : NULL;
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_OBJECT (node))
    return read_one (r, json_node_get_object (node), step);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, name),
                         _("'%s' must be an object or an array of objects"), name);
      return FALSE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          sim_doc_set_error (r->doc, r->error, sim_doc_element_pos (r->doc, array, i),
                             _("each entry of '%s' must be an object"), name);
          return FALSE;
        }
      if (!read_one (r, json_node_get_object (element), step))
        return FALSE;
    }
  return TRUE;
}

/* A boolean that may be left out: -1 then. */
static gboolean
read_tristate (SimReader  *r,
               JsonObject *object,
               const char *name,
               int        *out)
{
  gboolean value = FALSE;

  *out = -1;
  if (!json_object_has_member (object, name))
    return TRUE;
  if (!sim_reader_bool (r, object, name, &value))
    return FALSE;
  *out = value ? 1 : 0;
  return TRUE;
}

static const ActionInfo *
find_action (SimReader  *r,
             JsonObject *object,
             const char *actor,
             const char *action)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *list = NULL;
  const char *suggestion;

  for (guint i = 0; i < G_N_ELEMENTS (action_table); i++)
    if (strcmp (action_table[i].actor, actor) == 0)
      {
        if (strcmp (action_table[i].action, action) == 0)
          return &action_table[i];
        g_ptr_array_add (names, (gpointer) action_table[i].action);
      }
  g_ptr_array_add (names, NULL);
  suggestion = sim_reader_closest (action, (const char *const *) names->pdata);
  list = sim_reader_join ((const char *const *) names->pdata);
  if (suggestion)
    sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, "action"),
                       _("the %s has no action '%s' (did you mean '%s'?)"), actor, action, suggestion);
  else
    sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, "action"),
                       _("the %s has no action '%s'; expected one of %s"), actor, action, list);
  return NULL;
}

static gboolean
read_action_fields (SimReader  *r,
                    JsonObject *object,
                    SimStep    *step)
{
  g_autoptr(GPtrArray) scopes = NULL;
  g_autofree char *decision = NULL;
  g_autofree char *phase = NULL;
  gint64 from_step = 0;

  switch (step->kind)
    {
    case SIM_ACTION_CALL_API:
      if (!sim_reader_choice (r, object, "method", methods, &step->method)
          || !sim_reader_string (r, object, "path", FALSE, &step->path)
          || !read_url (r, object, "url", FALSE, &step->url))
        return FALSE;
      if (step->url && (step->path || json_object_has_member (object, "body")))
        {
          sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, "url"),
                             _("'url' calls an API other than the client's own; it goes without 'path' and 'body'"));
          return FALSE;
        }
      if (step->path && step->path[0] != '/')
        {
          sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, "path"),
                             _("'path' must start with '/'"));
          return FALSE;
        }
      if (json_object_has_member (object, "body"))
        step->body = json_node_copy (json_object_get_member (object, "body"));
      return TRUE;
    case SIM_ACTION_REFRESH:
    case SIM_ACTION_CLIENT_CREDENTIALS:
      return sim_reader_string (r, object, "scope", FALSE, &step->scope);
    case SIM_ACTION_REVOKE:
      return sim_reader_choice (r, object, "token", revocable, &step->token);
    case SIM_ACTION_CONNECT:
      return read_url (r, object, "url", FALSE, &step->url);
    case SIM_ACTION_VISIT:
      if (!read_url (r, object, "url", TRUE, &step->url)
          || !sim_reader_choice (r, object, "phase", phases, &phase))
        return FALSE;
      step->phase = SIM_PHASE_CONSENT;
      if (phase)
        sim_phase_from_string (phase, &step->phase);
      return TRUE;
    case SIM_ACTION_CONSENT:
      if (!sim_reader_choice (r, object, "decision", decisions, &decision)
          || !sim_reader_strings (r, object, "scopes", &scopes)
          || !sim_reader_string (r, object, "password", FALSE, &step->password))
        return FALSE;
      step->decision = decision ? strcmp (decision, "approve") == 0 : -1;
      if (scopes)
        {
          g_ptr_array_add (scopes, NULL);
          step->approve_scopes = g_strjoinv (" ", (GStrv) scopes->pdata);
        }
      return TRUE;
    case SIM_ACTION_ADVANCE:
      if (!json_object_has_member (object, "seconds"))
        {
          sim_doc_set_error (r->doc, r->error, sim_doc_object_pos (r->doc, object),
                             _("missing required field 'seconds'"));
          return FALSE;
        }
      return sim_reader_int (r, object, "seconds", 0, 10 * 366 * 86400, &step->seconds);
    case SIM_ACTION_REPLAY:
      if (!read_exchange (r, object, "exchange", TRUE, &step->exchange)
          || !sim_reader_int (r, object, "step", 1, G_MAXINT, &from_step))
        return FALSE;
      step->from_step = (int) from_step;
      return TRUE;
    case SIM_ACTION_REGISTER:
      return read_url (r, object, "server", FALSE, &step->server);
    case SIM_ACTION_ATTACKER_AUTHORIZE:
      if (!sim_reader_choice (r, object, "client", client_kinds, &step->client_kind)
          || !read_tristate (r, object, "pkce", &step->pkce))
        return FALSE;
      return TRUE;
    case SIM_ACTION_ATTACKER_REDEEM:
      {
        g_autofree char *role = NULL;
        if (!sim_reader_choice (r, object, "as", redeem_roles, &role))
          return FALSE;
        step->role = g_strcmp0 (role, "own") == 0 ? ATTACKER_AS_OWN
                     : g_strcmp0 (role, "app") == 0 ? ATTACKER_VIA_APP : ATTACKER_AS_VICTIM;
        return TRUE;
      }
    case SIM_ACTION_ATTACKER_READ_LEAK:
      {
        g_autofree char *part = NULL;
        g_autofree char *source = NULL;
        if (!read_exchange (r, object, "exchange", TRUE, &step->exchange)
            || !sim_reader_int (r, object, "step", 1, G_MAXINT, &from_step)
            || !sim_reader_choice (r, object, "part", leak_parts, &part)
            || !sim_reader_choice (r, object, "source", leak_sources, &source))
          return FALSE;
        step->from_step = (int) from_step;
        step->response = g_strcmp0 (part, "response") == 0;
        step->source = g_strcmp0 (source, "history") == 0 ? SIM_LEAK_HISTORY
                       : g_strcmp0 (source, "device") == 0 ? SIM_LEAK_DEVICE : SIM_LEAK_LOG;
        return TRUE;
      }
    case SIM_ACTION_ATTACKER_PHISH:
      return read_redirect_uri (r, object, "redirect_uri", &step->redirect_uri)
             && read_tristate (r, object, "pkce", &step->pkce);
    case SIM_ACTION_DISCOVER:
    default:
      return TRUE;
    }
}

static gboolean
read_step (SimReader   *r,
           JsonArray   *array,
           guint        index,
           SimScenario *s)
{
  JsonNode *node = json_array_get_element (array, index);
  JsonObject *object;
  SimStep *step;
  const ActionInfo *info;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      sim_doc_set_error (r->doc, r->error, sim_doc_element_pos (r->doc, array, index),
                         _("each step must be an object with 'actor' and 'action'"));
      return FALSE;
    }
  object = json_node_get_object (node);
  step = g_new0 (SimStep, 1);
  step->expects = g_ptr_array_new_with_free_func (expect_free);
  step->tampers = g_ptr_array_new_with_free_func (tamper_free);
  step->decision = -1;
  step->pkce = -1;
  step->pos = sim_doc_object_pos (r->doc, object);
  g_ptr_array_add (s->steps, step);

  if (!sim_reader_string (r, object, "actor", TRUE, &step->actor))
    return FALSE;
  if (!g_strv_contains (actors, step->actor))
    {
      const char *suggestion = sim_reader_closest (step->actor, actors);
      g_autofree char *list = sim_reader_join (actors);
      if (suggestion)
        sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, "actor"),
                           _("unknown actor '%s' (did you mean '%s'?)"), step->actor, suggestion);
      else
        sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, "actor"),
                           _("unknown actor '%s'; expected one of %s"), step->actor, list);
      return FALSE;
    }
  if (!sim_reader_string (r, object, "action", TRUE, &step->action))
    return FALSE;
  if (!(info = find_action (r, object, step->actor, step->action)))
    return FALSE;
  step->kind = info->kind;

  {
    g_autofree char *where = g_strdup_printf (_("a '%s %s' step"), step->actor, step->action);
    if (!sim_reader_check_fields (r, object, where, info->fields))
      return FALSE;
  }
  return sim_reader_text (r, object, "title", FALSE, &step->title)
         && sim_reader_text (r, object, "note", FALSE, &step->note)
         && read_action_fields (r, object, step)
         && read_list (r, object, "expect", step, read_expect)
         && read_list (r, object, "tamper", step, read_tamper);
}

/* Orders that cannot happen: the owner answers a consent page only after opening one, and a
 * replay names an earlier step. */
static gboolean
check_order (SimReader   *r,
             SimScenario *s)
{
  gboolean page_open = FALSE;

  for (guint i = 0; i < s->steps->len; i++)
    {
      SimStep *step = s->steps->pdata[i];
      if (step->kind == SIM_ACTION_CONNECT || step->kind == SIM_ACTION_VISIT
          || step->kind == SIM_ACTION_ATTACKER_FORGE_CALLBACK || step->kind == SIM_ACTION_ATTACKER_PHISH
          || step->kind == SIM_ACTION_ATTACKER_FRAME || step->kind == SIM_ACTION_ENTER_USER_CODE
          || step->kind == SIM_ACTION_ATTACKER_SEND_USER_CODE)
        page_open = TRUE;
      else if (step->kind == SIM_ACTION_CONSENT && !page_open)
        {
          sim_doc_set_error (r->doc, r->error, step->pos,
                             _("step %u: the owner cannot consent before a login page is open; add a 'resource-owner connect' step before it"),
                             i + 1);
          return FALSE;
        }
      else if (step->kind == SIM_ACTION_ATTACKER_READ_LEAK && step->from_step >= (int) i + 1)
        {
          sim_doc_set_error (r->doc, r->error, step->pos,
                             _("step %u: a leak can only be of an earlier step, not step %d"),
                             i + 1, step->from_step);
          return FALSE;
        }
      else if (step->kind == SIM_ACTION_REPLAY && step->from_step >= (int) i + 1)
        {
          sim_doc_set_error (r->doc, r->error, step->pos,
                             _("step %u: a replay can only repeat an earlier step, not step %d"),
                             i + 1, step->from_step);
          return FALSE;
        }
    }
  return TRUE;
}

/* A device client (RFC 8628) has its own steps, and not those of the web app: it is sent no
 * browser (connect), and has no refresh or revoke of its own here. The owner types a code only
 * once a device has one to show; the attacker sends one only once it has started a flow. */
static gboolean
check_device (SimReader   *r,
              SimScenario *s)
{
  gboolean shown = FALSE, started = FALSE;

  for (guint i = 0; i < s->steps->len; i++)
    {
      SimStep *step = s->steps->pdata[i];
      gboolean device_step = step->kind == SIM_ACTION_DEVICE_AUTHORIZE || step->kind == SIM_ACTION_POLL
                             || step->kind == SIM_ACTION_ENTER_USER_CODE;
      gboolean web_step = step->kind == SIM_ACTION_CONNECT || step->kind == SIM_ACTION_REFRESH
                          || step->kind == SIM_ACTION_REVOKE;

      if (device_step && !s->device_client)
        {
          sim_doc_set_error (r->doc, r->error, step->pos,
                             _("step %u: '%s' is a step of a device client; add \"device\": true to 'client'"),
                             i + 1, step->action);
          return FALSE;
        }
      if (web_step && s->device_client)
        {
          sim_doc_set_error (r->doc, r->error, step->pos,
                             _("step %u: the client is a device (\"device\": true), which has no '%s' step"),
                             i + 1, step->action);
          return FALSE;
        }
      if ((step->kind == SIM_ACTION_ENTER_USER_CODE && !shown)
          || ((step->kind == SIM_ACTION_ATTACKER_SEND_USER_CODE || step->kind == SIM_ACTION_ATTACKER_POLL) && !started))
        {
          sim_doc_set_error (r->doc, r->error, step->pos,
                             _("step %u: no device has asked for a user code yet; add a 'device-authorize' step before it"),
                             i + 1);
          return FALSE;
        }
      shown = shown || step->kind == SIM_ACTION_DEVICE_AUTHORIZE;
      started = started || step->kind == SIM_ACTION_ATTACKER_DEVICE_AUTHORIZE;
    }
  return TRUE;
}

static gboolean
read_defenses (SimReader   *r,
               JsonObject  *object,
               SimScenario *s)
{
  JsonObject *defenses = NULL;
  const char *const *names = oauth_defense_names ();

  if (!sim_reader_object (r, object, "defenses", FALSE, &defenses))
    return FALSE;
  if (defenses == NULL)
    return TRUE;
  if (!sim_reader_check_fields (r, defenses, "'defenses'", names))
    return FALSE;
  for (guint i = 0; names[i]; i++)
    if (!sim_reader_bool (r, defenses, names[i], oauth_defenses_lookup (&s->defenses, names[i])))
      return FALSE;
  return TRUE;
}

/* A member of @parent's object @section, when both are there. */
static JsonObject *
section_with (JsonObject *parent,
              const char *section,
              const char *member)
{
  JsonNode *node = json_object_has_member (parent, section) ? json_object_get_member (parent, section) : NULL;
  JsonObject *object = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  return object && json_object_has_member (object, member) ? object : NULL;
}

/* Older fields that are the same switch as a defense, or that a defense switched off cannot
 * honour: they must not contradict it. */
static gboolean
reconcile_defenses (SimReader   *r,
                    JsonObject  *object,
                    SimScenario *s)
{
  JsonObject *defenses = section_with (object, "defenses", "state_check");
  JsonObject *client = section_with (object, "client", "check_state");
  JsonObject *server;

  if (defenses && client && !s->client.check_state != !s->defenses.state_check)
    {
      sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, defenses, "state_check"),
                         _("'state_check' and the client's 'check_state' are the same switch, and they disagree"));
      return FALSE;
    }
  if (client)
    s->defenses.state_check = s->client.check_state;
  s->client_pkce = s->client.use_pkce;

  if (!s->defenses.pkce)
    {
      if ((client = section_with (object, "client", "pkce")) && s->client.use_pkce)
        {
          sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, client, "pkce"),
                             _("the client cannot use PKCE when the 'pkce' defense is off: nobody implements it then"));
          return FALSE;
        }
      if ((server = section_with (object, "server", "require_pkce")) && s->server.require_pkce)
        {
          sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, server, "require_pkce"),
                             _("the server cannot require PKCE when the 'pkce' defense is off"));
          return FALSE;
        }
    }
  if (!s->defenses.refresh_rotation
      && (server = section_with (object, "server", "rotate_refresh_tokens")) && s->server.rotate_refresh_tokens)
    {
      sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, server, "rotate_refresh_tokens"),
                         _("the server cannot rotate refresh tokens when the 'refresh_rotation' defense is off"));
      return FALSE;
    }
  sim_scenario_apply_defenses (s);
  return TRUE;
}

/**
 * sim_scenario_apply_defenses:
 *
 * Hands the scenario's defenses to the actors' settings, after a change to them (the attack
 * lab flips one at a time): the client's state check is the state_check switch, and it sends a
 * code_challenge only when both the pkce defense and its own "pkce" setting say so.
 */
void
sim_scenario_apply_defenses (SimScenario *self)
{
  self->server.defenses = self->defenses;
  self->client.defenses = self->defenses;
  self->client.check_state = self->defenses.state_check;
  self->client.use_pkce = self->defenses.pkce && self->client_pkce;
  if (!self->server_dpop_set)
    self->server.dpop = self->client.dpop;
}

static gboolean
read_attacker (SimReader   *r,
               JsonObject  *object,
               SimScenario *s)
{
  JsonObject *attacker = NULL;

  if (!sim_reader_object (r, object, "attacker", FALSE, &attacker))
    return FALSE;
  if (attacker == NULL)
    return TRUE;
  s->has_attacker = TRUE;
  if (!sim_reader_check_fields (r, attacker, "'attacker'", attacker_fields)
      || !sim_reader_string (r, attacker, "username", FALSE, &s->attacker.username)
      || !is_space_free (r, attacker, "username", s->attacker.username)
      || !sim_reader_string (r, attacker, "password", FALSE, &s->attacker.password)
      || !sim_reader_string (r, attacker, "client_name", FALSE, &s->attacker.client_name)
      || !sim_reader_bool (r, attacker, "claims_scheme", &s->claims_scheme))
    return FALSE;
  if (g_strcmp0 (s->attacker.username, s->owner.username) == 0)
    {
      sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, attacker, "username"),
                         _("the attacker needs an account of its own, not the owner's '%s'"), s->owner.username);
      return FALSE;
    }
  if (s->claims_scheme && !is_private_use_uri (s->client.redirect_uri))
    {
      sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, attacker, "claims_scheme"),
                         _("'claims_scheme' needs a client whose redirect URI has a custom scheme, such as com.example.calendar:/callback"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_attack (SimReader   *r,
             JsonObject  *object,
             SimScenario *s)
{
  JsonObject *attack = NULL;
  SimAttack *a;

  if (!sim_reader_object (r, object, "attack", FALSE, &attack))
    return FALSE;
  if (attack == NULL)
    return TRUE;
  a = s->attack = g_new0 (SimAttack, 1);
  a->pos = sim_doc_member_pos (r->doc, object, "attack");
  if (!sim_reader_check_fields (r, attack, "'attack'", attack_fields)
      || !sim_reader_text (r, attack, "name", TRUE, &a->name)
      || !sim_reader_string (r, attack, "cites", TRUE, &a->cites)
      || !sim_reader_string (r, attack, "defense", TRUE, &a->defense))
    return FALSE;
  if (!oauth_defenses_lookup (&s->defenses, a->defense))
    {
      const char *suggestion = sim_reader_closest (a->defense, oauth_defense_names ());
      g_autofree char *list = sim_reader_join (oauth_defense_names ());
      if (suggestion)
        sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, attack, "defense"),
                           _("unknown defense '%s' (did you mean '%s'?)"), a->defense, suggestion);
      else
        sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, attack, "defense"),
                           _("unknown defense '%s'; expected one of %s"), a->defense, list);
      return FALSE;
    }
  if (!sim_reader_strings (r, attack, "prize", &a->prize))
    return FALSE;
  if (a->prize == NULL)
    {
      a->prize = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (a->prize, g_strdup ("calendar"));
    }
  for (guint i = 0; i < a->prize->len; i++)
    if (!g_strv_contains (oauth_secret_classifier.kinds, a->prize->pdata[i]))
      {
        g_autofree char *list = sim_reader_join (oauth_secret_classifier.kinds);
        const char *suggestion = sim_reader_closest (a->prize->pdata[i], oauth_secret_classifier.kinds);
        if (suggestion)
          sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, attack, "prize"),
                             _("the attacker can know no '%s' (did you mean '%s'?)"),
                             (char *) a->prize->pdata[i], suggestion);
        else
          sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, attack, "prize"),
                             _("the attacker can know no '%s'; expected one of %s"),
                             (char *) a->prize->pdata[i], list);
        return FALSE;
      }
  return TRUE;
}

/* The attacker is there when the scenario describes it or gives it something to do; only
 * then may an expectation ask what it holds. */
static gboolean
check_attacker (SimReader   *r,
                SimScenario *s)
{
  for (guint i = 0; i < s->steps->len; i++)
    if (strcmp (((SimStep *) s->steps->pdata[i])->actor, "attacker") == 0)
      s->has_attacker = TRUE;
  if (s->attack && !s->has_attacker)
    {
      sim_doc_set_error (r->doc, r->error, s->attack->pos,
                         _("an 'attack' needs an attacker: add an 'attacker' object or attacker steps"));
      return FALSE;
    }
  for (guint i = 0; i < s->steps->len && !s->has_attacker; i++)
    {
      SimStep *step = s->steps->pdata[i];
      for (guint j = 0; j < step->expects->len; j++)
        {
          SimExpect *e = step->expects->pdata[j];
          GPtrArray *lists[] = { e->holds, e->lacks };
          for (guint k = 0; k < G_N_ELEMENTS (lists); k++)
            for (guint h = 0; lists[k] && h < lists[k]->len; h++)
              {
                SimHeld *held = lists[k]->pdata[h];
                if (strcmp (held->actor, "attacker") == 0)
                  {
                    sim_doc_set_error (r->doc, r->error, held->pos,
                                       _("this scenario has no attacker whose holdings could be checked; add an 'attacker' object or attacker steps"));
                    return FALSE;
                  }
              }
        }
    }
  return TRUE;
}

static gboolean
read_start (SimReader   *r,
            JsonObject  *object,
            SimScenario *s)
{
  g_autofree char *start = NULL;
  g_autoptr(GDateTime) dt = NULL;

  if (!sim_reader_string (r, object, "start", FALSE, &start))
    return FALSE;
  dt = g_date_time_new_from_iso8601 (start ? start : DEFAULT_START, NULL);
  if (dt == NULL)
    {
      sim_doc_set_error (r->doc, r->error, sim_doc_member_pos (r->doc, object, "start"),
                         _("'start' must be a date and time such as \"2026-03-02T09:00:00Z\""));
      return FALSE;
    }
  s->start = g_date_time_to_unix (dt);
  return TRUE;
}

static void
default_scopes (SimScenario *s)
{
  static const char *const defaults[][2] = {
    { "calendar.read", N_("See your calendar events") },
    { "calendar.write", N_("Add events to your calendar") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
    {
      SimScope *scope = g_new0 (SimScope, 1);
      scope->name = g_strdup (defaults[i][0]);
      scope->description = g_strdup (_(defaults[i][1]));
      g_ptr_array_add (s->scopes, scope);
    }
}

static SimScenario *
read_scenario (SimDoc      *doc,
               const char  *profile,
               GError     **error)
{
  g_autoptr(SimScenario) s = scenario_new (sim_doc_get_name (doc));
  SimReader reader = { doc, error };
  SimReader *r = &reader;
  JsonNode *root = sim_doc_get_root (doc);
  JsonObject *object;
  JsonNode *steps;
  JsonArray *array;
  gint64 seed = 1;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      sim_doc_set_error (doc, error, (SimPos) { 1, 1 }, _("a scenario must be a JSON object, not %s"),
                         JSON_NODE_HOLDS_ARRAY (root) ? _("an array") : _("a single value"));
      return NULL;
    }
  object = json_node_get_object (root);
  if (!sim_reader_check_fields (r, object, _("the scenario"), top_fields)
      || !sim_reader_text (r, object, "title", TRUE, &s->title)
      || !sim_reader_text (r, object, "description", FALSE, &s->description)
      || !sim_reader_int (r, object, "seed", 0, G_MAXINT64, &seed)
      || !read_start (r, object, s)
      || !read_profile (r, object, profile, s)
      || !read_server (r, object, s)
      || !read_owner (r, object, s)
      || !read_client (r, object, s)
      || !read_defenses (r, object, s)
      || !reconcile_defenses (r, object, s)
      || !read_attacker (r, object, s)
      || !read_attack (r, object, s))
    return NULL;
  s->seed = (guint64) seed;
  if (s->scopes->len == 0)
    default_scopes (s);

  steps = json_object_has_member (object, "steps") ? json_object_get_member (object, "steps") : NULL;
  if (steps == NULL)
    {
      sim_doc_set_error (doc, error, sim_doc_object_pos (doc, object), _("missing required field 'steps'"));
      return NULL;
    }
  if (!JSON_NODE_HOLDS_ARRAY (steps) || json_array_get_length (json_node_get_array (steps)) == 0)
    {
      sim_doc_set_error (doc, error, sim_doc_member_pos (doc, object, "steps"),
                         _("'steps' must be a non-empty array of steps"));
      return NULL;
    }
  array = json_node_get_array (steps);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (!read_step (r, array, i, s))
      return NULL;
  if (!check_order (r, s) || !check_device (r, s) || !check_attacker (r, s))
    return NULL;
  for (guint i = 0; i < s->events->len; i++)
    {
      SimEvent *event = s->events->pdata[i];
      event->owner = g_strdup (s->owner.username);
    }
  return g_steal_pointer (&s);
}

/**
 * sim_scenario_load_data:
 * @name: the file name used in messages
 *
 * Returns: (transfer full) (nullable): the scenario, or %NULL with @error set to
 * "NAME:LINE:COLUMN: what was expected".
 */
SimScenario *
sim_scenario_load_data (const char  *name,
                        const char  *data,
                        gsize        length,
                        GError     **error)
{
  return sim_scenario_load_data_as (name, data, length, NULL, error);
}

SimScenario *
sim_scenario_load_file (const char  *filename,
                        GError     **error)
{
  return sim_scenario_load_file_as (filename, NULL, error);
}

/**
 * sim_scenario_load_data_as:
 * @profile: (nullable): a profile in place of the scenario's own (--profile); the scenario's
 *   explicit settings still apply over it
 *
 * Returns: (transfer full) (nullable): as sim_scenario_load_data().
 */
SimScenario *
sim_scenario_load_data_as (const char  *name,
                           const char  *data,
                           gsize        length,
                           const char  *profile,
                           GError     **error)
{
  g_autoptr(SimDoc) doc = NULL;

  g_return_val_if_fail (profile == NULL || oauth_profile_lookup (profile), NULL);
  doc = sim_doc_load_data (name, data, length, error);
  return doc ? read_scenario (doc, profile, error) : NULL;
}

/**
 * sim_scenario_load_file_as:
 * @profile: (nullable): as for sim_scenario_load_data_as()
 */
SimScenario *
sim_scenario_load_file_as (const char  *filename,
                           const char  *profile,
                           GError     **error)
{
  g_autoptr(SimDoc) doc = NULL;

  g_return_val_if_fail (profile == NULL || oauth_profile_lookup (profile), NULL);
  doc = sim_doc_load_file (filename, error);
  return doc ? read_scenario (doc, profile, error) : NULL;
}

/**
 * sim_scenario_read_title:
 * Returns: (transfer full) (nullable): the title of a scenario file that loads, else %NULL.
 */
char *
sim_scenario_read_title (const char *filename)
{
  g_autoptr(SimScenario) s = sim_scenario_load_file (filename, NULL);
  return s ? g_strdup (s->title) : NULL;
}
