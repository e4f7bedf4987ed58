/* grants.c: the table of grant types (RFC 6749 §4, RFC 7591 §2). The token endpoint
 * dispatches on it, the metadata lists what it offers (RFC 8414 §2 grant_types_supported), and
 * registration accepts only what it offers; so adding a grant is its handler's file and a row
 * here, in the order metadata lists them. */
#include <string.h>

#include "actors/grants/grants.h"

static const GrantType grant_types[] = {
  { "authorization_code", grant_authorization_code, NULL, "code", FALSE },
  { "implicit", NULL, grant_implicit_offered, "token", FALSE },
  { "password", grant_password, grant_password_offered, NULL, FALSE },
  { "refresh_token", grant_refresh_token, NULL, NULL, FALSE },
  { "client_credentials", grant_client_credentials, NULL, NULL, TRUE },
  { "urn:ietf:params:oauth:grant-type:device_code", grant_device_code, NULL, NULL, FALSE },
};

/* Returns: (transfer none) (nullable): the @i-th row, %NULL past the last. */
const GrantType *
auth_server_grant_at (guint i)
{
  return i < G_N_ELEMENTS (grant_types) ? &grant_types[i] : NULL;
}

gboolean
auth_server_grant_is_offered (AuthServer      *self,
                              const GrantType *grant)
{
  return grant->offered == NULL || grant->offered (self);
}

/**
 * auth_server_find_grant:
 * Returns: (transfer none) (nullable): the grant named @name if this server offers it.
 */
const GrantType *
auth_server_find_grant (AuthServer *self,
                        const char *name)
{
  for (guint i = 0; name && i < G_N_ELEMENTS (grant_types); i++)
    if (strcmp (grant_types[i].name, name) == 0)
      return auth_server_grant_is_offered (self, &grant_types[i]) ? &grant_types[i] : NULL;
  return NULL;
}

/**
 * auth_server_offered_grants:
 * @token_endpoint_only: leave out grants that never reach the token endpoint (implicit)
 *
 * Returns: (transfer full): the names of the grants this server offers, in table order.
 */
GStrv
auth_server_offered_grants (AuthServer *self,
                            gboolean    token_endpoint_only)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  for (guint i = 0; i < G_N_ELEMENTS (grant_types); i++)
    if (auth_server_grant_is_offered (self, &grant_types[i])
        && (grant_types[i].handle || !token_endpoint_only))
      g_strv_builder_add (names, grant_types[i].name);
  return g_strv_builder_end (names);
}

/* The offered grants for a sentence: "a, b and c", as the reader's language joins them. */
char *
auth_server_list_grants (AuthServer *self,
                         gboolean    token_endpoint_only)
{
  g_auto(GStrv) names = auth_server_offered_grants (self, token_endpoint_only);
  g_autoptr(GString) list = g_string_new (NULL);
  guint n = g_strv_length (names);

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        /* TRANSLATORS: joins the names of grant types in a list: "a, b and c" */
        g_string_append (list, i + 1 == n ? _(" and ") : _(", "));
      g_string_append (list, names[i]);
    }
  return g_string_free (g_steal_pointer (&list), FALSE);
}

/* Whether @client listed @name in its grant_types when it registered (RFC 7591 §2). */
gboolean
registered_client_has_grant (const RegisteredClient *client,
                             const char             *name)
{
  return client->grant_types && g_strv_contains ((const char *const *) client->grant_types, name);
}
