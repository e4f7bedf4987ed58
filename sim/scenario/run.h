/* run.h: one playing of a scenario: the world and its actors, the steps played in order, the
 * tampering applied on the way, and the expectations checked after each step. */
#pragma once

#include "sim/scenario/scenario.h"
#include "sim/tracer.h"
#include "sim/world.h"
#include "actors/api.h"

G_BEGIN_DECLS

typedef struct _SimRun SimRun;

/* One exchange seen on the bus during the run. */
typedef struct
{
  guint scenario_step;  /* index into the scenario's steps */
  guint trace_step;     /* the bus's step number */
  guint depth;
  SimMessage *message;  /* (owned) */
} SimRecord;

SimRun      *sim_run_new           (SimScenario *scenario,
                                    gboolean     seed_set,
                                    guint64      seed);
void         sim_run_free          (SimRun      *self);
SimWorld    *sim_run_get_world     (SimRun      *self);
void         sim_run_set_tracer    (SimRun      *self,
                                    SimTracer   *tracer);
gboolean     sim_run_play          (SimRun      *self);
void         sim_run_play_step     (SimRun      *self,
                                    guint        index);
GPtrArray   *sim_run_get_failures  (SimRun      *self);
GPtrArray   *sim_run_get_records   (SimRun      *self);
guint        sim_run_count_checks  (SimRun      *self);

/* The actors, for tests and expectations. */
AuthServer    *sim_run_get_server  (SimRun      *self);
ClientApp     *sim_run_get_client  (SimRun      *self);
ResourceOwner *sim_run_get_owner   (SimRun      *self);
CalendarApi   *sim_run_get_api     (SimRun      *self);
Attacker      *sim_run_get_attacker (SimRun     *self);
gboolean       sim_run_attack_succeeded (SimRun *self);
SimKnowledge  *sim_run_get_knowledge (SimRun    *self);

/* expect.c */
gboolean     sim_run_check_expect  (SimRun      *self,
                                    guint        step_index,
                                    SimExpect   *expect);
SimRecord   *sim_run_find_record   (SimRun      *self,
                                    guint        step_index,
                                    const char  *exchange);
gboolean     sim_exchange_matches  (SimMessage  *message,
                                    const char  *exchange);
char        *sim_message_find_error (SimMessage *message);

/* tamper.c */
gboolean     sim_run_intercept     (gpointer        data,
                                    SimBus         *bus,
                                    SimMessage     *message,
                                    SimTamperStage  stage);
SimMessage  *sim_message_copy_request (SimMessage  *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimRun, sim_run_free)

G_END_DECLS
