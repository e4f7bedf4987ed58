/* knowledge.c: tracks, per actor, the secret values it has sent or received. */
#include "sim/knowledge.h"

struct _SimKnowledge
{
  SimBus *bus;
  GPtrArray *actors;          /* (element-type utf8) in display order */
  const SimSecretClassifier *classifier;
  GHashTable *kinds;          /* value -> kind, the kind it was first seen as */
  GHashTable *known;          /* actor -> GHashTable set of values */
};

typedef struct
{
  SimKnowledge *self;
  const char *first;
  const char *second;
} Learning;

static GHashTable *
values_of (SimKnowledge *self,
           const char   *actor)
{
  GHashTable *values = g_hash_table_lookup (self->known, actor);
  if (!values)
    {
      values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (self->known, g_strdup (actor), values);
    }
  return values;
}

/* Records @value as held by @actor; a value with no kind counts only if already classified. */
void
sim_knowledge_learn (SimKnowledge *self,
                     const char   *actor,
                     const char   *kind,
                     const char   *value)
{
  if (value == NULL || *value == '\0' || actor == NULL)
    return;
  if (kind && !g_hash_table_contains (self->kinds, value))
    g_hash_table_insert (self->kinds, g_strdup (value), g_strdup (kind));
  if (!g_hash_table_contains (self->kinds, value))
    return;
  g_hash_table_add (values_of (self, actor), g_strdup (value));
}

static void
learn_both (const char *kind,
            const char *value,
            gpointer    data)
{
  Learning *learning = data;
  sim_knowledge_learn (learning->self, learning->first, kind, value);
  sim_knowledge_learn (learning->self, learning->second, kind, value);
}

static void
learn_one (const char *kind,
           const char *value,
           gpointer    data)
{
  Learning *learning = data;
  sim_knowledge_learn (learning->self, learning->first, kind, value);
}

/**
 * sim_knowledge_learn_message:
 * @response: what @actor learns is the answer, not the request
 *
 * @actor comes to know what @message carries without taking part in it: a log line it reads,
 * a browser history it looks through (the attack lab's leaks).
 */
void
sim_knowledge_learn_message (SimKnowledge *self,
                             const char   *actor,
                             SimMessage   *message,
                             gboolean      response)
{
  Learning learning = { self, actor, NULL };

  if (response)
    self->classifier->in_response (message, learn_one, &learning);
  else
    self->classifier->in_request (message, learn_one, &learning);
}

static void
on_end (gpointer           data,
        const SimExchange *exchange)
{
  SimKnowledge *self = data;
  SimMessage *m = exchange->message;
  Learning request = { self, m->from, m->status ? m->to : NULL };
  Learning response = { self, m->to, m->from };

  /* A request that reached nobody taught nobody anything. */
  self->classifier->in_request (m, learn_both, &request);
  if (m->status)
    self->classifier->in_response (m, learn_both, &response);
}

static const SimBusObserver knowledge_observer = { NULL, on_end };

/**
 * sim_knowledge_new:
 * @bus: (not owned): must outlive the tracker
 * @actors: the actors to report on, in display order
 * @classifier: (not owned): static
 *
 * Register it before the tracer, so that the tracer sees each step's knowledge updated.
 *
 * Returns: (transfer full): a tracker in which nobody knows anything yet.
 */
SimKnowledge *
sim_knowledge_new (SimBus                    *bus,
                   const char *const         *actors,
                   const SimSecretClassifier *classifier)
{
  SimKnowledge *self = g_new0 (SimKnowledge, 1);

  self->bus = bus;
  self->classifier = classifier;
  self->actors = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; actors[i]; i++)
    g_ptr_array_add (self->actors, g_strdup (actors[i]));
  self->kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
  sim_bus_add_observer (bus, &knowledge_observer, self);
  return self;
}

void
sim_knowledge_free (SimKnowledge *self)
{
  if (!self)
    return;
  sim_bus_remove_observer (self->bus, self);
  g_ptr_array_unref (self->actors);
  g_hash_table_unref (self->kinds);
  g_hash_table_unref (self->known);
  g_free (self);
}

gboolean
sim_knowledge_holds (SimKnowledge *self,
                     const char   *actor,
                     const char   *kind)
{
  GHashTable *values = g_hash_table_lookup (self->known, actor);
  GHashTableIter iter;
  gpointer value;

  if (!values)
    return FALSE;
  g_hash_table_iter_init (&iter, values);
  while (g_hash_table_iter_next (&iter, &value, NULL))
    if (g_strcmp0 (g_hash_table_lookup (self->kinds, value), kind) == 0)
      return TRUE;
  return FALSE;
}

/**
 * sim_knowledge_snapshot:
 * Returns: (transfer full): actor -> array of the kinds it holds, both in display order.
 */
JsonObject *
sim_knowledge_snapshot (SimKnowledge *self)
{
  JsonObject *object = json_object_new ();

  for (guint i = 0; i < self->actors->len; i++)
    {
      const char *actor = self->actors->pdata[i];
      JsonArray *kinds = json_array_new ();
      for (guint k = 0; self->classifier->kinds[k]; k++)
        if (sim_knowledge_holds (self, actor, self->classifier->kinds[k]))
          json_array_add_string_element (kinds, self->classifier->kinds[k]);
      json_object_set_array_member (object, actor, kinds);
    }
  return object;
}
