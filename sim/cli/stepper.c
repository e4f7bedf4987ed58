/* stepper.c: --step and --until: shows a finished trace one step at a time.
 *
 * The run is deterministic, so the trace is computed once and cut after every step; going back
 * redraws the screen exactly as it stood after the earlier step.
 */
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"

static void
show_up_to (GPtrArray *chunks,
            guint      last,
            gboolean   clear)
{
  if (clear)
    fputs ("\033[H\033[2J", stdout);
  for (guint i = 0; i <= last && i < chunks->len; i++)
    fputs (((CliChunk *) chunks->pdata[i])->text, stdout);
  fflush (stdout);
}

static guint
step_of (GPtrArray *chunks,
         guint      index)
{
  return ((CliChunk *) chunks->pdata[index])->step;
}

/* Returns the index of the chunk to show next; chunks->len to stop. */
static guint
ask (GPtrArray *chunks,
     guint      shown)
{
  char line[64];
  guint last = chunks->len - 1;

  for (;;)
    {
      guint64 wanted;

      fprintf (stderr, _("── step %u of %u · Enter: next · b: back · number: jump · q: quit ── "),
               step_of (chunks, shown), step_of (chunks, last));
      fflush (stderr);
      if (fgets (line, sizeof line, stdin) == NULL)
        return chunks->len;
      g_strstrip (line);
      if (line[0] == '\0')
        return shown + 1;
      if (strcmp (line, "q") == 0)
        return chunks->len;
      if (strcmp (line, "b") == 0)
        return shown > 0 ? shown - 1 : 0;
      if (g_ascii_string_to_unsigned (line, 10, 1, G_MAXUINT, &wanted, NULL))
        for (guint i = 0; i <= last; i++)
          if (step_of (chunks, i) == wanted)
            return i;
      fprintf (stderr, _("Type Enter, b, q or a step number from %u to %u.\n"),
               step_of (chunks, 0), step_of (chunks, last));
    }
}

/**
 * cli_step_through:
 * @chunks: (element-type CliChunk): the trace cut where each step begins, in step order
 * @until_phase: first show, without pausing, everything before the first step of this phase;
 *   -1: pause from the first step
 */
void
cli_step_through (GPtrArray *chunks,
                  int        until_phase)
{
  guint shown = 0;

  if (until_phase >= 0)
    {
      while (shown < chunks->len && ((CliChunk *) chunks->pdata[shown])->phase != until_phase)
        shown++;
      if (shown == chunks->len)
        {
          show_up_to (chunks, chunks->len - 1, FALSE);
          return;
        }
      if (shown > 0)
        shown--;
    }
  show_up_to (chunks, shown, FALSE);
  while (shown + 1 < chunks->len)
    {
      guint next = ask (chunks, shown);
      if (next >= chunks->len)
        return;
      if (next == shown + 1)
        fputs (((CliChunk *) chunks->pdata[next])->text, stdout);
      else
        show_up_to (chunks, next, TRUE);
      fflush (stdout);
      shown = next;
    }
}
