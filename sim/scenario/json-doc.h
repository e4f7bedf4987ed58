/* json-doc.h: a JSON file parsed with json-glib, plus where every member, element and object
 * stands in the text, so that errors about meaning can say file:line:column too.
 *
 * Before parsing, the text is checked for what json-glib reports badly or not at all: an empty
 * file, NUL bytes, invalid UTF-8, nesting too deep for a recursive parser, a file too large,
 * members repeated within one object, comments (which json-glib skips) and a comma after the
 * last member or element (which it reports as a missing bracket). */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SIM_DOC_MAX_BYTES (1024 * 1024)
#define SIM_DOC_MAX_DEPTH 32

typedef struct _SimDoc SimDoc;

typedef struct
{
  guint line;
  guint column;
} SimPos;

SimDoc     *sim_doc_load_file     (const char  *filename,
                                   GError     **error);
SimDoc     *sim_doc_load_data     (const char  *name,
                                   const char  *data,
                                   gsize        length,
                                   GError     **error);
void        sim_doc_free          (SimDoc      *self);
JsonNode   *sim_doc_get_root      (SimDoc      *self);
const char *sim_doc_get_name      (SimDoc      *self);
SimPos      sim_doc_member_pos    (SimDoc      *self,
                                   JsonObject  *object,
                                   const char  *member);
SimPos      sim_doc_element_pos   (SimDoc      *self,
                                   JsonArray   *array,
                                   guint        index);
SimPos      sim_doc_object_pos    (SimDoc      *self,
                                   JsonObject  *object);
void        sim_doc_set_error     (SimDoc      *self,
                                   GError     **error,
                                   SimPos       pos,
                                   const char  *format,
                                   ...) G_GNUC_PRINTF (4, 5);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimDoc, sim_doc_free)

#define SIM_SCENARIO_ERROR (sim_scenario_error_quark ())
GQuark sim_scenario_error_quark (void);

typedef enum
{
  SIM_SCENARIO_ERROR_IO = 1,
  SIM_SCENARIO_ERROR_SYNTAX,
  SIM_SCENARIO_ERROR_INVALID,
} SimScenarioError;

G_END_DECLS
