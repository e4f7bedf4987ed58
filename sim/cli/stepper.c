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

/* Returns the chunk to show next, or chunks->len to stop. */
static guint
ask (GPtrArray *chunks,
     guint      shown)
{
  char line[64];
  guint steps = chunks->len - 1;  /* the last chunk is the run's closing remarks */

  for (;;)
    {
      guint64 wanted;

      fprintf (stderr, _("── step %u of %u · Enter: next · b: back · number: jump · q: quit ── "),
               ((CliChunk *) chunks->pdata[shown])->step, ((CliChunk *) chunks->pdata[steps - 1])->step);
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
        {
          for (guint i = 0; i < steps; i++)
            if (((CliChunk *) chunks->pdata[i])->step == wanted)
              return i;
        }
      fprintf (stderr, _("Type Enter, b, q or a step number from 1 to %u.\n"),
               ((CliChunk *) chunks->pdata[steps - 1])->step);
    }
}

/**
 * cli_step_through:
 * @chunks: (element-type CliChunk): the trace cut after each step, then the closing part
 * @until_phase: show everything before the first step of this phase without pausing; -1: none
 */
void
cli_step_through (GPtrArray *chunks,
                  int        until_phase)
{
  guint shown = 0;
  guint steps = chunks->len - 1;

  if (steps == 0)
    {
      show_up_to (chunks, 0, FALSE);
      return;
    }
  if (until_phase >= 0)
    {
      while (shown < steps && ((CliChunk *) chunks->pdata[shown])->phase != until_phase)
        shown++;
      if (shown == steps)
        {
          show_up_to (chunks, chunks->len - 1, FALSE);
          return;
        }
      /* stop just before the phase starts: show what came before it, then pause */
      if (shown > 0)
        shown--;
    }
  show_up_to (chunks, shown, FALSE);
  for (;;)
    {
      guint next = ask (chunks, shown);
      if (next >= steps)
        {
          if (next == steps)
            for (guint i = shown + 1; i < chunks->len; i++)
              fputs (((CliChunk *) chunks->pdata[i])->text, stdout);
          fflush (stdout);
          return;
        }
      if (next == shown + 1)
        fputs (((CliChunk *) chunks->pdata[next])->text, stdout);
      else
        show_up_to (chunks, next, TRUE);
      fflush (stdout);
      shown = next;
    }
}
