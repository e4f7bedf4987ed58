/* scenario.h: a lesson and a regression test in one JSON file (docs/scenario-format.md).
 *
 * A scenario says who exists (the server's settings, the owner, the client), what each decides,
 * the steps to play, what to tamper with on the way, and what must be observed. Loading checks
 * all of it and reports the first problem as FILE:LINE:COLUMN: message.
 */
#pragma once

#include "sim/scenario/json-doc.h"
#include "sim/bus.h"
#include "sim/message.h"
#include "actors/auth-server.h"
#include "actors/client.h"
#include "actors/resource-owner.h"

G_BEGIN_DECLS

typedef enum
{
  SIM_ACTION_REGISTER,
  SIM_ACTION_DISCOVER,
  SIM_ACTION_CALL_API,
  SIM_ACTION_REFRESH,
  SIM_ACTION_REVOKE,
  SIM_ACTION_CONNECT,
  SIM_ACTION_CONSENT,
  SIM_ACTION_VISIT,
  SIM_ACTION_ADVANCE,
  SIM_ACTION_REPLAY,
} SimActionKind;

typedef struct
{
  char *actor;
  char *what;
  SimPos pos;
} SimHeld;

typedef struct
{
  SimPos pos;
  char *exchange;        /* "POST /token": the last exchange of the step that matches; NULL: the
                            step's last top-level exchange */
  int status;            /* -1: not checked */
  char *error;           /* OAuth error code; "" means "no error" */
  GPtrArray *present;    /* (element-type utf8) response fields that must be there */
  GPtrArray *absent;     /* (element-type utf8) response fields that must not */
  GPtrArray *header_names;
  GPtrArray *header_values; /* NULL entry: the header must be absent */
  GPtrArray *holds;      /* (element-type SimHeld) */
  GPtrArray *lacks;      /* (element-type SimHeld) */
  GPtrArray *says;       /* (element-type utf8) text the narration must contain */
} SimExpect;

typedef struct
{
  SimPos pos;
  char *exchange;        /* which exchange to tamper with, "METHOD /path" */
  SimTamperStage stage;
  SimParams *set_params; /* query for GET, form body for POST */
  GPtrArray *remove_params;
  SimParams *set_headers;
  GPtrArray *remove_headers;
  gboolean drop;
  gboolean duplicate;
  gint64 delay;          /* seconds the clock moves before the message arrives */
  gboolean done;         /* a tamper applies once */
} SimTamper;

typedef struct
{
  SimPos pos;
  SimActionKind kind;
  char *actor;
  char *action;
  char *title;
  char *note;
  /* what the action needs */
  char *method;
  char *path;
  char *url;
  char *scope;
  char *password;
  char *token;
  char *exchange;
  int from_step;         /* replay: a scenario step number, 0 for any */
  JsonNode *body;
  gint64 seconds;
  int decision;          /* -1 as the owner decided, 0 deny, 1 approve */
  char *approve_scopes;
  SimPhase phase;
  GPtrArray *expects;    /* (element-type SimExpect) */
  GPtrArray *tampers;    /* (element-type SimTamper) */
} SimStep;

typedef struct
{
  char *name;
  char *description;
} SimScope;

typedef struct
{
  char *owner;
  char *title;
  char *start;
} SimEvent;

typedef struct
{
  char *file;
  char *title;
  char *description;
  guint64 seed;
  gint64 start;
  AuthServerConfig server;
  GPtrArray *scopes;     /* (element-type SimScope) */
  OwnerConfig owner;
  GPtrArray *events;     /* (element-type SimEvent) */
  ClientConfig client;
  GPtrArray *steps;      /* (element-type SimStep) */
} SimScenario;

SimScenario *sim_scenario_load_file (const char   *filename,
                                     GError      **error);
SimScenario *sim_scenario_load_data (const char   *name,
                                     const char   *data,
                                     gsize         length,
                                     GError      **error);
void         sim_scenario_free      (SimScenario  *self);
char        *sim_scenario_read_title (const char  *filename);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimScenario, sim_scenario_free)

G_END_DECLS
