/* resource-owner.c: the owner and their browser.
 *
 * The browser follows redirects as a real one does (up to a limit) and fills in the server's
 * login and consent form from the owner's decision. The password goes only into that form,
 * which the browser posts to the page's own origin: the authorization server.
 */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "actors/resource-owner.h"
#include "actors/oauth.h"

#define MAX_REDIRECTS 10

struct _ResourceOwner
{
  SimWorld *world;
  OwnerConfig config;
  SimMessage *page;   /* the last page the browser shows */
  char *page_url;
};

void
owner_config_init (OwnerConfig *config)
{
  memset (config, 0, sizeof *config);
  config->username = g_strdup ("alice");
  config->password = g_strdup ("wonderland");
  config->approve = TRUE;
}

void
owner_config_clear (OwnerConfig *config)
{
  g_clear_pointer (&config->username, g_free);
  g_clear_pointer (&config->password, g_free);
  g_clear_pointer (&config->approve_scopes, g_free);
}

/**
 * resource_owner_new:
 * @world: (not owned)
 * @config: copied
 *
 * Returns: (transfer full): an owner whose browser shows no page yet.
 */
ResourceOwner *
resource_owner_new (SimWorld          *world,
                    const OwnerConfig *config)
{
  ResourceOwner *self = g_new0 (ResourceOwner, 1);
  self->world = world;
  self->config = *config;
  self->config.username = g_strdup (config->username);
  self->config.password = g_strdup (config->password);
  self->config.approve_scopes = g_strdup (config->approve_scopes);
  return self;
}

void
resource_owner_free (ResourceOwner *self)
{
  if (!self)
    return;
  owner_config_clear (&self->config);
  g_clear_pointer (&self->page, sim_message_unref);
  g_free (self->page_url);
  g_free (self);
}

const char *
resource_owner_get_page_url (ResourceOwner *self)
{
  return self->page_url;
}

const char *
resource_owner_get_username (ResourceOwner *self)
{
  return self->config.username;
}

const char *
resource_owner_get_password (ResourceOwner *self)
{
  return self->config.password;
}

static void
show (ResourceOwner *self,
      SimMessage    *message)
{
  g_clear_pointer (&self->page, sim_message_unref);
  self->page = sim_message_ref (message);
  g_free (self->page_url);
  self->page_url = g_uri_to_string (message->uri);
}

/* Follows 3xx answers with a GET to their Location, resolved against the current URL. After
 * the consent form, the redirect carries the code back: that is the code exchange. */
static SimMessage *
follow (ResourceOwner *self,
        SimMessage    *message,
        SimPhase       redirect_phase)
{
  for (guint hops = 0; SOUP_STATUS_IS_REDIRECTION (message->status) && hops < MAX_REDIRECTS; hops++)
    {
      const char *location = soup_message_headers_get_one (message->response_headers, "Location");
      g_autoptr(GUri) next = NULL;
      SimMessage *hop;

      if (location == NULL
          || !(next = g_uri_parse_relative (message->uri, location, G_URI_FLAGS_ENCODED, NULL)))
        break;
      hop = sim_message_new_from_uri ("GET", next);
      sim_message_set_phase (hop, redirect_phase);
      sim_message_narrate (hop, _("The browser follows the redirect."));
      sim_bus_deliver (self->world->bus, "resource-owner", hop);
      sim_message_unref (message);
      message = hop;
    }
  show (self, message);
  return message;
}

/**
 * resource_owner_visit:
 *
 * Opens @url in the browser and follows redirects.
 *
 * Returns: (transfer full): the exchange that produced the page now shown.
 */
SimMessage *
resource_owner_visit (ResourceOwner *self,
                      const char    *url,
                      SimPhase       phase)
{
  SimMessage *message = sim_message_new ("GET", url);

  if (message == NULL)
    return NULL;
  sim_message_set_phase (message, phase);
  sim_message_narrate (message, _("The owner opens %s in the browser."), url);
  sim_bus_deliver (self->world->bus, "resource-owner", message);
  return follow (self, message, phase);
}

/**
 * resource_owner_consent:
 * @password: (nullable): what the owner types; %NULL for their real password
 * @decision: 1 approve, 0 deny, -1 as the owner was configured
 * @approve_scopes: (nullable): the scopes to tick; %NULL as configured
 *
 * Fills the login and consent form on the current page and submits it. With no form on the
 * page, nothing is sent.
 *
 * Returns: (transfer full) (nullable): the exchange that produced the page now shown.
 */
SimMessage *
resource_owner_consent (ResourceOwner *self,
                        const char    *password,
                        int            decision,
                        const char    *approve_scopes)
{
  gboolean approve = decision < 0 ? self->config.approve : decision > 0;
  const char *ticked = approve_scopes ? approve_scopes : self->config.approve_scopes;
  g_autoptr(OAuthForm) form = NULL;
  g_autoptr(SimParams) fields = sim_params_new ();
  g_autoptr(GUri) action = NULL;
  g_autofree char *html = NULL;
  g_autofree char *encoded = NULL;
  SimMessage *message;

  if (self->page == NULL)
    return NULL;
  html = sim_message_dup_response_text (self->page);
  form = oauth_form_parse (html);
  if (form == NULL || form->action == NULL
      || !(action = g_uri_parse_relative (self->page->uri, form->action, G_URI_FLAGS_ENCODED, NULL)))
    return NULL;

  for (guint i = 0; i < sim_params_size (form->hidden); i++)
    sim_params_set (fields, sim_params_name_at (form->hidden, i), sim_params_value_at (form->hidden, i));
  sim_params_set (fields, "username", self->config.username);
  sim_params_set (fields, "password", password ? password : self->config.password);
  encoded = sim_params_encode (fields);
  {
    GString *body = g_string_new (encoded);
    for (guint i = 0; i < form->checkboxes->len; i++)
      {
        const char *scope = form->checkboxes->pdata[i];
        if (ticked && !oauth_scope_contains (ticked, scope))
          continue;
        g_autofree char *one = soup_form_encode ("scope", scope, NULL);
        g_string_append_printf (body, "&%s", one);
      }
    g_string_append (body, approve ? "&decision=approve" : "&decision=deny");
    g_free (encoded);
    encoded = g_string_free (body, FALSE);
  }

  message = sim_message_new_from_uri ("POST", action);
  sim_message_set_request_form_encoded (message, encoded);
  sim_message_set_phase (message, SIM_PHASE_CONSENT);
  if (approve)
    sim_message_narrate (message, _("On the authorization server's own page, the owner signs in and ticks the scopes to allow. The password goes to the authorization server and nowhere else."));
  else
    sim_message_narrate (message, _("On the authorization server's own page, the owner signs in and clicks Deny."));
  sim_bus_deliver (self->world->bus, "resource-owner", message);
  return follow (self, message, SIM_PHASE_CODE_EXCHANGE);
}
