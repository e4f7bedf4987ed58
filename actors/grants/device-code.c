/* device-code.c: the device authorization grant at the token endpoint (RFC 8628 §3.4, §3.5).
 * The device polls with its device_code until the owner has answered at the user page
 * (auth-server-device.c): authorization_pending while she has not, slow_down (and 5 s more
 * between polls, for good) when it asks too soon, access_denied when she said no,
 * expired_token once the code has lived its expires_in; then the tokens, once. Time is the
 * world's clock: simulated seconds in a lesson, real ones in serve mode.
 */
#include <inttypes.h>
#include <string.h>

#include "actors/device-client.h"
#include "actors/grants/grants.h"

void
grant_device_code (AuthServer *self,
                   SimMessage *message,
                   SimParams  *form,
                   ClientAuth *auth)
{
  const char *value = sim_params_get (form, "device_code");
  gint64 now = sim_clock_now (self->world->clock);
  const char *access_token, *refresh_token = NULL;
  DeviceRequest *device;
  gint64 waited;

  if (value == NULL)
    {
      token_error (message, "invalid_request", "device_code is required",
                   _("RFC 8628 §3.4: the device_code parameter is required."));
      return;
    }
  device = g_hash_table_lookup (self->devices, value);
  if (device == NULL || device->status == DEVICE_REDEEMED)
    {
      token_error (message, "invalid_grant", "device code is invalid",
                   _("RFC 6749 §5.2: the server has no device request with this device_code (it never issued it, its tokens were already issued, or it expired long ago and was forgotten), so the answer is invalid_grant."));
      return;
    }
  if (strcmp (device->client_id, auth->client_id) != 0)
    {
      token_error (message, "invalid_grant", "device code was issued to another client",
                   _("RFC 8628 §3.4: a device_code is good only for the client it was issued to; this one belongs to another client, so the server answers invalid_grant."));
      return;
    }
  if (now >= device->expires_at)
    {
      g_autofree char *why = g_strdup_printf (_("RFC 8628 §3.5: the device_code has expired (it lived %" PRId64 " s) and the owner's answer, if any, with it; the answer is expired_token, and the device must start again with a new request."),
                                              self->config.device_code_lifetime);
      token_error (message, "expired_token", "device code has expired", why);
      return;
    }
  if (device->status == DEVICE_DENIED)
    {
      token_error (message, "access_denied", "the resource owner denied the request",
                   _("RFC 8628 §3.5: the owner denied the request, so the answer is access_denied, and the device stops polling."));
      return;
    }
  waited = device->last_poll < 0 ? G_MAXINT64 : now - device->last_poll;
  device->last_poll = now;
  if (device->status == DEVICE_PENDING)
    {
      if (waited < device->interval)
        {
          g_autofree char *why = g_strdup_printf (_("RFC 8628 §3.5: the device asks again %" PRId64 " s after its last poll, sooner than the %" PRId64 " s it must wait; the answer is slow_down, and from now on it must wait 5 s more, %" PRId64 " s."),
                                                  waited, device->interval, device->interval + 5);
          device->interval += 5;
          token_error (message, "slow_down", "polling too fast", why);
          return;
        }
      token_error (message, "authorization_pending", "the resource owner has not answered yet",
                   _("RFC 8628 §3.5: the owner has not answered yet, so the answer is authorization_pending: the device is to wait its interval and ask again."));
      return;
    }

  device->status = DEVICE_REDEEMED;
  {
    Grant *grant = grant_new ();
    access_token = auth_server_issue_token (self, TOKEN_ACCESS, device->client_id, device->subject,
                                            device->scope, NULL, grant);
    if (token_may_refresh (self, auth))
      refresh_token = auth_server_issue_token (self, TOKEN_REFRESH, device->client_id, device->subject,
                                               device->scope, NULL, grant);
    grant_unref (grant);
  }
  answer_tokens (self, message, access_token, refresh_token, device->scope);
  sim_message_narrate (message,
                       _("RFC 8628 §3.5: the owner approved at the user page, so the server issues an access token carrying the scope “%s”, valid %" PRId64 " s%s. The device_code is now spent."),
                       device->scope, self->config.access_token_lifetime,
                       refresh_token ? _(", and a refresh token to renew it") : "");
}
