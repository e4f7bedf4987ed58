/* test-classic.c: the classic lesson end to end, checking the key fact of every phase. */
#include <string.h>

#include "sim/scenario/run.h"
#include "actors/oauth.h"

typedef struct
{
  SimScenario *scenario;
  SimRun *run;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "scenarios", "classic.json", NULL);

  f->scenario = sim_scenario_load_file (path, &error);
  g_assert_no_error (error);
  f->run = sim_run_new (f->scenario, FALSE, 0);
  g_assert_true (sim_run_play (f->run));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  sim_run_free (f->run);
  sim_scenario_free (f->scenario);
}

static SimMessage *
nth (Fixture *f,
     guint    step)
{
  GPtrArray *records = sim_run_get_records (f->run);
  g_assert_cmpuint (step, >=, 1);
  g_assert_cmpuint (step, <=, records->len);
  return ((SimRecord *) records->pdata[step - 1])->message;
}

static SimParams *
location_query (SimMessage *m)
{
  const char *location = sim_headers_get_one (m->response_headers, "Location");
  g_autoptr(GUri) uri = NULL;

  g_assert_nonnull (location);
  uri = g_uri_parse (location, G_URI_FLAGS_ENCODED, NULL);
  g_assert_nonnull (uri);
  return sim_params_parse (g_uri_get_query (uri), NULL);
}

static void
test_phases_in_order (Fixture       *f,
                      gconstpointer  data)
{
  GPtrArray *records = sim_run_get_records (f->run);
  SimPhase expected[] = {
    SIM_PHASE_REGISTRATION, SIM_PHASE_CONSENT, SIM_PHASE_CONSENT, SIM_PHASE_CONSENT,
    SIM_PHASE_CODE_EXCHANGE, SIM_PHASE_CODE_EXCHANGE, SIM_PHASE_ACCESS, SIM_PHASE_ACCESS,
    SIM_PHASE_ACCESS, SIM_PHASE_ACCESS, SIM_PHASE_REFRESH, SIM_PHASE_ACCESS, SIM_PHASE_ACCESS,
  };

  g_assert_cmpuint (records->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < records->len; i++)
    {
      SimRecord *record = records->pdata[i];
      g_assert_cmpuint (record->trace_step, ==, i + 1);
      g_assert_cmpstr (sim_phase_to_string (record->message->phase), ==, sim_phase_to_string (expected[i]));
    }
}

static void
test_registration (Fixture       *f,
                   gconstpointer  data)
{
  SimMessage *m = nth (f, 1);
  ClientApp *client = sim_run_get_client (f->run);

  g_assert_cmpstr (m->method, ==, "POST");
  g_assert_cmpstr (sim_message_get_path (m), ==, "/register");
  g_assert_cmpuint (m->status, ==, 201);
  g_assert_true (g_str_has_prefix (client_app_get_held (client, "client_id"), "c_"));
  g_assert_true (g_str_has_prefix (client_app_get_held (client, "client_secret"), "cs_"));
}

/* The state the client sent comes back unchanged with the code. */
static void
test_state_round_trip (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SimParams) sent = location_query (nth (f, 2));
  g_autoptr(SimParams) back = location_query (nth (f, 4));
  g_autoptr(SimParams) callback = sim_message_get_query (nth (f, 5), NULL);

  g_assert_nonnull (sim_params_get (sent, "state"));
  g_assert_cmpstr (sim_params_get (sent, "state"), ==, sim_params_get (back, "state"));
  g_assert_cmpstr (sim_params_get (callback, "state"), ==, sim_params_get (sent, "state"));
  g_assert_cmpstr (sim_params_get (callback, "code"), ==, sim_params_get (back, "code"));
}

/* The verifier in the token request hashes to the challenge in the authorization request. */
static void
test_pkce_verified (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SimParams) sent = location_query (nth (f, 2));
  SimMessage *token = nth (f, 6);
  g_autoptr(SimParams) form = sim_message_get_form (token, NULL);
  g_autofree char *computed = NULL;

  g_assert_cmpstr (sim_message_get_path (token), ==, "/token");
  g_assert_cmpstr (sim_params_get (sent, "code_challenge_method"), ==, "S256");
  computed = oauth_pkce_s256 (sim_params_get (form, "code_verifier"));
  g_assert_cmpstr (computed, ==, sim_params_get (sent, "code_challenge"));
  g_assert_cmpuint (token->status, ==, 200);
}

/* The token carries the scope the owner approved, not all the client asked for. */
static void
test_token_scope (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JsonNode) body = sim_message_get_response_json (nth (f, 6), NULL);
  JsonObject *object = json_node_get_object (body);

  g_assert_cmpstr (json_object_get_string_member (object, "scope"), ==, "calendar.read");
  g_assert_cmpstr (json_object_get_string_member (object, "token_type"), ==, "Bearer");
  g_assert_cmpint (json_object_get_int_member (object, "expires_in"), ==, 3600);
  g_assert_true (json_object_has_member (object, "refresh_token"));
}

static void
test_access_then_expiry_then_refresh (Fixture       *f,
                                      gconstpointer  data)
{
  ClientApp *client = sim_run_get_client (f->run);
  AuthServer *server = sim_run_get_server (f->run);
  g_autoptr(JsonNode) first = sim_message_get_response_json (nth (f, 6), NULL);
  const char *old_access = json_object_get_string_member (json_node_get_object (first), "access_token");

  g_assert_cmpuint (nth (f, 7)->status, ==, 200);     /* token accepted */
  g_assert_cmpuint (nth (f, 9)->status, ==, 401);     /* after expiry */
  g_assert_nonnull (strstr (sim_headers_get_one (nth (f, 9)->response_headers, "WWW-Authenticate"),
                            "error=\"invalid_token\""));
  g_assert_cmpstr (sim_message_get_path (nth (f, 11)), ==, "/token");
  g_assert_cmpuint (nth (f, 11)->status, ==, 200);    /* refresh */
  g_assert_cmpuint (nth (f, 12)->status, ==, 200);    /* retry */

  g_assert_cmpstr (client_app_get_held (client, "access_token"), !=, old_access);
  g_assert_true (auth_server_token_is_active (server, client_app_get_held (client, "access_token")));
  g_assert_false (auth_server_token_is_active (server, old_access));
}

static gboolean
carries (GBytes     *body,
         const char *secret)
{
  g_autofree char *text = body ? g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body)) : NULL;
  return text && strstr (text, secret);
}

static gboolean
headers_carry (SimHeaders *headers,
               const char *secret)
{
  SimHeadersIter iter;
  const char *name, *value;

  sim_headers_iter_init (&iter, headers);
  while (sim_headers_iter_next (&iter, &name, &value))
    if (strstr (value, secret))
      return TRUE;
  return FALSE;
}

/* The lesson's point: the password reaches only the authorization server. */
static void
test_password_never_reaches_client (Fixture       *f,
                                    gconstpointer  data)
{
  GPtrArray *records = sim_run_get_records (f->run);
  const char *password = f->scenario->owner.password;
  guint seen_at_server = 0;

  for (guint i = 0; i < records->len; i++)
    {
      SimMessage *m = ((SimRecord *) records->pdata[i])->message;
      g_autofree char *uri = sim_uri_to_string (m->uri);
      gboolean has = carries (sim_message_get_request_body (m), password) || carries (sim_message_get_response_body (m), password)
                     || headers_carry (m->request_headers, password)
                     || headers_carry (m->response_headers, password) || strstr (uri, password);

      if (g_strcmp0 (m->from, "client") == 0 || g_strcmp0 (m->to, "client") == 0
          || g_strcmp0 (m->to, "api") == 0 || g_strcmp0 (m->from, "api") == 0)
        g_assert_false (has);
      else if (has)
        {
          g_assert_cmpstr (m->to, ==, "auth-server");
          seen_at_server++;
        }
    }
  g_assert_cmpuint (seen_at_server, ==, 1);
}

/* Who knows what, computed from the messages: the same lesson, seen from the secrets. */
static void
test_knowledge (Fixture       *f,
                gconstpointer  data)
{
  SimKnowledge *k = sim_run_get_knowledge (f->run);

  g_assert_true (sim_knowledge_holds (k, "resource-owner", "password"));
  g_assert_true (sim_knowledge_holds (k, "auth-server", "password"));
  g_assert_false (sim_knowledge_holds (k, "client", "password"));
  g_assert_false (sim_knowledge_holds (k, "api", "password"));

  g_assert_true (sim_knowledge_holds (k, "client", "client_secret"));
  g_assert_false (sim_knowledge_holds (k, "resource-owner", "client_secret"));
  g_assert_false (sim_knowledge_holds (k, "api", "client_secret"));

  /* the browser carries the code but never sees a token or the verifier */
  g_assert_true (sim_knowledge_holds (k, "resource-owner", "code"));
  g_assert_false (sim_knowledge_holds (k, "resource-owner", "access_token"));
  g_assert_false (sim_knowledge_holds (k, "resource-owner", "code_verifier"));

  g_assert_true (sim_knowledge_holds (k, "api", "access_token"));
  g_assert_false (sim_knowledge_holds (k, "api", "refresh_token"));
  g_assert_true (sim_knowledge_holds (k, "client", "refresh_token"));
}

/* The login page's form, as the browser takes it from the page, is what parsing the page's
 * HTML gives: the same action, hidden fields and scope boxes. */
static void
test_login_form_as_parsed (Fixture       *f,
                           gconstpointer  data)
{
  GPtrArray *records = sim_run_get_records (f->run);
  guint pages = 0;

  for (guint i = 0; i < records->len; i++)
    {
      SimMessage *m = ((SimRecord *) records->pdata[i])->message;
      g_autoptr(OAuthForm) taken = NULL;
      g_autoptr(OAuthForm) parsed = NULL;
      g_autofree char *html = NULL;

      if (!oauth_page_embeds_nothing (m))
        continue;
      pages++;
      taken = oauth_page_read_form (m);
      html = sim_message_dup_response_text (m);
      parsed = oauth_form_parse (html);
      g_assert_nonnull (parsed);
      g_assert_null (strstr (html, "<img"));
      g_assert_null (strstr (html, "<iframe"));
      g_assert_cmpstr (taken->action, ==, parsed->action);
      g_assert_cmpuint (sim_params_size (taken->hidden), ==, sim_params_size (parsed->hidden));
      for (guint j = 0; j < sim_params_size (parsed->hidden); j++)
        {
          g_assert_cmpstr (sim_params_name_at (taken->hidden, j), ==, sim_params_name_at (parsed->hidden, j));
          g_assert_cmpstr (sim_params_value_at (taken->hidden, j), ==, sim_params_value_at (parsed->hidden, j));
        }
      g_assert_cmpuint (taken->checkboxes->len, ==, parsed->checkboxes->len);
      for (guint j = 0; j < parsed->checkboxes->len; j++)
        g_assert_cmpstr (taken->checkboxes->pdata[j], ==, parsed->checkboxes->pdata[j]);
    }
  g_assert_cmpuint (pages, >=, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/lesson/classic/phases-in-order", test_phases_in_order);
  ADD ("/lesson/classic/registration", test_registration);
  ADD ("/lesson/classic/state-round-trip", test_state_round_trip);
  ADD ("/lesson/classic/pkce-verified", test_pkce_verified);
  ADD ("/lesson/classic/token-scope", test_token_scope);
  ADD ("/lesson/classic/access-expiry-refresh", test_access_then_expiry_then_refresh);
  ADD ("/lesson/classic/password-never-reaches-client", test_password_never_reaches_client);
  ADD ("/lesson/classic/knowledge", test_knowledge);
  ADD ("/lesson/classic/login-form-as-parsed", test_login_form_as_parsed);
#undef ADD
  return g_test_run ();
}
