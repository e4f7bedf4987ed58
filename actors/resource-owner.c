/* resource-owner.c: the owner and their browser.
 *
 * The browser follows redirects as a real one does (up to a limit) and fills in the server's
 * login and consent form from the owner's decision. The password goes only into that form,
 * which the browser posts to the page's own origin: the authorization server.
 *
 * It also loads what a page embeds from elsewhere, as the attack lab needs: an image, sent
 * with a Referer header as the page's Referrer-Policy allows, and a frame, shown only if the
 * framed page's X-Frame-Options and frame-ancestors allow the page around it. A form in a frame
 * that is shown is the one the owner fills in: she cannot tell it from the page around it.
 */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "actors/resource-owner.h"
#include "actors/oauth.h"

#define MAX_REDIRECTS 10
#define MAX_EMBEDS 4

struct _ResourceOwner
{
  SimWorld *world;
  OwnerConfig config;
  SimMessage *page;   /* the last page the browser shows */
  char *page_url;
  char *framed_by;    /* the origin of the page around it, when that page is in a frame */
  SimMessage *frame;  /* a frame being loaded, and the origin of the page around it */
  char *frame_embedder;
  GHashTable *cookies;  /* origin -> GTree name -> value: the browser's cookie jar */
  char *fragment;       /* of the address shown: it stays in the browser (RFC 3986 §3.5) */
  GPtrArray *seen_codes; /* user codes a device of hers showed her (RFC 8628 §3.3) */
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
  g_clear_pointer (&config->name, g_free);
  g_clear_pointer (&config->email, g_free);
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
  /* the one secret nobody gave anyone */
  sim_world_hold (world, "resource-owner", "password", config->password);
  self->config.approve_scopes = g_strdup (config->approve_scopes);
  self->config.name = g_strdup (config->name);
  self->config.email = g_strdup (config->email);
  self->cookies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_tree_unref);
  self->seen_codes = g_ptr_array_new_with_free_func (g_free);
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
  g_free (self->framed_by);
  g_free (self->frame_embedder);
  g_free (self->fragment);
  g_hash_table_unref (self->cookies);
  g_ptr_array_unref (self->seen_codes);
  g_free (self);
}

static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  return strcmp (a, b);
}

/* A browser sends each site the cookies it set, and keeps the ones it sets now. Only what this
 * lesson needs: name=value per origin, sent back to that origin, in name order. */
static void
send_cookies (ResourceOwner *self,
              SimMessage    *message)
{
  g_autofree char *origin = sim_message_dup_origin (message);
  GTree *jar = g_hash_table_lookup (self->cookies, origin);
  g_autoptr(GString) header = g_string_new (NULL);
  GTreeNode *node;

  if (jar == NULL)
    return;
  for (node = g_tree_node_first (jar); node; node = g_tree_node_next (node))
    g_string_append_printf (header, "%s%s=%s", header->len ? "; " : "", (char *) g_tree_node_key (node),
                            (char *) g_tree_node_value (node));
  if (header->len)
    sim_headers_replace (message->request_headers, "Cookie", header->str);
}

static void
keep_cookies (ResourceOwner *self,
              SimMessage    *message)
{
  g_autofree char *origin = NULL;
  SimHeadersIter iter;
  const char *name, *value;
  GTree *jar;

  if (sim_headers_get_one (message->response_headers, "Set-Cookie") == NULL)
    return;
  origin = sim_message_dup_origin (message);
  sim_headers_iter_init (&iter, message->response_headers);
  while (sim_headers_iter_next (&iter, &name, &value))
    {
      g_autofree char *pair = NULL;
      char *equals;

      if (g_ascii_strcasecmp (name, "Set-Cookie") != 0)
        continue;
      pair = g_strndup (value, strcspn (value, ";"));
      if ((equals = strchr (pair, '=')) == NULL || equals == pair)
        continue;
      *equals = '\0';
      jar = g_hash_table_lookup (self->cookies, origin);
      if (jar == NULL)
        {
          jar = g_tree_new_full (compare_names, NULL, g_free, g_free);
          g_hash_table_insert (self->cookies, g_strdup (origin), jar);
        }
      g_tree_replace (jar, g_strdup (g_strstrip (pair)), g_strdup (g_strstrip (equals + 1)));
    }
}

/* Every request the browser makes goes through here. */
static void
browse (ResourceOwner *self,
        SimMessage    *message)
{
  send_cookies (self, message);
  sim_bus_deliver (self->world->bus, "resource-owner", message);
  if (message->status)
    keep_cookies (self, message);
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
  self->page_url = sim_uri_to_string (message->uri);
  if (self->fragment)
    {
      char *with = g_strconcat (self->page_url, "#", self->fragment, NULL);
      g_free (self->page_url);
      self->page_url = with;
    }
  g_clear_pointer (&self->framed_by, g_free);
}

static char *
origin_of (SimUri *uri)
{
  return sim_uri_dup_origin (uri);
}

/* The absolute URLs in the src attributes of @tag elements ("<img", "<iframe"), in order. */
static GPtrArray *
embedded (const char *html,
          const char *tag)
{
  GPtrArray *urls = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *needle = g_strconcat ("<", tag, " ", NULL);

  for (const char *p = html; (p = strstr (p, needle)) && urls->len < MAX_EMBEDS; p++)
    {
      const char *end = strchr (p, '>');
      const char *src = strstr (p, " src=\"");
      const char *close;

      if (end == NULL || src == NULL || src > end || !(close = strchr (src + 6, '"')) || close > end)
        continue;
      {
        g_autofree char *raw = g_strndup (src + 6, close - src - 6);
        g_ptr_array_add (urls, oauth_html_unescape (raw));
      }
    }
  return urls;
}

/* What the Referer header carries under the page's Referrer-Policy (W3C Referrer Policy §8.3),
 * or NULL for none. Without a policy, this browser does what browsers did until 2020
 * (no-referrer-when-downgrade): the full address, query and all. Browsers now default to
 * strict-origin-when-cross-origin, which a page should not rely on (RFC 9700 §4.2.4). */
static char *
referrer_for (SimMessage *page,
              SimUri     *target)
{
  const char *header = sim_headers_get_list (page->response_headers, "Referrer-Policy");
  const char *policy = "no-referrer-when-downgrade";
  g_autofree char *from = origin_of (page->uri);
  g_autofree char *to = origin_of (target);
  gboolean same = g_strcmp0 (from, to) == 0;
  gboolean downgrade = g_strcmp0 (sim_uri_get_scheme (page->uri), "https") == 0
                       && g_strcmp0 (sim_uri_get_scheme (target), "https") != 0;
  g_autoptr(GUri) bare = NULL;

  if (header)
    {
      /* the last policy the browser knows wins; these are all it knows */
      g_auto(GStrv) tokens = g_strsplit (header, ",", -1);
      static const char *const known[] = {
        "no-referrer", "no-referrer-when-downgrade", "same-origin", "origin", "strict-origin",
        "origin-when-cross-origin", "strict-origin-when-cross-origin", "unsafe-url", NULL
      };
      for (guint i = 0; tokens[i]; i++)
        {
          g_strstrip (tokens[i]);
          if (g_strv_contains (known, tokens[i]))
            policy = g_intern_string (tokens[i]);
        }
    }
  if (strcmp (policy, "no-referrer") == 0 || (strcmp (policy, "same-origin") == 0 && !same)
      || (downgrade && g_str_has_prefix (policy, "strict-origin"))
      || (downgrade && strcmp (policy, "no-referrer-when-downgrade") == 0))
    return NULL;
  if (strcmp (policy, "origin") == 0 || strcmp (policy, "strict-origin") == 0
      || (!same && g_str_has_suffix (policy, "origin-when-cross-origin")))
    return g_strconcat (from, "/", NULL);
  /* the full address, without a fragment or credentials */
  bare = g_uri_build (G_URI_FLAGS_ENCODED, sim_uri_get_scheme (page->uri), NULL, sim_uri_get_host (page->uri),
                      sim_uri_get_port (page->uri), sim_uri_get_path (page->uri), sim_uri_get_query (page->uri), NULL);
  return g_uri_to_string (bare);
}

/* Loads the images @page shows from other origins. */
static void
load_images (ResourceOwner *self,
             SimMessage    *page,
             const char    *html)
{
  g_autoptr(GPtrArray) urls = embedded (html, "img");

  for (guint i = 0; i < urls->len; i++)
    {
      g_autoptr(SimUri) uri = sim_uri_resolve (page->uri, urls->pdata[i]);
      g_autoptr(SimMessage) image = NULL;
      g_autofree char *referrer = NULL;
      g_autofree char *where = NULL;

      if (uri == NULL)
        continue;
      image = sim_message_new_from_uri ("GET", uri);
      referrer = referrer_for (page, uri);
      where = origin_of (uri);
      sim_message_set_phase (image, page->phase);
      if (referrer)
        {
          sim_headers_replace (image->request_headers, "Referer", referrer);
          sim_message_narrate (image, _("The page shows an image from %s, and the browser fetches it. The page sets no Referrer-Policy that says otherwise, so the request carries the page's own address in its Referer header (RFC 9110 §10.1.3), query and all."),
                               where);
        }
      else
        sim_message_narrate (image, _("The page shows an image from %s, and the browser fetches it. The page's Referrer-Policy forbids telling that site where the image is shown, so no Referer header goes with it (RFC 9700 §4.2.4)."),
                             where);
      browse (self, image);
    }
}

/* X-Frame-Options (RFC 7034) and CSP frame-ancestors: may @framed be shown inside a page of
 * @embedder (an origin)? */
static gboolean
frame_allowed (SimMessage *framed,
               const char *embedder)
{
  const char *options = sim_headers_get_one (framed->response_headers, "X-Frame-Options");
  const char *policy = sim_headers_get_list (framed->response_headers, "Content-Security-Policy");
  g_autofree char *own = origin_of (framed->uri);
  const char *ancestors = policy ? strstr (policy, "frame-ancestors") : NULL;

  if (options && (g_ascii_strcasecmp (options, "DENY") == 0
                  || (g_ascii_strcasecmp (options, "SAMEORIGIN") == 0 && g_strcmp0 (own, embedder) != 0)))
    return FALSE;
  if (ancestors)
    {
      g_autofree char *sources = g_strndup (ancestors + 15, strcspn (ancestors + 15, ";"));
      g_auto(GStrv) list = g_strsplit_set (g_strstrip (sources), " ", -1);
      for (guint i = 0; list[i]; i++)
        if ((strcmp (list[i], "'self'") == 0 && g_strcmp0 (own, embedder) == 0)
            || g_strcmp0 (list[i], embedder) == 0 || strcmp (list[i], "*") == 0)
          return TRUE;
      return FALSE;
    }
  return TRUE;
}

/* Loads the first frame of @page; a frame that may be shown becomes what the owner interacts
 * with. Whether it may is told when the answer arrives (resource_owner_read_answer). */
static void
load_frame (ResourceOwner *self,
            SimMessage    *page,
            const char    *html)
{
  g_autoptr(GPtrArray) urls = embedded (html, "iframe");
  g_autoptr(SimUri) uri = NULL;
  g_autoptr(SimMessage) framed = NULL;
  g_autofree char *embedder = origin_of (page->uri);

  if (urls->len == 0 || !(uri = sim_uri_resolve (page->uri, urls->pdata[0])))
    return;
  framed = sim_message_new_from_uri ("GET", uri);
  sim_message_set_phase (framed, SIM_PHASE_CONSENT);
  sim_message_narrate (framed, _("The page holds a frame, and the browser loads what it shows."));
  self->frame = framed;
  self->frame_embedder = g_strdup (embedder);
  browse (self, framed);
  self->frame = NULL;
  g_clear_pointer (&self->frame_embedder, g_free);
  if (framed->status != SOUP_STATUS_OK || !frame_allowed (framed, embedder))
    return;
  show (self, framed);
  self->framed_by = g_strdup (embedder);
}

/**
 * resource_owner_read_answer:
 *
 * The browser reads an answer to a request it sent, once nothing more will change it: for a
 * frame, it says whether the page may be shown there.
 */
void
resource_owner_read_answer (ResourceOwner *self,
                            SimMessage    *message)
{
  if (message != self->frame || message->status != SOUP_STATUS_OK)
    return;
  if (!frame_allowed (message, self->frame_embedder))
    sim_message_narrate (message, _("The page says it must not be shown inside another site's frame (X-Frame-Options, frame-ancestors), so the browser leaves the frame on %s empty: there is nothing there to click (RFC 9700 §4.16)."),
                         self->frame_embedder);
  else
    sim_message_narrate (message, _("The browser shows it inside %s's page, which can make the frame invisible and lay its own button over one of the frame's: a click there is a click on the framed page."),
                         self->frame_embedder);
}

/* A page has arrived: the browser loads what it embeds. */
static void
render (ResourceOwner *self,
        SimMessage    *message)
{
  g_autofree char *html = NULL;
  const char *type = sim_headers_get_content_type (message->response_headers);
  const char *body = NULL;

  if (g_strcmp0 (type, "text/html") != 0 || oauth_page_embeds_nothing (message))
    return;
  /* A page kept as its body: what it embeds is in there, not in the document around it. */
  if ((body = oauth_page_peek_body (message)) == NULL)
    {
      if (sim_message_get_response_body (message) == NULL)
        return;
      body = html = sim_message_dup_response_text (message);
    }
  load_images (self, message, body);
  load_frame (self, message, body);
}


static SimMessage *follow (ResourceOwner *self, SimMessage *message, SimPhase redirect_phase);

/* The HTML of a page, whether kept as its body or as bytes. */
static char *
page_html (SimMessage *page)
{
  const char *body = oauth_page_peek_body (page);
  return body ? g_strdup (body) : sim_message_dup_response_text (page);
}

/* A page of the implicit grant's client reads the fragment of its address with a script and
 * posts it to its own server (a form marked data-from-fragment): the browser does what that
 * script does. Any other page leaves the fragment alone. */
static SimMessage *
run_fragment_script (ResourceOwner *self,
                     SimMessage    *page,
                     SimPhase       phase)
{
  g_autofree char *html = NULL;
  g_autoptr(OAuthForm) form = NULL;
  g_autoptr(SimUri) action = NULL;
  g_autofree char *page_origin = NULL, *action_origin = NULL;
  SimParams *fields;
  SimMessage *post;

  if (self->fragment == NULL || page->status != SOUP_STATUS_OK
      || g_strcmp0 (sim_headers_get_content_type (page->response_headers), "text/html") != 0
      || !(html = page_html (page)) || !strstr (html, "data-from-fragment")
      || !(form = oauth_form_parse (html)) || form->action == NULL
      || !(action = sim_uri_resolve (page->uri, form->action)))
    return page;
  page_origin = origin_of (page->uri);
  action_origin = origin_of (action);
  if (g_strcmp0 (page_origin, action_origin) != 0 || !(fields = sim_params_parse (self->fragment, NULL)))
    return page;
  g_clear_pointer (&self->fragment, g_free);
  post = sim_message_new_from_uri ("POST", action);
  sim_message_set_request_params (post, fields);
  sim_message_set_phase (post, phase);
  sim_message_narrate (post, _("The page's script reads the fragment of its own address and posts what it holds to the app's server: the only way the app learns what the authorization server sent."));
  browse (self, post);
  sim_message_unref (page);
  return follow (self, post, phase);
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
      const char *location = sim_headers_get_one (message->response_headers, "Location");
      g_autoptr(SimUri) next = NULL;
      SimMessage *hop;

      const char *hash = location ? strchr (location, '#') : NULL;
      g_autofree char *target = location ? g_strndup (location, hash ? (gsize) (hash - location) : strlen (location)) : NULL;

      if (location == NULL
          || !(next = sim_uri_resolve (message->uri, target)))
        break;
      /* A fragment is never sent (RFC 9110 §4.2.1); a Location without one keeps the one the
       * browser had (RFC 9110 §10.2.2). */
      if (hash)
        {
          g_free (self->fragment);
          self->fragment = g_strdup (hash + 1);
        }
      hop = sim_message_new_from_uri ("GET", next);
      sim_message_set_phase (hop, redirect_phase);
      if (hash)
        sim_message_narrate (hop, _("The browser follows the redirect. What comes after the # is the address's fragment: the browser keeps it, in the address bar and in its history, and never sends it to the server (RFC 3986 §3.5)."));
      else
        sim_message_narrate (hop, _("The browser follows the redirect."));
      browse (self, hop);
      sim_message_unref (message);
      message = hop;
    }
  show (self, message);
  render (self, message);
  return run_fragment_script (self, message, redirect_phase);
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
  g_clear_pointer (&self->fragment, g_free);
  sim_message_set_phase (message, phase);
  sim_message_narrate (message, _("The owner opens %s in the browser."), url);
  browse (self, message);
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
  gboolean stranger_code = FALSE;
  const char *ticked = approve_scopes ? approve_scopes : self->config.approve_scopes;
  g_autoptr(OAuthForm) form = NULL;
  SimParams *fields = NULL;
  g_autoptr(SimUri) action = NULL;
  g_autofree char *html = NULL;
  SimMessage *message;

  if (self->page == NULL)
    return NULL;
  form = oauth_page_read_form (self->page);
  if (form == NULL || form->action == NULL
      || !(action = sim_uri_resolve (self->page->uri, form->action)))
    return NULL;

  /* What a browser sends for this form: the hidden fields, the credentials, one "scope" per
   * ticked box (HTML repeats the name), and the button pressed. */
  fields = sim_params_copy (form->hidden);
  sim_params_set (fields, "username", self->config.username);
  sim_params_set (fields, "password", password ? password : self->config.password);
  for (guint i = 0; i < form->checkboxes->len; i++)
    {
      const char *scope = form->checkboxes->pdata[i];
      if (!ticked || oauth_scope_contains (ticked, scope))
        sim_params_add (fields, "scope", scope);
    }
  /* RFC 8628 §5.4: asked whether a device of hers shows the code, she answers truthfully */
  if (form->confirm && g_ptr_array_find_with_equal_func (self->seen_codes, form->confirm, g_str_equal, NULL))
    sim_params_set (fields, "confirm_user_code", form->confirm);
  else if (form->confirm)
    stranger_code = TRUE;
  sim_params_add (fields, "decision", approve && !stranger_code ? "approve" : "deny");

  message = sim_message_new_from_uri ("POST", action);
  sim_message_set_request_params (message, fields);
  sim_message_set_phase (message, SIM_PHASE_CONSENT);
  html = page_html (self->page);
  if (html && strstr (html, "data-app-sign-in"))
    sim_message_narrate (message, _("On the app's own sign-in page, the owner types her username and password, and they go to the app: the app, not the authorization server, now has her password (RFC 6749 §4.3.1)."));
  else if (self->framed_by)
    sim_message_narrate (message, _("The owner thinks she clicks a button of %s's page; the click lands on the invisible frame above it. Her browser had her password saved for that server and filled it in, so that one click sends the whole form (RFC 9700 §4.16)."),
                         self->framed_by);
  else if (stranger_code)
    sim_message_narrate (message, _("The page asks her to confirm that she started this on a device in front of her that shows the code %s. No device of hers shows it: the code came in a message. So she signs in and clicks Deny."),
                         form->confirm);
  else if (approve && form->confirm)
    sim_message_narrate (message, _("On the authorization server's own page, the owner signs in, ticks the scopes to allow, and confirms that her TV shows the code %s. The password goes to the authorization server and nowhere else."),
                         form->confirm);
  else if (approve)
    sim_message_narrate (message, _("On the authorization server's own page, the owner signs in and ticks the scopes to allow. The password goes to the authorization server and nowhere else."));
  else
    sim_message_narrate (message, _("On the authorization server's own page, the owner signs in and clicks Deny."));
  browse (self, message);
  return follow (self, message, SIM_PHASE_CODE_EXCHANGE);
}

/**
 * resource_owner_see_code:
 *
 * A device of hers (the TV) shows @user_code: she can later say it is on a screen in front of
 * her, and type it.
 */
void
resource_owner_see_code (ResourceOwner *self,
                         const char    *user_code)
{
  if (user_code)
    g_ptr_array_add (self->seen_codes, g_strdup (user_code));
}

/**
 * resource_owner_fill_in:
 *
 * Types @value into the text field @name of the form on the current page (a device's user
 * code) and submits it, then follows redirects.
 *
 * Returns: (transfer full) (nullable): the exchange that produced the page now shown; %NULL
 * when the page has no form.
 */
SimMessage *
resource_owner_fill_in (ResourceOwner *self,
                        const char    *name,
                        const char    *value)
{
  g_autoptr(OAuthForm) form = self->page ? oauth_page_read_form (self->page) : NULL;
  g_autoptr(SimUri) action = NULL;
  SimParams *fields;
  SimMessage *message;

  if (form == NULL || form->action == NULL
      || !(action = sim_uri_resolve (self->page->uri, form->action)))
    return NULL;
  fields = sim_params_copy (form->hidden);
  sim_params_set (fields, name, value);
  message = sim_message_new_from_uri ("POST", action);
  sim_message_set_request_params (message, fields);
  sim_message_set_phase (message, SIM_PHASE_CONSENT);
  sim_message_narrate (message, _("The owner types the code %s, as her TV shows it, into the page and sends it."), value);
  browse (self, message);
  return follow (self, message, SIM_PHASE_CONSENT);
}
