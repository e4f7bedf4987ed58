/* message.c: the HTTP exchange value carried by the bus, and ordered parameter lists. */
#include <string.h>

#include "sim/ascii.h"
#include "sim/message.h"

G_DEFINE_QUARK (sim-message-error-quark, sim_message_error)

static void body_clear (SimBody *body);

/* The narration and notes of a message nobody narrates: one empty array that every such
 * message shares, and that nobody adds to (the first sentence replaces it). */
static GPtrArray *
nothing_said (void)
{
  static GPtrArray *empty;

  if (g_once_init_enter (&empty))
    g_once_init_leave (&empty, g_ptr_array_new ());
  return empty;
}

static void
add_sentence (GPtrArray **list,
              char       *sentence)
{
  if (*list == nothing_said ())
    *list = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (*list, sentence);
}

/* How many observers listen on all the buses there are. While nobody listens anywhere, a new
 * message starts quiet, so that its sender does not narrate it for nobody; the bus that
 * delivers it settles the question for itself (sim_bus_deliver()). */
static gint listeners;

void
sim_message_count_listener (gboolean added)
{
  g_atomic_int_add (&listeners, added ? 1 : -1);
}

/**
 * sim_message_new_from_uri:
 * @uri: (transfer none): the absolute request URI
 *
 * Returns: (transfer full): a request with no body and no response yet.
 */
SimMessage *
sim_message_new_from_uri (const char *method,
                          SimUri     *uri)
{
  SimMessage *self;

  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  self = g_new0 (SimMessage, 1);
  self->ref_count = 1;
  self->method = g_strdup (method);
  self->uri = sim_uri_ref (uri);
  sim_headers_init (&self->request_storage);
  sim_headers_init (&self->response_storage);
  self->request_headers = &self->request_storage;
  self->response_headers = &self->response_storage;
  self->narration = self->notes = nothing_said ();
  self->quiet = g_atomic_int_get (&listeners) == 0;
  return self;
}

/**
 * sim_message_new:
 * @uri: an absolute URI; it must parse (a programmer error otherwise)
 *
 * Returns: (transfer full) (nullable): the request, or %NULL if @uri is not absolute.
 */
SimMessage *
sim_message_new (const char *method,
                 const char *uri)
{
  g_autoptr(SimUri) parsed = sim_uri_parse (uri, NULL);

  g_return_val_if_fail (parsed != NULL, NULL);
  return sim_message_new_from_uri (method, parsed);
}

SimMessage *
sim_message_ref (SimMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
sim_message_unref (SimMessage *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;
  g_free (self->method);
  sim_uri_unref (self->uri);
  sim_headers_clear (&self->request_storage);
  sim_headers_clear (&self->response_storage);
  body_clear (&self->request_body);
  body_clear (&self->response_body);
  g_free (self->from);
  g_free (self->to);
  if (self->narration != nothing_said ())
    g_ptr_array_unref (self->narration);
  if (self->notes != nothing_said ())
    g_ptr_array_unref (self->notes);
  g_free (self);
}

void
sim_message_set_uri (SimMessage *self,
                     SimUri     *uri)
{
  g_return_if_fail (self != NULL && uri != NULL);
  sim_uri_ref (uri);
  sim_uri_unref (self->uri);
  self->uri = uri;
}

void
sim_message_set_phase (SimMessage *self,
                       SimPhase    phase)
{
  g_return_if_fail (self != NULL);
  self->phase = phase;
}

/* Use sim_message_narrate(), which leaves a quiet message alone. */
void
sim_message_narrate_always (SimMessage *self,
                            const char *format,
                            ...)
{
  va_list args;

  g_return_if_fail (self != NULL);
  va_start (args, format);
  add_sentence (&self->narration, g_strdup_vprintf (format, args));
  va_end (args);
}

void
sim_message_add_note (SimMessage *self,
                      const char *note)
{
  g_return_if_fail (self != NULL);
  add_sentence (&self->notes, g_strdup (note));
}

/**
 * sim_message_get_path:
 * Returns: (transfer none): the path of the request URI, "/" when empty.
 */
const char *
sim_message_get_path (SimMessage *self)
{
  const char *path = sim_uri_get_path (self->uri);
  return (path && *path) ? path : "/";
}

/* Returns: (transfer full): the origin of the request URI; see sim_uri_dup_origin(). */
char *
sim_message_dup_origin (SimMessage *self)
{
  return sim_uri_dup_origin (self->uri);
}

/* Bodies */

static void
body_clear (SimBody *body)
{
  g_clear_pointer (&body->bytes, g_bytes_unref);
  if (body->kind)
    body->kind->free (body->model);
  body->kind = NULL;
  body->model = NULL;
}

/* Returns: (transfer none) (nullable): the bytes, rendered from the value on first use. */
static GBytes *
body_bytes (SimBody *body)
{
  if (body->bytes == NULL && body->kind)
    body->bytes = body->kind->render (body->model);
  return body->bytes;
}

static void
body_copy (SimBody       *dest,
           const SimBody *source)
{
  body_clear (dest);
  if (source->bytes)
    dest->bytes = g_bytes_ref (source->bytes);
  if (source->kind)
    {
      dest->kind = source->kind;
      dest->model = source->kind->copy (source->model);
    }
}

static void
set_content_type (SimHeaders *headers,
                  const char *content_type)
{
  if (content_type)
    sim_headers_replace (headers, "Content-Type", content_type);
  else
    sim_headers_remove (headers, "Content-Type");
}

/* JSON: a sealed node, which nobody can change, is the value of its body. */

static GBytes *
json_render (gconstpointer model)
{
  char *text = json_to_string ((JsonNode *) model, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

static gpointer
json_copy (gconstpointer model)
{
  return json_node_ref ((JsonNode *) model);
}

static void
json_free (gpointer model)
{
  json_node_unref (model);
}

const SimBodyCodec sim_body_json = { "json", json_render, json_copy, json_free };

/* Flat JSON objects: the members, in order. */

static GBytes *
fields_render (gconstpointer model)
{
  GString *out = g_string_sized_new (256);
  gsize len;

  sim_fields_write_json ((SimFields *) model, out);
  len = out->len;
  return g_bytes_new_take (g_string_free (out, FALSE), len);
}

static gpointer
fields_copy (gconstpointer model)
{
  return sim_fields_ref ((SimFields *) model);
}

static void
fields_free (gpointer model)
{
  sim_fields_unref (model);
}

const SimBodyCodec sim_body_fields = { "fields", fields_render, fields_copy, fields_free };

/* Forms: the parameter list, in order. */

static GBytes *
form_render (gconstpointer model)
{
  char *text = sim_params_encode ((SimParams *) model);
  return g_bytes_new_take (text, strlen (text));
}

static gpointer
form_copy (gconstpointer model)
{
  return sim_params_ref ((SimParams *) model);
}

static void
form_free (gpointer model)
{
  sim_params_free (model);
}

const SimBodyCodec sim_body_form = { "form", form_render, form_copy, form_free };

/* Request bodies */

void
sim_message_set_request_body (SimMessage *self,
                              const char *content_type,
                              GBytes     *body)
{
  g_return_if_fail (self != NULL);
  body_clear (&self->request_body);
  self->request_body.bytes = body ? g_bytes_ref (body) : NULL;
  set_content_type (self->request_headers, content_type);
}

/**
 * sim_message_set_request_model:
 * @model: (transfer full): the value the body is; @kind renders it when somebody reads bytes
 */
void
sim_message_set_request_model (SimMessage        *self,
                               const char        *content_type,
                               const SimBodyCodec *kind,
                               gpointer           model)
{
  g_return_if_fail (self != NULL && kind != NULL && model != NULL);
  body_clear (&self->request_body);
  self->request_body.kind = kind;
  self->request_body.model = model;
  set_content_type (self->request_headers, content_type);
}

/**
 * sim_message_get_request_body:
 * Returns: (transfer none) (nullable): the request body as bytes, %NULL when there is none.
 */
GBytes *
sim_message_get_request_body (SimMessage *self)
{
  return body_bytes (&self->request_body);
}

/**
 * sim_message_peek_request_model:
 * Returns: (transfer none) (nullable): the value the request body was written from, if it is
 * of @kind and nobody has replaced it with bytes since.
 */
gconstpointer
sim_message_peek_request_model (SimMessage        *self,
                                const SimBodyCodec *kind)
{
  return self->request_body.kind == kind ? self->request_body.model : NULL;
}

/* Gives @self the body of @source's request (its headers are the caller's business). */
void
sim_message_copy_request_body (SimMessage *self,
                               SimMessage *source)
{
  body_copy (&self->request_body, &source->request_body);
}

/**
 * sim_message_set_request_params:
 * @params: (transfer full): the form's fields, in order; nobody may change them afterwards
 */
void
sim_message_set_request_params (SimMessage *self,
                                SimParams  *params)
{
  sim_message_set_request_model (self, "application/x-www-form-urlencoded", &sim_body_form, params);
}

void
sim_message_set_request_form_encoded (SimMessage *self,
                                      const char *encoded)
{
  g_autoptr(GBytes) body = g_bytes_new (encoded, strlen (encoded));
  sim_message_set_request_body (self, "application/x-www-form-urlencoded", body);
}

/**
 * sim_message_set_request_form:
 * @first_field: name, value, name, value, ..., %NULL; fields keep their order.
 */
void
sim_message_set_request_form (SimMessage *self,
                              const char *first_field,
                              ...)
{
  SimParams *params = sim_params_new ();
  const char *name, *value;
  va_list args;

  va_start (args, first_field);
  for (name = first_field; name; name = va_arg (args, const char *))
    {
      value = va_arg (args, const char *);
      sim_params_add (params, name, value);
    }
  va_end (args);
  sim_message_set_request_params (self, params);
}

static void
set_json (SimBody  *body,
          JsonNode *node)
{
  body_clear (body);
  if (json_node_is_immutable (node))
    {
      body->kind = &sim_body_json;
      body->model = json_node_ref (node);
    }
  else
    body->bytes = json_render (node);
}

void
sim_message_set_request_json (SimMessage *self,
                              JsonNode   *node)
{
  set_json (&self->request_body, node);
  set_content_type (self->request_headers, "application/json");
}

static JsonNode *
bytes_to_json (GBytes  *bytes,
               GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gsize len = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &len) : "";

  if (len == 0)
    {
      g_set_error_literal (error, SIM_MESSAGE_ERROR, SIM_MESSAGE_ERROR_MALFORMED, "empty body");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, len, error))
    return NULL;
  if (json_parser_get_root (parser) == NULL)  /* whitespace only */
    {
      g_set_error_literal (error, SIM_MESSAGE_ERROR, SIM_MESSAGE_ERROR_MALFORMED, "empty body");
      return NULL;
    }
  return json_parser_steal_root (parser);
}

static JsonNode *
body_json (SimBody  *body,
           GError  **error)
{
  /* Parsing the text just generated from a sealed node gives that node back: skip it. */
  if (body->kind == &sim_body_json)
    return json_node_ref (body->model);
  if (body->kind == &sim_body_fields)
    return sim_fields_to_node (body->model);
  return bytes_to_json (body_bytes (body), error);
}

/**
 * sim_message_get_request_json:
 * Returns: (transfer full) (nullable): the parsed body, or %NULL with @error set.
 */
JsonNode *
sim_message_get_request_json (SimMessage *self,
                              GError    **error)
{
  return body_json (&self->request_body, error);
}

static char *
bytes_to_text (GBytes *bytes)
{
  gsize len = 0;
  const char *data;

  if (!bytes)
    return g_strdup ("");
  data = g_bytes_get_data (bytes, &len);
  return g_strndup (data, len);
}

/**
 * sim_message_dup_request_text:
 * Returns: (transfer full): the request body as text ("" when there is none).
 */
char *
sim_message_dup_request_text (SimMessage *self)
{
  return bytes_to_text (sim_message_get_request_body (self));
}

/* Responses */

void
sim_message_set_response (SimMessage *self,
                          guint       status,
                          const char *content_type,
                          GBytes     *body)
{
  g_return_if_fail (self != NULL);
  self->status = status;
  body_clear (&self->response_body);
  self->response_body.bytes = body ? g_bytes_ref (body) : NULL;
  set_content_type (self->response_headers, content_type);
}

/**
 * sim_message_set_response_model:
 * @model: (transfer full): the value the body is; @kind renders it when somebody reads bytes
 */
void
sim_message_set_response_model (SimMessage        *self,
                                guint              status,
                                const char        *content_type,
                                const SimBodyCodec *kind,
                                gpointer           model)
{
  g_return_if_fail (self != NULL && kind != NULL && model != NULL);
  self->status = status;
  body_clear (&self->response_body);
  self->response_body.kind = kind;
  self->response_body.model = model;
  set_content_type (self->response_headers, content_type);
}

GBytes *
sim_message_get_response_body (SimMessage *self)
{
  return body_bytes (&self->response_body);
}

gconstpointer
sim_message_peek_response_model (SimMessage        *self,
                                 const SimBodyCodec *kind)
{
  return self->response_body.kind == kind ? self->response_body.model : NULL;
}

void
sim_message_set_response_text (SimMessage *self,
                               guint       status,
                               const char *content_type,
                               const char *text)
{
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
  sim_message_set_response (self, status, content_type, body);
}

void
sim_message_set_response_json (SimMessage *self,
                               guint       status,
                               JsonNode   *node)
{
  self->status = status;
  set_json (&self->response_body, node);
  set_content_type (self->response_headers, "application/json");
}

void
sim_message_set_redirect (SimMessage *self,
                          const char *location)
{
  sim_message_set_response (self, SOUP_STATUS_FOUND, NULL, NULL);
  sim_headers_replace (self->response_headers, "Location", location);
}

JsonNode *
sim_message_get_response_json (SimMessage *self,
                               GError    **error)
{
  return body_json (&self->response_body, error);
}

/**
 * sim_message_set_response_fields:
 * @fields: (transfer none): the answer's members; nobody may add to them afterwards
 */
void
sim_message_set_response_fields (SimMessage *self,
                                 guint       status,
                                 SimFields  *fields)
{
  sim_message_set_response_model (self, status, "application/json", &sim_body_fields,
                                  sim_fields_ref (fields));
}

static SimFields *
body_fields (SimBody  *body,
             GError  **error)
{
  g_autoptr(JsonNode) node = NULL;

  if (body->kind == &sim_body_fields)
    return sim_fields_ref (body->model);
  node = body_json (body, error);
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, SIM_MESSAGE_ERROR, SIM_MESSAGE_ERROR_MALFORMED,
                           "the body is not a JSON object");
      return NULL;
    }
  return sim_fields_new_for_object (json_node_get_object (node));
}

/**
 * sim_message_get_response_fields:
 *
 * The members of a JSON object answer: the ones it was written from, or the parsed text.
 *
 * Returns: (transfer full) (nullable): the members, or %NULL with @error set when the body is
 * not a JSON object.
 */
SimFields *
sim_message_get_response_fields (SimMessage *self,
                                 GError    **error)
{
  return body_fields (&self->response_body, error);
}

/**
 * sim_message_set_request_fields:
 * @fields: (transfer none): the request's members; nobody may add to them afterwards
 */
void
sim_message_set_request_fields (SimMessage *self,
                                SimFields  *fields)
{
  sim_message_set_request_model (self, "application/json", &sim_body_fields, sim_fields_ref (fields));
}

/* As sim_message_get_response_fields(), for the request body. */
SimFields *
sim_message_get_request_fields (SimMessage *self,
                                GError    **error)
{
  return body_fields (&self->request_body, error);
}

char *
sim_message_dup_response_text (SimMessage *self)
{
  return bytes_to_text (sim_message_get_response_body (self));
}

static gboolean
content_type_is (SimHeaders *headers,
                 const char *wanted)
{
  const char *type = sim_headers_get_content_type (headers);
  return type != NULL && sim_ascii_equal_caseless (type, wanted);
}

gboolean
sim_message_is_form (SimHeaders *headers)
{
  return content_type_is (headers, "application/x-www-form-urlencoded");
}

gboolean
sim_message_is_json (SimHeaders *headers)
{
  return content_type_is (headers, "application/json");
}

/**
 * sim_message_get_query:
 * Returns: (transfer full) (nullable): the request URI's query parameters.
 */
SimParams *
sim_message_get_query (SimMessage *self,
                       GError    **error)
{
  return sim_params_parse (sim_uri_get_query (self->uri), error);
}

/**
 * sim_message_get_form:
 * Returns: (transfer full) (nullable): the form body's parameters, which may be shared with
 * the message: read them, or change a sim_params_copy(); an error when the body is not
 * application/x-www-form-urlencoded.
 */
SimParams *
sim_message_get_form (SimMessage *self,
                      GError    **error)
{
  g_autofree char *text = NULL;
  GBytes *body;

  if (!sim_message_is_form (self->request_headers))
    {
      g_set_error_literal (error, SIM_MESSAGE_ERROR, SIM_MESSAGE_ERROR_WRONG_CONTENT_TYPE,
                           "the body is not application/x-www-form-urlencoded");
      return NULL;
    }
  /* Parsing the text just encoded from a parameter list gives that list back: skip it. The
   * list is shared with the message from now on, and nobody may change it. */
  if (self->request_body.kind == &sim_body_form)
    return sim_params_ref (self->request_body.model);
  body = sim_message_get_request_body (self);
  text = sim_message_dup_request_text (self);
  if (strlen (text) != (body ? g_bytes_get_size (body) : 0))
    {
      g_set_error_literal (error, SIM_MESSAGE_ERROR, SIM_MESSAGE_ERROR_MALFORMED,
                           "the body contains a NUL byte");
      return NULL;
    }
  return sim_params_parse (text, error);
}
