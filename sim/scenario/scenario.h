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
#include "actors/attacker.h"
#include "actors/auth-server.h"
#include "actors/client.h"
#include "actors/defenses.h"
#include "actors/profiles.h"
#include "actors/resource-owner.h"

G_BEGIN_DECLS

typedef enum
{
  SIM_ACTION_REGISTER,
  SIM_ACTION_DISCOVER,
  SIM_ACTION_USERINFO,
  SIM_ACTION_CALL_API,
  SIM_ACTION_REFRESH,
  SIM_ACTION_REVOKE,
  SIM_ACTION_CLIENT_CREDENTIALS,
  SIM_ACTION_CONNECT,
  SIM_ACTION_CONSENT,
  SIM_ACTION_VISIT,
  SIM_ACTION_ADVANCE,
  SIM_ACTION_REPLAY,
  /* a device client's (RFC 8628), and the owner's part in it */
  SIM_ACTION_DEVICE_AUTHORIZE,
  SIM_ACTION_POLL,
  SIM_ACTION_ENTER_USER_CODE,
  /* the attacker's */
  SIM_ACTION_ATTACKER_REGISTER,
  SIM_ACTION_ATTACKER_AUTHORIZE,
  SIM_ACTION_ATTACKER_REDEEM,
  SIM_ACTION_ATTACKER_REFRESH,
  SIM_ACTION_ATTACKER_CALL_API,
  SIM_ACTION_ATTACKER_SIGN_IN,
  SIM_ACTION_ATTACKER_REPLAY,
  SIM_ACTION_ATTACKER_READ_LEAK,
  SIM_ACTION_ATTACKER_FORGE_CALLBACK,
  SIM_ACTION_ATTACKER_PHISH,
  SIM_ACTION_ATTACKER_FRAME,
  SIM_ACTION_ATTACKER_PASSWORD_GRANT,
  SIM_ACTION_ATTACKER_DEVICE_AUTHORIZE,
  SIM_ACTION_ATTACKER_POLL,
  SIM_ACTION_ATTACKER_SEND_USER_CODE,
} SimActionKind;

/* Where a leak is read (a read-leak step's "source"): it only changes the narration. */
typedef enum
{
  SIM_LEAK_HISTORY,      /* the browser history of a shared computer */
  SIM_LEAK_LOG,          /* a log line: a proxy's, a server's */
  SIM_LEAK_DEVICE,       /* an app's storage on a shared or lost device */
} SimLeakSource;

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
  char *server;          /* client register: another authorization server */
  char *client_kind;     /* attacker authorize: "own" or "victim" */
  int pkce;              /* attacker authorize, phish: -1 as the action's default, 0 or 1 */
  AttackerRole role;     /* attacker redeem */
  char *redirect_uri;    /* attacker phish */
  gboolean response;     /* attacker read-leak: the answer leaked, not the request */
  SimLeakSource source;  /* attacker read-leak */
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

/* The attack lab's metadata: what this scenario attacks, and with which defense at stake. What
 * happened is never written here: `oauth-sim attacks` judges it from the run. */
typedef struct
{
  char *name;
  char *cites;
  char *defense;         /* one of oauth_defense_names () */
  GPtrArray *prize;      /* (element-type utf8) what the attacker holds when the attack works */
  SimPos pos;
} SimAttack;

typedef struct
{
  char *file;
  char *profile;         /* one of oauth_profile_names (); OAUTH_PROFILE_DEFAULT when unsaid */
  char *title;
  char *description;
  guint64 seed;
  gint64 start;
  AuthServerConfig server;
  GPtrArray *scopes;     /* (element-type SimScope) */
  OwnerConfig owner;
  GPtrArray *events;     /* (element-type SimEvent) */
  ClientConfig client;
  gboolean device_client; /* the client is a device app (RFC 8628), "device": true */
  OAuthDefenses defenses;
  gboolean client_pkce;  /* the app's own "pkce" setting, which the pkce defense may override */
  gboolean client_pkce_set;  /* the scenario says it, rather than its profile */
  gboolean require_pkce_set; /* the scenario says the server's "require_pkce" */
  gboolean server_dpop_set;  /* the scenario says the server's "dpop"; else it follows the
                                client's (RFC 9449) */
  gboolean has_attacker; /* an "attacker" object, or attacker steps */
  AttackerConfig attacker;
  gboolean claims_scheme; /* the attacker's app claims the client's custom URI scheme */
  SimAttack *attack;     /* (nullable) */
  GPtrArray *steps;      /* (element-type SimStep) */
} SimScenario;

SimScenario *sim_scenario_load_file (const char   *filename,
                                     GError      **error);
SimScenario *sim_scenario_load_data (const char   *name,
                                     const char   *data,
                                     gsize         length,
                                     GError      **error);
SimScenario *sim_scenario_load_file_as (const char   *filename,
                                        const char   *profile,
                                        GError      **error);
SimScenario *sim_scenario_load_data_as (const char   *name,
                                        const char   *data,
                                        gsize         length,
                                        const char   *profile,
                                        GError      **error);
void         sim_scenario_free      (SimScenario  *self);
void         sim_scenario_apply_profile (SimScenario        *self,
                                         const OAuthProfile *profile);
void         sim_scenario_apply_defenses (SimScenario *self);
char        *sim_scenario_read_title (const char  *filename);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimScenario, sim_scenario_free)

G_END_DECLS
