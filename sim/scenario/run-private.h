/* run-private.h: the run's state, shared by run.c, expect.c and tamper.c. */
#pragma once

#include "sim/scenario/run.h"
#include "actors/device-client.h"

G_BEGIN_DECLS

struct _SimRun
{
  SimScenario *scenario;   /* (not owned) */
  SimWorld *world;
  AuthServer *server;
  CalendarApi *api;
  ClientApp *client;
  ResourceOwner *owner;
  Attacker *attacker;      /* (nullable): only in a scenario that has one */
  DeviceClient *device;    /* (nullable): the client, when it is a device app (RFC 8628) */
  DeviceClient *attacker_device; /* (nullable): the attacker's copy of the device app */
  SimTracer *tracer;       /* (not owned) (nullable) */
  SimKnowledge *knowledge;
  GPtrArray *records;      /* (element-type SimRecord) */
  GPtrArray *failures;     /* (element-type utf8) */
  guint checks;
  guint current_step;      /* the scenario step being played */
  const char *pending_note;
};

G_END_DECLS
