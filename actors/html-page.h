/* html-page.h: the HTML pages the actors show a browser, with the headers a login page needs
 * (RFC 6749 §10.13, RFC 9700 §4.16), and reading their forms back as a browser does. */
#pragma once

#include "sim/message.h"

G_BEGIN_DECLS

/* What a page may leave out of its security headers: the attack lab's weaker pages. */
typedef enum
{
  OAUTH_PAGE_DEFAULT = 0,
  OAUTH_PAGE_FRAMABLE = 1 << 0,          /* no X-Frame-Options, no frame-ancestors */
  OAUTH_PAGE_NO_REFERRER_POLICY = 1 << 1, /* no Referrer-Policy: the browser's default applies */
} OAuthPageFlags;

void      oauth_html_page         (SimMessage    *message,
                                   guint          status,
                                   const char    *title,
                                   const char    *body_html);
void      oauth_html_page_with    (SimMessage    *message,
                                   guint          status,
                                   const char    *title,
                                   const char    *body_html,
                                   OAuthPageFlags flags,
                                   const char    *image_origin);

/* The first form of a page, as the simulated browser reads it. */
typedef struct
{
  char *action;
  SimParams *hidden;
  GPtrArray *checkboxes;  /* (element-type utf8): values of name="scope" boxes */
  char *confirm;          /* (nullable) the user code a name="confirm_user_code" box confirms */
} OAuthForm;

OAuthForm *oauth_form_new         (const char  *action);
OAuthForm *oauth_form_copy        (OAuthForm   *form);
OAuthForm *oauth_form_parse       (const char  *html);
void       oauth_form_free        (OAuthForm   *form);

/* A page whose body is written only when somebody reads it: @write_body appends the escaped
 * body from @data. @form is the form that body holds, as oauth_form_parse() reads it back; such
 * a page embeds no image and no frame. */
typedef void (*OAuthPageBodyFunc) (GString       *out,
                                   gconstpointer  data);

void       oauth_html_form_page   (SimMessage       *message,
                                   guint             status,
                                   const char       *title,
                                   OAuthForm        *form,
                                   OAuthPageBodyFunc write_body,
                                   gpointer          data,
                                   GDestroyNotify    destroy,
                                   OAuthPageFlags    flags);
OAuthForm *oauth_page_read_form   (SimMessage       *page);
gboolean   oauth_page_embeds_nothing (SimMessage    *page);
const char *oauth_page_peek_body  (SimMessage       *page);

char      *oauth_html_unescape    (const char  *text);
void       oauth_html_append_escaped (GString   *out,
                                   const char  *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OAuthForm, oauth_form_free)

G_END_DECLS
