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

/**
 * sim_world_hold:
 * @actor: the name the actor has on the bus
 * @kind: what the actors layer calls this secret (actors/secrets.c)
 *
 * @actor holds @value from now on, though no message carried it to it: it was provisioned with
 * it, or has just made it. Messages teach the rest (sim/knowledge.c). Nothing happens while
 * nobody keeps count, as in serve mode and the benchmark.
 */
void
sim_world_hold (SimWorld   *self,
                const char *actor,
                const char *kind,
                const char *value)
{
  if (self->knowledge)
    sim_knowledge_learn (self->knowledge, actor, kind, value);
}
