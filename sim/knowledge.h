/* knowledge.h: who knows what. After every exchange the sender knows what it sent and the
 * receiver what it received, and the receiver's answer flows back the same way; so which
 * secrets each actor holds is computed from the messages actually delivered, never declared.
 *
 * What counts as a secret, and of which kind, is OAuth knowledge: the actors layer supplies a
 * classifier (actors/secrets.c). */
#pragma once

#include <json-glib/json-glib.h>

#include "sim/bus.h"

G_BEGIN_DECLS

typedef void (*SimSecretFunc) (const char *kind,   /* NULL: known only by its value */
                               const char *value,
                               gpointer    data);

typedef struct
{
  const char *const *kinds;  /* in the order to show them */
  void (*in_request)  (SimMessage *message, SimSecretFunc func, gpointer data);
  void (*in_response) (SimMessage *message, SimSecretFunc func, gpointer data);
} SimSecretClassifier;

typedef struct _SimKnowledge SimKnowledge;

SimKnowledge *sim_knowledge_new      (SimBus                    *bus,
                                      const char *const         *actors,
                                      const SimSecretClassifier *classifier);
void          sim_knowledge_free     (SimKnowledge              *self);
void          sim_knowledge_learn    (SimKnowledge              *self,
                                      const char                *actor,
                                      const char                *kind,
                                      const char                *value);
void          sim_knowledge_learn_message (SimKnowledge         *self,
                                      const char                *actor,
                                      SimMessage                *message,
                                      gboolean                   response);
gboolean      sim_knowledge_holds    (SimKnowledge              *self,
                                      const char                *actor,
                                      const char                *kind);
JsonObject   *sim_knowledge_snapshot (SimKnowledge              *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimKnowledge, sim_knowledge_free)

G_END_DECLS
