/* tracer.h: turns bus exchanges into numbered, phase-labelled steps and hands them to sinks.
 *
 * A sink renders steps in one format (text, JSON Lines, ...). The tracer also carries the
 * scenario's own remarks (a title, the clock moving, a failed expectation), which are not
 * exchanges but belong in a lesson.
 */
#pragma once

#include <stdio.h>

#include "sim/bus.h"
#include "sim/clock.h"
#include "sim/knowledge.h"

G_BEGIN_DECLS

typedef struct
{
  guint step;
  guint parent;
  guint depth;
  gint64 time;
  SimMessage *message;   /* (not owned) */
  JsonObject *knowledge; /* (nullable) at the end of a step: actor -> kinds of secrets held */
} SimTraceStep;

typedef enum
{
  SIM_REMARK_TITLE,      /* the lesson's title */
  SIM_REMARK_TEXT,       /* a paragraph: the lesson's description */
  SIM_REMARK_SECTION,    /* a scenario step begins: what it does */
  SIM_REMARK_CLOCK,      /* simulated time moved */
  SIM_REMARK_NOTE,       /* a teacher's note */
  SIM_REMARK_CHECK_OK,   /* an expectation held */
  SIM_REMARK_CHECK_FAIL, /* an expectation failed */
} SimRemark;

/* A failed expectation. A sink that records it as such (the JSON Lines trace writes a record
 * of its own) has a check_failed method; the others get its message as a
 * SIM_REMARK_CHECK_FAIL remark. */
typedef struct
{
  const char *message;       /* the diagnostic, as `run` and `check` print it */
  const char *file;
  guint line;                /* where the expectation stands in the file */
  guint column;
  guint scenario_step;       /* 1, 2, …: the scenario's step (the text trace's ▶ N/M) */
  const char *actor;
  const char *action;
  guint trace_step;          /* the trace step checked (── N ·) or, for an expectation about
                              * no one exchange, the last of the scenario step; 0: none */
  const char *exchange;      /* (nullable) "METHOD /path" of the exchange checked */
  GPtrArray *problems;       /* (element-type utf8): what was expected and what was seen */
} SimCheckFailure;

typedef struct _SimSink SimSink;

typedef struct
{
  void (*begin)   (SimSink *sink, const SimTraceStep *step);
  void (*end)     (SimSink *sink, const SimTraceStep *step);
  void (*remark)  (SimSink *sink, SimRemark kind, const char *text);
  void (*check_failed) (SimSink *sink, const SimCheckFailure *failure);
  void (*finish)  (SimSink *sink);
  void (*destroy) (SimSink *sink);
} SimSinkClass;

struct _SimSink
{
  const SimSinkClass *klass;
  GString *out;          /* what the sink wrote and the tracer has not flushed yet */
};

typedef struct
{
  gboolean color;
  guint width;           /* columns for the text view */
  gboolean show_knowledge;
} SimTextOptions;

SimSink *sim_sink_text_new   (const SimTextOptions *options);
SimSink *sim_sink_jsonl_new  (void);
SimSink *sim_sink_mermaid_new (void);
SimSink *sim_sink_html_new   (void);
void     sim_sink_free       (SimSink *sink);

typedef struct _SimTracer SimTracer;

SimTracer *sim_tracer_new        (SimBus     *bus,
                                  SimClock   *clock);
void       sim_tracer_free       (SimTracer  *self);
void       sim_tracer_add_sink   (SimTracer  *self,
                                  SimSink    *sink,
                                  FILE       *stream);
void       sim_tracer_remark     (SimTracer  *self,
                                  SimRemark   kind,
                                  const char *format,
                                  ...) G_GNUC_PRINTF (3, 4);
void       sim_tracer_check_failed (SimTracer             *self,
                                  const SimCheckFailure *failure);
void       sim_tracer_set_knowledge (SimTracer    *self,
                                  SimKnowledge *knowledge);
void       sim_tracer_finish     (SimTracer  *self);
char      *sim_tracer_steal_output (SimTracer *self,
                                  guint       index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimTracer, sim_tracer_free)

G_END_DECLS
