/* resource-owner.h: the person whose calendar it is, and the browser they use. They have an
 * account at the authorization server, follow redirects, and decide what to allow. */
#pragma once

#include "sim/world.h"

G_BEGIN_DECLS

typedef struct
{
  char *username;
  char *password;
  gboolean approve;          /* the consent decision; default TRUE */
  char *approve_scopes;      /* NULL: every scope asked for; else this subset */
  char *name;                /* (nullable) her full name, an OpenID Connect claim */
  char *email;               /* (nullable) her e-mail address, another */
} OwnerConfig;

void owner_config_init  (OwnerConfig *config);
void owner_config_clear (OwnerConfig *config);

typedef struct _ResourceOwner ResourceOwner;

ResourceOwner *resource_owner_new     (SimWorld          *world,
                                       const OwnerConfig *config);
void           resource_owner_free    (ResourceOwner     *self);

/* Actions: each returns the last exchange the browser made. */
SimMessage    *resource_owner_visit   (ResourceOwner     *self,
                                       const char        *url,
                                       SimPhase           phase);
SimMessage    *resource_owner_consent (ResourceOwner     *self,
                                       const char        *password,
                                       int                decision,
                                       const char        *approve_scopes);
SimMessage    *resource_owner_fill_in (ResourceOwner     *self,
                                       const char        *name,
                                       const char        *value);
void           resource_owner_see_code (ResourceOwner    *self,
                                       const char        *user_code);
void           resource_owner_read_answer (ResourceOwner *self,
                                           SimMessage    *message);
const char    *resource_owner_get_page_url (ResourceOwner *self);
const char    *resource_owner_get_username (ResourceOwner *self);
const char    *resource_owner_get_password (ResourceOwner *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ResourceOwner, resource_owner_free)

G_END_DECLS
