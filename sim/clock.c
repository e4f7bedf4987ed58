/* clock.c: simulated time in whole seconds since the Unix epoch, or the real clock. */
#include "sim/clock.h"

struct _SimClock
{
  gint ref_count;
  gboolean simulated;
  gint64 now;
};

/**
 * sim_clock_new_simulated:
 * Returns: (transfer full): a clock that reads @start_unix until it is advanced.
 */
SimClock *
sim_clock_new_simulated (gint64 start_unix)
{
  SimClock *self = g_new0 (SimClock, 1);
  self->ref_count = 1;
  self->simulated = TRUE;
  self->now = start_unix;
  return self;
}

/**
 * sim_clock_new_real:
 * Returns: (transfer full): a clock that reads the wall clock (serve mode only).
 */
SimClock *
sim_clock_new_real (void)
{
  SimClock *self = g_new0 (SimClock, 1);
  self->ref_count = 1;
  self->simulated = FALSE;
  return self;
}

SimClock *
sim_clock_ref (SimClock *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  self->ref_count++;
  return self;
}

void
sim_clock_unref (SimClock *self)
{
  g_return_if_fail (self != NULL);
  if (--self->ref_count == 0)
    g_free (self);
}

gint64
sim_clock_now (SimClock *self)
{
  g_return_val_if_fail (self != NULL, 0);
  if (self->simulated)
    return self->now;
  return g_get_real_time () / G_USEC_PER_SEC;
}

gboolean
sim_clock_is_simulated (SimClock *self)
{
  return self->simulated;
}

/* Moving a real clock is a programmer error: only scenarios move time. */
void
sim_clock_advance (SimClock *self,
                   gint64    seconds)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->simulated);
  g_return_if_fail (seconds >= 0);
  self->now += seconds;
}

/**
 * sim_time_format_iso:
 * Returns: (transfer full): e.g. "2026-03-02T09:00:00Z".
 */
char *
sim_time_format_iso (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);
  if (!dt)
    return g_strdup ("?");
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

char *
sim_clock_format_iso (SimClock *self)
{
  return sim_time_format_iso (sim_clock_now (self));
}
