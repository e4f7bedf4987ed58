/* phase.h: the phases of the lesson that every traced step is labelled with.
 *
 * The names are a public interface: they appear as `phase` in the JSON Lines trace.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SIM_PHASE_NONE = 0,
  SIM_PHASE_REGISTRATION,
  SIM_PHASE_CONSENT,
  SIM_PHASE_CODE_EXCHANGE,
  SIM_PHASE_TOKEN_REQUEST,      /* a token for a grant without a code: client credentials */
  SIM_PHASE_ACCESS,
  SIM_PHASE_REFRESH,
  SIM_PHASE_REVOCATION,
  SIM_PHASE_LAST = SIM_PHASE_REVOCATION,
} SimPhase;

const char *sim_phase_to_string  (SimPhase    phase);
const char *sim_phase_to_label   (SimPhase    phase);
gboolean    sim_phase_from_string (const char *name,
                                   SimPhase   *phase);

G_END_DECLS
