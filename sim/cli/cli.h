/* cli.h: the oauth-sim command line, a verb dispatcher in the style of GLib's gio tool. Each
 * verb has its own GOptionContext; data goes to stdout, diagnostics to stderr, and the exit
 * status is 0 for success, 1 when a scenario's expectations fail, 2 for trouble. */
#pragma once

#include <glib.h>

#include "sim/scenario/scenario.h"
#include "sim/tracer.h"

G_BEGIN_DECLS

enum
{
  CLI_OK = 0,
  CLI_FAILED = 1,
  CLI_TROUBLE = 2,
};

typedef struct
{
  const char *name;
  const char *parameters;
  const char *summary;
  int (*run) (int argc, char **argv);
} CliVerb;

int  cli_run     (int argc, char **argv);
int  cli_demo    (int argc, char **argv);
int  cli_check   (int argc, char **argv);
int  cli_list    (int argc, char **argv);
int  cli_serve   (int argc, char **argv);
int  cli_bench   (int argc, char **argv);
int  cli_attacks (int argc, char **argv);
int  cli_explore (int argc, char **argv);

const CliVerb *cli_find_verb (const char *name);
void  cli_error    (const char *format, ...) G_GNUC_PRINTF (1, 2);
int   cli_usage_error (const char *verb, const char *message);

/* golden-diff.c */
char *cli_golden_difference (const char *expected, const char *actual);
GOptionContext *cli_context_new (const char *verb);
gboolean cli_parse (GOptionContext *context, int *argc, char ***argv, GError **error);
extern gboolean cli_no_color;  /* --no-color, which every verb takes */

/* profile-option.c: --profile, for the verbs that load scenarios */
extern char *cli_profile;      /* NULL: each scenario's own; "all" only for attacks */
void  cli_add_profile_option (GOptionContext *context, gboolean all);
const char *cli_load_profile (void);

/* Built-in lessons, embedded with GResource. */
GStrv        cli_builtin_names (void);
GStrv        cli_builtin_attack_names (void);
SimScenario *cli_load_builtin  (const char *name, GError **error);
void         cli_collect_scenarios (const char *path, GPtrArray *files);

/* catalog.c: the lessons in scenarios/, installed or in the source tree. */
char        *cli_catalog_dir (void);
GPtrArray   *cli_catalog_names (void);
SimScenario *cli_load_scenario (const char *path, GError **error);

/* terminal.c */
SimTextOptions cli_text_options (gboolean show_knowledge);

/* lang.c */
gboolean     cli_setup_language (int *argc, char **argv);

/* How a trace is shown: shared by run and demo. */
typedef struct
{
  const char *verb;  /* run or demo, for the usage errors */
  char *format;      /* text, jsonl, mermaid or html */
  gboolean show_knowledge;
  gboolean step;
  char *until;
  gint64 seed;
  gboolean seed_set;
} CliTraceOptions;

GOptionGroup *cli_trace_options_group (CliTraceOptions *options);
int           cli_play               (SimScenario     *scenario,
                                      CliTraceOptions *options);
void          cli_trace_options_clear (CliTraceOptions *options);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliTraceOptions, cli_trace_options_clear)

/* stepper.c */
typedef struct
{
  char *text;
  guint step;
  int phase;
} CliChunk;

void cli_step_through (GPtrArray *chunks, int until_phase);

G_END_DECLS
