/* world.h: what every actor is given: the bus it talks on, the clock it reads and the generator
 * its secrets come from. The world owns all three. */
#pragma once

#include "sim/bus.h"
#include "sim/clock.h"
#include "sim/rng.h"

G_BEGIN_DECLS

typedef struct
{
  SimBus *bus;
  SimClock *clock;
  SimRng *rng;
} SimWorld;

SimWorld *sim_world_new  (SimClock *clock,
                          SimRng   *rng);
void      sim_world_free (SimWorld *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimWorld, sim_world_free)

G_END_DECLS
