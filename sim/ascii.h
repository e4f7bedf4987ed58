/* ascii.h: ASCII case-insensitive equality, inline, for header names, schemes, hosts and media
 * types: compared on every message, so not worth a function call per character
 * (g_ascii_strcasecmp). */
#pragma once

#include <glib.h>

static inline gboolean
sim_ascii_equal_caseless (const char *a,
                          const char *b)
{
  for (;; a++, b++)
    {
      guchar x = *a, y = *b;

      if (x != y)
        {
          x = x >= 'A' && x <= 'Z' ? x + 32 : x;
          y = y >= 'A' && y <= 'Z' ? y + 32 : y;
          if (x != y)
            return FALSE;
        }
      if (x == '\0')
        return TRUE;
    }
}
