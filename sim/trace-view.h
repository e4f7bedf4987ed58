/* trace-view.h: what the sinks share about showing a message: which headers to list (sorted,
 * never in hash order), how to read a body (form, JSON, HTML page, text), how to name a status;
 * and what to call the actors in a diagram. */
#pragma once

#include "sim/message.h"

G_BEGIN_DECLS

typedef enum
{
  SIM_BODY_NONE,
  SIM_BODY_FORM,
  SIM_BODY_JSON,
  SIM_BODY_HTML,
  SIM_BODY_TEXT,
} SimBodyKind;

SimBodyKind sim_trace_body_kind     (SimHeaders *headers,
                                     GBytes     *body);
char       *sim_trace_html_title    (const char         *html);
void        sim_trace_list_headers  (SimHeaders *headers,
                                     GPtrArray  *names);
GPtrArray  *sim_trace_sorted_headers (SimHeaders *headers);
char       *sim_trace_narration     (SimMessage         *message);

/* The four actors, in the order a diagram shows them (NULL-terminated). */
extern const char *const sim_trace_actor_names[];
const char *sim_trace_actor_label   (const char         *name);

G_END_DECLS
