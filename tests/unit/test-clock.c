/* test-clock.c: simulated time moves only when told to, and formats as ISO 8601 in UTC. */
#include "sim/clock.h"

/* 2026-03-02T09:00:00Z, the morning of the classic lesson. */
#define LESSON_START G_GINT64_CONSTANT (1772442000)

static void
test_simulated_start (void)
{
  g_autoptr(SimClock) clock = sim_clock_new_simulated (LESSON_START);

  g_assert_true (sim_clock_is_simulated (clock));
  g_assert_cmpint (sim_clock_now (clock), ==, LESSON_START);
  /* Reading the time does not move it. */
  g_assert_cmpint (sim_clock_now (clock), ==, LESSON_START);
}

static void
test_advance (void)
{
  g_autoptr(SimClock) clock = sim_clock_new_simulated (LESSON_START);

  sim_clock_advance (clock, 60);
  g_assert_cmpint (sim_clock_now (clock), ==, LESSON_START + 60);
  sim_clock_advance (clock, 0);
  g_assert_cmpint (sim_clock_now (clock), ==, LESSON_START + 60);
  sim_clock_advance (clock, 3600);
  g_assert_cmpint (sim_clock_now (clock), ==, LESSON_START + 3660);
}

static void
test_advance_negative (void)
{
  g_autoptr(SimClock) clock = sim_clock_new_simulated (LESSON_START);

  /* Time never runs backwards: a programmer error, and the clock stays put. */
  g_test_expect_message ("oauth-sim-core", G_LOG_LEVEL_CRITICAL, "*seconds >= 0*");
  sim_clock_advance (clock, -1);
  g_test_assert_expected_messages ();
  g_assert_cmpint (sim_clock_now (clock), ==, LESSON_START);
}

static void
test_shared (void)
{
  g_autoptr(SimClock) clock = sim_clock_new_simulated (100);
  g_autoptr(SimClock) same = sim_clock_ref (clock);

  g_assert_true (same == clock);
  sim_clock_advance (clock, 5);
  g_assert_cmpint (sim_clock_now (same), ==, 105);
}

static void
test_real (void)
{
  g_autoptr(SimClock) clock = sim_clock_new_real ();
  gint64 before, now, after;

  g_assert_false (sim_clock_is_simulated (clock));
  before = g_get_real_time () / G_USEC_PER_SEC;
  now = sim_clock_now (clock);
  after = g_get_real_time () / G_USEC_PER_SEC;
  g_assert_cmpint (now, >=, before);
  g_assert_cmpint (now, <=, after);
}

static void
test_real_advance (void)
{
  g_autoptr(SimClock) clock = sim_clock_new_real ();

  /* Only scenarios move time, and a real clock is not theirs to move. */
  g_test_expect_message ("oauth-sim-core", G_LOG_LEVEL_CRITICAL, "*simulated*");
  sim_clock_advance (clock, 60);
  g_test_assert_expected_messages ();
  g_assert_false (sim_clock_is_simulated (clock));
}

static void
test_clock_format (void)
{
  g_autoptr(SimClock) clock = sim_clock_new_simulated (LESSON_START);
  g_autofree char *start = sim_clock_format_iso (clock);
  g_autofree char *later = NULL;

  g_assert_cmpstr (start, ==, "2026-03-02T09:00:00Z");
  sim_clock_advance (clock, 601);
  later = sim_clock_format_iso (clock);
  g_assert_cmpstr (later, ==, "2026-03-02T09:10:01Z");
}

typedef struct
{
  const char *path;
  gint64 unix_time;
  const char *iso;
} FormatCase;

static const FormatCase format_cases[] = {
  { "/sim/clock/format/epoch", 0, "1970-01-01T00:00:00Z" },
  { "/sim/clock/format/lesson", LESSON_START, "2026-03-02T09:00:00Z" },
  { "/sim/clock/format/before-epoch", -1, "1969-12-31T23:59:59Z" },
  { "/sim/clock/format/leap-day", G_GINT64_CONSTANT (951868799), "2000-02-29T23:59:59Z" },
  { "/sim/clock/format/past-2038", G_GINT64_CONSTANT (2147483648), "2038-01-19T03:14:08Z" },
  { "/sim/clock/format/last-second", G_GINT64_CONSTANT (253402300799), "9999-12-31T23:59:59Z" },
  { "/sim/clock/format/out-of-range", G_GINT64_CONSTANT (253402300800), "?" },
  { "/sim/clock/format/max", G_MAXINT64, "?" },
};

static void
test_format (gconstpointer data)
{
  const FormatCase *c = data;
  g_autofree char *iso = sim_time_format_iso (c->unix_time);

  g_assert_cmpstr (iso, ==, c->iso);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sim/clock/simulated/start", test_simulated_start);
  g_test_add_func ("/sim/clock/advance", test_advance);
  g_test_add_func ("/sim/clock/advance/negative", test_advance_negative);
  g_test_add_func ("/sim/clock/shared", test_shared);
  g_test_add_func ("/sim/clock/real", test_real);
  g_test_add_func ("/sim/clock/real/advance", test_real_advance);
  g_test_add_func ("/sim/clock/format/clock", test_clock_format);
  for (guint i = 0; i < G_N_ELEMENTS (format_cases); i++)
    g_test_add_data_func_full (format_cases[i].path, (gpointer) &format_cases[i], test_format, NULL);

  return g_test_run ();
}
