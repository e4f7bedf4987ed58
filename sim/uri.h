/* uri.h: the request URI of a simulated message.
 *
 * GUri as a message needs it: parsed as g_uri_parse (text, G_URI_FLAGS_ENCODED |
 * G_URI_FLAGS_PARSE_RELAXED) parses it, read with the same getters, written back as
 * g_uri_to_string() writes it; a URI GLib parses but cannot write back is refused. A plain
 * "scheme://host[:port]/path[?query]" (nearly every URI the actors send) is split by hand into
 * one allocation; anything else goes through GLib and is copied. Every exchange has one, so it
 * costs one allocation instead of GLib's six.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SimUri SimUri;

SimUri     *sim_uri_parse          (const char *text,
                                    GError    **error);
SimUri     *sim_uri_new_from_guri  (GUri       *uri);
SimUri     *sim_uri_resolve        (SimUri     *base,
                                    const char *reference);
SimUri     *sim_uri_ref            (SimUri     *self);
void        sim_uri_unref          (SimUri     *self);

const char *sim_uri_get_scheme     (SimUri     *self);
const char *sim_uri_get_userinfo   (SimUri     *self);
const char *sim_uri_get_host       (SimUri     *self);
int         sim_uri_get_port       (SimUri     *self);
const char *sim_uri_get_path       (SimUri     *self);
const char *sim_uri_get_query      (SimUri     *self);
const char *sim_uri_get_fragment   (SimUri     *self);
GUriFlags   sim_uri_get_flags      (SimUri     *self);
char       *sim_uri_to_string      (SimUri     *self);
GUri       *sim_uri_to_guri        (SimUri     *self);

char       *sim_uri_dup_origin     (SimUri     *self);
gboolean    sim_uri_same_origin    (SimUri     *a,
                                    SimUri     *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimUri, sim_uri_unref)

G_END_DECLS
