/* world.c: the bus, clock and generator shared by the actors of one run. */
#include "sim/world.h"

/**
 * sim_world_new:
 * @clock: (transfer full)
 * @rng: (transfer full)
 *
 * Returns: (transfer full): a world with an empty bus.
 */
SimWorld *
sim_world_new (SimClock *clock,
               SimRng   *rng)
{
  SimWorld *self = g_new0 (SimWorld, 1);
  self->bus = sim_bus_new ();
  self->clock = clock;
  self->rng = rng;
  return self;
}

void
sim_world_free (SimWorld *self)
{
  if (!self)
    return;
  sim_bus_free (self->bus);
  sim_clock_unref (self->clock);
  sim_rng_free (self->rng);
  g_free (self);
}
