/* properties.c: the security properties the explorer checks after every transition, each
 * computed from what crossed the bus and from who knows what (sim/knowledge.c), never from an
 * actor's private state. docs/explore.md cites each one. */
#include <string.h>

#include "sim/explore/explore.h"
#include "actors/oauth.h"

static const struct
{
  const char *name;
  const char *cites;
} properties[SIM_PROP_COUNT] = {
  { "attacker-never-reads-owner-data", "RFC 6749 §10, RFC 9700 §3" },
  { "session-never-bound-to-attacker", "RFC 6749 §10.12, RFC 9700 §4.7, §4.8" },
  { "code-buys-tokens-once", "RFC 6749 §4.1.2, §10.5" },
  { "password-only-to-server", "RFC 6749 §1.1, §10.3, RFC 9700 §4.16" },
  { "rotated-refresh-token-is-dead", "RFC 9700 §4.14.2" },
  { "codes-and-tokens-to-intended-party", "RFC 9700 §4.4, §4.9.1, §4.10" },
};

const char *sim_property_name (SimProperty property) { return properties[property].name; }
const char *sim_property_cites (SimProperty property) { return properties[property].cites; }

struct _SimPropertyTracker
{
  SimScenario *scenario;
  guint scanned;            /* records read so far */
  GHashTable *code_user;    /* code issued by the honest server -> account it is for */
  GHashTable *redeemed;     /* code -> GUINT_TO_POINTER (successful redemptions) */
  GHashTable *rotated;      /* refresh tokens answered with another one */
  GHashTable *audience;     /* access token the client got -> origin it is for */
  guint violated;           /* bit per property */
  const char *password_holder;
  gboolean intended_code;   /* which kind of value went astray, for the expectation */
};

SimPropertyTracker *
sim_property_tracker_new (SimScenario *scenario)
{
  SimPropertyTracker *self = g_new0 (SimPropertyTracker, 1);
  self->scenario = scenario;
  self->code_user = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->redeemed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->rotated = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->audience = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
sim_property_tracker_free (SimPropertyTracker *self)
{
  if (!self)
    return;
  g_hash_table_unref (self->code_user);
  g_hash_table_unref (self->redeemed);
  g_hash_table_unref (self->rotated);
  g_hash_table_unref (self->audience);
  g_free (self);
}

static gboolean
at_honest_server (SimPropertyTracker *self,
                  SimMessage         *message,
                  const char         *path)
{
  g_autofree char *origin = sim_message_dup_origin (message);
  return g_strcmp0 (origin, self->scenario->server.issuer) == 0
         && strcmp (sim_message_get_path (message), path) == 0;
}

/* A sign-in and consent at the honest server that sent a code back: whose code it is. */
static void
note_code (SimPropertyTracker *self,
           SimMessage         *message,
           SimParams          *form)
{
  const char *location = sim_headers_get_one (message->response_headers, "Location");
  g_autoptr(SimUri) uri = location ? sim_uri_parse (location, NULL) : NULL;
  g_autoptr(SimParams) query = uri ? sim_params_parse (sim_uri_get_query (uri), NULL) : NULL;
  const char *code = query ? sim_params_get (query, "code") : NULL;
  const char *user = sim_params_get (form, "username");

  if (code && user)
    g_hash_table_replace (self->code_user, g_strdup (code), g_strdup (user));
}

static void
token_request (SimPropertyTracker *self,
               SimMessage         *message,
               SimParams          *form)
{
  const char *grant = sim_params_get (form, "grant_type");
  gboolean ok = message->status == SOUP_STATUS_OK;
  g_autofree char *access = NULL, *refresh = NULL, *scope = NULL, *error = NULL;

  if (ok)
    oauth_read_token_response (message, &access, &refresh, &scope, &error);
  if (g_strcmp0 (grant, "authorization_code") == 0 && ok)
    {
      const char *code = sim_params_get (form, "code");
      guint times = GPOINTER_TO_UINT (g_hash_table_lookup (self->redeemed, code)) + 1;
      g_hash_table_replace (self->redeemed, g_strdup (code), GUINT_TO_POINTER (times));
      if (times > 1)
        self->violated |= 1u << SIM_PROP_CODE_ONCE;
      if (g_strcmp0 (message->from, "client") == 0
          && g_strcmp0 (g_hash_table_lookup (self->code_user, code), self->scenario->attacker.username) == 0)
        self->violated |= 1u << SIM_PROP_SESSION_BINDING;
    }
  if (g_strcmp0 (grant, "refresh_token") == 0 && ok)
    {
      const char *used = sim_params_get (form, "refresh_token");
      if (used && g_hash_table_contains (self->rotated, used))
        self->violated |= 1u << SIM_PROP_ROTATED_REFRESH;
      if (used && refresh && strcmp (used, refresh) != 0)
        g_hash_table_add (self->rotated, g_strdup (used));
    }
  if (access && g_strcmp0 (message->from, "client") == 0)
    {
      const char *resource = sim_params_get (form, "resource");
      g_hash_table_replace (self->audience, g_strdup (access),
                            g_strdup (resource ? resource : self->scenario->client.api
                                      ? self->scenario->client.api : "https://api.example"));
    }
}

/* What the client sends, and to whom: a code of the honest server's anywhere but there, a
 * token anywhere but the resource it was issued for. */
static void
client_sends (SimPropertyTracker *self,
              SimMessage         *message,
              SimParams          *form)
{
  g_autofree char *origin = sim_message_dup_origin (message);
  const char *code = form ? sim_params_get (form, "code") : NULL;
  const char *authorization = sim_headers_get_one (message->request_headers, "Authorization");

  /* the attacker's own codes (for its own account) are its to send anywhere */
  if (code && g_hash_table_contains (self->code_user, code)
      && g_strcmp0 (g_hash_table_lookup (self->code_user, code), self->scenario->attacker.username) != 0
      && g_strcmp0 (origin, self->scenario->server.issuer) != 0)
    {
      self->violated |= 1u << SIM_PROP_INTENDED_RECIPIENT;
      self->intended_code = TRUE;
    }
  if (authorization && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
    {
      const char *meant = g_hash_table_lookup (self->audience, authorization + 7);
      g_autofree char *meant_origin = NULL;
      if (meant)
        {
          g_autoptr(SimUri) uri = sim_uri_parse (meant, NULL);
          meant_origin = uri ? sim_uri_dup_origin (uri) : g_strdup (meant);
        }
      if (meant && g_strcmp0 (meant_origin, origin) != 0)
        self->violated |= 1u << SIM_PROP_INTENDED_RECIPIENT;
    }
}

/**
 * sim_property_tracker_update:
 *
 * Reads the exchanges @run recorded since the last call.
 *
 * Returns: the properties violated so far, one bit each.
 */
guint
sim_property_tracker_update (SimPropertyTracker *self,
                             SimRun             *run)
{
  GPtrArray *records = sim_run_get_records (run);
  SimKnowledge *knowledge = sim_run_get_knowledge (run);
  static const char *const others[] = { "client", "attacker", "api", NULL };

  for (; self->scanned < records->len; self->scanned++)
    {
      SimMessage *message = ((SimRecord *) records->pdata[self->scanned])->message;
      g_autoptr(SimParams) form = strcmp (message->method, "POST") == 0 ? sim_message_get_form (message, NULL) : NULL;

      if (form && at_honest_server (self, message, "/consent"))
        note_code (self, message, form);
      if (form && at_honest_server (self, message, "/token"))
        token_request (self, message, form);
      if (g_strcmp0 (message->from, "client") == 0)
        client_sends (self, message, form);
    }
  if (sim_knowledge_holds (knowledge, "attacker", "calendar"))
    self->violated |= 1u << SIM_PROP_ATTACKER_ACCESS;
  for (guint i = 0; others[i]; i++)
    if (sim_knowledge_holds (knowledge, others[i], "password"))
      {
        self->violated |= 1u << SIM_PROP_PASSWORD;
        self->password_holder = others[i];
      }
  return self->violated;
}

/* A summary of what the tracker followed, for the state hash. */
guint64
sim_property_tracker_hash (SimPropertyTracker *self)
{
  return ((guint64) self->violated << 48) ^ ((guint64) g_hash_table_size (self->rotated) << 40)
         ^ ((guint64) g_hash_table_size (self->code_user) << 32) ^ g_hash_table_size (self->audience);
}

static JsonNode *
holds (const char *actor,
       const char *what)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "holds");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, actor);
  json_builder_begin_array (b);
  json_builder_add_string_value (b, what);
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
token_succeeds (void)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "exchange");
  json_builder_add_string_value (b, "POST /token");
  json_builder_set_member_name (b, "status");
  json_builder_add_int_value (b, 200);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/**
 * sim_property_expectation:
 *
 * Returns: (transfer full): the scenario expectation, for the step where @property was
 *   violated, that holds exactly when the violation happens there.
 */
JsonNode *
sim_property_expectation (SimPropertyTracker *self,
                          SimProperty         property)
{
  switch (property)
    {
    case SIM_PROP_ATTACKER_ACCESS:
      return holds ("attacker", "calendar");
    case SIM_PROP_PASSWORD:
      return holds (g_strcmp0 (self->password_holder, "client") == 0 ? "client" : "attacker", "password");
    case SIM_PROP_INTENDED_RECIPIENT:
      return holds ("attacker", self->intended_code ? "code" : "access_token");
    case SIM_PROP_SESSION_BINDING:
    case SIM_PROP_CODE_ONCE:
    case SIM_PROP_ROTATED_REFRESH:
    default:
      return token_succeeds ();
    }
}
