/* world.h: what every actor is given: the bus it talks on, the clock it reads and the generator
 * its secrets come from, which the world owns; and, while somebody keeps count of who holds
 * what, the place where an actor declares the secrets it holds without sending them. */
#pragma once

#include "sim/bus.h"
#include "sim/clock.h"
#include "sim/knowledge.h"
#include "sim/rng.h"

G_BEGIN_DECLS

typedef struct
{
  SimBus *bus;
  SimClock *clock;
  SimRng *rng;
  SimKnowledge *knowledge;  /* (nullable) (not owned) set by whoever keeps count */
} SimWorld;

SimWorld *sim_world_new  (SimClock *clock,
                          SimRng   *rng);
void      sim_world_free (SimWorld *self);
void      sim_world_hold (SimWorld   *self,
                          const char *actor,
                          const char *kind,
                          const char *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimWorld, sim_world_free)

G_END_DECLS
