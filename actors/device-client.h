/* device-client.h: the device client of RFC 8628, a calendar app on a TV: it has no browser
 * and no keyboard worth typing a password on, so it asks the authorization server for a user
 * code, shows it with the address where the owner is to enter it, and polls the token endpoint
 * until she has answered. A public client: a TV cannot keep a secret (RFC 8628 §5.6). */
#pragma once

#include "sim/world.h"

G_BEGIN_DECLS

#define DEVICE_CODE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

typedef struct
{
  const char *sender;      /* the bus name it sends as: "client", or "attacker" for a copy */
  const char *name;        /* client_name at registration */
  const char *scope;       /* what it registers for and asks for */
  const char *server;      /* the authorization server's issuer */
  const char *api;         /* the API's origin */
} DeviceClientConfig;

typedef struct _DeviceClient DeviceClient;

DeviceClient *device_client_new           (SimWorld                 *world,
                                           const DeviceClientConfig *config);
void          device_client_free          (DeviceClient             *self);

/* Actions; each returns the exchange it made. */
SimMessage   *device_client_register      (DeviceClient             *self);
void          device_client_use_client_id (DeviceClient             *self,
                                           const char               *client_id);
SimMessage   *device_client_authorize     (DeviceClient             *self);
SimMessage   *device_client_poll          (DeviceClient             *self);
SimMessage   *device_client_call_api      (DeviceClient             *self);

/* What it holds: "client_id", "device_code", "user_code", "verification_uri",
 * "verification_uri_complete", "access_token", "refresh_token", "scope", "error". */
const char   *device_client_get_held      (DeviceClient             *self,
                                           const char               *what);
const char *const *device_client_held_names (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DeviceClient, device_client_free)

G_END_DECLS
