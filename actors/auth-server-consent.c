/* auth-server-consent.c: the login and consent page, and POST /consent where the owner answers.
 *
 * The owner authenticates to the server itself (RFC 6749 §3.1: how is up to the server) and
 * approves all, some or none of the requested scopes. Approval ends in a redirect to the
 * client's redirect URI with a single-use code and the state (§4.1.2); refusal in access_denied.
 */
#include <inttypes.h>
#include <string.h>

#include "actors/grants/grants.h"

/* Browsers apply form-action to the redirect that answers the form too (CSP Level 3), and the
 * answer to this form sends the browser on to the client's redirect URI: that origin (or, for
 * a native app's custom scheme, that scheme) must be allowed, or a real browser stops here. */
static void
allow_form_redirect (SimMessage *message,
                     const char *redirect_uri)
{
  const char *policy = sim_headers_get_one (message->response_headers, "Content-Security-Policy");
  g_autoptr(SimUri) uri = redirect_uri ? sim_uri_parse (redirect_uri, NULL) : NULL;
  g_autofree char *source = NULL;
  g_autoptr(GString) csp = NULL;
  const char *at;

  if (policy == NULL || uri == NULL || (at = strstr (policy, "form-action 'self'")) == NULL)
    return;
  if (sim_uri_get_host (uri) && *sim_uri_get_host (uri))
    source = sim_uri_dup_origin (uri);
  else
    source = g_strconcat (sim_uri_get_scheme (uri), ":", NULL);
  if (strpbrk (source, " ;,'\"") != NULL)
    return;
  csp = g_string_new (policy);
  g_string_insert (csp, (at - policy) + strlen ("form-action 'self'"), source);
  g_string_insert_c (csp, (at - policy) + strlen ("form-action 'self'"), ' ');
  sim_headers_replace (message->response_headers, "Content-Security-Policy", csp->str);
}

/* What the login and consent page shows, kept until somebody reads the page as HTML. */
typedef struct
{
  char *error_text;        /* (nullable) */
  char *client_name;
  char *request_id;
  GStrv scopes;
  GStrv labels;            /* what each scope allows, in words */
  char *user_code;         /* (nullable) a device's request: the code it shows */
  gboolean confirm;        /* ask the owner to confirm it (RFC 8628 §5.4) */
} LoginPage;

static void
login_page_free (gpointer data)
{
  LoginPage *page = data;

  g_free (page->error_text);
  g_free (page->client_name);
  g_free (page->request_id);
  g_strfreev (page->scopes);
  g_strfreev (page->labels);
  g_free (page->user_code);
  g_free (page);
}

/* The form: username, password, one scope checkbox per requested scope and two buttons.
 * Everything it echoes is escaped. */
static void
write_login_body (GString       *body,
                  gconstpointer  data)
{
  const LoginPage *page = data;

  if (page->error_text)
    {
      g_string_append (body, "<p class=\"error\" role=\"alert\">");
      oauth_html_append_escaped (body, page->error_text);
      g_string_append (body, "</p>\n");
    }
  g_string_append (body, "<p><strong>");
  oauth_html_append_escaped (body, page->client_name);
  g_string_append (body, "</strong> wants to use your account.</p>\n");
  if (page->user_code)
    {
      g_string_append (body, "<p>It asks from a device that shows the code <strong>");
      oauth_html_append_escaped (body, page->user_code);
      g_string_append (body, "</strong>.</p>\n");
    }
  g_string_append (body, "<form method=\"post\" action=\"/consent\">\n"
                         "<input type=\"hidden\" name=\"request_id\" value=\"");
  oauth_html_append_escaped (body, page->request_id);
  g_string_append (body, "\">\n");
  g_string_append (body,
                   "<label>Username <input type=\"text\" name=\"username\" autocomplete=\"username\" required></label>\n"
                   "<label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>\n"
                   "<fieldset><legend>Allow it to:</legend>\n");
  for (guint i = 0; page->scopes[i]; i++)
    {
      g_string_append (body, "<label><input type=\"checkbox\" name=\"scope\" value=\"");
      oauth_html_append_escaped (body, page->scopes[i]);
      g_string_append (body, "\" checked> ");
      oauth_html_append_escaped (body, page->labels[i]);
      g_string_append (body, " <code>");
      oauth_html_append_escaped (body, page->scopes[i]);
      g_string_append (body, "</code></label>\n");
    }
  g_string_append (body, "</fieldset>\n");
  if (page->confirm)
    {
      g_string_append (body, "<label><input type=\"checkbox\" name=\"confirm_user_code\" value=\"");
      oauth_html_append_escaped (body, page->user_code);
      g_string_append (body, "\" required> I started this myself, on a device in front of me that shows this code."
                             " If someone sent you this code, click Deny.</label>\n");
    }
  /* Deny needs no ticked confirmation: a browser must not hold it back for the box */
  g_string_append (body,
                   "<button type=\"submit\" name=\"decision\" value=\"approve\">Allow</button>\n"
                   "<button type=\"submit\" name=\"decision\" value=\"deny\"");
  g_string_append (body, page->confirm ? " formnovalidate>Deny</button>\n</form>" : ">Deny</button>\n</form>");
}

/* The page a browser shows: who asks, for what, and a form to sign in and answer. The HTML is
 * written only when somebody reads it; a browser reads the form it holds. */
void
auth_server_show_login (AuthServer     *self,
                        SimMessage     *message,
                        PendingRequest *request,
                        const char     *error_text)
{
  RegisteredClient *client = g_hash_table_lookup (self->clients, request->client_id);
  LoginPage *page = g_new0 (LoginPage, 1);
  OAuthForm *form = oauth_form_new ("/consent");
  guint n;

  page->error_text = g_strdup (error_text);
  page->client_name = g_strdup (client && client->client_name ? client->client_name : request->client_id);
  page->request_id = g_strdup (request->id);
  page->scopes = oauth_scope_parse (request->scope);
  n = g_strv_length (page->scopes);
  page->labels = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      page->labels[i] = g_strdup (auth_server_describe_scope (self, page->scopes[i]));
      g_ptr_array_add (form->checkboxes, g_strdup (page->scopes[i]));
    }
  sim_params_set (form->hidden, "request_id", request->id);
  if (request->device_code)
    {
      DeviceRequest *device = g_hash_table_lookup (self->devices, request->device_code);
      page->user_code = g_strdup (device ? device->user_code : NULL);
      page->confirm = page->user_code && self->config.defenses.device_confirmation;
      if (page->confirm)
        form->confirm = g_strdup (page->user_code);
    }
  oauth_html_form_page (message, SOUP_STATUS_OK, "Sign in to authorize", form,
                        write_login_body, page, login_page_free, auth_server_page_flags (self));
  allow_form_redirect (message, request->redirect_uri);
  if (!self->config.defenses.consent_frame_protection)
    sim_message_narrate (message, _("This page carries neither X-Frame-Options nor a frame-ancestors policy (consent_frame_protection is off), so any site may show it inside a frame of its own (RFC 9700 §4.16)."));
}

/* The checked scope boxes: a form repeats "scope" once per box, which is how HTML works and
 * is why this form, unlike OAuth requests, accepts that one name repeated. */
static char *
approved_scopes (SimParams      *form,
                 PendingRequest *request)
{
  g_autoptr(GString) approved = g_string_new (NULL);

  for (guint i = 0; i < sim_params_size (form); i++)
    if (strcmp (sim_params_name_at (form, i), "scope") == 0
        && oauth_scope_contains (request->scope, sim_params_value_at (form, i)))
      g_string_append_printf (approved, "%s ", sim_params_value_at (form, i));
  return oauth_scope_normalize (approved->str);
}

static gboolean
only_scope_repeats (SimParams *form)
{
  const char *repeated = sim_params_repeated_name (form);
  return repeated == NULL || strcmp (repeated, "scope") == 0;
}

static void
bad_consent_request (AuthServer *self,
                     SimMessage *message,
                     const char *what)
{
  g_autofree char *escaped = g_markup_escape_text (what, -1);
  g_autofree char *body = g_strdup_printf ("<p class=\"error\">%s</p>", escaped);
  oauth_html_page_with (message, SOUP_STATUS_BAD_REQUEST, "Authorization error", body,
                        auth_server_page_flags (self), NULL);
}

static void
issue_code (AuthServer     *self,
            SimMessage     *message,
            PendingRequest *request,
            const char     *username,
            const char     *scope)
{
  AuthCode *code = g_new0 (AuthCode, 1);
  char *value = sim_rng_token (self->world->rng, "ac_", 16);
  g_autoptr(SimParams) params = sim_params_new ();
  g_autofree char *location = NULL;

  sim_world_hold (self->world, "auth-server", "code", value);
  code->client_id = g_strdup (request->client_id);
  code->redirect_uri = g_strdup (request->redirect_uri);
  code->redirect_uri_given = request->redirect_uri_given;
  code->scope = g_strdup (scope);
  code->subject = g_strdup (username);
  code->code_challenge = g_strdup (request->code_challenge);
  code->code_challenge_method = g_strdup (request->code_challenge_method);
  code->nonce = g_strdup (request->nonce);
  code->auth_time = sim_clock_now (self->world->clock);
  code->expires_at = sim_clock_now (self->world->clock) + self->config.code_lifetime;
  code->grant = grant_new ();
  auth_server_remember (self, self->codes, value, code, code->expires_at);

  sim_params_set (params, "code", value);
  if (request->state)
    sim_params_set (params, "state", request->state);
  /* RFC 9207 §2: the server names itself, so the client can tell which server answered. */
  if (self->config.defenses.iss_parameter)
    sim_params_set (params, "iss", self->config.issuer);
  location = oauth_append_query (request->redirect_uri, params);
  sim_message_set_redirect (message, location);

  if (request->redirect_uri_by_prefix)
    sim_message_narrate (message,
                         _("The credentials check out, and the owner approved “%s”. The server sends the browser, with an authorization code, to the redirect URI of the request, which it matched only by prefix: not one the client registered, and not necessarily the client's at all (RFC 9700 §4.1)."),
                         scope);
  else if (request->state)
    sim_message_narrate (message,
                         _("The credentials check out, and the owner approved “%s”. The server sends the browser back to the client's authorized redirect URI with an authorization code, valid for %" PRId64 " s and for one use only, and the client's state unchanged (RFC 6749 §4.1.2)."),
                         scope, self->config.code_lifetime);
  else
    sim_message_narrate (message,
                         _("The credentials check out, and the owner approved “%s”. The server sends the browser back to the client's authorized redirect URI with an authorization code, valid for %" PRId64 " s and for one use only; the request carried no state, so none goes back (RFC 6749 §4.1.2)."),
                         scope, self->config.code_lifetime);
}

void
auth_server_consent (AuthServer *self,
                     SimMessage *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SimParams) form = sim_message_get_form (message, &error);
  g_autofree char *scope = NULL;
  const char *username, *password, *decision;
  PendingRequest *request;

  if (form == NULL || !only_scope_repeats (form))
    {
      bad_consent_request (self, message, "The form could not be read.");
      sim_message_narrate (message, _("The consent form is malformed, so the server shows an error page."));
      return;
    }
  request = g_hash_table_lookup (self->pending, sim_params_get (form, "request_id")
                                                ? sim_params_get (form, "request_id") : "");
  if (request == NULL)
    {
      bad_consent_request (self, message, "This sign-in request has expired or was already answered. Start again from the application.");
      sim_message_narrate (message, _("The form names no authorization request that is still waiting, so the server issues nothing: each request can be answered once."));
      return;
    }

  username = sim_params_get (form, "username");
  password = sim_params_get (form, "password");
  if (!auth_server_check_password (self, username, password))
    {
      request->failed_logins++;
      if (request->failed_logins >= self->config.max_login_attempts)
        {
          char *id = request->id;
          g_hash_table_remove (self->pending, id);
          bad_consent_request (self, message, "Too many failed sign-in attempts. Start again from the application.");
          sim_message_narrate (message, _("RFC 6749 §10.10: the server must keep attackers from guessing passwords, so after %u wrong attempts it drops this authorization request and issues no code; the owner must start again from the application."),
                               self->config.max_login_attempts);
          return;
        }
      auth_server_show_login (self, message, request, "Wrong username or password.");
      sim_message_narrate (message, _("The username or password is wrong. RFC 6749 §3.1: the server must first verify the owner's identity, so it shows its login page again with an error and issues no code: only the owner, who knows the password, can authorize."));
      return;
    }

  decision = sim_params_get (form, "decision");
  scope = approved_scopes (form, request);
  if (request->device_code)
    {
      auth_server_device_decide (self, message, request, form, username,
                                 g_strcmp0 (decision, "approve") == 0 && *scope ? scope : NULL);
      return;
    }
  if ((g_strcmp0 (decision, "approve") != 0 || *scope == '\0') && request->implicit)
    grant_implicit_redirect_error (self, message, request->redirect_uri, "access_denied",
                                   "the resource owner denied the request", request->state,
                                   _("The owner said no. RFC 6749 §4.2.2.1: the server sends the browser back to the client with error=access_denied in the fragment, and no token."));
  else if (g_strcmp0 (decision, "approve") != 0 || *scope == '\0')
    {
      oauth_redirect_error (message, request->redirect_uri, "access_denied",
                            "the resource owner denied the request", request->state,
                            self->config.defenses.iss_parameter ? self->config.issuer : NULL);
      sim_message_narrate (message, _("The owner said no. RFC 6749 §4.1.2.1: the server sends the browser back to the client with error=access_denied, and no code."));
      g_hash_table_remove (self->pending, request->id);
      return;
    }
  else if (request->implicit)
    grant_implicit_answer (self, message, request, username, scope);
  else
    issue_code (self, message, request, username, scope);
  g_hash_table_remove (self->pending, request->id);
}
