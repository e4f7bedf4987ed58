/* jose-sample.c: sim/jose.c on a command line, for tests/test-jose-interop.py, which checks it
 * against a third-party JOSE library both ways.
 *
 *   jose-sample sign SEED KID CLAIMS-JSON   one line of JSON: the key's public JWK, its RFC 7638
 *                                           thumbprint and CLAIMS signed with typ at+jwt
 *   jose-sample verify TOKEN JWK-JSON       the header and claims as one line of JSON, or the
 *                                           error on stderr and exit status 1 */
#include <stdio.h>
#include <stdlib.h>

#include "sim/jose.h"
#include "sim/json-write.h"

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  if (!node || !JSON_NODE_HOLDS_OBJECT (node))
    {
      fprintf (stderr, "jose-sample: not a JSON object: %s\n", text);
      exit (2);
    }
  return json_object_ref (json_node_get_object (node));
}

static void
print_object (JsonObject *object)
{
  g_autoptr(GString) text = g_string_new (NULL);

  sim_json_write_object (text, object);
  printf ("%s\n", text->str);
}

static int
sign (const char *seed,
      const char *kid,
      const char *claims_text)
{
  g_autoptr(SimRng) rng = sim_rng_new_seeded (g_ascii_strtoull (seed, NULL, 10));
  g_autoptr(SimJoseKey) key = sim_jose_key_new_from_rng (rng, kid);
  g_autoptr(JsonObject) claims = parse_object (claims_text);
  g_autoptr(JsonObject) members = json_object_new ();
  g_autoptr(JsonObject) out = json_object_new ();
  g_autofree char *thumbprint = sim_jose_key_thumbprint (key);
  g_autofree char *token = NULL;

  json_object_set_string_member (members, "typ", "at+jwt");
  token = sim_jose_sign (key, members, claims);
  json_object_set_object_member (out, "jwk", sim_jose_key_to_public_jwk (key));
  json_object_set_string_member (out, "thumbprint", thumbprint);
  json_object_set_string_member (out, "token", token);
  print_object (out);
  return 0;
}

static int
verify (const char *token,
        const char *jwk_text)
{
  g_autoptr(JsonObject) jwk = parse_object (jwk_text);
  g_autoptr(JsonObject) header = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(JsonObject) out = json_object_new ();
  g_autoptr(GError) error = NULL;

  if (!sim_jose_verify_with_jwk (token, jwk, &header, &claims, &error))
    {
      fprintf (stderr, "jose-sample: %s\n", error->message);
      return 1;
    }
  json_object_set_object_member (out, "header", g_steal_pointer (&header));
  json_object_set_object_member (out, "claims", g_steal_pointer (&claims));
  print_object (out);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc == 5 && g_str_equal (argv[1], "sign"))
    return sign (argv[2], argv[3], argv[4]);
  if (argc == 4 && g_str_equal (argv[1], "verify"))
    return verify (argv[2], argv[3]);
  fprintf (stderr, "usage: jose-sample sign SEED KID CLAIMS-JSON | verify TOKEN JWK-JSON\n");
  return 2;
}
