/* attacker.h: the attack lab's fifth actor, the attacker of RFC 9700 §3. It has its own web
 * site (https://attacker.example and every name under it), an account of its own at the
 * authorization server, and can register a client of its own; it can run an authorization
 * server of its own (for a mix-up), claim a custom URI scheme on a device it shares with the
 * owner, read what a scenario says leaks, send the owner's browser to pages it prepares, and use
 * whatever it gets: a code, a refresh token, an access token. It acts only through the bus. */
#pragma once

#include "sim/world.h"

G_BEGIN_DECLS

typedef struct
{
  char *origin;         /* its web site, and its authorization server's issuer */
  char *username;       /* its own account at the honest server */
  char *password;
  char *client_name;    /* the name its own client registers with */
  char *server;         /* the honest authorization server's issuer */
  char *api;            /* the calendar API's origin */
  gboolean openid;      /* the server speaks OpenID Connect: its own client asks for openid too */
} AttackerConfig;

void attacker_config_init  (AttackerConfig *config);
void attacker_config_clear (AttackerConfig *config);

/* What the attacker knows of the client it attacks: all of it public. */
typedef struct
{
  const char *client_id;
  const char *redirect_uri;
  const char *scope;
  gboolean is_public;       /* no client secret */
  gboolean uses_pkce;       /* the app sends a code_challenge */
} AttackerVictim;

typedef enum
{
  ATTACKER_AS_VICTIM,       /* presents the victim client's client_id (a public client) */
  ATTACKER_AS_OWN,          /* as its own registered client */
  ATTACKER_VIA_APP,         /* through its own copy of the victim's app: code injection */
} AttackerRole;

typedef struct _Attacker Attacker;

Attacker   *attacker_new            (SimWorld             *world,
                                     const AttackerConfig *config);
void        attacker_free           (Attacker             *self);
void        attacker_handle         (gpointer              self,
                                     SimMessage           *message);
const char *attacker_get_origin     (Attacker             *self);
void        attacker_read_answer    (Attacker             *self,
                                     SimMessage           *message);
void        attacker_set_victim     (Attacker             *self,
                                     const AttackerVictim *victim);

/* Actions a scenario can ask of it. Each returns the last exchange it made, or %NULL with
 * *why_not set when it has nothing to act with. */
SimMessage *attacker_register       (Attacker             *self);
SimMessage *attacker_authorize      (Attacker             *self,
                                     gboolean              own_client,
                                     gboolean              pkce);
SimMessage *attacker_redeem         (Attacker             *self,
                                     AttackerRole          role,
                                     const char          **why_not);
SimMessage *attacker_refresh        (Attacker             *self,
                                     const char          **why_not);
SimMessage *attacker_password_grant (Attacker             *self,
                                     const char          **why_not);
SimMessage *attacker_call_api       (Attacker             *self,
                                     const char          **why_not);
SimMessage *attacker_replay         (Attacker             *self,
                                     const char          **why_not);
SimMessage *attacker_sign_in        (Attacker             *self,
                                     const char          **why_not);
void        attacker_read_leak      (Attacker             *self,
                                     SimMessage           *leaked,
                                     gboolean              response);

/* Pages of its site the owner's browser is sent to; each returns the URL to open. */
char       *attacker_prepare_forgery (Attacker            *self,
                                     const char          **why_not);
char       *attacker_prepare_phish  (Attacker             *self,
                                     const char           *redirect_uri,
                                     gboolean              pkce);
char       *attacker_prepare_frame  (Attacker             *self,
                                     const char          **why_not);

const char *attacker_get_held       (Attacker             *self,
                                     const char           *what);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Attacker, attacker_free)

G_END_DECLS
