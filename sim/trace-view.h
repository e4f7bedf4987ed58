/* trace-view.h: what the sinks share about showing a message: which headers to list (sorted,
 * never in hash order), how to read a body (form, JSON, HTML page, text), how to name a status. */
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

SimBodyKind sim_trace_body_kind     (SoupMessageHeaders *headers,
                                     GBytes             *body);
char       *sim_trace_html_title    (const char         *html);
GPtrArray  *sim_trace_sorted_headers (SoupMessageHeaders *headers);
char       *sim_trace_narration     (SimMessage         *message);

G_END_DECLS
