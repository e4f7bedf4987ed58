/* textwrap.c: column counting, truncation and word wrapping of UTF-8 text. */
#include <string.h>

#include "sim/textwrap.h"

static guint
char_columns (gunichar c)
{
  if (g_unichar_iszerowidth (c))
    return 0;
  return g_unichar_iswide (c) ? 2 : 1;
}

/* The columns @text takes in a terminal; invalid UTF-8 counts a column a byte. */
guint
sim_text_columns (const char *text)
{
  guint columns = 0;
  const char *p = text;

  if (!g_utf8_validate (text, -1, NULL))
    return strlen (text);
  for (; *p; p = g_utf8_next_char (p))
    columns += char_columns (g_utf8_get_char (p));
  return columns;
}

/**
 * sim_text_truncate:
 * Returns: (transfer full): @text cut to @columns, ending in "…" when cut.
 */
char *
sim_text_truncate (const char *text,
                   guint       columns)
{
  GString *out;
  guint used = 0;
  const char *p;

  if (sim_text_columns (text) <= columns)
    return g_strdup (text);
  if (columns < 2)
    return g_strdup (columns == 1 ? "…" : "");
  if (!g_utf8_validate (text, -1, NULL))
    return g_strndup (text, columns);

  out = g_string_new (NULL);
  for (p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      guint w = char_columns (c);
      if (used + w > columns - 1)
        break;
      g_string_append_unichar (out, c);
      used += w;
    }
  g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

static void
wrap_paragraph (GString    *out,
                const char *text,
                const char *first,
                const char *indent,
                guint       width)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  guint used = 0;
  gboolean line_open = FALSE;
  gboolean first_line = TRUE;

  for (guint i = 0; words[i]; i++)
    {
      guint w;

      if (*words[i] == '\0')
        continue;
      w = sim_text_columns (words[i]);
      if (line_open && used + 1 + w > width)
        {
          g_string_append_c (out, '\n');
          line_open = FALSE;
        }
      if (!line_open)
        {
          const char *prefix = first_line ? first : indent;
          g_string_append (out, prefix);
          used = sim_text_columns (prefix);
          line_open = TRUE;
          first_line = FALSE;
        }
      else
        {
          g_string_append_c (out, ' ');
          used++;
        }
      g_string_append (out, words[i]);
      used += w;
    }
  if (line_open)
    g_string_append_c (out, '\n');
}

/* Appends @text to @out, wrapped at @width columns, the first line starting with @first and the
 * others with @indent (give both the same width). Spaces separate words; a word longer than a
 * line stands alone. A newline in @text starts a new paragraph (an empty line stays empty), so
 * a description may have several. Korean text is spaced between words too, so the same rule
 * serves both languages. */
void
sim_text_wrap (GString    *out,
               const char *text,
               const char *first,
               const char *indent,
               guint       width)
{
  g_auto(GStrv) paragraphs = g_strsplit (text, "\n", -1);

  for (guint i = 0; paragraphs[i]; i++)
    {
      if (*g_strstrip (paragraphs[i]) == '\0')
        {
          if (paragraphs[i + 1])
            g_string_append_c (out, '\n');
          continue;
        }
      wrap_paragraph (out, paragraphs[i], i == 0 ? first : indent, indent, width);
    }
}

/* Appends one item to a list written for people, "a; b; c": what a tampering changed, what an
 * expectation missed. The separator is the program's, so no translation has to carry it. */
void
sim_text_append_item (GString    *list,
                      const char *format,
                      ...)
{
  va_list args;

  if (list->len)
    g_string_append (list, "; ");
  va_start (args, format);
  g_string_append_vprintf (list, format, args);
  va_end (args);
}
