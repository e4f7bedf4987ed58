/* json-doc.c: loading a JSON file with positions for every member, element and object.
 *
 * json-glib tells us, through its object-member, array-element and object-end signals, which
 * node was just finished, but not where it began. A small scanner walks the same (already
 * valid) text in the same order and records where each began; the n-th signal of a kind
 * matches the n-th record of that kind.
 */
#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "sim/scenario/json-doc.h"

G_DEFINE_QUARK (sim-scenario-error-quark, sim_scenario_error)

struct _SimDoc
{
  char *name;
  char *text;
  gsize length;
  JsonNode *root;

  /* From the scanner, in the order json-glib finishes nodes. */
  GArray *member_pos;   /* (element-type SimPos): position of each member's key */
  GArray *element_pos;  /* (element-type SimPos) */
  GArray *object_pos;   /* (element-type SimPos): each object's opening brace */

  /* From the parser's signals. */
  GHashTable *members;  /* "%p:name" -> index into member_pos */
  GHashTable *elements; /* "%p:%u" -> index into element_pos */
  GHashTable *objects;  /* JsonObject* -> index into object_pos */
  guint n_members, n_elements, n_objects;
  gsize trailing_comma; /* offset of the first comma before a closing bracket; 0: none */
  char trailing_closer; /* that bracket, ']' or '}' */
  char *duplicate;      /* "name" of the first member repeated within an object */
  SimPos duplicate_pos;
  SimPos out_of_range;  /* the first whole number json-glib would wrap around; line 0: none */
};

void
sim_doc_free (SimDoc *self)
{
  if (!self)
    return;
  g_free (self->name);
  g_free (self->text);
  g_clear_pointer (&self->root, json_node_unref);
  g_array_unref (self->member_pos);
  g_array_unref (self->element_pos);
  g_array_unref (self->object_pos);
  g_hash_table_unref (self->members);
  g_hash_table_unref (self->elements);
  g_hash_table_unref (self->objects);
  g_free (self->duplicate);
  g_free (self);
}

/* Moves @pos over the text from @from to @to. */
static void
advance (SimPos     *pos,
         const char *from,
         const char *to)
{
  for (const char *p = from; p < to && *p; p++)
    {
      if (*p == '\n')
        {
          pos->line++;
          pos->column = 1;
        }
      else if ((*p & 0xc0) != 0x80)  /* count characters, not bytes */
        pos->column++;
    }
}

static SimPos
pos_at (const char *text,
        gsize       offset)
{
  SimPos pos = { 1, 1 };

  if (offset >= 3 && g_str_has_prefix (text, "\xef\xbb\xbf"))  /* a byte-order mark is no column */
    advance (&pos, text + 3, text + offset);
  else
    advance (&pos, text, text + offset);
  return pos;
}

void
sim_doc_set_error (SimDoc     *self,
                   GError    **error,
                   SimPos      pos,
                   const char *format,
                   ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (pos.line > 0)
    g_set_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_INVALID, "%s:%u:%u: %s",
                 self->name, pos.line, pos.column, message);
  else
    g_set_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_INVALID, "%s: %s", self->name, message);
}

/* A mistake of JSON syntax that json-glib would report badly: the same error domain and code
 * as the ones it reports itself. */
static void
set_syntax_error (SimDoc     *self,
                  GError    **error,
                  SimPos      pos,
                  const char *message)
{
  g_set_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX, "%s:%u:%u: %s",
               self->name, pos.line, pos.column, message);
}

/* The scanner: the text is valid JSON by the time it runs. */

typedef struct
{
  SimDoc *doc;
  const char *p;
  /* Where `pos` stands. The scanner only moves forward, so positions are counted on from the
   * last one: counting from the start each time is quadratic, minutes for a large file. */
  const char *mark;
  SimPos pos;
} Scanner;

static SimPos
scanner_pos (Scanner *s)
{
  advance (&s->pos, s->mark, s->p);
  s->mark = s->p;
  return s->pos;
}

static void
skip_space (Scanner *s)
{
  while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')
    s->p++;
}

static void
skip_string (Scanner *s)
{
  s->p++; /* opening quote */
  while (*s->p && *s->p != '"')
    {
      if (*s->p == '\\' && s->p[1])
        s->p++;
      s->p++;
    }
  if (*s->p == '"')
    s->p++;
}

static void scan_value (Scanner *s);

/* A number, true, false or null. json-glib 1.6 wraps a whole number beyond 64 bits around
 * without a word (-99999999999999999999 reads as 1): note the first such number to refuse it. */
static void
scan_literal (Scanner *s)
{
  SimPos at = scanner_pos (s);
  const char *start = s->p;
  g_autofree char *literal = NULL;
  g_autoptr(GError) error = NULL;

  while (*s->p && !strchr (",]} \t\r\n", *s->p))
    s->p++;
  literal = g_strndup (start, s->p - start);
  if (literal[strspn (literal, "-0123456789")] == '\0'
      && !g_ascii_string_to_signed (literal, 10, G_MININT64, G_MAXINT64, NULL, &error)
      && g_error_matches (error, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS)
      && s->doc->out_of_range.line == 0)
    s->doc->out_of_range = at;
}

static void
scan_object (Scanner *s)
{
  SimPos open = scanner_pos (s);

  s->p++; /* { */
  skip_space (s);
  while (*s->p && *s->p != '}')
    {
      SimPos key = scanner_pos (s);
      skip_string (s);
      skip_space (s);
      if (*s->p == ':')
        s->p++;
      skip_space (s);
      scan_value (s);
      g_array_append_val (s->doc->member_pos, key);
      skip_space (s);
      if (*s->p == ',')
        s->p++;
      skip_space (s);
    }
  if (*s->p == '}')
    s->p++;
  g_array_append_val (s->doc->object_pos, open);
}

static void
scan_array (Scanner *s)
{
  s->p++; /* [ */
  skip_space (s);
  while (*s->p && *s->p != ']')
    {
      SimPos element = scanner_pos (s);
      const char *before = s->p;

      scan_value (s);
      g_array_append_val (s->doc->element_pos, element);
      if (s->p == before)  /* a stray '}' or ':', which the parser refuses: step over it */
        s->p++;
      skip_space (s);
      if (*s->p == ',')
        s->p++;
      skip_space (s);
    }
  if (*s->p == ']')
    s->p++;
}

static void
scan_value (Scanner *s)
{
  skip_space (s);
  if (*s->p == '{')
    scan_object (s);
  else if (*s->p == '[')
    scan_array (s);
  else if (*s->p == '"')
    skip_string (s);
  else
    scan_literal (s);
}

/* Signals */

static void
on_member (JsonParser *parser,
           JsonObject *object,
           const char *name,
           SimDoc     *self)
{
  g_autofree char *key = g_strdup_printf ("%p:%s", (void *) object, name);

  if (g_hash_table_contains (self->members, key) && self->duplicate == NULL)
    {
      self->duplicate = g_strdup (name);
      if (self->n_members < self->member_pos->len)
        self->duplicate_pos = g_array_index (self->member_pos, SimPos, self->n_members);
    }
  g_hash_table_replace (self->members, g_steal_pointer (&key), GUINT_TO_POINTER (self->n_members++));
}

static void
on_element (JsonParser *parser,
            JsonArray  *array,
            guint       index,
            SimDoc     *self)
{
  char *key = g_strdup_printf ("%p:%u", (void *) array, index);
  g_hash_table_replace (self->elements, key, GUINT_TO_POINTER (self->n_elements++));
}

static void
on_object_end (JsonParser *parser,
               JsonObject *object,
               SimDoc     *self)
{
  g_hash_table_replace (self->objects, object, GUINT_TO_POINTER (self->n_objects++));
}

/* A comment opens at @p: json-glib skips comments of C and C++ without a word (and the position
 * scanner would lose its way in them), and calls a shell's # comment an unexpected character. */
static gboolean
opens_comment (const char *p)
{
  return *p == '#' || (p[0] == '/' && (p[1] == '/' || p[1] == '*'));
}

/* Checks json-glib reports badly or not at all. The walk knows strings and their escapes; a
 * line break ends a string for it, as no JSON string holds one (RFC 8259 §7), so that a quote
 * left open on one line does not turn the rest of the file inside out. */
static gboolean
precheck (SimDoc  *self,
          GError **error)
{
  const char *end = NULL;
  guint depth = 0;
  gboolean in_string = FALSE;

  if (self->length == 0 || strspn (self->text, " \t\r\n") == self->length)
    {
      sim_doc_set_error (self, error, (SimPos) { 1, 1 }, _("the file is empty; expected a JSON object"));
      return FALSE;
    }
  if (self->length > SIM_DOC_MAX_BYTES)
    {
      sim_doc_set_error (self, error, (SimPos) { 0, 0 }, _("the file is larger than %u bytes; a scenario is much smaller"),
                         SIM_DOC_MAX_BYTES);
      return FALSE;
    }
  if (strlen (self->text) != self->length)
    {
      sim_doc_set_error (self, error, pos_at (self->text, strlen (self->text)),
                         _("the file contains a NUL byte; expected UTF-8 text"));
      return FALSE;
    }
  if (!g_utf8_validate (self->text, self->length, &end))
    {
      sim_doc_set_error (self, error, pos_at (self->text, end - self->text),
                         _("the file is not valid UTF-8 here; save it as UTF-8"));
      return FALSE;
    }
  for (const char *p = self->text; *p; p++)
    {
      if (in_string)
        {
          if (*p == '\\' && p[1] && p[1] != '\n')
            p++;
          else if (*p == '"' || *p == '\n')
            in_string = FALSE;
          continue;
        }
      if (*p == '"')
        in_string = TRUE;
      else if (opens_comment (p))
        {
          set_syntax_error (self, error, pos_at (self->text, p - self->text),
                            _("JSON has no comments; remove it, or move the text into a \"note\" or \"description\" field"));
          return FALSE;
        }
      else if (*p == ',' && self->trailing_comma == 0)
        {
          const char *next = p + 1 + strspn (p + 1, " \t\r\n");
          /* reported after parsing, unless the parser stops earlier (see trailing_comma_error) */
          if (*next == ']' || *next == '}')
            {
              self->trailing_comma = p - self->text;
              self->trailing_closer = *next;
            }
        }
      else if (*p == '\'')
        {
          /* json-glib takes 'strings' too, but the position scanner would lose its way */
          sim_doc_set_error (self, error, pos_at (self->text, p - self->text),
                             _("single quotes are not JSON; write strings in double quotes"));
          return FALSE;
        }
      else if (*p == '{' || *p == '[')
        {
          if (++depth > SIM_DOC_MAX_DEPTH)
            {
              sim_doc_set_error (self, error, pos_at (self->text, p - self->text),
                                 _("nesting deeper than %u levels; a scenario never needs that much"),
                                 SIM_DOC_MAX_DEPTH);
              return FALSE;
            }
        }
      else if ((*p == '}' || *p == ']') && depth > 0)
        depth--;
    }
  return TRUE;
}

/* A comma before a closing bracket is what json-glib reports as "unexpected character `,',
 * expected character `]'" even inside an object: say what is wrong instead, unless the parser
 * stopped at a mistake before it (@stop, line 0: the parser did not stop). */
static gboolean
trailing_comma_error (SimDoc  *self,
                      SimPos   stop,
                      GError **error)
{
  SimPos comma;

  if (self->trailing_comma == 0)
    return FALSE;
  comma = pos_at (self->text, self->trailing_comma);
  if (stop.line > 0 && (stop.line < comma.line || (stop.line == comma.line && stop.column < comma.column)))
    return FALSE;
  set_syntax_error (self, error, comma,
                    self->trailing_closer == ']'
                      ? _("JSON allows no comma after the last element of an array; remove this comma")
                      : _("JSON allows no comma after the last member of an object; remove this comma"));
  return TRUE;
}

/* json-glib counts columns in bytes; positions here count characters, as editors do. */
static guint
char_column (SimDoc *self,
             guint   line,
             guint   byte_column)
{
  const char *p = self->text;
  guint column = 0;

  for (guint l = 1; l < line && p; l++)
    if ((p = strchr (p, '\n')))
      p++;
  if (p == NULL)
    return byte_column;
  if (line == 1 && g_str_has_prefix (p, "\xef\xbb\xbf"))  /* json-glib skips a byte-order mark */
    p += 3;
  for (guint i = 0; i < byte_column && p[i] && p[i] != '\n'; i++)
    if ((p[i] & 0xc0) != 0x80)
      column++;
  return column;
}

/* json-glib's messages read "<data>:LINE:COL: Parse error: WHAT", where WHAT quotes the token as
 * it stands in the file: it may hold a newline, or be cut in the middle of a character (and a
 * GRegex does not match text that is not UTF-8). A diagnostic is one line of UTF-8. */
static void
syntax_error (SimDoc  *self,
              GError  *parse_error,
              GError **error)
{
  g_autoptr(GRegex) regex = g_regex_new ("^<data>:([0-9]+):([0-9]+): (?:Parse error: )?(?:scanner: )?(.*)$",
                                         G_REGEX_DOTALL, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *message = g_utf8_make_valid (parse_error->message, -1);
  g_autofree char *what = NULL;
  g_autoptr(GString) line_of_text = g_string_new (NULL);
  guint line = 0, column = 0;

  if (g_regex_match (regex, message, 0, &match))
    {
      g_autofree char *line_number = g_match_info_fetch (match, 1);
      g_autofree char *byte_column = g_match_info_fetch (match, 2);
      line = (guint) g_ascii_strtoull (line_number, NULL, 10);
      column = char_column (self, line, (guint) g_ascii_strtoull (byte_column, NULL, 10));
      what = g_match_info_fetch (match, 3);
    }
  else
    what = g_strdup (message);
  if (trailing_comma_error (self, (SimPos) { line, column }, error))
    return;
  for (const char *p = what; *p; p++)
    {
      if (*p == '\n')
        g_string_append (line_of_text, "\\n");
      else if (*p == '\r')
        g_string_append (line_of_text, "\\r");
      else
        g_string_append_c (line_of_text, *p);
    }
  if (line > 0)
    g_set_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX, "%s:%u:%u: %s",
                 self->name, line, column, line_of_text->str);
  else
    g_set_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX, "%s: %s", self->name,
                 line_of_text->str);
}

/**
 * sim_doc_load_data:
 * @name: the file name to use in messages
 *
 * Returns: (transfer full) (nullable): the document, or %NULL with @error set to a message
 * that starts "NAME:LINE:COLUMN: ".
 */
SimDoc *
sim_doc_load_data (const char  *name,
                   const char  *data,
                   gsize        length,
                   GError     **error)
{
  g_autoptr(SimDoc) self = g_new0 (SimDoc, 1);
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) parse_error = NULL;
  Scanner scanner;

  self->name = g_strdup (name);
  self->text = g_malloc (length + 1);
  memcpy (self->text, data, length);
  self->text[length] = '\0';
  self->length = length;
  self->member_pos = g_array_new (FALSE, FALSE, sizeof (SimPos));
  self->element_pos = g_array_new (FALSE, FALSE, sizeof (SimPos));
  self->object_pos = g_array_new (FALSE, FALSE, sizeof (SimPos));
  self->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->elements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->objects = g_hash_table_new (NULL, NULL);

  if (!precheck (self, error))
    return NULL;

  /* Positions first: the scanner tolerates anything, and the parser decides validity. Like
   * json-glib, it skips a byte-order mark, which no editor shows as a column. */
  scanner.doc = self;
  scanner.p = scanner.mark = self->text;
  if (g_str_has_prefix (self->text, "\xef\xbb\xbf"))
    scanner.p = scanner.mark = self->text + 3;
  scanner.pos = (SimPos) { 1, 1 };
  scan_value (&scanner);
  skip_space (&scanner);

  parser = json_parser_new ();
  g_signal_connect (parser, "object-member", G_CALLBACK (on_member), self);
  g_signal_connect (parser, "array-element", G_CALLBACK (on_element), self);
  g_signal_connect (parser, "object-end", G_CALLBACK (on_object_end), self);
  if (!json_parser_load_from_data (parser, self->text, self->length, &parse_error))
    {
      syntax_error (self, parse_error, error);
      return NULL;
    }
  if (trailing_comma_error (self, (SimPos) { 0, 0 }, error))
    return NULL;
  /* json-glib 1.6 takes "{...} {...}" without a word, and reads only the first object. */
  if (*scanner.p)
    {
      sim_doc_set_error (self, error, scanner_pos (&scanner),
                         _("unexpected text after the end of the JSON value; a scenario file holds one object"));
      return NULL;
    }
  if (self->out_of_range.line > 0)
    {
      sim_doc_set_error (self, error, self->out_of_range,
                         _("this whole number is out of range; whole numbers go from %" PRId64 " to %" PRId64),
                         G_MININT64, G_MAXINT64);
      return NULL;
    }
  if (self->duplicate)
    {
      sim_doc_set_error (self, error, self->duplicate_pos,
                         _("the field '%s' appears twice in the same object"), self->duplicate);
      return NULL;
    }
  self->root = json_parser_steal_root (parser);
  if (self->root == NULL)
    {
      sim_doc_set_error (self, error, (SimPos) { 1, 1 }, _("the file is empty; expected a JSON object"));
      return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * sim_doc_load_file:
 * Returns: (transfer full) (nullable): the document, or %NULL with @error set.
 */
SimDoc *
sim_doc_load_file (const char  *filename,
                   GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) io_error = NULL;
  gsize length = 0;

  if (g_file_test (filename, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_IO,
                   _("%s: is a folder, not a scenario file"), filename);
      return NULL;
    }
  if (!g_file_get_contents (filename, &contents, &length, &io_error))
    {
      g_set_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_IO, "%s: %s", filename,
                   g_file_test (filename, G_FILE_TEST_EXISTS) ? io_error->message
                                                              : _("no such file"));
      return NULL;
    }
  return sim_doc_load_data (filename, contents, length, error);
}

JsonNode *
sim_doc_get_root (SimDoc *self)
{
  return self->root;
}

const char *
sim_doc_get_name (SimDoc *self)
{
  return self->name;
}

static SimPos
lookup (GHashTable *table,
        gconstpointer key,
        GArray     *positions)
{
  gpointer value;

  if (g_hash_table_lookup_extended (table, key, NULL, &value)
      && GPOINTER_TO_UINT (value) < positions->len)
    return g_array_index (positions, SimPos, GPOINTER_TO_UINT (value));
  return (SimPos) { 0, 0 };
}

/* Where the member's key stands; {0, 0} when unknown. */
SimPos
sim_doc_member_pos (SimDoc     *self,
                    JsonObject *object,
                    const char *member)
{
  g_autofree char *key = g_strdup_printf ("%p:%s", (void *) object, member);
  return lookup (self->members, key, self->member_pos);
}

SimPos
sim_doc_element_pos (SimDoc    *self,
                     JsonArray *array,
                     guint      index)
{
  g_autofree char *key = g_strdup_printf ("%p:%u", (void *) array, index);
  return lookup (self->elements, key, self->element_pos);
}

/* Where the object's opening brace stands. */
SimPos
sim_doc_object_pos (SimDoc     *self,
                    JsonObject *object)
{
  return lookup (self->objects, object, self->object_pos);
}
