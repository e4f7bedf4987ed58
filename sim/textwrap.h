/* textwrap.h: terminal columns for UTF-8 text (wide characters count two) and word wrapping,
 * so the text trace fits its width in English and in Korean alike. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint  sim_text_columns  (const char *text);
char  *sim_text_truncate (const char *text,
                          guint       columns);
void   sim_text_wrap     (GString    *out,
                          const char *text,
                          const char *first,
                          const char *indent,
                          guint       width);

void   sim_text_append_item (GString    *list,
                             const char *format,
                             ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
