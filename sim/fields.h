/* fields.h: a flat JSON object, the shape of every OAuth answer (RFC 6749 §5.1, RFC 7662 §2.2,
 * RFC 7591 §3.2.1): names in order, each with a string, an integer, a boolean or a list of
 * strings.
 *
 * An actor that answers in JSON writes its members here instead of building a JsonNode tree;
 * the message keeps the list as the body's value (see SimBodyCodec in message.h) and writes the
 * text json-glib would write only when somebody reads bytes. A receiver reads members through
 * the same accessors whether the body is such a list or JSON text that came from elsewhere: then
 * the accessors read the parsed object with json-glib's own rules.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _SimFields SimFields;

/* What a member holds. */
typedef enum
{
  SIM_FIELD_MISSING,
  SIM_FIELD_NULL,
  SIM_FIELD_STRING,
  SIM_FIELD_INTEGER,
  SIM_FIELD_BOOLEAN,
  SIM_FIELD_STRINGS,   /* an array of strings, maybe empty */
  SIM_FIELD_OTHER,     /* anything else: a fraction, an object, a mixed array */
} SimFieldType;

SimFields  *sim_fields_new           (void);
SimFields  *sim_fields_new_for_object (JsonObject *object);
SimFields  *sim_fields_ref           (SimFields  *self);
void        sim_fields_unref         (SimFields  *self);

void        sim_fields_add_string    (SimFields  *self,
                                      const char *name,
                                      const char *value);
void        sim_fields_add_int       (SimFields  *self,
                                      const char *name,
                                      gint64      value);
void        sim_fields_add_boolean   (SimFields  *self,
                                      const char *name,
                                      gboolean    value);
void        sim_fields_add_strv      (SimFields          *self,
                                      const char         *name,
                                      const char * const *values);

const char *sim_fields_get_string    (SimFields  *self,
                                      const char *name,
                                      const char *default_value);
gint64      sim_fields_get_int       (SimFields  *self,
                                      const char *name,
                                      gint64      default_value);
gboolean    sim_fields_get_boolean   (SimFields  *self,
                                      const char *name,
                                      gboolean    default_value);
gboolean    sim_fields_has           (SimFields  *self,
                                      const char *name);
SimFieldType sim_fields_get_type     (SimFields  *self,
                                      const char *name);
GStrv       sim_fields_dup_strv      (SimFields  *self,
                                      const char *name);

void        sim_fields_write_json    (SimFields  *self,
                                      GString    *out);
JsonNode   *sim_fields_to_node       (SimFields  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimFields, sim_fields_unref)

G_END_DECLS
