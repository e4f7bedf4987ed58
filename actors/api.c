/* api.c: the calendar API, a protected resource (RFC 6750).
 *
 * Two kinds of resource: an owner's events (/calendar/events, calendar.read and
 * calendar.write), which only a token that acts for an owner opens, and the service's own
 * figures (/service/status, service.status), which name no owner, for a machine client of the
 * client credentials grant (RFC 6749 §4.4).
 *
 * It takes the bearer token from the Authorization header only (tokens in a URL leak through
 * logs and Referer headers: RFC 6750 §2.3, RFC 9700 §4.3.2), asks the authorization server
 * about it by introspection (RFC 7662), and answers with the RFC 6750 §3 errors: 401 with no
 * error code when no token came, 401 invalid_token for a bad one, 403 insufficient_scope.
 */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "actors/api.h"
#include "actors/oauth.h"
#include "actors/dpop.h"

#define REALM "calendar"

struct _CalendarApi
{
  SimWorld *world;
  char *origin;
  char *introspection_url;
  char *resource_id;
  char *resource_secret;
  char *authorization;  /* its credentials as an Authorization value, for every introspection */
  char *audience;      /* its own identifier, checked against a token's aud; NULL: no check */
  GHashTable *events;  /* owner -> JsonArray of events, in the order they were added */
  GHashTable *listings; /* owner -> the sealed {"events": [...]} answer, until an event is added */
  DpopVerifier *dpop;  /* (nullable) its DPoP checks (RFC 9449 §7); NULL: bearer tokens only */
};

/**
 * calendar_api_new:
 * @world: (not owned)
 * @resource_id: the API's own credentials at the authorization server, for introspection
 *
 * Returns: (transfer full): an API with no events yet.
 */
CalendarApi *
calendar_api_new (SimWorld   *world,
                  const char *origin,
                  const char *introspection_url,
                  const char *resource_id,
                  const char *resource_secret)
{
  CalendarApi *self = g_new0 (CalendarApi, 1);
  self->world = world;
  self->origin = g_strdup (origin);
  self->introspection_url = g_strdup (introspection_url);
  self->resource_id = g_strdup (resource_id);
  self->resource_secret = g_strdup (resource_secret);
  sim_world_hold (world, "api", "api_secret", resource_secret);
  self->authorization = oauth_basic_credentials (resource_id, resource_secret);
  self->events = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_array_unref);
  self->listings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_node_unref);
  return self;
}

void
calendar_api_free (CalendarApi *self)
{
  if (!self)
    return;
  g_free (self->origin);
  g_free (self->introspection_url);
  g_free (self->resource_id);
  g_free (self->resource_secret);
  g_free (self->authorization);
  g_free (self->audience);
  g_hash_table_unref (self->events);
  g_hash_table_unref (self->listings);
  dpop_verifier_free (self->dpop);
  g_free (self);
}

/**
 * calendar_api_set_audience:
 * @audience: (nullable): the API's identifier (RFC 8707), e.g. its origin; from now on a token
 *   whose introspection names another audience, or none, is refused. %NULL: no check.
 */
void
calendar_api_set_audience (CalendarApi *self,
                           const char  *audience)
{
  g_free (self->audience);
  self->audience = g_strdup (audience);
}

/**
 * calendar_api_set_dpop:
 * @require_nonce: every proof must carry the API's own nonce (RFC 9449 §9)
 *
 * From now on the API takes DPoP-bound tokens with the DPoP scheme and checks their proofs and
 * binding (RFC 9449 §7).
 */
void
calendar_api_set_dpop (CalendarApi *self,
                       gboolean     require_nonce)
{
  dpop_verifier_free (self->dpop);
  self->dpop = dpop_verifier_new (self->world, require_nonce);
}

static JsonArray *
events_of (CalendarApi *self,
           const char  *owner)
{
  JsonArray *events = g_hash_table_lookup (self->events, owner);
  if (!events)
    {
      events = json_array_new ();
      g_hash_table_insert (self->events, g_strdup (owner), events);
    }
  return events;
}

void
calendar_api_add_event (CalendarApi *self,
                        const char  *owner,
                        const char  *title,
                        const char  *start)
{
  JsonArray *events = events_of (self, owner);
  JsonObject *event = json_object_new ();
  g_autofree char *id = g_strdup_printf ("ev%u", json_array_get_length (events) + 1);

  json_object_set_string_member (event, "id", id);
  json_object_set_string_member (event, "title", title);
  json_object_set_string_member (event, "start", start);
  json_array_add_object_element (events, event);
  g_hash_table_remove (self->listings, owner);
}

guint
calendar_api_count_events (CalendarApi *self,
                           const char  *owner)
{
  JsonArray *events = g_hash_table_lookup (self->events, owner);
  return events ? json_array_get_length (events) : 0;
}

static gboolean
uses_dpop_scheme (SimMessage *message)
{
  const char *header = sim_headers_get_one (message->request_headers, "Authorization");
  return header && g_ascii_strncasecmp (header, "DPoP ", 5) == 0;
}

/* RFC 6750 §3: every 401 and 403 names the scheme, and the error when there is one; to a
 * request in the DPoP scheme, or with a DPoP-bound token, the scheme is DPoP with the
 * algorithms the API accepts (RFC 9449 §7.1). */
static void
challenge_error (SimMessage *message,
                 gboolean    dpop,
                 guint       status,
                 const char *error,
                 const char *description,
                 const char *scope)
{
  if (dpop)
    oauth_challenge_error (message, "DPoP algs=\"" DPOP_ALGS "\"", status, error, description, scope);
  else
    oauth_bearer_error (message, REALM, status, error, description, scope);
}

static void
bearer_error (SimMessage *message,
              guint       status,
              const char *error,
              const char *description,
              const char *scope)
{
  challenge_error (message, uses_dpop_scheme (message), status, error, description, scope);
}

/* RFC 6750 §3.1: a request without a token is told how to authenticate, with no error code.
 * An API that takes DPoP says so too, in a second challenge with the algorithms it accepts
 * (RFC 9449 §7.1; one WWW-Authenticate header may carry several challenges, RFC 9110 §11.6.1),
 * so that a DPoP client knows to send a proof. */
static void
no_token_error (CalendarApi *self,
                SimMessage  *message,
                const char  *why)
{
  if (self->dpop == NULL)
    {
      bearer_error (message, SOUP_STATUS_UNAUTHORIZED, NULL, NULL, NULL);
      sim_message_narrate (message, "%s", why);
      return;
    }
  oauth_challenge_error (message, "Bearer realm=\"" REALM "\", DPoP algs=\"" DPOP_ALGS "\"",
                         SOUP_STATUS_UNAUTHORIZED, NULL, NULL, NULL);
  sim_message_narrate (message, "%s", why);
  sim_message_narrate (message, _("RFC 9449 §7.1: this API takes DPoP-bound tokens too, so the same header carries a second challenge, DPoP, with the algorithms it accepts for proofs (algs=\"%s\")."),
                       DPOP_ALGS);
}

/* RFC 9449 §7.1: the token of "Authorization: DPoP <token>" and its proof; FALSE after
 * answering. */
static gboolean
read_dpop (CalendarApi *self,
           SimMessage  *message,
           char       **token,
           DpopCheck   *check)
{
  const char *value = sim_headers_get_one (message->request_headers, "Authorization") + 5;

  if (*value == '\0' || strchr (value, ' '))
    {
      bearer_error (message, SOUP_STATUS_UNAUTHORIZED, "invalid_token", "malformed Authorization header", NULL);
      sim_message_narrate (message, _("RFC 9449 §7.1: the Authorization header is not “DPoP <token>”, so the API cannot read a token from it."));
      return FALSE;
    }
  *token = g_strdup (value);
  if (dpop_verifier_check (self->dpop, message, *token, check))
    {
      dpop_verifier_offer_nonce (self->dpop, message, check);
      return TRUE;
    }
  if (check->outcome == DPOP_ABSENT)
    {
      bearer_error (message, SOUP_STATUS_UNAUTHORIZED, "invalid_dpop_proof", "a DPoP proof is required", NULL);
      sim_message_narrate (message, _("RFC 9449 §7.1: the token comes in the DPoP scheme but without a DPoP header; without a proof nothing shows the sender holds the key, so the API answers 401 invalid_dpop_proof."));
      return FALSE;
    }
  bearer_error (message, SOUP_STATUS_UNAUTHORIZED, check->error, check->description, NULL);
  dpop_verifier_offer_nonce (self->dpop, message, check);
  sim_message_narrate (message, "%s", check->narration);
  return FALSE;
}

/* RFC 9449 §7: a bound token opens the API only with a proof from its key; FALSE after
 * answering. */
static gboolean
check_binding (SimMessage *message,
               DpopCheck  *check,
               const char *bound_jkt)
{
  if (bound_jkt == NULL)
    return TRUE;
  if (check->outcome != DPOP_VALID)
    {
      challenge_error (message, TRUE, SOUP_STATUS_UNAUTHORIZED, "invalid_token",
                       "the access token is DPoP-bound: send it in the DPoP scheme with a proof", NULL);
      sim_message_narrate (message, _("RFC 9449 §7.2: the token is bound to a DPoP key (cnf.jkt), but it came as a plain bearer token, with no proof that the sender holds the key. The API refuses it: 401 invalid_token, with a DPoP challenge."));
      return FALSE;
    }
  if (dpop_check_binding (check, bound_jkt, FALSE))
    return TRUE;
  bearer_error (message, SOUP_STATUS_UNAUTHORIZED, check->error, check->description, NULL);
  sim_message_narrate (message, "%s", check->narration);
  return FALSE;
}

/* Finds the bearer token; FALSE after answering when the request is malformed. */
static gboolean
extract_token (CalendarApi *self,
               SimMessage  *message,
               char       **token)
{
  const char *header = sim_headers_get_one (message->request_headers, "Authorization");
  g_autoptr(SimParams) query = sim_message_get_query (message, NULL);
  gboolean in_query = query && sim_params_get (query, "access_token");

  *token = NULL;
  if (in_query)
    {
      bearer_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                    "send the access token in the Authorization header, not in the URL", NULL);
      sim_message_narrate (message, _("RFC 6750 §2.3 and RFC 9700 §4.3.2: a token in the query string ends up in logs, browser history and Referer headers, so this API refuses it with invalid_request."));
      return FALSE;
    }
  if (header == NULL)
    return TRUE;
  if (g_ascii_strncasecmp (header, "Bearer", 6) != 0 || (header[6] != ' ' && header[6] != '\0'))
    {
      /* Another scheme (Basic, say) carries no bearer token at all: to this API the request
       * lacks authentication, which is answered without an error code (RFC 6750 §3.1). */
      no_token_error (self, message, _("RFC 6750 §3.1: the Authorization header uses a scheme this API does not accept, so for the API no token came at all; it answers 401 with a bare “WWW-Authenticate: Bearer” challenge and no error code, saying only how to authenticate."));
      return FALSE;
    }
  if (header[6] == '\0' || header[7] == '\0' || strchr (header + 7, ' '))
    {
      bearer_error (message, SOUP_STATUS_UNAUTHORIZED, "invalid_token", "malformed Authorization header", NULL);
      sim_message_narrate (message, _("RFC 6750 §2.1: the Authorization header is not “Bearer <token>”, so the API cannot read a token from it."));
      return FALSE;
    }
  *token = g_strdup (header + 7);
  return TRUE;
}

/* Asks the authorization server about the token (RFC 7662), on the bus like everyone else. */
static SimFields *
introspect (CalendarApi *self,
            const char  *token,
            char       **jkt)
{
  g_autoptr(JsonNode) json = NULL;
  JsonObject *cnf;

  g_autoptr(SimMessage) request = sim_message_new ("POST", self->introspection_url);

  sim_headers_replace (request->request_headers, "Authorization", self->authorization);
  sim_message_set_request_form (request, "token", token, "token_type_hint", "access_token", NULL);
  sim_message_narrate (request, _("The API cannot read the token itself: it asks the authorization server whether it is active and what it allows, authenticating with its own credentials (RFC 7662 §2.1)."));
  sim_bus_deliver (self->world->bus, "api", request);

  if (request->status != SOUP_STATUS_OK)
    return NULL;
  /* RFC 9449 §6.2: a bound token's key, in cnf.jkt. */
  json = self->dpop ? sim_message_get_response_json (request, NULL) : NULL;
  cnf = json && JSON_NODE_HOLDS_OBJECT (json)
        && json_object_has_member (json_node_get_object (json), "cnf")
        && JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (json), "cnf"))
        ? json_object_get_object_member (json_node_get_object (json), "cnf") : NULL;
  if (cnf && json_object_has_member (cnf, "jkt") && JSON_NODE_HOLDS_VALUE (json_object_get_member (cnf, "jkt")))
    *jkt = g_strdup (json_object_get_string_member (cnf, "jkt"));
  return sim_message_get_response_fields (request, NULL);
}

static void
list_events (CalendarApi *self,
             SimMessage  *message,
             const char  *owner)
{
  JsonNode *listing = g_hash_table_lookup (self->listings, owner);

  /* The same answer until the owner's events change: sealed once, it is shared by every message
   * that carries it and written as text only when somebody reads it. */
  if (listing == NULL)
    {
      JsonArray *events = events_of (self, owner);
      JsonArray *copy = json_array_sized_new (json_array_get_length (events));
      JsonObject *object = json_object_new ();

      /* A new array, so that sealing leaves the owner's list open to new events; the events
       * themselves never change once added. */
      for (guint i = 0; i < json_array_get_length (events); i++)
        json_array_add_element (copy, json_node_copy (json_array_get_element (events, i)));
      json_object_set_array_member (object, "events", copy);
      listing = json_node_init_object (json_node_alloc (), object);
      json_object_unref (object);
      json_node_seal (listing);
      g_hash_table_insert (self->listings, g_strdup (owner), listing);
    }
  sim_message_set_response_json (message, SOUP_STATUS_OK, listing);
  sim_message_narrate (message, _("The token is active and its scope includes calendar.read, so the API returns %s's events."), owner);
}

static void
create_event (CalendarApi *self,
              SimMessage  *message,
              const char  *owner)
{
  g_autoptr(JsonNode) body = sim_message_get_request_json (message, NULL);
  JsonObject *object = body && JSON_NODE_HOLDS_OBJECT (body) ? json_node_get_object (body) : NULL;
  const char *title = object ? json_object_get_string_member_with_default (object, "title", NULL) : NULL;
  const char *start = object ? json_object_get_string_member_with_default (object, "start", NULL) : NULL;
  JsonArray *events;
  g_autoptr(JsonNode) created = NULL;

  if (title == NULL || start == NULL)
    {
      sim_message_set_response_text (message, SOUP_STATUS_BAD_REQUEST, "text/plain",
                                     "expected a JSON object with string members title and start\n");
      sim_message_narrate (message, _("The token is fine, but the event is not: the API needs a JSON object with a title and a start."));
      return;
    }
  calendar_api_add_event (self, owner, title, start);
  events = events_of (self, owner);
  created = json_node_copy (json_array_get_element (events, json_array_get_length (events) - 1));
  sim_message_set_response_json (message, SOUP_STATUS_CREATED, created);
  sim_message_narrate (message, _("The token's scope includes calendar.write, so the API adds the event to %s's calendar."), owner);
}

/* The service's own figures: how much it keeps, nothing from inside any calendar. */
static void
service_status (CalendarApi *self,
                SimMessage  *message)
{
  g_autoptr(SimFields) answer = sim_fields_new ();
  GHashTableIter iter;
  gpointer events;
  guint calendars = 0, total = 0;

  g_hash_table_iter_init (&iter, self->events);
  while (g_hash_table_iter_next (&iter, NULL, &events))
    {
      calendars++;
      total += json_array_get_length (events);
    }
  sim_fields_add_int (answer, "calendars", calendars);
  sim_fields_add_int (answer, "events", total);
  sim_message_set_response_fields (message, SOUP_STATUS_OK, answer);
  sim_message_narrate (message, _("The token's scope includes service.status, so the API answers with the service's own figures: how many calendars and events it keeps, and nothing from inside any of them."));
}

static void
method_not_allowed (SimMessage *message,
                    const char *allowed)
{
  sim_message_set_response_text (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain", "Method Not Allowed\n");
  sim_headers_replace (message->response_headers, "Allow", allowed);
}

void
calendar_api_handle (gpointer    data,
                     SimMessage *message)
{
  CalendarApi *self = data;
  const char *path = sim_message_get_path (message);
  const char *needed;
  g_autofree char *token = NULL;
  g_autoptr(SimFields) info = NULL;
  g_auto(DpopCheck) check = { 0 };
  g_autofree char *bound_jkt = NULL;
  const char *scope, *owner, *token_type;
  gboolean owners_data = TRUE;

  if (strcmp (path, "/service/status") == 0)
    {
      if (strcmp (message->method, "GET") != 0)
        {
          method_not_allowed (message, "GET");
          return;
        }
      needed = "service.status";
      owners_data = FALSE;
    }
  else if (strcmp (path, "/calendar/events") != 0)
    {
      sim_message_set_response_text (message, SOUP_STATUS_NOT_FOUND, "text/plain", "Not Found\n");
      return;
    }
  else if (strcmp (message->method, "GET") == 0)
    needed = "calendar.read";
  else if (strcmp (message->method, "POST") == 0)
    needed = "calendar.write";
  else
    {
      method_not_allowed (message, "GET, POST");
      return;
    }

  if (self->dpop && uses_dpop_scheme (message))
    {
      if (!read_dpop (self, message, &token, &check))
        return;
    }
  else if (!extract_token (self, message, &token))
    return;
  if (token == NULL)
    {
      no_token_error (self, message, _("RFC 6750 §3.1: no token came with the request, so the API answers 401 with a bare “WWW-Authenticate: Bearer” challenge and no error code: it only says how to authenticate."));
      return;
    }

  info = introspect (self, token, &bound_jkt);
  if (info == NULL || !sim_fields_get_boolean (info, "active", FALSE))
    {
      bearer_error (message, SOUP_STATUS_UNAUTHORIZED, "invalid_token",
                    "the access token is expired, revoked or unknown", NULL);
      sim_message_narrate (message, _("RFC 6750 §3.1: the authorization server says this token is not active (expired, revoked or never issued), so the API answers 401 with error=\"invalid_token\"."));
      return;
    }
  /* A refresh token is active too, but it is meant for the authorization server alone (RFC 6749
   * §1.5); only an access token of type Bearer opens the API (RFC 7662 §2.2, RFC 6750 §1.2). */
  token_type = sim_fields_get_string (info, "token_type", "");
  if (g_ascii_strcasecmp (token_type, "Bearer") != 0 && !(bound_jkt && strcmp (token_type, "DPoP") == 0))
    {
      bearer_error (message, SOUP_STATUS_UNAUTHORIZED, "invalid_token",
                    "the token is not a bearer access token", NULL);
      if (strcmp (token_type, "refresh_token") == 0)
        sim_message_narrate (message, _("RFC 6749 §1.5: the token is active, but it is a refresh token, which a client sends only to the authorization server, never to an API. The API answers 401 with error=\"invalid_token\" (RFC 6750 §3.1)."));
      else
        sim_message_narrate (message, _("RFC 6750 §3.1: the token is active, but the server does not say it is a Bearer access token, so the API answers 401 with error=\"invalid_token\"."));
      return;
    }
  if (!check_binding (message, &check, bound_jkt))
    return;
  /* RFC 9700 §4.10.2: a token meant for another resource server is no good here, even when it
   * is active and its scope would do: whoever presents it may have taken it from that server. */
  if (self->audience && g_strcmp0 (sim_fields_get_string (info, "aud", NULL), self->audience) != 0)
    {
      const char *aud = sim_fields_get_string (info, "aud", NULL);
      bearer_error (message, SOUP_STATUS_UNAUTHORIZED, "invalid_token",
                    "the access token is meant for another audience", NULL);
      if (aud)
        sim_message_narrate (message, _("RFC 9700 §4.10.2: the token is active, but its audience is %s, not this API (%s). A token issued for another resource server may have been taken from it, so the API answers 401 with error=\"invalid_token\"."),
                             aud, self->audience);
      else
        sim_message_narrate (message, _("RFC 9700 §4.10.2: the token is active, but it names no audience, and this API accepts only tokens issued for it (%s); it answers 401 with error=\"invalid_token\"."),
                             self->audience);
      return;
    }
  scope = sim_fields_get_string (info, "scope", "");
  owner = sim_fields_get_string (info, "sub", NULL);
  if (!oauth_scope_contains (scope, needed))
    {
      g_autofree char *description = g_strdup_printf ("this call needs the scope %s", needed);
      bearer_error (message, SOUP_STATUS_FORBIDDEN, "insufficient_scope", description, needed);
      if (owner)
        sim_message_narrate (message, _("RFC 6750 §3.1: the token is valid but its scope “%s” does not include %s, which this call needs; the API answers 403 insufficient_scope. A token carries only the scopes the owner approved."), scope, needed);
      else
        sim_message_narrate (message, _("RFC 6750 §3.1: the token is valid but its scope “%s” does not include %s, which this call needs; the API answers 403 insufficient_scope. A token of the client credentials grant carries only scopes its client registered for."), scope, needed);
      return;
    }

  /* RFC 6749 §4.4: a token of the client credentials grant acts for its client alone; it
   * may open the client's own resources, never an owner's, whatever its scope says. */
  if (owners_data && owner == NULL)
    {
      bearer_error (message, SOUP_STATUS_FORBIDDEN, "insufficient_scope",
                    "this token acts for no resource owner", NULL);
      sim_message_narrate (message, _("The token is active and its scope includes %s, but it acts for no owner: introspection names no sub, because it came from the client credentials grant. Whose calendar would it open? An owner's events are opened only by a token the owner approved (RFC 6749 §4.4), so the API answers 403 insufficient_scope (RFC 6750 §3.1)."),
                           needed);
      return;
    }
  if (!owners_data)
    service_status (self, message);
  else if (strcmp (message->method, "GET") == 0)
    list_events (self, message, owner);
  else
    create_event (self, message, owner);
}
