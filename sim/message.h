/* message.h: one HTTP exchange (a request and, once answered, its response) as a plain value.
 *
 * libsoup's SoupServerMessage cannot be created outside a SoupServer, so the simulated bus
 * carries this value instead and the HTTP transport converts at the edge. Headers are kept in
 * SimHeaders, which behave as libsoup's; the URI in a SimUri. A body is bytes (GBytes), or the
 * value it was written from (a sealed JSON node, a SimFields, a parameter list, a page) turned
 * into bytes only when somebody reads them: a receiver that asks for the same value gets it back
 * without parsing the text, which gives the same value anyway. Narration is written only while
 * somebody listens (see sim_message_narrate).
 */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "sim/fields.h"
#include "sim/headers.h"
#include "sim/params.h"
#include "sim/phase.h"
#include "sim/uri.h"

G_BEGIN_DECLS

typedef struct _SimMessage SimMessage;

/* How a body kept as a value becomes bytes. @render must give the same bytes for the same
 * value, and parsing them must give the value back. */
typedef struct
{
  const char *name;
  GBytes  *(*render) (gconstpointer model);
  gpointer (*copy)   (gconstpointer model);
  void     (*free)   (gpointer      model);
} SimBodyCodec;

/* A sealed JsonNode and a SimFields (application/json), a SimParams
 * (application/x-www-form-urlencoded). */
extern const SimBodyCodec sim_body_json;
extern const SimBodyCodec sim_body_fields;
extern const SimBodyCodec sim_body_form;

typedef struct
{
  /*< private >*/
  GBytes *bytes;                    /* (nullable): rendered, or given as bytes */
  const SimBodyCodec *kind;          /* (nullable): set while the body is @model */
  gpointer model;
} SimBody;

struct _SimMessage
{
  /*< private >*/
  gint ref_count;

  /*< public, read-only; use the functions to change >*/
  char *method;
  SimUri *uri;
  SimHeaders *request_headers;

  guint status;                     /* 0 until answered */
  SimHeaders *response_headers;

  char *from;                       /* the actor that sent it */
  char *to;                         /* the actor that answered it */
  SimPhase phase;
  GPtrArray *narration;             /* (element-type utf8): sentences for the trace; read only */
  GPtrArray *notes;                 /* (element-type utf8): teacher notes shown at this step; read only */
  gboolean quiet;                   /* nobody listens: sim_message_narrate() writes nothing */

  /*< private >*/
  SimBody request_body;
  SimBody response_body;
  SimHeaders request_storage;       /* what request_headers and response_headers point to */
  SimHeaders response_storage;
};

SimMessage *sim_message_new               (const char *method,
                                           const char *uri);
SimMessage *sim_message_new_from_uri      (const char *method,
                                           SimUri     *uri);
SimMessage *sim_message_ref               (SimMessage *self);
void        sim_message_unref             (SimMessage *self);

void        sim_message_set_uri           (SimMessage *self,
                                           SimUri     *uri);
void        sim_message_set_phase         (SimMessage *self,
                                           SimPhase    phase);
void        sim_message_narrate_always    (SimMessage *self,
                                           const char *format,
                                           ...) G_GNUC_PRINTF (2, 3);
/* Adds a sentence for the trace, unless nobody listens: a message is quiet when it is made
 * while no bus has an observer, and when the bus that delivers it has none; then neither the
 * sentence nor its arguments are computed. */
#define sim_message_narrate(self, ...) \
  G_STMT_START { \
    SimMessage *narrated_ = (self); \
    if (!narrated_->quiet) \
      sim_message_narrate_always (narrated_, __VA_ARGS__); \
  } G_STMT_END
void        sim_message_count_listener    (gboolean    added);
void        sim_message_add_note          (SimMessage *self,
                                           const char *note);
const char *sim_message_get_path          (SimMessage *self);
char       *sim_message_dup_origin        (SimMessage *self);

/* Request bodies */
void        sim_message_set_request_form  (SimMessage *self,
                                           const char *first_field,
                                           ...) G_GNUC_NULL_TERMINATED;
void        sim_message_set_request_params (SimMessage *self,
                                           SimParams  *params);
void        sim_message_set_request_form_encoded (SimMessage *self,
                                           const char *encoded);
void        sim_message_set_request_json  (SimMessage *self,
                                           JsonNode   *node);
void        sim_message_set_request_body  (SimMessage *self,
                                           const char *content_type,
                                           GBytes     *body);
void        sim_message_set_request_model (SimMessage        *self,
                                           const char        *content_type,
                                           const SimBodyCodec *kind,
                                           gpointer           model);
GBytes     *sim_message_get_request_body  (SimMessage *self);
gconstpointer sim_message_peek_request_model (SimMessage        *self,
                                           const SimBodyCodec *kind);
void        sim_message_copy_request_body (SimMessage *self,
                                           SimMessage *source);
JsonNode   *sim_message_get_request_json  (SimMessage *self,
                                           GError    **error);
void        sim_message_set_request_fields (SimMessage *self,
                                           SimFields  *fields);
SimFields  *sim_message_get_request_fields (SimMessage *self,
                                           GError    **error);
char       *sim_message_dup_request_text  (SimMessage *self);

/* Responses */
void        sim_message_set_response      (SimMessage *self,
                                           guint       status,
                                           const char *content_type,
                                           GBytes     *body);
void        sim_message_set_response_json (SimMessage *self,
                                           guint       status,
                                           JsonNode   *node);
void        sim_message_set_response_text (SimMessage *self,
                                           guint       status,
                                           const char *content_type,
                                           const char *text);
void        sim_message_set_response_model (SimMessage        *self,
                                           guint              status,
                                           const char        *content_type,
                                           const SimBodyCodec *kind,
                                           gpointer           model);
void        sim_message_set_redirect      (SimMessage *self,
                                           const char *location);
GBytes     *sim_message_get_response_body (SimMessage *self);
gconstpointer sim_message_peek_response_model (SimMessage        *self,
                                           const SimBodyCodec *kind);
JsonNode   *sim_message_get_response_json (SimMessage *self,
                                           GError    **error);
void        sim_message_set_response_fields (SimMessage *self,
                                           guint       status,
                                           SimFields  *fields);
SimFields  *sim_message_get_response_fields (SimMessage *self,
                                           GError    **error);
char       *sim_message_dup_response_text (SimMessage *self);

gboolean    sim_message_is_form           (SimHeaders *headers);
gboolean    sim_message_is_json           (SimHeaders *headers);

SimParams  *sim_message_get_query         (SimMessage *self,
                                           GError    **error);
SimParams  *sim_message_get_form          (SimMessage *self,
                                           GError    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimMessage, sim_message_unref)

#define SIM_MESSAGE_ERROR (sim_message_error_quark ())
GQuark sim_message_error_quark (void);

typedef enum
{
  SIM_MESSAGE_ERROR_REPEATED_PARAMETER = 1,
  SIM_MESSAGE_ERROR_MALFORMED,
  SIM_MESSAGE_ERROR_WRONG_CONTENT_TYPE,
} SimMessageError;

G_END_DECLS
