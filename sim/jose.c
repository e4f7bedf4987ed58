/* jose.c: ES256 JWS compact serialization, JWK, JWK Sets and thumbprints (see jose.h).
 *
 * The libraries do the cryptography: nettle's ecc_point_mul_g gives a private scalar its public
 * point (GnuTLS cannot derive it: gnutls_privkey_import_ecc_raw needs x and y, and its seeded
 * key generation is for RSA and DSA only); GnuTLS signs with deterministic ECDSA (RFC 6979,
 * GNUTLS_PRIVKEY_FLAG_REPRODUCIBLE) and verifies, and converts between the DER signature it
 * speaks and the 64 bytes R || S that JWS carries (RFC 7518 §3.4). GLib hashes (GChecksum) and
 * decodes base64; json-glib parses. */
#include <string.h>

#include <glib/gi18n.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <nettle/bignum.h>
#include <nettle/ecc.h>
#include <nettle/ecc-curve.h>

#include "sim/jose-private.h"
#include "sim/json-write.h"

#define COORDINATE_SIZE 32  /* P-256: 256-bit coordinates, scalars and halves of a signature */

struct _SimJoseKey
{
  gatomicrefcount refs;
  char *kid;                   /* (nullable) */
  guint8 x[COORDINATE_SIZE];
  guint8 y[COORDINATE_SIZE];
  gnutls_privkey_t private;    /* (nullable) a public key only */
  gnutls_pubkey_t public;
};

G_DEFINE_QUARK (sim-jose-error-quark, sim_jose_error)

static SimJoseKey *
key_new (const char *kid)
{
  SimJoseKey *self = g_new0 (SimJoseKey, 1);

  g_atomic_ref_count_init (&self->refs);
  self->kid = g_strdup (kid);
  return self;
}

/* Imports x and y as the key's public half; FALSE if they are no point of P-256. */
static gboolean
key_set_public (SimJoseKey *self)
{
  gnutls_datum_t x = { self->x, COORDINATE_SIZE };
  gnutls_datum_t y = { self->y, COORDINATE_SIZE };

  if (gnutls_pubkey_init (&self->public) < 0)
    g_error ("gnutls_pubkey_init failed");
  return gnutls_pubkey_import_ecc_raw (self->public, GNUTLS_ECC_CURVE_SECP256R1, &x, &y) >= 0
         && gnutls_pubkey_verify_params (self->public) >= 0;
}

/* The key of private scalar @d, or NULL when @d is 0 or not below the group order. */
static SimJoseKey *
key_new_from_scalar (const guint8 d[COORDINATE_SIZE],
                     const char  *kid)
{
  const struct ecc_curve *curve = nettle_get_secp_256r1 ();
  struct ecc_scalar scalar;
  struct ecc_point point;
  mpz_t z, x, y;
  gboolean in_range;
  SimJoseKey *self;

  mpz_inits (z, x, y, NULL);
  ecc_scalar_init (&scalar, curve);
  ecc_point_init (&point, curve);
  nettle_mpz_set_str_256_u (z, COORDINATE_SIZE, d);
  in_range = ecc_scalar_set (&scalar, z);  /* 0 < d < n, or 0 */
  if (in_range)
    {
      ecc_point_mul_g (&point, &scalar);
      ecc_point_get (&point, x, y);
    }

  self = key_new (kid);
  if (in_range)
    {
      gnutls_datum_t xd = { self->x, COORDINATE_SIZE };
      gnutls_datum_t yd = { self->y, COORDINATE_SIZE };
      gnutls_datum_t kd = { (guint8 *) d, COORDINATE_SIZE };

      nettle_mpz_get_str_256 (COORDINATE_SIZE, self->x, x);
      nettle_mpz_get_str_256 (COORDINATE_SIZE, self->y, y);
      if (gnutls_privkey_init (&self->private) < 0
          || gnutls_privkey_import_ecc_raw (self->private, GNUTLS_ECC_CURVE_SECP256R1,
                                            &xd, &yd, &kd) < 0
          || !key_set_public (self))
        g_error ("GnuTLS refused a P-256 key nettle computed");
    }

  ecc_point_clear (&point);
  ecc_scalar_clear (&scalar);
  mpz_clears (z, x, y, NULL);
  if (!in_range)
    g_clear_pointer (&self, sim_jose_key_unref);
  return self;
}

/**
 * sim_jose_key_new_from_rng:
 * @kid: (nullable): the key's id, written in its JWK and in the header of what it signs
 *
 * Draws a P-256 private key from @rng: 32 bytes at a time until they are a valid scalar (the
 * first draw is, but for a chance of about 2^-32). A seeded generator gives the same key on
 * every machine.
 *
 * Returns: (transfer full): a private key (it can sign and verify).
 */
SimJoseKey *
sim_jose_key_new_from_rng (SimRng     *rng,
                           const char *kid)
{
  g_return_val_if_fail (rng != NULL, NULL);

  for (;;)
    {
      guint8 d[COORDINATE_SIZE];
      SimJoseKey *key;

      sim_rng_fill (rng, d, sizeof d);
      key = key_new_from_scalar (d, kid);
      memset (d, 0, sizeof d);
      if (key)
        return key;
    }
}

/**
 * sim_jose_key_new_from_scalar:
 * @d: the private scalar, big-endian
 * @kid: (nullable): the key's id
 *
 * Returns: (transfer full) (nullable): a private key, or NULL with SIM_JOSE_ERROR_BAD_KEY when
 * @d is 0 or not below the order of P-256.
 */
SimJoseKey *
sim_jose_key_new_from_scalar (const guint8  d[32],
                              const char   *kid,
                              GError      **error)
{
  SimJoseKey *key;

  g_return_val_if_fail (d != NULL, NULL);

  key = key_new_from_scalar (d, kid);
  if (!key)
    g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_BAD_KEY,
                 _("the private key is not a number between 1 and the order of P-256"));
  return key;
}

/* The member @name of @object as a string, or NULL when it is missing or no string. */
static const char *
object_get_string (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (!node || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Decodes the coordinate @name of @jwk into @out. */
static gboolean
jwk_get_coordinate (JsonObject  *jwk,
                    const char  *name,
                    guint8       out[COORDINATE_SIZE],
                    GError     **error)
{
  const char *text = object_get_string (jwk, name);
  g_autofree guint8 *bytes = NULL;
  gsize length = 0;

  if (!text)
    {
      g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_BAD_KEY,
                   _("the key has no “%s” coordinate"), name);
      return FALSE;
    }
  bytes = sim_base64url_decode (text, -1, &length, NULL);
  if (!bytes || length != COORDINATE_SIZE)
    {
      g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_BAD_KEY,
                   _("the key's “%s” is not 32 bytes in base64url (RFC 7518 §6.2.1)"), name);
      return FALSE;
    }
  memcpy (out, bytes, COORDINATE_SIZE);
  return TRUE;
}

/**
 * sim_jose_key_new_from_jwk:
 * @jwk: a public JWK (RFC 7517 §4): kty "EC", crv "P-256", x and y; alg, when present,
 *   "ES256", and use, when present, "sig"
 *
 * Returns: (transfer full) (nullable): a public key (it verifies, it cannot sign), or NULL with
 * SIM_JOSE_ERROR_BAD_KEY saying what is wrong, a point off the curve among them.
 */
SimJoseKey *
sim_jose_key_new_from_jwk (JsonObject  *jwk,
                           GError     **error)
{
  g_autoptr(SimJoseKey) key = NULL;
  const char *kty, *crv, *alg, *use;

  g_return_val_if_fail (jwk != NULL, NULL);

  kty = object_get_string (jwk, "kty");
  crv = object_get_string (jwk, "crv");
  alg = object_get_string (jwk, "alg");
  use = object_get_string (jwk, "use");
  if (g_strcmp0 (kty, "EC") != 0 || g_strcmp0 (crv, "P-256") != 0)
    {
      g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_BAD_KEY,
                   _("the key is not an elliptic-curve key on P-256 (kty “EC”, crv “P-256”)"));
      return NULL;
    }
  if ((json_object_has_member (jwk, "alg") && g_strcmp0 (alg, "ES256") != 0)
      || (json_object_has_member (jwk, "use") && g_strcmp0 (use, "sig") != 0))
    {
      g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_BAD_KEY,
                   _("the key is not meant for ES256 signatures (its alg or use says otherwise)"));
      return NULL;
    }
  if (json_object_has_member (jwk, "d"))
    {
      /* A public key set never carries the private part (RFC 7517 §9.2 warns about it). */
      g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_BAD_KEY,
                   _("the key carries its private part “d”, which a public key must not"));
      return NULL;
    }

  key = key_new (object_get_string (jwk, "kid"));
  if (!jwk_get_coordinate (jwk, "x", key->x, error)
      || !jwk_get_coordinate (jwk, "y", key->y, error))
    return NULL;
  if (!key_set_public (key))
    {
      g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_BAD_KEY,
                   _("the key's x and y are not a point of P-256"));
      return NULL;
    }
  return g_steal_pointer (&key);
}

SimJoseKey *
sim_jose_key_ref (SimJoseKey *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->refs);
  return self;
}

void
sim_jose_key_unref (SimJoseKey *self)
{
  if (!self || !g_atomic_ref_count_dec (&self->refs))
    return;
  g_clear_pointer (&self->private, gnutls_privkey_deinit);
  g_clear_pointer (&self->public, gnutls_pubkey_deinit);
  g_free (self->kid);
  g_free (self);
}

/**
 * sim_jose_key_get_kid:
 * Returns: (nullable): the key's id
 */
const char *
sim_jose_key_get_kid (SimJoseKey *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->kid;
}

gboolean
sim_jose_key_is_private (SimJoseKey *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->private != NULL;
}

static void
object_set_base64url (JsonObject   *object,
                      const char   *name,
                      const guint8 *data,
                      gsize         length)
{
  g_autofree char *text = sim_base64url_encode (data, length);

  json_object_set_string_member (object, name, text);
}

/**
 * sim_jose_key_to_public_jwk:
 *
 * The public half as a JWK (RFC 7517 §4, RFC 7518 §6.2.1), members in this order: kty, crv, x,
 * y, kid (when the key has one), alg, use.
 *
 * Returns: (transfer full): a new object
 */
JsonObject *
sim_jose_key_to_public_jwk (SimJoseKey *self)
{
  JsonObject *jwk;

  g_return_val_if_fail (self != NULL, NULL);

  jwk = json_object_new ();
  json_object_set_string_member (jwk, "kty", "EC");
  json_object_set_string_member (jwk, "crv", "P-256");
  object_set_base64url (jwk, "x", self->x, COORDINATE_SIZE);
  object_set_base64url (jwk, "y", self->y, COORDINATE_SIZE);
  if (self->kid)
    json_object_set_string_member (jwk, "kid", self->kid);
  json_object_set_string_member (jwk, "alg", "ES256");
  json_object_set_string_member (jwk, "use", "sig");
  return jwk;
}

/**
 * sim_jose_key_thumbprint:
 *
 * The JWK thumbprint (RFC 7638 §3): SHA-256 of the required members in lexicographic order
 * without white space, {"crv":"P-256","kty":"EC","x":"…","y":"…"}, in base64url. DPoP's jkt
 * (RFC 9449 §6.1) is this value.
 *
 * Returns: (transfer full): 43 characters of base64url
 */
char *
sim_jose_key_thumbprint (SimJoseKey *self)
{
  g_autoptr(JsonObject) members = json_object_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_length = sizeof digest;

  g_return_val_if_fail (self != NULL, NULL);

  json_object_set_string_member (members, "crv", "P-256");
  json_object_set_string_member (members, "kty", "EC");
  object_set_base64url (members, "x", self->x, COORDINATE_SIZE);
  object_set_base64url (members, "y", self->y, COORDINATE_SIZE);
  sim_json_write_object (text, members);
  g_checksum_update (checksum, (const guchar *) text->str, text->len);
  g_checksum_get_digest (checksum, digest, &digest_length);
  return sim_base64url_encode (digest, digest_length);
}

static void
append_base64url_json (GString    *out,
                       JsonObject *object)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *encoded = NULL;

  sim_json_write_object (text, object);
  encoded = sim_base64url_encode ((const guint8 *) text->str, text->len);
  g_string_append (out, encoded);
}

/**
 * sim_jose_sign_input: (skip)
 * @signature: (out caller-allocates): R || S, 32 bytes each (RFC 7518 §3.4)
 *
 * ES256 over @input, deterministic (RFC 6979): what sim_jose_sign() does to header.payload,
 * kept apart so that a test can check it against RFC 6979's own vector.
 */
void
sim_jose_sign_input (SimJoseKey   *key,
                     const guint8 *input,
                     gsize         length,
                     guint8        signature[64])
{
  gnutls_datum_t data = { (guint8 *) input, length };
  gnutls_datum_t der = { NULL, 0 }, r = { NULL, 0 }, s = { NULL, 0 };

  g_return_if_fail (key != NULL && key->private != NULL);

  if (gnutls_privkey_sign_data2 (key->private, GNUTLS_SIGN_ECDSA_SHA256,
                                 GNUTLS_PRIVKEY_FLAG_REPRODUCIBLE, &data, &der) < 0
      || gnutls_decode_rs_value (&der, &r, &s) < 0)
    g_error ("GnuTLS could not sign with ES256");

  /* DER drops a number's leading zeros, or adds one to keep it positive; JWS wants R and S as
   * two 32-byte big-endian numbers. */
  memset (signature, 0, 2 * COORDINATE_SIZE);
  for (guint i = 0; i < 2; i++)
    {
      gnutls_datum_t *part = i == 0 ? &r : &s;
      guint8 *bytes = part->data;
      gsize size = part->size;

      while (size > COORDINATE_SIZE && *bytes == 0)
        bytes++, size--;
      g_assert (size <= COORDINATE_SIZE);
      memcpy (signature + i * COORDINATE_SIZE + COORDINATE_SIZE - size, bytes, size);
    }
  gnutls_free (der.data);
  gnutls_free (r.data);
  gnutls_free (s.data);
}

/**
 * sim_jose_sign:
 * @key: a private key
 * @header_members: (nullable): members of the protected header after alg and kid, in order
 *   (typ, jwk, …)
 * @claims: the payload, written as compact JSON in its members' order
 *
 * Signs @claims with ES256 as a JWS in compact serialization (RFC 7515 §3.1, §7.1). The header
 * starts {"alg":"ES256","kid":…} (kid when @key has one and @header_members brings no kid of
 * its own). ECDSA is deterministic (RFC 6979): the same key and input give the same token.
 *
 * Returns: (transfer full): header.payload.signature
 */
char *
sim_jose_sign (SimJoseKey *key,
               JsonObject *header_members,
               JsonObject *claims)
{
  g_autoptr(JsonObject) header = NULL;
  g_autofree char *signature = NULL;
  guint8 raw[2 * COORDINATE_SIZE];
  GString *out;

  g_return_val_if_fail (key != NULL && key->private != NULL, NULL);
  g_return_val_if_fail (claims != NULL, NULL);

  header = json_object_new ();
  out = g_string_new (NULL);
  json_object_set_string_member (header, "alg", "ES256");
  if (key->kid && !(header_members && json_object_has_member (header_members, "kid")))
    json_object_set_string_member (header, "kid", key->kid);
  if (header_members)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init_ordered (&iter, header_members);
      while (json_object_iter_next_ordered (&iter, &name, &value))
        if (g_strcmp0 (name, "alg") != 0)
          json_object_set_member (header, name, json_node_copy (value));
    }

  append_base64url_json (out, header);
  g_string_append_c (out, '.');
  append_base64url_json (out, claims);

  sim_jose_sign_input (key, (const guint8 *) out->str, out->len, raw);
  signature = sim_base64url_encode (raw, sizeof raw);
  g_string_append_c (out, '.');
  g_string_append (out, signature);
  return g_string_free (out, FALSE);
}

/**
 * sim_base64url_decode:
 * @length: of @text, or -1 when it ends with a NUL
 *
 * Decodes base64url without padding (RFC 4648 §5, as JOSE writes it: RFC 7515 §2). Unlike
 * g_base64_decode(), which it uses, it refuses any other character, padding among them.
 *
 * Returns: (transfer full) (nullable): the bytes (followed by a NUL not counted in
 * @out_length), or NULL with SIM_JOSE_ERROR_MALFORMED
 */
guint8 *
sim_base64url_decode (const char  *text,
                      gssize       length,
                      gsize       *out_length,
                      GError     **error)
{
  g_autofree char *standard = NULL;
  gsize n = length < 0 ? strlen (text) : (gsize) length;
  guint8 *bytes;
  gsize decoded;

  g_return_val_if_fail (text != NULL && out_length != NULL, NULL);

  if (n % 4 == 1)
    {
      g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_MALFORMED,
                   _("a part is not base64url (no base64 text has its length)"));
      return NULL;
    }
  standard = g_malloc (n + 3);
  for (gsize i = 0; i < n; i++)
    {
      char c = text[i];

      if (g_ascii_isalnum (c))
        standard[i] = c;
      else if (c == '-')
        standard[i] = '+';
      else if (c == '_')
        standard[i] = '/';
      else
        {
          g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_MALFORMED,
                       _("a part is not base64url: it holds a character outside its alphabet"));
          return NULL;
        }
    }
  while (n % 4)
    standard[n++] = '=';
  standard[n] = '\0';

  bytes = g_base64_decode (standard, &decoded);
  bytes = g_realloc (bytes, decoded + 1);
  bytes[decoded] = '\0';
  *out_length = decoded;
  return bytes;
}

/* The JSON object @part (the header, or else the payload) encodes, or NULL with
 * SIM_JOSE_ERROR_MALFORMED. */
static JsonObject *
decode_json_part (const char  *part,
                  gsize        length,
                  gboolean     is_header,
                  GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree guint8 *bytes = NULL;
  gsize n = 0;
  JsonNode *root;

  bytes = sim_base64url_decode (part, length, &n, NULL);
  if (!bytes || n == 0 || !g_utf8_validate ((const char *) bytes, n, NULL)
      || !json_parser_load_from_data (parser, (const char *) bytes, n, NULL)
      || !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_MALFORMED,
                           is_header ? _("its header is not a JSON object in base64url")
                                     : _("its payload is not a JSON object in base64url"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

typedef struct
{
  const char *signing_input;  /* header.payload, in the caller's string */
  gsize signing_input_length;
  const char *signature;
  gsize signature_length;
} CompactParts;

/* Splits @compact in three and decodes its header and payload (RFC 7515 §5.2, steps 1 to 7). */
static gboolean
decode_compact (const char  *compact,
                CompactParts *parts,
                JsonObject  **header,
                JsonObject  **claims,
                GError      **error)
{
  const char *first = strchr (compact, '.');
  const char *second = first ? strchr (first + 1, '.') : NULL;
  g_autoptr(JsonObject) decoded_header = NULL;
  g_autoptr(JsonObject) decoded_claims = NULL;
  g_autofree guint8 *signature = NULL;
  gsize signature_length = 0;

  if (!second || strchr (second + 1, '.'))
    {
      g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_MALFORMED,
                   _("it is not three parts separated by dots (RFC 7515 §7.1)"));
      return FALSE;
    }
  decoded_header = decode_json_part (compact, first - compact, TRUE, error);
  if (!decoded_header)
    return FALSE;
  decoded_claims = decode_json_part (first + 1, second - first - 1, FALSE, error);
  if (!decoded_claims)
    return FALSE;
  signature = sim_base64url_decode (second + 1, -1, &signature_length, error);
  if (!signature)
    return FALSE;

  if (parts)
    {
      parts->signing_input = compact;
      parts->signing_input_length = second - compact;
      parts->signature = second + 1;
      parts->signature_length = strlen (second + 1);
    }
  if (header)
    *header = g_steal_pointer (&decoded_header);
  if (claims)
    *claims = g_steal_pointer (&decoded_claims);
  return TRUE;
}

/**
 * sim_jose_decode_unverified:
 * @header: (out) (optional) (transfer full): the protected header
 * @claims: (out) (optional) (transfer full): the payload
 *
 * Reads a compact JWS without checking its signature: for showing one to a reader, or for
 * finding which key (kid) should check it. Trust nothing it says before sim_jose_verify().
 *
 * Returns: FALSE with SIM_JOSE_ERROR_MALFORMED when @compact is no JWS of JSON objects
 */
gboolean
sim_jose_decode_unverified (const char  *compact,
                            JsonObject **header,
                            JsonObject **claims,
                            GError     **error)
{
  g_return_val_if_fail (compact != NULL, FALSE);
  return decode_compact (compact, NULL, header, claims, error);
}

/**
 * sim_jose_looks_compact:
 *
 * Returns: whether @text has the shape of a compact JWS whose header is a JSON object (three
 * base64url parts, the first starting "eyJ", which is "{\"" encoded): a value worth decoding
 * for a reader. It may still fail to decode.
 */
gboolean
sim_jose_looks_compact (const char *text)
{
  guint dots = 0;

  if (!text || !g_str_has_prefix (text, "eyJ"))
    return FALSE;
  for (const char *c = text; *c; c++)
    {
      if (*c == '.')
        {
          if (c[1] == '.' || c[1] == '\0')
            return FALSE;
          dots++;
        }
      else if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_')
        return FALSE;
    }
  return dots == 2;
}

/**
 * sim_jose_verify:
 * @key: the key that should have signed @compact (public or private)
 * @header: (out) (optional) (transfer full): the protected header
 * @claims: (out) (optional) (transfer full): the payload
 *
 * Checks a compact JWS (RFC 7515 §5.2): three parts of JSON objects, alg "ES256" (never "none",
 * and never another algorithm the header asks for: RFC 8725 §3.1), no crit member (it names
 * extensions this code does not understand, §4.1.11), a kid, when the header has one, that is
 * @key's, and the signature. What the claims say is the caller's to check.
 *
 * Returns: TRUE and the header and claims, or FALSE with a SIM_JOSE_ERROR saying what is wrong
 */
gboolean
sim_jose_verify (const char  *compact,
                 SimJoseKey  *key,
                 JsonObject **header,
                 JsonObject **claims,
                 GError     **error)
{
  g_autoptr(JsonObject) decoded_header = NULL;
  g_autoptr(JsonObject) decoded_claims = NULL;
  g_autofree guint8 *signature = NULL;
  gsize signature_length = 0;
  CompactParts parts;
  const char *alg, *kid;
  gnutls_datum_t input, r, s, der = { NULL, 0 };
  int verified;

  g_return_val_if_fail (compact != NULL && key != NULL, FALSE);

  if (!decode_compact (compact, &parts, &decoded_header, &decoded_claims, error))
    return FALSE;

  alg = object_get_string (decoded_header, "alg");
  if (!alg)
    {
      g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_MALFORMED,
                   _("its header names no algorithm (alg, RFC 7515 §4.1.1)"));
      return FALSE;
    }
  if (strcmp (alg, "none") == 0)
    {
      g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_UNSUPPORTED,
                   _("it is not signed (alg “none”), and only ES256 is accepted"));
      return FALSE;
    }
  if (strcmp (alg, "ES256") != 0)
    {
      g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_UNSUPPORTED,
                   _("it is signed with “%s”, and only ES256 is accepted (RFC 8725 §3.1)"), alg);
      return FALSE;
    }
  if (json_object_has_member (decoded_header, "crit"))
    {
      g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_UNSUPPORTED,
                   _("its header has a crit member naming extensions this reader does not understand (RFC 7515 §4.1.11)"));
      return FALSE;
    }
  kid = object_get_string (decoded_header, "kid");
  if (kid && key->kid && strcmp (kid, key->kid) != 0)
    {
      g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_WRONG_KEY,
                   _("it names key “%s”, not “%s”"), kid, key->kid);
      return FALSE;
    }

  signature = sim_base64url_decode (parts.signature, parts.signature_length, &signature_length,
                                    error);
  if (!signature)
    return FALSE;
  if (signature_length != 2 * COORDINATE_SIZE)
    {
      g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_BAD_SIGNATURE,
                   _("its signature is not the 64 bytes of an ES256 signature (RFC 7518 §3.4)"));
      return FALSE;
    }
  r.data = signature;
  r.size = COORDINATE_SIZE;
  s.data = signature + COORDINATE_SIZE;
  s.size = COORDINATE_SIZE;
  if (gnutls_encode_rs_value (&der, &r, &s) < 0)
    g_error ("GnuTLS could not encode a signature");
  input.data = (guint8 *) parts.signing_input;
  input.size = parts.signing_input_length;
  verified = gnutls_pubkey_verify_data2 (key->public, GNUTLS_SIGN_ECDSA_SHA256, 0, &input, &der);
  gnutls_free (der.data);
  if (verified < 0)
    {
      g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_BAD_SIGNATURE,
                   _("its signature does not verify with the key"));
      return FALSE;
    }

  if (header)
    *header = g_steal_pointer (&decoded_header);
  if (claims)
    *claims = g_steal_pointer (&decoded_claims);
  return TRUE;
}

/**
 * sim_jose_verify_with_jwk:
 * @jwk: the public JWK of the key that should have signed @compact
 *
 * sim_jose_key_new_from_jwk() then sim_jose_verify(); an unusable JWK is
 * SIM_JOSE_ERROR_BAD_KEY.
 */
gboolean
sim_jose_verify_with_jwk (const char  *compact,
                          JsonObject  *jwk,
                          JsonObject **header,
                          JsonObject **claims,
                          GError     **error)
{
  g_autoptr(SimJoseKey) key = NULL;

  g_return_val_if_fail (compact != NULL && jwk != NULL, FALSE);

  key = sim_jose_key_new_from_jwk (jwk, error);
  return key && sim_jose_verify (compact, key, header, claims, error);
}

/**
 * sim_jose_jwks_new:
 * @keys: (array length=n_keys): the keys, public or private; only public halves are written
 *
 * Returns: (transfer full): a JWK Set (RFC 7517 §5), {"keys": [JWK, …]} in the order given
 */
JsonObject *
sim_jose_jwks_new (SimJoseKey **keys,
                   guint        n_keys)
{
  JsonObject *jwks = json_object_new ();
  JsonArray *array = json_array_sized_new (n_keys);

  for (guint i = 0; i < n_keys; i++)
    json_array_add_object_element (array, sim_jose_key_to_public_jwk (keys[i]));
  json_object_set_array_member (jwks, "keys", array);
  return jwks;
}

/**
 * sim_jose_jwks_find:
 * @kid: (nullable): the kid of a token's header; NULL finds the set's only key
 *
 * Returns: (transfer none) (nullable): the JWK of @jwks whose kid is @kid, or NULL with
 * SIM_JOSE_ERROR_MALFORMED (no "keys" array) or SIM_JOSE_ERROR_WRONG_KEY (no such key)
 */
JsonObject *
sim_jose_jwks_find (JsonObject  *jwks,
                    const char  *kid,
                    GError     **error)
{
  JsonNode *keys_node;
  JsonArray *keys;
  guint n;

  g_return_val_if_fail (jwks != NULL, NULL);

  keys_node = json_object_get_member (jwks, "keys");
  if (!keys_node || !JSON_NODE_HOLDS_ARRAY (keys_node))
    {
      g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_MALFORMED,
                   _("the key set has no “keys” array (RFC 7517 §5.1)"));
      return NULL;
    }
  keys = json_node_get_array (keys_node);
  n = json_array_get_length (keys);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (keys, i);
      JsonObject *jwk;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      jwk = json_node_get_object (element);
      if (kid ? g_strcmp0 (object_get_string (jwk, "kid"), kid) == 0 : n == 1)
        return jwk;
    }
  if (kid)
    g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_WRONG_KEY,
                 _("the key set has no key “%s”"), kid);
  else
    g_set_error (error, SIM_JOSE_ERROR, SIM_JOSE_ERROR_WRONG_KEY,
                 _("the token names no key (kid) and the key set has %u"), n);
  return NULL;
}
