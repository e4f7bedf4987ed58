/* test-textwrap.c: terminal columns (wide characters count two), truncation and wrapping, so the
 * text trace fits its width in English and in Korean alike. */
#include <string.h>

#include "sim/textwrap.h"

typedef struct
{
  const char *path;
  const char *text;
  guint columns;
} ColumnsCase;

static const ColumnsCase columns_cases[] = {
  { "/sim/textwrap/columns/empty", "", 0 },
  { "/sim/textwrap/columns/ascii", "token", 5 },
  { "/sim/textwrap/columns/korean", "한국어", 6 },
  { "/sim/textwrap/columns/mixed", "a한b", 4 },
  { "/sim/textwrap/columns/korean-sentence", "토큰이 만료되었습니다.", 22 },
  { "/sim/textwrap/columns/cjk", "日本", 4 },
  { "/sim/textwrap/columns/latin-accents", "café", 4 },
  { "/sim/textwrap/columns/combining", "e\xcc\x81", 1 },
  { "/sim/textwrap/columns/ellipsis", "…", 1 },
  { "/sim/textwrap/columns/box-drawing", "── ", 3 },
  { "/sim/textwrap/columns/arrow", "client → api", 12 },
  { "/sim/textwrap/columns/fullwidth", "ＡＢ", 4 },
  /* Invalid UTF-8 counts a column a byte. */
  { "/sim/textwrap/columns/invalid-utf8", "ab\xff\xfe", 4 },
};

static void
test_columns (gconstpointer data)
{
  const ColumnsCase *c = data;
  g_assert_cmpuint (sim_text_columns (c->text), ==, c->columns);
}

typedef struct
{
  const char *path;
  const char *text;
  guint columns;
  const char *expected;
} TruncateCase;

static const TruncateCase truncate_cases[] = {
  { "/sim/textwrap/truncate/fits", "hello", 5, "hello" },
  { "/sim/textwrap/truncate/fits-with-room", "hello", 80, "hello" },
  { "/sim/textwrap/truncate/ascii", "hello world", 5, "hell…" },
  { "/sim/textwrap/truncate/two", "hello", 2, "h…" },
  { "/sim/textwrap/truncate/one", "hello", 1, "…" },
  { "/sim/textwrap/truncate/zero", "hello", 0, "" },
  { "/sim/textwrap/truncate/korean-even", "가나다라", 5, "가나…" },
  /* A wide character that would cross the edge is left out whole. */
  { "/sim/textwrap/truncate/korean-odd", "가나다라", 4, "가…" },
  { "/sim/textwrap/truncate/korean-fits", "가나다라", 8, "가나다라" },
  { "/sim/textwrap/truncate/mixed", "a가b나c", 5, "a가b…" },
  { "/sim/textwrap/truncate/mixed-narrow", "a가b나c", 4, "a가…" },
  { "/sim/textwrap/truncate/mixed-wide-at-edge", "ab나c", 4, "ab…" },
  { "/sim/textwrap/truncate/empty", "", 10, "" },
};

static void
test_truncate (gconstpointer data)
{
  const TruncateCase *c = data;
  g_autofree char *out = sim_text_truncate (c->text, c->columns);

  g_assert_cmpstr (out, ==, c->expected);
  g_assert_true (g_utf8_validate (out, -1, NULL));
  g_assert_cmpuint (sim_text_columns (out), <=, c->columns);
}

/* Every cut, at every width, fits and ends in the ellipsis. */
static void
test_truncate_all_widths (void)
{
  static const char *const texts[] = {
    "https://auth.example/authorize?response_type=code&client_id=abc",
    "인가 코드는 한 번만 쓸 수 있습니다",
    "mixed 한글 and English 텍스트",
  };

  for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
    for (guint width = 2; width <= sim_text_columns (texts[t]) + 2; width++)
      {
        g_autofree char *out = sim_text_truncate (texts[t], width);

        g_assert_cmpuint (sim_text_columns (out), <=, width);
        if (sim_text_columns (texts[t]) > width)
          {
            g_assert_true (g_str_has_suffix (out, "…"));
            /* Cut no more than needed: a wide character left out costs at most one more column. */
            g_assert_cmpuint (sim_text_columns (out), >=, width - 1);
          }
        else
          g_assert_cmpstr (out, ==, texts[t]);
      }
}

typedef struct
{
  const char *path;
  const char *text;
  const char *first;
  const char *indent;
  guint width;
  const char *expected;
} WrapCase;

static const WrapCase wrap_cases[] = {
  { "/sim/textwrap/wrap/one-line", "short text", "", "", 80, "short text\n" },
  { "/sim/textwrap/wrap/prefixes", "the quick brown fox", "> ", "  ", 12,
    "> the quick\n  brown fox\n" },
  { "/sim/textwrap/wrap/exact-fit", "aaaa bbbb", "", "", 9, "aaaa bbbb\n" },
  { "/sim/textwrap/wrap/one-over", "aaaa bbbb", "", "", 8, "aaaa\nbbbb\n" },
  { "/sim/textwrap/wrap/korean", "가나 다라 마바", "", "", 8, "가나\n다라\n마바\n" },
  { "/sim/textwrap/wrap/korean-fits", "가나 다라 마바", "", "", 9, "가나 다라\n마바\n" },
  { "/sim/textwrap/wrap/long-word", "a verylongword b", "", "", 6, "a\nverylongword\nb\n" },
  { "/sim/textwrap/wrap/spaces-collapse", "  a   b  ", "", "", 80, "a b\n" },
  { "/sim/textwrap/wrap/empty", "", "> ", "  ", 80, "" },
  { "/sim/textwrap/wrap/paragraphs", "First paragraph.\n\nSecond paragraph is here.", "  ", "  ", 20,
    "  First paragraph.\n\n  Second paragraph\n  is here.\n" },
  { "/sim/textwrap/wrap/newline-keeps-indent", "a\nb", "> ", "  ", 80, "> a\n  b\n" },
  { "/sim/textwrap/wrap/only-spaces", "   ", "> ", "  ", 80, "" },
  { "/sim/textwrap/wrap/marker", "Step one begins here", "▶ ", "  ", 12,
    "▶ Step one\n  begins\n  here\n" },
};

static void
test_wrap (gconstpointer data)
{
  const WrapCase *c = data;
  g_autoptr(GString) out = g_string_new (NULL);

  sim_text_wrap (out, c->text, c->first, c->indent, c->width);
  g_assert_cmpstr (out->str, ==, c->expected);
}

static void
test_wrap_appends (void)
{
  g_autoptr(GString) out = g_string_new ("before\n");

  sim_text_wrap (out, "one two", "* ", "  ", 40);
  g_assert_cmpstr (out->str, ==, "before\n* one two\n");
}

/* Property: at every width, no line is wider than the width (unless a single word is), the
 * first line starts with @first and the others with @indent, and no word is lost. */
static void
test_wrap_never_exceeds (void)
{
  static const char *const texts[] = {
    "The authorization server refuses the code because it was already used once; "
    "RFC 6749 section 4.1.2 says a code must not be used more than once.",
    "인가 서버는 이미 한 번 사용된 코드를 거부합니다. RFC 6749 4.1.2절에 따르면 "
    "코드는 두 번 이상 사용해서는 안 됩니다.",
    "Mixed 한국어 and English, with 긴단어도있습니다 and short ones.",
  };
  static const struct { const char *first; const char *indent; } prefixes[] = {
    { "", "" }, { "  ", "  " }, { "▶ ", "  " }, { "  ✓ ", "    " },
  };

  for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
    for (guint p = 0; p < G_N_ELEMENTS (prefixes); p++)
      for (guint width = 16; width <= 80; width++)
        {
          g_autoptr(GString) out = g_string_new (NULL);
          g_auto(GStrv) lines = NULL;
          g_auto(GStrv) words_in = g_strsplit (texts[t], " ", -1);
          g_autoptr(GString) words_out = g_string_new (NULL);
          guint n;

          sim_text_wrap (out, texts[t], prefixes[p].first, prefixes[p].indent, width);
          g_assert_true (g_str_has_suffix (out->str, "\n"));
          lines = g_strsplit (out->str, "\n", -1);
          n = g_strv_length (lines);
          g_assert_cmpuint (n, >=, 2);
          g_assert_cmpstr (lines[n - 1], ==, "");
          for (guint i = 0; i + 1 < n; i++)
            {
              const char *prefix = i == 0 ? prefixes[p].first : prefixes[p].indent;
              const char *body = lines[i] + strlen (prefix);

              g_assert_true (g_str_has_prefix (lines[i], prefix));
              if (strchr (body, ' '))
                g_assert_cmpuint (sim_text_columns (lines[i]), <=, width);
              if (words_out->len)
                g_string_append_c (words_out, ' ');
              g_string_append (words_out, body);
            }
          {
            g_autofree char *joined = g_strjoinv (" ", words_in);
            g_assert_cmpstr (words_out->str, ==, joined);
          }
        }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (columns_cases); i++)
    g_test_add_data_func_full (columns_cases[i].path, (gpointer) &columns_cases[i], test_columns, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (truncate_cases); i++)
    g_test_add_data_func_full (truncate_cases[i].path, (gpointer) &truncate_cases[i], test_truncate, NULL);
  g_test_add_func ("/sim/textwrap/truncate/all-widths", test_truncate_all_widths);
  for (guint i = 0; i < G_N_ELEMENTS (wrap_cases); i++)
    g_test_add_data_func_full (wrap_cases[i].path, (gpointer) &wrap_cases[i], test_wrap, NULL);
  g_test_add_func ("/sim/textwrap/wrap/appends", test_wrap_appends);
  g_test_add_func ("/sim/textwrap/wrap/never-exceeds", test_wrap_never_exceeds);

  return g_test_run ();
}
