/* fields.c: flat JSON objects without a JsonNode tree; see fields.h. */
#include <string.h>

#include "sim/fields.h"
#include "sim/json-write.h"

typedef enum
{
  FIELD_STRING,
  FIELD_INT,
  FIELD_BOOLEAN,
  FIELD_STRV,
} FieldType;

typedef struct
{
  char *name;           /* one allocation with a string value: name, NUL, value, NUL */
  FieldType type;
  union
  {
    const char *string;
    gint64 number;
    gboolean boolean;
    char **strv;
  };
} Field;

#define INLINE_FIELDS 10    /* enough for every answer the actors write */

struct _SimFields
{
  gint ref_count;
  Field *fields;        /* members written here, in order: @inline_fields or the heap */
  guint len;
  guint room;
  JsonObject *object;   /* (nullable): or a parsed object, read with json-glib's rules */
  Field inline_fields[INLINE_FIELDS];
};

static void
field_clear (Field *field)
{
  g_free (field->name);
  if (field->type == FIELD_STRV)
    g_strfreev (field->strv);
}

/**
 * sim_fields_new:
 * Returns: (transfer full): an empty object, to add members to.
 */
SimFields *
sim_fields_new (void)
{
  SimFields *self = g_new0 (SimFields, 1);

  self->ref_count = 1;
  self->fields = self->inline_fields;
  self->room = INLINE_FIELDS;
  return self;
}

/**
 * sim_fields_new_for_object:
 * @object: (transfer none): a parsed JSON object
 *
 * Returns: (transfer full): the members of @object, read with json-glib's rules; nothing can be
 * added.
 */
SimFields *
sim_fields_new_for_object (JsonObject *object)
{
  SimFields *self = g_new0 (SimFields, 1);

  g_return_val_if_fail (object != NULL, NULL);
  self->ref_count = 1;
  self->fields = self->inline_fields;
  self->object = json_object_ref (object);
  return self;
}

SimFields *
sim_fields_ref (SimFields *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
sim_fields_unref (SimFields *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;
  for (guint i = 0; i < self->len; i++)
    field_clear (&self->fields[i]);
  if (self->fields != self->inline_fields)
    g_free (self->fields);
  g_clear_pointer (&self->object, json_object_unref);
  g_free (self);
}

/* The member of that name. */
static const Field *
find (SimFields  *self,
      const char *name)
{
  for (guint i = 0; i < self->len; i++)
    {
      const Field *field = &self->fields[i];
      if (field->name[0] == name[0] && strcmp (field->name, name) == 0)
        return field;
    }
  return NULL;
}

/* A new member called @name, with room for @string (nullable) after it. */
static Field *
add (SimFields  *self,
     const char *name,
     FieldType   type,
     const char *string)
{
  gsize name_length = strlen (name), string_length = string ? strlen (string) : 0;
  Field *field;

  g_assert (self->object == NULL);          /* a parsed object is read, not written */
  g_assert (find (self, name) == NULL);     /* JSON names are unique here */
  if (self->len == self->room)
    {
      self->room *= 2;
      if (self->fields == self->inline_fields)
        {
          self->fields = g_new (Field, self->room);
          memcpy (self->fields, self->inline_fields, self->len * sizeof (Field));
        }
      else
        self->fields = g_renew (Field, self->fields, self->room);
    }
  field = &self->fields[self->len++];
  field->type = type;
  field->name = g_malloc (name_length + 1 + (string ? string_length + 1 : 0));
  memcpy (field->name, name, name_length + 1);
  if (string)
    {
      memcpy (field->name + name_length + 1, string, string_length + 1);
      field->string = field->name + name_length + 1;
    }
  return field;
}

void
sim_fields_add_string (SimFields  *self,
                       const char *name,
                       const char *value)
{
  g_return_if_fail (self != NULL && name != NULL && value != NULL);
  add (self, name, FIELD_STRING, value);
}

void
sim_fields_add_int (SimFields  *self,
                    const char *name,
                    gint64      value)
{
  g_return_if_fail (self != NULL && name != NULL);
  add (self, name, FIELD_INT, NULL)->number = value;
}

void
sim_fields_add_boolean (SimFields  *self,
                        const char *name,
                        gboolean    value)
{
  g_return_if_fail (self != NULL && name != NULL);
  add (self, name, FIELD_BOOLEAN, NULL)->boolean = !!value;
}

void
sim_fields_add_strv (SimFields          *self,
                     const char         *name,
                     const char * const *values)
{
  g_return_if_fail (self != NULL && name != NULL && values != NULL);
  add (self, name, FIELD_STRV, NULL)->strv = g_strdupv ((char **) values);
}

/* A parsed member that holds a plain value (not null, an object or an array). */
static JsonNode *
parsed_value (SimFields  *self,
              const char *name)
{
  JsonNode *node = json_object_get_member (self->object, name);
  return node && JSON_NODE_HOLDS_VALUE (node) ? node : NULL;
}

gboolean
sim_fields_has (SimFields  *self,
                const char *name)
{
  g_return_val_if_fail (self != NULL && name != NULL, FALSE);
  if (self->object)
    return json_object_has_member (self->object, name);
  return find (self, name) != NULL;
}

/* What a parsed member holds. */
static SimFieldType
node_type (JsonNode *node)
{
  GType type;

  if (node == NULL)
    return SIM_FIELD_MISSING;
  if (JSON_NODE_HOLDS_NULL (node))
    return SIM_FIELD_NULL;
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
            return SIM_FIELD_OTHER;
        }
      return SIM_FIELD_STRINGS;
    }
  if (!JSON_NODE_HOLDS_VALUE (node))
    return SIM_FIELD_OTHER;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    return SIM_FIELD_STRING;
  if (type == G_TYPE_INT64)
    return SIM_FIELD_INTEGER;
  if (type == G_TYPE_BOOLEAN)
    return SIM_FIELD_BOOLEAN;
  return SIM_FIELD_OTHER;
}

SimFieldType
sim_fields_get_type (SimFields  *self,
                     const char *name)
{
  static const SimFieldType types[] = {
    [FIELD_STRING] = SIM_FIELD_STRING, [FIELD_INT] = SIM_FIELD_INTEGER,
    [FIELD_BOOLEAN] = SIM_FIELD_BOOLEAN, [FIELD_STRV] = SIM_FIELD_STRINGS,
  };
  const Field *field;

  g_return_val_if_fail (self != NULL && name != NULL, SIM_FIELD_MISSING);
  if (self->object)
    return node_type (json_object_get_member (self->object, name));
  field = find (self, name);
  return field ? types[field->type] : SIM_FIELD_MISSING;
}

/**
 * sim_fields_dup_strv:
 * Returns: (transfer full) (nullable): the strings of an array-of-strings member, %NULL for
 * any other member.
 */
GStrv
sim_fields_dup_strv (SimFields  *self,
                     const char *name)
{
  const Field *field;
  JsonArray *array;
  GStrv strv;

  g_return_val_if_fail (self != NULL && name != NULL, NULL);
  if (sim_fields_get_type (self, name) != SIM_FIELD_STRINGS)
    return NULL;
  if (!self->object)
    {
      field = find (self, name);
      return field ? g_strdupv (field->strv) : NULL;
    }
  array = json_node_get_array (json_object_get_member (self->object, name));
  strv = g_new0 (char *, json_array_get_length (array) + 1);
  for (guint i = 0; i < json_array_get_length (array); i++)
    strv[i] = g_strdup (json_array_get_string_element (array, i));
  return strv;
}

/**
 * sim_fields_get_string:
 * Returns: (transfer none) (nullable): the member's text, or @default_value when the member is
 * missing or is not a string.
 */
const char *
sim_fields_get_string (SimFields  *self,
                       const char *name,
                       const char *default_value)
{
  const Field *field;
  JsonNode *node;

  g_return_val_if_fail (self != NULL && name != NULL, default_value);
  if (self->object)
    return (node = parsed_value (self, name)) && json_node_get_value_type (node) == G_TYPE_STRING
           ? json_node_get_string (node) : default_value;
  field = find (self, name);
  return field && field->type == FIELD_STRING ? field->string : default_value;
}

/* The member as an integer: a number (a fraction is cut off) or a boolean (0 or 1), as
 * json_node_get_int() reads them; @default_value for anything else. */
gint64
sim_fields_get_int (SimFields  *self,
                    const char *name,
                    gint64      default_value)
{
  const Field *field;
  JsonNode *node;

  g_return_val_if_fail (self != NULL && name != NULL, default_value);
  if (self->object)
    return (node = parsed_value (self, name)) && json_node_get_value_type (node) != G_TYPE_STRING
           ? json_node_get_int (node) : default_value;
  field = find (self, name);
  if (field && field->type == FIELD_INT)
    return field->number;
  return field && field->type == FIELD_BOOLEAN ? field->boolean : default_value;
}

/* The member as a boolean: true, false, or a number (non-zero is true), as
 * json_node_get_boolean() reads them; @default_value for anything else. */
gboolean
sim_fields_get_boolean (SimFields  *self,
                        const char *name,
                        gboolean    default_value)
{
  const Field *field;
  JsonNode *node;

  g_return_val_if_fail (self != NULL && name != NULL, default_value);
  if (self->object)
    return (node = parsed_value (self, name)) && json_node_get_value_type (node) != G_TYPE_STRING
           ? json_node_get_boolean (node) : default_value;
  field = find (self, name);
  if (field && field->type == FIELD_BOOLEAN)
    return field->boolean;
  return field && field->type == FIELD_INT ? field->number != 0 : default_value;
}

/**
 * sim_fields_write_json:
 *
 * Appends the object as JSON text, byte for byte what json_to_string (node, FALSE) writes for
 * the node sim_fields_to_node() gives.
 */
void
sim_fields_write_json (SimFields *self,
                       GString   *out)
{
  g_return_if_fail (self != NULL && out != NULL);
  if (self->object)
    {
      sim_json_write_object (out, self->object);
      return;
    }
  g_string_append_c (out, '{');
  for (guint i = 0; i < self->len; i++)
    {
      const Field *field = &self->fields[i];

      if (i > 0)
        g_string_append_c (out, ',');
      sim_json_write_string (out, field->name, -1);
      g_string_append_c (out, ':');
      switch (field->type)
        {
        case FIELD_STRING:
          sim_json_write_string (out, field->string, -1);
          break;
        case FIELD_INT:
          sim_json_write_int (out, field->number);
          break;
        case FIELD_BOOLEAN:
          g_string_append (out, field->boolean ? "true" : "false");
          break;
        case FIELD_STRV:
          g_string_append_c (out, '[');
          for (guint j = 0; field->strv[j]; j++)
            {
              if (j > 0)
                g_string_append_c (out, ',');
              sim_json_write_string (out, field->strv[j], -1);
            }
          g_string_append_c (out, ']');
          break;
        default:
          g_assert_not_reached ();
        }
    }
  g_string_append_c (out, '}');
}

/**
 * sim_fields_to_node:
 * Returns: (transfer full): the object as a sealed JSON node.
 */
JsonNode *
sim_fields_to_node (SimFields *self)
{
  JsonObject *object;
  JsonNode *node;

  g_return_val_if_fail (self != NULL, NULL);
  if (self->object)
    object = json_object_ref (self->object);
  else
    {
      object = json_object_new ();
      for (guint i = 0; i < self->len; i++)
        {
          const Field *field = &self->fields[i];
          JsonArray *array;

          switch (field->type)
            {
            case FIELD_STRING:
              json_object_set_string_member (object, field->name, field->string);
              break;
            case FIELD_INT:
              json_object_set_int_member (object, field->name, field->number);
              break;
            case FIELD_BOOLEAN:
              json_object_set_boolean_member (object, field->name, field->boolean);
              break;
            case FIELD_STRV:
              array = json_array_new ();
              for (guint j = 0; field->strv[j]; j++)
                json_array_add_string_element (array, field->strv[j]);
              json_object_set_array_member (object, field->name, array);
              break;
            default:
              g_assert_not_reached ();
            }
        }
    }
  node = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);
  json_node_seal (node);
  return node;
}
