/* trace-view.c: the parts of rendering a message that every sink needs. */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "sim/trace-view.h"

SimBodyKind
sim_trace_body_kind (SimHeaders *headers,
                     GBytes     *body)
{
  const char *type;

  if (body == NULL || g_bytes_get_size (body) == 0)
    return SIM_BODY_NONE;
  if (sim_message_is_form (headers))
    return SIM_BODY_FORM;
  if (sim_message_is_json (headers))
    return SIM_BODY_JSON;
  type = sim_headers_get_content_type (headers);
  if (type && g_ascii_strcasecmp (type, "text/html") == 0)
    return SIM_BODY_HTML;
  return SIM_BODY_TEXT;
}

/**
 * sim_trace_html_title:
 * Returns: (transfer full) (nullable): the text of the page's <title>.
 */
char *
sim_trace_html_title (const char *html)
{
  const char *start = strstr (html, "<title>");
  const char *end;

  if (!start)
    return NULL;
  start += strlen ("<title>");
  end = strstr (start, "</title>");
  if (!end)
    return NULL;
  return g_strndup (start, end - start);
}

static void
collect_name (const char *name,
              const char *value,
              gpointer    data)
{
  GPtrArray *names = data;
  for (guint i = 0; i < names->len; i++)
    if (g_ascii_strcasecmp (names->pdata[i], name) == 0)
      return;
  g_ptr_array_add (names, (gpointer) name);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_ascii_strcasecmp (*(const char **) a, *(const char **) b);
}

/**
 * sim_trace_list_headers:
 * @names: (element-type utf8) (transfer none): emptied, then given the header names, once each,
 *   sorted, because header fields are not listed in insertion order (see sim/headers.h). They belong
 *   to @headers and last until it changes; a sink writing a step lists them without copies.
 */
void
sim_trace_list_headers (SimHeaders *headers,
                        GPtrArray  *names)
{
  g_ptr_array_set_size (names, 0);
  sim_headers_foreach (headers, collect_name, names);
  g_ptr_array_sort (names, compare_names);
}

/**
 * sim_trace_sorted_headers:
 * Returns: (transfer full) (element-type utf8): the header names, once each, sorted, as
 * sim_trace_list_headers() lists them.
 */
GPtrArray *
sim_trace_sorted_headers (SimHeaders *headers)
{
  g_autoptr(GPtrArray) borrowed = g_ptr_array_new ();
  GPtrArray *names;

  sim_trace_list_headers (headers, borrowed);
  names = g_ptr_array_new_full (borrowed->len, g_free);
  for (guint i = 0; i < borrowed->len; i++)
    g_ptr_array_add (names, g_strdup (borrowed->pdata[i]));
  return names;
}

/**
 * sim_trace_narration:
 * Returns: (transfer full): the message's narration as one paragraph ("" when none).
 */
char *
sim_trace_narration (SimMessage *message)
{
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < message->narration->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, message->narration->pdata[i]);
    }
  return g_string_free (out, FALSE);
}

const char *const sim_trace_actor_names[] = { "resource-owner", "client", "auth-server", "api", NULL };

static const char *const actor_labels[] = {
  N_("Alice (resource owner)"),
  N_("Calendar app (client)"),
  N_("Authorization server"),
  N_("Calendar API"),
};

/**
 * sim_trace_actor_label:
 * Returns: (transfer none): what diagrams call the actor @name, translated; @name itself for
 * an actor that is neither one of the four nor the attacker (an origin nobody answers for).
 */
const char *
sim_trace_actor_label (const char *name)
{
  for (guint i = 0; sim_trace_actor_names[i]; i++)
    if (g_strcmp0 (name, sim_trace_actor_names[i]) == 0)
      return _(actor_labels[i]);
  /* The attack lab's fifth actor: not a lane of every diagram, only of those it acts in. */
  if (g_strcmp0 (name, "attacker") == 0)
    return _("Mallory (attacker)");
  return name;
}
