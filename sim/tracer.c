/* tracer.c: observes the bus and fans each step out to the sinks.
 *
 * A stream somebody may be watching as steps happen gets each step at once, flushed: serve
 * mode's (its clock is the real one) and a terminal. Any other stream (a file, a pipe into
 * another program, the benchmark's /dev/null) is written in large pieces, and completely by
 * sim_tracer_finish() and sim_tracer_free(): a write() and a flush a step cost the traced
 * benchmark some 3 µs a flow, 3% of it. (--step shows a trace kept in memory, not a stream.)
 */
#include <unistd.h>

#include "sim/tracer.h"

#define BATCH_BYTES (64 * 1024)

typedef struct
{
  SimSink *sink;
  FILE *stream;  /* NULL: keep the output until sim_tracer_steal_output() */
  gboolean live; /* somebody may be watching @stream: write every step at once */
} SinkEntry;

struct _SimTracer
{
  SimBus *bus;
  SimClock *clock;
  GArray *sinks;  /* (element-type SinkEntry) */
  SimKnowledge *knowledge;  /* (nullable) (not owned) */
};

/* Writes what the sink has rendered when its stream is live or enough has gathered; with
 * @all, writes and flushes everything. */
static void
flush_entry (SinkEntry *entry,
             gboolean   all)
{
  GString *out = entry->sink->out;

  if (entry->stream == NULL || out->len == 0)
    return;
  if (!entry->live && !all && out->len < BATCH_BYTES)
    return;
  fwrite (out->str, 1, out->len, entry->stream);
  if (entry->live || all)
    fflush (entry->stream);
  g_string_truncate (out, 0);
}

static void
fill_step (SimTracer         *self,
           const SimExchange *exchange,
           SimTraceStep      *step)
{
  step->step = exchange->step;
  step->parent = exchange->parent;
  step->depth = exchange->depth;
  step->time = sim_clock_now (self->clock);
  step->message = exchange->message;
  step->knowledge = NULL;
}

static void
on_begin (gpointer           data,
          const SimExchange *exchange)
{
  SimTracer *self = data;
  SimTraceStep step;

  fill_step (self, exchange, &step);
  for (guint i = 0; i < self->sinks->len; i++)
    {
      SinkEntry *entry = &g_array_index (self->sinks, SinkEntry, i);
      if (entry->sink->klass->begin)
        entry->sink->klass->begin (entry->sink, &step);
      flush_entry (entry, FALSE);
    }
}

static void
on_end (gpointer           data,
        const SimExchange *exchange)
{
  SimTracer *self = data;
  SimTraceStep step;
  g_autoptr(JsonObject) knowledge = NULL;

  fill_step (self, exchange, &step);
  if (self->knowledge)
    step.knowledge = knowledge = sim_knowledge_snapshot (self->knowledge);
  for (guint i = 0; i < self->sinks->len; i++)
    {
      SinkEntry *entry = &g_array_index (self->sinks, SinkEntry, i);
      if (entry->sink->klass->end)
        entry->sink->klass->end (entry->sink, &step);
      flush_entry (entry, FALSE);
    }
}

static const SimBusObserver tracer_observer = { on_begin, on_end };

/**
 * sim_tracer_new:
 * @bus: (not owned): must outlive the tracer
 *
 * Returns: (transfer full): a tracer observing @bus, with no sinks yet.
 */
SimTracer *
sim_tracer_new (SimBus   *bus,
                SimClock *clock)
{
  SimTracer *self = g_new0 (SimTracer, 1);
  self->bus = bus;
  self->clock = sim_clock_ref (clock);
  self->sinks = g_array_new (FALSE, FALSE, sizeof (SinkEntry));
  sim_bus_add_observer (bus, &tracer_observer, self);
  return self;
}

void
sim_tracer_free (SimTracer *self)
{
  if (!self)
    return;
  sim_bus_remove_observer (self->bus, self);
  for (guint i = 0; i < self->sinks->len; i++)
    {
      SinkEntry *entry = &g_array_index (self->sinks, SinkEntry, i);
      flush_entry (entry, TRUE);
      sim_sink_free (entry->sink);
    }
  g_array_unref (self->sinks);
  sim_clock_unref (self->clock);
  g_free (self);
}

/**
 * sim_tracer_add_sink:
 * @sink: (transfer full)
 * @stream: (nullable): where to write, open until the tracer is freed: each step at once in
 *   serve mode and on a terminal, otherwise in large pieces and all of it by
 *   sim_tracer_finish(); %NULL keeps the output in memory
 */
void
sim_tracer_add_sink (SimTracer *self,
                     SimSink   *sink,
                     FILE      *stream)
{
  SinkEntry entry = { sink, stream, FALSE };

  if (stream)
    entry.live = !sim_clock_is_simulated (self->clock) || isatty (fileno (stream));
  g_array_append_val (self->sinks, entry);
}

/* With a tracker, each step's end carries who knows what (it must observe the bus before the
 * tracer does, so that it has seen the step). */
void
sim_tracer_set_knowledge (SimTracer    *self,
                          SimKnowledge *knowledge)
{
  self->knowledge = knowledge;
}

void
sim_tracer_remark (SimTracer  *self,
                   SimRemark   kind,
                   const char *format,
                   ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  for (guint i = 0; i < self->sinks->len; i++)
    {
      SinkEntry *entry = &g_array_index (self->sinks, SinkEntry, i);
      if (entry->sink->klass->remark)
        entry->sink->klass->remark (entry->sink, kind, text);
      flush_entry (entry, FALSE);
    }
}

/* A failed expectation: a record for the sinks that keep one, a remark for the others. */
void
sim_tracer_check_failed (SimTracer             *self,
                         const SimCheckFailure *failure)
{
  for (guint i = 0; i < self->sinks->len; i++)
    {
      SinkEntry *entry = &g_array_index (self->sinks, SinkEntry, i);
      if (entry->sink->klass->check_failed)
        entry->sink->klass->check_failed (entry->sink, failure);
      else if (entry->sink->klass->remark)
        entry->sink->klass->remark (entry->sink, SIM_REMARK_CHECK_FAIL, failure->message);
      flush_entry (entry, FALSE);
    }
}

void
sim_tracer_finish (SimTracer *self)
{
  for (guint i = 0; i < self->sinks->len; i++)
    {
      SinkEntry *entry = &g_array_index (self->sinks, SinkEntry, i);
      if (entry->sink->klass->finish)
        entry->sink->klass->finish (entry->sink);
      flush_entry (entry, TRUE);
    }
}

/**
 * sim_tracer_steal_output:
 * Returns: (transfer full): what sink number @index has written and not flushed.
 */
char *
sim_tracer_steal_output (SimTracer *self,
                         guint      index)
{
  SimSink *sink;
  char *text;

  g_return_val_if_fail (index < self->sinks->len, NULL);
  sink = g_array_index (self->sinks, SinkEntry, index).sink;
  text = g_strndup (sink->out->str, sink->out->len);
  g_string_truncate (sink->out, 0);
  return text;
}

void
sim_sink_free (SimSink *sink)
{
  if (!sink)
    return;
  g_string_free (sink->out, TRUE);
  if (sink->klass->destroy)
    sink->klass->destroy (sink);
  else
    g_free (sink);
}
