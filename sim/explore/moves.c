/* moves.c: the moves the explorer tries in every state, written as scenario steps so that a
 * path through the search is a scenario file as it stands.
 *
 * The honest actors follow their script (the scenario's own steps, or the classic lesson's) in
 * order; the owner may also answer whatever consent page her browser shows. The attacker's
 * moves are the primitives of RFC 9700 §3's attacker model, none of them one attack's: a web
 * attacker with a site and an account of its own (A1), who can send the owner's browser to an
 * address it builds from what it knows, read what front-channel addresses and logs leak
 * (A3, A4), send again or redeem or use what it learned, and who runs a counterfeit
 * authorization server and API that the client may be pointed at. */
#include <string.h>

#include "sim/explore/explore.h"

static JsonObject *
step (JsonArray  *steps,
      const char *actor,
      const char *action)
{
  JsonObject *object = json_object_new ();
  json_object_set_string_member (object, "actor", actor);
  json_object_set_string_member (object, "action", action);
  json_array_add_object_element (steps, object);
  return object;
}

static const char *
member (JsonObject *root,
        const char *object,
        const char *name,
        const char *fallback)
{
  JsonObject *inner = json_object_has_member (root, object)
                      && JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, object))
                      ? json_object_get_object_member (root, object) : NULL;
  return inner ? json_object_get_string_member_with_default (inner, name, fallback) : fallback;
}

/**
 * sim_moves_init:
 * @root: the scenario file's object
 * @honest: the honest actors' script (steps without the attacker's)
 */
void
sim_moves_init (SimMoves   *moves,
                JsonObject *root,
                JsonArray  *honest)
{
  const char *attacker = member (root, "attacker", "origin", "https://attacker.example");
  const char *client = member (root, "client", "origin", "https://client.example");
  const char *redirect = member (root, "client", "redirect_uri", "https://client.example/callback");
  g_autofree char *callback = g_strconcat (attacker, "/callback", NULL);
  g_autofree char *steal = g_strconcat (attacker, "/steal", NULL);
  g_autofree char *redirector = g_strconcat (redirect, "/../go?to=", steal, NULL);
  g_autofree char *connect = g_strconcat (client, "/connect?server=", attacker, NULL);
  g_autofree char *weather = g_strconcat (attacker, "/weather", NULL);
  JsonArray *steps = json_array_new ();

  moves->steps = steps;
  moves->honest = 0;
  for (guint i = 0; i < json_array_get_length (honest); i++)
    {
      JsonObject *one = json_array_get_object_element (honest, i);
      const char *actor = json_object_get_string_member_with_default (one, "actor", "");
      JsonNode *copy;
      if (strcmp (actor, "attacker") == 0)
        continue;
      copy = json_node_copy (json_array_get_element (honest, i));
      json_object_remove_member (json_node_get_object (copy), "expect");
      json_object_remove_member (json_node_get_object (copy), "tamper");
      json_array_add_element (steps, copy);
      moves->honest++;
    }

  /* the owner answers the consent page in front of her, wherever it came from */
  step (steps, "resource-owner", "consent");
  /* A1: its own client and its own account */
  step (steps, "attacker", "register");
  step (steps, "attacker", "authorize");
  {
    JsonObject *victim = step (steps, "attacker", "authorize");
    json_object_set_string_member (victim, "client", "victim");
    json_object_set_boolean_member (victim, "pkce", FALSE);
    victim = step (steps, "attacker", "authorize");
    json_object_set_string_member (victim, "client", "victim");
    json_object_set_boolean_member (victim, "pkce", TRUE);
  }
  /* use a code, a refresh token, an access token it holds; send a request it saw again */
  step (steps, "attacker", "redeem");
  json_object_set_string_member (step (steps, "attacker", "redeem"), "as", "own");
  json_object_set_string_member (step (steps, "attacker", "redeem"), "as", "app");
  step (steps, "attacker", "refresh");
  step (steps, "attacker", "call-api");
  step (steps, "attacker", "replay");
  /* send the owner's browser to an address built from what it knows */
  step (steps, "attacker", "forge-callback");
  step (steps, "attacker", "frame");
  step (steps, "attacker", "phish");
  json_object_set_string_member (step (steps, "attacker", "phish"), "redirect_uri", callback);
  if (g_str_has_prefix (redirect, "https://"))
    {
      /* a host under its own zone that begins with the registered address */
      g_autofree char *host = g_strndup (redirect + 8, strcspn (redirect + 8, "/?#"));
      g_autofree char *lookalike = g_strdup_printf ("https://%s.%s/", host, attacker + 8);
      json_object_set_string_member (step (steps, "attacker", "phish"), "redirect_uri", lookalike);
    }
  json_object_set_string_member (step (steps, "attacker", "phish"), "redirect_uri", redirector);
  /* A3, A4: what leaks of the front channel (a browser history) and of requests (a log) */
  {
    static const char *const leaks[][2] = {
      { "GET /authorize", "history" }, { "GET /callback", "history" }, { "POST /token", "log" },
    };
    for (guint i = 0; i < G_N_ELEMENTS (leaks); i++)
      {
        JsonObject *leak = step (steps, "attacker", "read-leak");
        json_object_set_string_member (leak, "exchange", leaks[i][0]);
        json_object_set_string_member (leak, "source", leaks[i][1]);
      }
  }
  /* its counterfeit authorization server and API, which the client may be pointed at */
  json_object_set_string_member (step (steps, "client", "register"), "server", attacker);
  json_object_set_string_member (step (steps, "resource-owner", "connect"), "url", connect);
  json_object_set_string_member (step (steps, "client", "call-api"), "url", weather);
}

void
sim_moves_clear (SimMoves *moves)
{
  g_clear_pointer (&moves->steps, json_array_unref);
}
