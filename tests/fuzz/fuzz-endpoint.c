/* fuzz-endpoint.c: libFuzzer targets for the servers' request handling.
 *
 * Each input is one HTTP request in a small text form:
 *
 *   METHOD [TARGET]
 *   Name: value
 *   ...
 *   (an empty line)
 *   body bytes
 *
 * Built with FUZZ_ENDPOINT="/token" (and so on), the request goes to that endpoint of the
 * authorization server and TARGET is only its query ("?a=b"). Built without, TARGET is an
 * absolute URL and the request goes to whichever actor owns its origin (the server's router
 * and metadata, the API, the client's pages) or to nobody.
 *
 * Every input starts from the same world, set up through the bus: a confidential and a public
 * client registered, a code issued and not yet used, an access and a refresh token issued, and
 * an authorization request waiting for consent. Placeholders in the input are replaced with
 * those live values, so that the fuzzer reaches past the first checks: $ID $SECRET $BASIC $PUB
 * $CODE $VERIFIER $AT $RT $REQ $RS_BASIC. The request is delivered with every trace sink
 * attached (JSON Lines, text, Mermaid, HTML). Criticals and warnings abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/tracer.h"
#include "actors/api.h"
#include "actors/auth-server.h"
#include "actors/client.h"
#include "actors/oauth.h"

#define ISSUER "https://auth.example"
#define REDIRECT "https://client.example/cb"
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct
{
  SimWorld *world;
  AuthServer *server;
  CalendarApi *api;
  ClientApp *client;
  char *values[10];  /* in the order of placeholders[] */
} Fuzz;

static const char *const placeholders[] = {
  "$ID", "$SECRET", "$BASIC", "$PUB", "$CODE", "$VERIFIER", "$AT", "$RT", "$REQ", "$RS_BASIC",
};
enum { ID, SECRET, BASIC, PUB, CODE, VERIFIER_, AT, RT, REQ, RS_BASIC };

static void
fuzz_free (Fuzz *f)
{
  for (guint i = 0; i < G_N_ELEMENTS (f->values); i++)
    g_free (f->values[i]);
  client_app_free (f->client);
  calendar_api_free (f->api);
  auth_server_free (f->server);
  sim_world_free (f->world);
  g_free (f);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fuzz, fuzz_free)

static SimMessage *
deliver (Fuzz       *f,
         const char *method,
         const char *url,
         const char *content_type,
         const char *body,
         const char *authorization)
{
  SimMessage *message = sim_message_new (method, url);

  if (body)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      sim_message_set_request_body (message, content_type, bytes);
    }
  if (authorization)
    sim_headers_replace (message->request_headers, "Authorization", authorization);
  sim_bus_deliver (f->world->bus, "fuzzer", message);
  return message;
}

static char *
json_string (SimMessage *message,
             const char *member)
{
  g_autoptr(JsonNode) root = sim_message_get_response_json (message, NULL);

  g_assert (root && JSON_NODE_HOLDS_OBJECT (root));
  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (root), member, ""));
}

/* An authorization request waiting for consent; returns its request_id. */
static char *
authorize (Fuzz *f)
{
  g_autofree char *challenge = oauth_pkce_s256 (VERIFIER);
  g_autofree char *url = g_strdup_printf (ISSUER "/authorize?response_type=code&client_id=%s"
                                          "&redirect_uri=https%%3A%%2F%%2Fclient.example%%2Fcb"
                                          "&scope=calendar.read&state=xyz&code_challenge=%s"
                                          "&code_challenge_method=S256",
                                          f->values[ID], challenge);
  g_autoptr(SimMessage) page = deliver (f, "GET", url, NULL, NULL, NULL);
  g_autofree char *html = sim_message_dup_response_text (page);
  g_autoptr(OAuthForm) form = oauth_form_parse (html);

  g_assert (page->status == 200 && form != NULL);
  return g_strdup (sim_params_get (form->hidden, "request_id"));
}

/* A fresh code for the confidential client, not yet exchanged. */
static char *
issue_code (Fuzz *f)
{
  g_autofree char *request = authorize (f);
  g_autofree char *form = g_strdup_printf ("request_id=%s&username=alice&password=wonderland"
                                           "&scope=calendar.read&decision=approve", request);
  g_autoptr(SimMessage) answer = deliver (f, "POST", ISSUER "/consent",
                                       "application/x-www-form-urlencoded", form, NULL);
  const char *location = sim_headers_get_one (answer->response_headers, "Location");
  g_autoptr(GUri) uri = location ? g_uri_parse (location, G_URI_FLAGS_ENCODED, NULL) : NULL;
  g_autoptr(SimParams) query = uri ? sim_params_parse (g_uri_get_query (uri), NULL) : NULL;

  g_assert (query != NULL && sim_params_get (query, "code") != NULL);
  return g_strdup (sim_params_get (query, "code"));
}

static char *
basic (const char *id,
       const char *secret)
{
  g_autoptr(SimHeaders) headers = sim_headers_new ();
  oauth_set_basic (headers, id, secret);
  return g_strdup (sim_headers_get_one (headers, "Authorization"));
}

static Fuzz *
fuzz_new (void)
{
  g_autoptr(Fuzz) f = g_new0 (Fuzz, 1);
  AuthServerConfig config;
  ClientConfig client;
  g_autoptr(SimMessage) registered = NULL;
  g_autoptr(SimMessage) public = NULL;
  g_autoptr(SimMessage) tokens = NULL;
  g_autofree char *used = NULL;
  g_autofree char *form = NULL;

  f->world = sim_world_new (sim_clock_new_simulated (1772442000), sim_rng_new_seeded (42));
  auth_server_config_init (&config);
  f->server = auth_server_new (f->world, &config);
  auth_server_config_clear (&config);
  auth_server_add_user (f->server, "alice", "wonderland");
  auth_server_add_scope (f->server, "calendar.read", "See your calendar events");
  auth_server_add_scope (f->server, "calendar.write", "Add events to your calendar");
  auth_server_add_resource (f->server, "calendar-api", "rs_secret");
  f->api = calendar_api_new (f->world, "https://api.example", ISSUER "/introspect", "calendar-api", "rs_secret");
  calendar_api_add_event (f->api, "alice", "Team meeting", "2026-03-02T10:00:00Z");
  client_config_init (&client);
  f->client = client_app_new (f->world, &client);
  client_config_clear (&client);
  sim_bus_add_actor (f->world->bus, "auth-server", ISSUER, auth_server_handle, f->server);
  sim_bus_add_actor (f->world->bus, "api", "https://api.example", calendar_api_handle, f->api);
  sim_bus_add_actor (f->world->bus, "client", "https://client.example", client_app_handle, f->client);

  registered = deliver (f, "POST", ISSUER "/register", "application/json",
                     "{\"redirect_uris\": [\"" REDIRECT "\"], \"client_name\": \"Fuzz\","
                     " \"grant_types\": [\"authorization_code\", \"refresh_token\"],"
                     " \"scope\": \"calendar.read calendar.write\"}", NULL);
  g_assert (registered->status == 201);
  f->values[ID] = json_string (registered, "client_id");
  f->values[SECRET] = json_string (registered, "client_secret");
  f->values[BASIC] = basic (f->values[ID], f->values[SECRET]);
  public = deliver (f, "POST", ISSUER "/register", "application/json",
                 "{\"redirect_uris\": [\"" REDIRECT "\"], \"token_endpoint_auth_method\": \"none\"}", NULL);
  g_assert (public->status == 201);
  f->values[PUB] = json_string (public, "client_id");

  used = issue_code (f);
  form = g_strdup_printf ("grant_type=authorization_code&code=%s&redirect_uri=https%%3A%%2F%%2Fclient.example%%2Fcb"
                          "&code_verifier=" VERIFIER, used);
  tokens = deliver (f, "POST", ISSUER "/token", "application/x-www-form-urlencoded", form, f->values[BASIC]);
  g_assert (tokens->status == 200);
  f->values[AT] = json_string (tokens, "access_token");
  f->values[RT] = json_string (tokens, "refresh_token");
  f->values[CODE] = issue_code (f);
  f->values[VERIFIER_] = g_strdup (VERIFIER);
  f->values[REQ] = authorize (f);
  f->values[RS_BASIC] = basic ("calendar-api", "rs_secret");
  return g_steal_pointer (&f);
}

static gboolean
is_token (const char *text,
          gsize       length)
{
  if (length == 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (text[i]) && (text[i] == '\0' || !strchr ("!#$%&'*+-.^_`|~", text[i])))
      return FALSE;
  return TRUE;
}

static gboolean
is_field_value (const char *text)
{
  for (const char *p = text; *p; p++)
    if (((guchar) *p < 0x20 && *p != '\t') || *p == 0x7f)
      return FALSE;
  return TRUE;
}

/* Reads the request; NULL when the input is not one (the harness's limits, not the actors'). */
static SimMessage *
read_request (const char *text,
              gsize       length)
{
  const char *end = text + length;
  const char *eol = memchr (text, '\n', length);
  const char *line_end = eol ? eol : end;
  const char *space = memchr (text, ' ', line_end - text);
  g_autofree char *method = g_strndup (text, (space ? space : line_end) - text);
  g_autofree char *target = space ? g_strndup (space + 1, line_end - space - 1) : g_strdup ("");
  g_autoptr(GUri) uri = NULL;
  g_autoptr(SimMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  const char *p;

  if (!is_token (method, strlen (method)) || strlen (method) != (gsize) ((space ? space : line_end) - text))
    return NULL;
#ifdef FUZZ_ENDPOINT
  if (*target != '\0' && *target != '?')
    return NULL;
  if (strlen (target) > 1)
    uri = g_uri_build (G_URI_FLAGS_ENCODED, "https", NULL, "auth.example", -1, FUZZ_ENDPOINT, target + 1, NULL);
  else
    uri = g_uri_build (G_URI_FLAGS_ENCODED, "https", NULL, "auth.example", -1, FUZZ_ENDPOINT, NULL, NULL);
#else
  uri = g_uri_parse (target, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL);
  /* What the scenario loader accepts as a URL (read_url): absolute, and a path from '/'. */
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || (*g_uri_get_path (uri) != '\0' && *g_uri_get_path (uri) != '/'))
    return NULL;
#endif
  {
    g_autoptr(SimUri) request_uri = sim_uri_new_from_guri (uri);
    message = sim_message_new_from_uri (method, request_uri);
  }

  for (p = eol ? eol + 1 : end; p < end;)
    {
      const char *next = memchr (p, '\n', end - p);
      const char *stop = next ? next : end;
      const char *colon = memchr (p, ':', stop - p);
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (stop == p)  /* the empty line: the body follows */
        {
          p = stop + 1;
          break;
        }
      if (colon && is_token (p, colon - p))
        {
          name = g_strndup (p, colon - p);
          value = g_strstrip (g_strndup (colon + 1, stop - colon - 1));
          if (is_field_value (value))
            sim_headers_append (message->request_headers, name, value);
        }
      p = next ? next + 1 : end;
    }
  if (p < end)
    {
      const char *type = sim_headers_get_one (message->request_headers, "Content-Type");
      g_autofree char *content_type = g_strdup (type);
      body = g_bytes_new (p, end - p);
      sim_message_set_request_body (message, content_type, body);
    }
  return g_steal_pointer (&message);
}

/* A critical or a warning is a crash: abort (not G_BREAKPOINT's SIGTRAP), so that libFuzzer
 * keeps the input. */
static GLogWriterOutput
fatal_writer (GLogLevelFlags   log_level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  GLogWriterOutput written = g_log_writer_default (log_level, fields, n_fields, user_data);

  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
  return written;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_writer_default_set_use_stderr (TRUE);
  g_log_set_writer_func (fatal_writer, NULL, NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(Fuzz) f = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(SimMessage) message = NULL;
  g_autoptr(SimTracer) tracer = NULL;
  SimTextOptions options = { FALSE, 78 };

  if (size > 64 * 1024)
    return 0;
  f = fuzz_new ();
  text = g_string_new_len ((const char *) data, size);
  for (guint i = 0; i < G_N_ELEMENTS (placeholders); i++)
    g_string_replace (text, placeholders[i], f->values[i], 0);
  message = read_request (text->str, text->len);
  if (message == NULL)
    return 0;

  tracer = sim_tracer_new (f->world->bus, f->world->clock);
  sim_tracer_add_sink (tracer, sim_sink_jsonl_new (), NULL);
  sim_tracer_add_sink (tracer, sim_sink_text_new (&options), NULL);
  sim_tracer_add_sink (tracer, sim_sink_mermaid_new (), NULL);
  sim_tracer_add_sink (tracer, sim_sink_html_new (), NULL);
  sim_bus_deliver (f->world->bus, "resource-owner", message);
  g_free (sim_tracer_steal_output (tracer, 0));
  g_free (sim_tracer_steal_output (tracer, 1));
  g_free (sim_tracer_steal_output (tracer, 2));
  g_free (sim_tracer_steal_output (tracer, 3));

  /* Whatever the request did, the server must still answer its own flow. */
  auth_server_token_is_active (f->server, f->values[AT]);
  return 0;
}
