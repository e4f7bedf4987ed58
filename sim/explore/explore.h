/* explore.h: `oauth-sim explore`, a bounded model checker over the simulated world
 * (docs/explore.md). From a scenario's world it plays every interleaving of the honest actors'
 * next steps with the attacker's moves up to a depth, checks the security properties after
 * every transition, explores each abstract state once, and writes each violation as the
 * shortest, shrunk scenario file that replays it. It sits above the scenario runner and drives
 * the actors only as the runner does: through scenario steps played on the bus. */
#pragma once

#include <json-glib/json-glib.h>

#include "sim/scenario/run.h"

G_BEGIN_DECLS

/* The properties, in the order they are reported (properties.c). */
typedef enum
{
  SIM_PROP_ATTACKER_ACCESS,    /* the attacker reads the owner's calendar */
  SIM_PROP_SESSION_BINDING,    /* the client redeems a code issued to the attacker's account */
  SIM_PROP_CODE_ONCE,          /* a code buys tokens twice */
  SIM_PROP_PASSWORD,           /* the owner's password reaches someone but the server */
  SIM_PROP_ROTATED_REFRESH,    /* a rotated-away refresh token buys a token */
  SIM_PROP_INTENDED_RECIPIENT, /* the client sends a code or token where it should not */
  SIM_PROP_COUNT
} SimProperty;

const char *sim_property_name  (SimProperty property);
const char *sim_property_cites (SimProperty property);

/* What the properties follow in one world, from the exchanges on its bus. */
typedef struct _SimPropertyTracker SimPropertyTracker;

SimPropertyTracker *sim_property_tracker_new    (SimScenario        *scenario);
void                sim_property_tracker_free   (SimPropertyTracker *self);
guint               sim_property_tracker_update (SimPropertyTracker *self,
                                                 SimRun             *run);
JsonNode           *sim_property_expectation    (SimPropertyTracker *self,
                                                 SimProperty         property);
guint64             sim_property_tracker_hash   (SimPropertyTracker *self);

/* moves.c: the catalogue of moves, as scenario steps. */
typedef struct
{
  JsonArray *steps;      /* every move as a step object: the honest script first */
  guint honest;          /* how many of them are the honest script */
} SimMoves;

void sim_moves_init  (SimMoves   *moves,
                      JsonObject *root,
                      JsonArray  *honest);
void sim_moves_clear (SimMoves   *moves);

typedef struct
{
  guint depth;
  gboolean seed_set;
  guint64 seed;
  const char *out_dir;
  void (*progress) (gpointer data, guint depth, guint64 states, guint64 transitions);
  gpointer progress_data;
} SimExploreOptions;

typedef struct
{
  SimProperty property;
  guint steps;
  char *file;
  gboolean replays;       /* the written file, checked, passes */
} SimViolation;

typedef struct
{
  guint64 states;
  guint64 transitions;
  double seconds;
  guint depth;
  guint depth_done;       /* the last level explored in full */
  gsize peak_kib;
  GPtrArray *violations;  /* (element-type SimViolation) */
} SimExploreResult;

gboolean sim_explore_run          (const char              *file,
                                   JsonObject              *root,
                                   JsonArray               *honest,
                                   const SimExploreOptions *options,
                                   SimExploreResult        *result,
                                   GError                 **error);
void     sim_explore_result_clear (SimExploreResult        *result);

G_END_DECLS
