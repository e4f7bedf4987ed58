/* html-page.c: HTML pages for the browser, and their forms read back; see html-page.h. */
#include <string.h>

#include "actors/html-page.h"

/* The document around a page's body, with its title twice (the tab and the heading). */
static void
write_document (GString          *html,
                const char       *title,
                OAuthPageBodyFunc write_body,
                gconstpointer     data)
{
  g_string_append (html,
                   "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width\">"
                   "<title>");
  oauth_html_append_escaped (html, title);
  g_string_append (html,
                   "</title>"
                   "<style>body{font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em}"
                   "label{display:block;margin:.4em 0}.error{color:#b00020}</style>"
                   "</head><body>\n<h1>");
  oauth_html_append_escaped (html, title);
  g_string_append (html, "</h1>\n");
  write_body (html, data);
  g_string_append (html, "\n</body></html>\n");
}


/* The headers a login page needs (RFC 6749 §10.13, RFC 9700 §4.16), after its Content-Type. */
static void
set_page_headers (SimMessage     *message,
                  OAuthPageFlags  flags,
                  const char     *image_origin)
{
  static const char usual[] =
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
  g_autoptr(GString) csp = NULL;

  if (image_origin || (flags & OAUTH_PAGE_FRAMABLE))
    {
      csp = g_string_new ("default-src 'none'; style-src 'unsafe-inline'; ");
      if (image_origin)
        g_string_append_printf (csp, "img-src %s; ", image_origin);
      g_string_append (csp, "form-action 'self'");
      if (!(flags & OAUTH_PAGE_FRAMABLE))
        g_string_append (csp, "; frame-ancestors 'none'");
    }

  if (!(flags & OAUTH_PAGE_FRAMABLE))
    sim_headers_replace (message->response_headers, "X-Frame-Options", "DENY");
  sim_headers_replace (message->response_headers, "Content-Security-Policy", csp ? csp->str : usual);
  if (!(flags & OAUTH_PAGE_NO_REFERRER_POLICY))
    sim_headers_replace (message->response_headers, "Referrer-Policy", "no-referrer");
  sim_headers_replace (message->response_headers, "X-Content-Type-Options", "nosniff");
  sim_headers_replace (message->response_headers, "Cache-Control", "no-store");
}

/* A page kept as what it shows (its title, what writes its body, its form if it has one),
 * written as HTML when somebody reads the bytes. */
typedef struct
{
  gint ref_count;
  char *title;
  OAuthForm *form;
  OAuthPageBodyFunc write_body;
  gpointer data;
  GDestroyNotify destroy;
} Page;

static GBytes *
page_render (gconstpointer model)
{
  const Page *page = model;
  GString *html = g_string_sized_new (2048);
  gsize length;

  write_document (html, page->title, page->write_body, page->data);
  length = html->len;
  return g_bytes_new_take (g_string_free (html, FALSE), length);
}

static gpointer
page_copy (gconstpointer model)
{
  Page *page = (Page *) model;

  g_atomic_int_inc (&page->ref_count);
  return page;
}

static void
page_free (gpointer model)
{
  Page *page = model;

  if (!g_atomic_int_dec_and_test (&page->ref_count))
    return;
  g_free (page->title);
  oauth_form_free (page->form);
  if (page->destroy)
    page->destroy (page->data);
  g_free (page);
}

static const SimBodyCodec page_body = { "page", page_render, page_copy, page_free };

/* The page's body is @body_html as it is. */
static void
write_literal (GString       *out,
               gconstpointer  body_html)
{
  g_string_append (out, body_html);
}

static void
set_page (SimMessage       *message,
          guint             status,
          const char       *title,
          OAuthForm        *form,
          OAuthPageBodyFunc write_body,
          gpointer          data,
          GDestroyNotify    destroy)
{
  Page *page = g_new0 (Page, 1);

  page->ref_count = 1;
  page->title = g_strdup (title);
  page->form = form;
  page->write_body = write_body;
  page->data = data;
  page->destroy = destroy;
  sim_message_set_response_model (message, status, "text/html; charset=utf-8", &page_body, page);
}

/* An HTML page that escapes nothing itself: @body_html must already be escaped. */
void
oauth_html_page (SimMessage *message,
                 guint       status,
                 const char *title,
                 const char *body_html)
{
  oauth_html_page_with (message, status, title, body_html, OAUTH_PAGE_DEFAULT, NULL);
}

/**
 * oauth_html_page_with:
 * @flags: which protections to leave out (the attack lab's defenses switched off)
 * @image_origin: (nullable): an origin the page may load images from (third-party content)
 *
 * As oauth_html_page(), with a choice of security headers. The page is written as HTML when
 * somebody reads it; a browser looking for what it embeds reads @body_html alone
 * (oauth_page_peek_body()).
 */
void
oauth_html_page_with (SimMessage     *message,
                      guint           status,
                      const char     *title,
                      const char     *body_html,
                      OAuthPageFlags  flags,
                      const char     *image_origin)
{
  set_page (message, status, title, NULL, write_literal, g_strdup (body_html), g_free);
  set_page_headers (message, flags, image_origin);
}

/**
 * oauth_html_form_page:
 * @form: (transfer full): the form the body holds, as oauth_form_parse() would read it
 * @data: (transfer full): what @write_body writes the body from; @destroy frees it
 *
 * As oauth_html_page_with() without an image origin, for a page whose body is written only
 * when somebody reads it (a trace, the HTTP transport). A browser that only wants the form
 * takes @form (oauth_page_read_form()): parsing the written page gives it back.
 */
void
oauth_html_form_page (SimMessage       *message,
                      guint             status,
                      const char       *title,
                      OAuthForm        *form,
                      OAuthPageBodyFunc write_body,
                      gpointer          data,
                      GDestroyNotify    destroy,
                      OAuthPageFlags    flags)
{
  g_return_if_fail (form != NULL);
  set_page (message, status, title, form, write_body, data, destroy);
  set_page_headers (message, flags, NULL);
}

/**
 * oauth_page_read_form:
 * Returns: (transfer full) (nullable): the first form of the page @page answered with.
 */
OAuthForm *
oauth_page_read_form (SimMessage *page)
{
  const Page *model = sim_message_peek_response_model (page, &page_body);
  g_autofree char *html = NULL;

  if (model && model->form)
    return oauth_form_copy (model->form);
  html = sim_message_dup_response_text (page);
  return oauth_form_parse (html);
}

/* Whether @page is a form page, which embeds no image and no frame. */
gboolean
oauth_page_embeds_nothing (SimMessage *page)
{
  const Page *model = sim_message_peek_response_model (page, &page_body);
  return model != NULL && model->form != NULL;
}

/**
 * oauth_page_peek_body:
 * Returns: (transfer none) (nullable): the body of a page written with oauth_html_page_with(),
 * as given, while it is that page: what it embeds is in there, not in the document around it.
 */
const char *
oauth_page_peek_body (SimMessage *page)
{
  const Page *model = sim_message_peek_response_model (page, &page_body);
  return model && model->write_body == write_literal ? model->data : NULL;
}

/* Forms */

OAuthForm *
oauth_form_new (const char *action)
{
  OAuthForm *form = g_new0 (OAuthForm, 1);

  form->action = g_strdup (action);
  form->hidden = sim_params_new ();
  form->checkboxes = g_ptr_array_new_with_free_func (g_free);
  return form;
}

OAuthForm *
oauth_form_copy (OAuthForm *form)
{
  OAuthForm *copy = g_new0 (OAuthForm, 1);

  copy->action = g_strdup (form->action);
  copy->hidden = sim_params_copy (form->hidden);
  copy->checkboxes = g_ptr_array_copy (form->checkboxes, (GCopyFunc) (void (*) (void)) g_strdup, NULL);
  g_ptr_array_set_free_func (copy->checkboxes, g_free);
  copy->confirm = g_strdup (form->confirm);
  return copy;
}

/* The entities our own pages write into attributes and text. */
char *
oauth_html_unescape (const char *text)
{
  GString *out = g_string_new (NULL);
  static const struct { const char *entity; char c; } entities[] = {
    { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&#39;", '\'' },
    { "&apos;", '\'' },
  };

  for (const char *p = text; *p;)
    {
      gboolean done = FALSE;
      if (*p == '&')
        for (guint i = 0; i < G_N_ELEMENTS (entities) && !done; i++)
          if (g_str_has_prefix (p, entities[i].entity))
            {
              g_string_append_c (out, entities[i].c);
              p += strlen (entities[i].entity);
              done = TRUE;
            }
      if (!done)
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

/* Appends @text escaped as g_markup_escape_text() escapes it, without a copy when there is
 * nothing to escape (printable ASCII without & < > ' "). */
void
oauth_html_append_escaped (GString    *out,
                           const char *text)
{
  const guchar *p;

  for (p = (const guchar *) text; *p; p++)
    if (*p < 0x20 || *p >= 0x7f || strchr ("&<>'\"", *p))
      break;
  if (*p == '\0')
    {
      g_string_append_len (out, text, (const char *) p - text);
      return;
    }
  {
    g_autofree char *escaped = g_markup_escape_text (text, -1);
    g_string_append (out, escaped);
  }
}

static char *
attribute (const char *tag,
           const char *name)
{
  gsize name_len = strlen (name);
  const char *start, *end;
  g_autofree char *raw = NULL;

  /* ' name="' */
  for (start = strchr (tag, ' '); start; start = strchr (start + 1, ' '))
    if (strncmp (start + 1, name, name_len) == 0 && strncmp (start + 1 + name_len, "=\"", 2) == 0)
      break;
  if (!start)
    return NULL;
  start += 1 + name_len + 2;
  end = strchr (start, '"');
  if (!end)
    return NULL;
  if (memchr (start, '&', end - start) == NULL)
    return g_strndup (start, end - start);
  raw = g_strndup (start, end - start);
  return oauth_html_unescape (raw);
}

/**
 * oauth_form_parse:
 *
 * Reads the first <form> of a page the way the simulated browser needs it: the action, the
 * hidden inputs, the values of the scope checkboxes and the user code a box confirms. It understands the markup our own
 * server writes (double-quoted attributes), not HTML at large.
 *
 * Returns: (transfer full) (nullable): the form, or %NULL when the page has none.
 */
OAuthForm *
oauth_form_parse (const char *html)
{
  const char *form_start = strstr (html, "<form");
  const char *form_end;
  const char *p;
  OAuthForm *form;

  if (!form_start)
    return NULL;
  form_end = strstr (form_start, "</form>");
  if (!form_end)
    return NULL;

  {
    const char *tag_end = strchr (form_start, '>');
    g_autofree char *tag = g_strndup (form_start, tag_end ? tag_end - form_start : 0);
    g_autofree char *action = attribute (tag, "action");
    form = oauth_form_new (action);
  }

  for (p = form_start; (p = strstr (p, "<input")) && p < form_end; p++)
    {
      const char *tag_end = strchr (p, '>');
      g_autofree char *tag = g_strndup (p, tag_end ? tag_end - p : 0);
      g_autofree char *type = attribute (tag, "type");
      g_autofree char *name = attribute (tag, "name");
      g_autofree char *value = attribute (tag, "value");

      if (!name || !value)
        continue;
      if (g_strcmp0 (type, "hidden") == 0)
        sim_params_set (form->hidden, name, value);
      else if (g_strcmp0 (type, "checkbox") == 0 && strcmp (name, "scope") == 0)
        g_ptr_array_add (form->checkboxes, g_steal_pointer (&value));
      else if (g_strcmp0 (type, "checkbox") == 0 && strcmp (name, "confirm_user_code") == 0)
        {
          g_free (form->confirm);
          form->confirm = g_steal_pointer (&value);
        }
    }
  return form;
}

void
oauth_form_free (OAuthForm *form)
{
  if (!form)
    return;
  g_free (form->action);
  sim_params_free (form->hidden);
  g_ptr_array_unref (form->checkboxes);
  g_free (form->confirm);
  g_free (form);
}
