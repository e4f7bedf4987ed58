/* phase.c: names of the lesson's phases, for machines (JSON) and for people (translated). */
#include <glib/gi18n-lib.h>

#include "sim/phase.h"

static const struct
{
  const char *id;
  const char *label;
} phases[] = {
  [SIM_PHASE_NONE] = { "none", N_("setup") },
  [SIM_PHASE_REGISTRATION] = { "registration", N_("registration") },
  [SIM_PHASE_CONSENT] = { "consent", N_("consent") },
  [SIM_PHASE_CODE_EXCHANGE] = { "code-exchange", N_("code exchange") },
  [SIM_PHASE_TOKEN_REQUEST] = { "token-request", N_("token request") },
  [SIM_PHASE_ACCESS] = { "access", N_("access") },
  [SIM_PHASE_REFRESH] = { "refresh", N_("refresh") },
  [SIM_PHASE_REVOCATION] = { "revocation", N_("revocation") },
};

/**
 * sim_phase_to_string:
 * Returns: (transfer none): the stable machine name, e.g. "code-exchange".
 */
const char *
sim_phase_to_string (SimPhase phase)
{
  g_return_val_if_fail (phase <= SIM_PHASE_LAST, "none");
  return phases[phase].id;
}

/**
 * sim_phase_to_label:
 * Returns: (transfer none): the translated name shown to people.
 */
const char *
sim_phase_to_label (SimPhase phase)
{
  g_return_val_if_fail (phase <= SIM_PHASE_LAST, "");
  return _(phases[phase].label);
}

gboolean
sim_phase_from_string (const char *name,
                       SimPhase   *phase)
{
  for (guint i = SIM_PHASE_REGISTRATION; i <= SIM_PHASE_LAST; i++)
    if (g_strcmp0 (name, phases[i].id) == 0)
      {
        *phase = i;
        return TRUE;
      }
  return FALSE;
}
