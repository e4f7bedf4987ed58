/* clock.h: the time every actor reads. Simulated (set by the scenario, moved only by its steps)
 * or, in serve mode, the real wall clock behind the same interface. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SimClock SimClock;

SimClock  *sim_clock_new_simulated (gint64    start_unix);
SimClock  *sim_clock_new_real      (void);
SimClock  *sim_clock_ref           (SimClock *self);
void       sim_clock_unref         (SimClock *self);

gint64     sim_clock_now           (SimClock *self);
gboolean   sim_clock_is_simulated  (SimClock *self);
void       sim_clock_advance       (SimClock *self,
                                    gint64    seconds);
char      *sim_clock_format_iso    (SimClock *self);
char      *sim_time_format_iso     (gint64    unix_time);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimClock, sim_clock_unref)

G_END_DECLS
