/* params.h: an ordered list of name=value parameters, as in a query string or a form body.
 *
 * OAuth endpoints must refuse a repeated parameter (RFC 6749 §3.1), so every occurrence is
 * kept in order and the first name that occurs twice is remembered.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SimParams SimParams;

SimParams  *sim_params_parse              (const char *encoded,
                                           GError    **error);
SimParams  *sim_params_new                (void);
SimParams  *sim_params_copy               (SimParams  *params);
SimParams  *sim_params_ref                (SimParams  *params);
void        sim_params_free               (SimParams  *params);
const char *sim_params_get                (SimParams  *params,
                                           const char *name);
void        sim_params_add                (SimParams  *params,
                                           const char *name,
                                           const char *value);
void        sim_params_set                (SimParams  *params,
                                           const char *name,
                                           const char *value);
void        sim_params_remove             (SimParams  *params,
                                           const char *name);
guint       sim_params_size               (SimParams  *params);
const char *sim_params_name_at            (SimParams  *params,
                                           guint       i);
const char *sim_params_value_at           (SimParams  *params,
                                           guint       i);
char       *sim_params_encode             (SimParams  *params);
void        sim_params_append_encoded     (GString    *out,
                                           const char *text);
const char *sim_params_repeated_name      (SimParams  *params);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimParams, sim_params_free)

G_END_DECLS
