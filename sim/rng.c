/* rng.c: a seeded generator for simulations, system entropy for serve mode. */
#include <string.h>
#include <sys/random.h>

#include "sim/rng.h"

struct _SimRng
{
  GRand *rand;  /* NULL: system entropy */
};

/**
 * sim_rng_new_seeded:
 * Returns: (transfer full): a generator whose output depends only on @seed.
 */
SimRng *
sim_rng_new_seeded (guint64 seed)
{
  SimRng *self = g_new0 (SimRng, 1);
  guint32 words[2] = { (guint32) (seed & 0xffffffffu), (guint32) (seed >> 32) };

  self->rand = g_rand_new_with_seed_array (words, G_N_ELEMENTS (words));
  return self;
}

/**
 * sim_rng_new_system:
 * Returns: (transfer full): a generator reading getrandom(2).
 */
SimRng *
sim_rng_new_system (void)
{
  return g_new0 (SimRng, 1);
}

void
sim_rng_free (SimRng *self)
{
  if (!self)
    return;
  g_clear_pointer (&self->rand, g_rand_free);
  g_free (self);
}

void
sim_rng_fill (SimRng *self,
              guint8 *buffer,
              gsize   length)
{
  g_return_if_fail (self != NULL);

  if (self->rand)
    {
      for (gsize i = 0; i < length; i += 4)
        {
          guint32 word = g_rand_int (self->rand);
          gsize n = MIN (4, length - i);
          for (gsize j = 0; j < n; j++)
            buffer[i + j] = (guint8) (word >> (8 * j));
        }
      return;
    }

  for (gsize done = 0; done < length;)
    {
      ssize_t got = getrandom (buffer + done, length - done, 0);
      if (got < 0)
        g_error ("getrandom failed: %s", g_strerror (errno));
      done += (gsize) got;
    }
}

/**
 * sim_base64url_encode:
 * Returns: (transfer full): base64url without padding (RFC 4648 §5), as OAuth uses it.
 */
/**
 * sim_base64_write:
 * @url: base64url without padding (RFC 4648 §5) rather than base64 with padding (§4)
 *
 * Writes @data in base64 at @out, which needs 4 * ((@length + 2) / 3) + 1 bytes, and ends it
 * with a NUL.
 *
 * Returns: the number of characters written, without the NUL.
 */
gsize
sim_base64_write (char         *out,
                  const guint8 *data,
                  gsize         length,
                  gboolean      url)
{
  static const char standard[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static const char urlsafe[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const char *alphabet = url ? urlsafe : standard;
  char *start = out;
  gsize i = 0;

  for (; i + 3 <= length; i += 3)
    {
      guint32 bits = (guint32) data[i] << 16 | (guint32) data[i + 1] << 8 | data[i + 2];
      *out++ = alphabet[bits >> 18];
      *out++ = alphabet[(bits >> 12) & 63];
      *out++ = alphabet[(bits >> 6) & 63];
      *out++ = alphabet[bits & 63];
    }
  if (length - i == 1)
    {
      *out++ = alphabet[data[i] >> 2];
      *out++ = alphabet[(data[i] & 3) << 4];
      if (!url)
        {
          *out++ = '=';
          *out++ = '=';
        }
    }
  else if (length - i == 2)
    {
      *out++ = alphabet[data[i] >> 2];
      *out++ = alphabet[(data[i] & 3) << 4 | data[i + 1] >> 4];
      *out++ = alphabet[(data[i + 1] & 15) << 2];
      if (!url)
        *out++ = '=';
    }
  *out = '\0';
  return out - start;
}

char *
sim_base64url_encode (const guint8 *data,
                      gsize         length)
{
  char *text = g_malloc (4 * ((length + 2) / 3) + 1);

  sim_base64_write (text, data, length, TRUE);
  return text;
}

/**
 * sim_rng_token:
 * @prefix: (nullable): e.g. "at_" so that a reader can tell tokens apart
 *
 * Returns: (transfer full): @prefix followed by @n_bytes of randomness in base64url.
 */
char *
sim_rng_token (SimRng     *self,
               const char *prefix,
               gsize       n_bytes)
{
  gsize prefix_length = prefix ? strlen (prefix) : 0;
  guint8 stack[64];
  g_autofree guint8 *heap = n_bytes > sizeof stack ? g_malloc (n_bytes) : NULL;
  guint8 *bytes = heap ? heap : stack;
  char *token = g_malloc (prefix_length + 4 * ((n_bytes + 2) / 3) + 1);

  sim_rng_fill (self, bytes, n_bytes);
  memcpy (token, prefix ? prefix : "", prefix_length);
  sim_base64_write (token + prefix_length, bytes, n_bytes, TRUE);
  return token;
}
