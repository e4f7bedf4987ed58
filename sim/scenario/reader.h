/* reader.h: typed, position-aware reading of JSON objects for the scenario loader.
 *
 * Every function checks the member's type before touching it (json_object_get_*_member on a
 * wrong type is a critical in json-glib, not an error) and reports problems as
 * FILE:LINE:COLUMN: what was expected. */
#pragma once

#include "sim/scenario/json-doc.h"

G_BEGIN_DECLS

typedef struct
{
  SimDoc *doc;
  GError **error;
} SimReader;

gboolean sim_reader_check_fields (SimReader          *r,
                                  JsonObject         *object,
                                  const char         *where,
                                  const char *const  *allowed);
gboolean sim_reader_string       (SimReader          *r,
                                  JsonObject         *object,
                                  const char         *name,
                                  gboolean            required,
                                  char              **out);
gboolean sim_reader_choice       (SimReader          *r,
                                  JsonObject         *object,
                                  const char         *name,
                                  const char *const  *choices,
                                  char              **out);
gboolean sim_reader_int          (SimReader          *r,
                                  JsonObject         *object,
                                  const char         *name,
                                  gint64              min,
                                  gint64              max,
                                  gint64             *out);
gboolean sim_reader_bool         (SimReader          *r,
                                  JsonObject         *object,
                                  const char         *name,
                                  gboolean           *out);
gboolean sim_reader_strings      (SimReader          *r,
                                  JsonObject         *object,
                                  const char         *name,
                                  GPtrArray         **out);
gboolean sim_reader_object       (SimReader          *r,
                                  JsonObject         *object,
                                  const char         *name,
                                  gboolean            required,
                                  JsonObject        **out);
gboolean sim_reader_string_map   (SimReader          *r,
                                  JsonObject         *object,
                                  const char         *name,
                                  gboolean            allow_null,
                                  GPtrArray         **names,
                                  GPtrArray         **values);
gboolean sim_reader_text         (SimReader          *r,
                                  JsonObject         *object,
                                  const char         *name,
                                  gboolean            required,
                                  char              **out);
gboolean sim_reader_texts        (SimReader          *r,
                                  JsonObject         *object,
                                  const char         *name,
                                  GPtrArray         **out);
const char *sim_reader_closest   (const char         *word,
                                  const char *const  *candidates);
char       *sim_reader_join      (const char *const  *words);

G_END_DECLS
