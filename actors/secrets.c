/* secrets.c: the kinds of secret the who-knows-what view shows, and the secrets a message
 * carries: the owner's password, the client secret, the state, the code and its PKCE verifier,
 * access and refresh tokens, an ID token (OpenID Connect), a session the client opened for a
 * user who signed in, and, in the attack lab, the owner's calendar itself. Names tell the
 * kind; a value sent under another name (introspection's "token", an event's title) is
 * recognised by its value. What an actor holds without a message it declares itself
 * (sim_world_hold). */
#include <string.h>

#include "actors/secrets.h"
#include "actors/oauth.h"

/* "api_secret" is the API's own credential at the server; it travels like a client secret, so
 * the server and the API declare it up front (sim_world_hold) and its first-seen kind sticks.
 * "password_hash" is what the server keeps of a password: it never travels. */
static const char *const kinds[] = {
  "password", "password_hash", "client_secret", "api_secret", "state", "code", "code_verifier", "access_token",
  "refresh_token", "id_token", "session", "dpop_key", "calendar", NULL
};

static const char *
kind_of (const char *name)
{
  for (guint i = 0; kinds[i]; i++)
    if (strcmp (kinds[i], name) == 0)
      return kinds[i];
  return NULL;
}

static void
from_params (const char    *encoded,
             SimSecretFunc  func,
             gpointer       data)
{
  g_autoptr(SimParams) params = encoded ? sim_params_parse (encoded, NULL) : NULL;

  for (guint i = 0; params && i < sim_params_size (params); i++)
    func (kind_of (sim_params_name_at (params, i)), sim_params_value_at (params, i), data);
}

static void
from_json (GBytes        *body,
           SimSecretFunc  func,
           gpointer       data)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object;
  g_autoptr(GList) members = NULL;

  if (!body || !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL)
      || !json_parser_get_root (parser) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  object = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (object);
  for (GList *l = members; l; l = l->next)
    {
      JsonNode *node = json_object_get_member (object, l->data);
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        func (kind_of (l->data), json_node_get_string (node), data);
      /* The API's list of events: their titles count only where the run declared them the
       * owner's ("calendar"), as the attack lab does. */
      else if (JSON_NODE_HOLDS_ARRAY (node) && strcmp (l->data, "events") == 0)
        {
          JsonArray *events = json_node_get_array (node);
          for (guint i = 0; i < json_array_get_length (events); i++)
            {
              JsonNode *event = json_array_get_element (events, i);
              JsonObject *fields = JSON_NODE_HOLDS_OBJECT (event) ? json_node_get_object (event) : NULL;
              JsonNode *title = fields && json_object_has_member (fields, "title")
                                ? json_object_get_member (fields, "title") : NULL;
              if (title && JSON_NODE_HOLDS_VALUE (title) && json_node_get_value_type (title) == G_TYPE_STRING)
                func (NULL, json_node_get_string (title), data);
            }
        }
    }
}

static void
from_body (SimHeaders    *headers,
           GBytes        *body,
           SimSecretFunc  func,
           gpointer       data)
{
  if (!body)
    return;
  if (sim_message_is_form (headers))
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      from_params (text, func, data);
    }
  else if (sim_message_is_json (headers))
    from_json (body, func, data);
}

static void
in_request (SimMessage    *m,
            SimSecretFunc  func,
            gpointer       data)
{
  const char *authorization = sim_headers_get_one (m->request_headers, "Authorization");
  const char *referer = sim_headers_get_one (m->request_headers, "Referer");
  g_autofree char *id = NULL;
  g_autofree char *secret = NULL;

  from_params (sim_uri_get_query (m->uri), func, data);
  /* The address of the page that made the request, query and all (RFC 9700 §4.2). */
  if (referer)
    {
      g_autoptr(GUri) page = g_uri_parse (referer, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL);
      if (page)
        from_params (g_uri_get_query (page), func, data);
    }
  from_body (m->request_headers, sim_message_get_request_body (m), func, data);
  if (authorization && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
    func ("access_token", authorization + 7, data);
  else if (authorization && g_ascii_strncasecmp (authorization, "DPoP ", 5) == 0)
    func ("access_token", authorization + 5, data);  /* RFC 9449 §7.1 */
  else if (oauth_parse_basic (m->request_headers, &id, &secret))
    func ("client_secret", secret, data);
}

static void
in_response (SimMessage    *m,
             SimSecretFunc  func,
             gpointer       data)
{
  const char *location = sim_headers_get_one (m->response_headers, "Location");

  from_body (m->response_headers, sim_message_get_response_body (m), func, data);
  if (location)
    {
      g_autoptr(GUri) uri = g_uri_parse (location, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL);
      /* the implicit grant's answer is in the fragment (RFC 6749 §4.2.2) */
      if (uri)
        {
          from_params (g_uri_get_query (uri), func, data);
          from_params (g_uri_get_fragment (uri), func, data);
        }
    }
}

const SimSecretClassifier oauth_secret_classifier = { kinds, in_request, in_response };
