/* terminal.c: how the text trace fits the terminal it is shown on: colour only on a terminal
 * and never with NO_COLOR set (GLib 2.74 does not honour it itself), and the terminal's width. */
#include <sys/ioctl.h>
#include <unistd.h>

#include "sim/cli/cli.h"

gboolean cli_no_color = FALSE;

/**
 * cli_text_options:
 * @show_knowledge: --show-knowledge was given
 *
 * Returns: the text sink's options for standard output.
 */
SimTextOptions
cli_text_options (gboolean show_knowledge)
{
  SimTextOptions options = { 0 };
  const char *env = g_getenv ("NO_COLOR");
  struct winsize size;

  options.color = !cli_no_color && isatty (STDOUT_FILENO) && (env == NULL || *env == '\0');
  options.width = 78;
  if (isatty (STDOUT_FILENO) && ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    options.width = CLAMP (size.ws_col - 1, 60, 100);
  options.show_knowledge = show_knowledge;
  return options;
}
