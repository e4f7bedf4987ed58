/* json-write.h: JSON text appended straight to a GString, byte for byte what json-glib's
 * generator writes (json_to_string (node, FALSE)), for the JSON Lines trace, which writes a line
 * per step and cannot afford a JsonBuilder tree and a generator for each. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

void sim_json_write_string (GString    *out,
                            const char *text,
                            gssize      length);
void sim_json_write_int    (GString    *out,
                            gint64      value);
void sim_json_write_node   (GString    *out,
                            JsonNode   *node);
void sim_json_write_object (GString    *out,
                            JsonObject *object);

gboolean sim_json_is_canonical (const char *text,
                                gsize       length);

G_END_DECLS
