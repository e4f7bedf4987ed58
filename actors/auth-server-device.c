/* auth-server-device.c: the device authorization grant's endpoints at the server (RFC 8628):
 * POST /device_authorization, where a device with no browser (a TV) asks for a device code and
 * a user code (§3.1, §3.2), and the user page /device (the verification URI, §3.3), where the
 * owner types the user code on her phone or computer and is handed to the same login and
 * consent page every client's owner sees (auth-server-consent.c). Her decision is recorded
 * here for the device's polls at the token endpoint (the device_code grant, §3.4, §3.5).
 */
#include <inttypes.h>
#include <string.h>

#include "actors/device-client.h"
#include "actors/grants/grants.h"

/* RFC 8628 §6.1: 20 consonants, no vowels (no words spelt by chance) and nothing that looks
 * like a digit; 8 of them carry 34.5 bits, shown as XXXX-XXXX. */
static const char user_code_alphabet[] = "BCDFGHJKLMNPQRSTVWXZ";
#define USER_CODE_LENGTH 8

void
device_request_free (gpointer data)
{
  DeviceRequest *device = data;

  g_free (device->device_code);
  g_free (device->user_code);
  g_free (device->client_id);
  g_free (device->scope);
  g_free (device->subject);
  g_free (device);
}

/* The code without its dash, from the seeded generator (the system's entropy in serve mode);
 * a byte of 240 or more is drawn again, so that every letter is as likely as the others. */
static char *
draw_user_code (AuthServer *self)
{
  char code[USER_CODE_LENGTH + 1] = { 0 };

  for (guint i = 0; i < USER_CODE_LENGTH;)
    {
      guint8 byte;
      sim_rng_fill (self->world->rng, &byte, 1);
      if (byte < 240)
        code[i++] = user_code_alphabet[byte % 20];
    }
  return g_strdup (code);
}

/* What the owner typed, as the server looks it up: §6.1 says to ignore case and punctuation
 * such as the dash. NULL when it cannot be a user code at all. */
static char *
canonical_user_code (const char *typed)
{
  g_autoptr(GString) code = g_string_new (NULL);

  for (const char *p = typed ? typed : ""; *p; p++)
    {
      if (*p == '-' || *p == ' ')
        continue;
      if (!strchr (user_code_alphabet, g_ascii_toupper (*p)) || code->len == USER_CODE_LENGTH)
        return NULL;
      g_string_append_c (code, g_ascii_toupper (*p));
    }
  return code->len == USER_CODE_LENGTH ? g_string_free (g_steal_pointer (&code), FALSE) : NULL;
}

static void
device_error (SimMessage *message,
              const char *error,
              const char *description,
              const char *narration)
{
  oauth_json_error (message, SOUP_STATUS_BAD_REQUEST, error, description);
  sim_message_narrate (message, "%s", narration);
}

/* POST /device_authorization (RFC 8628 §3.1): the client authenticates as at the token endpoint
 * (a public client sends its client_id), names a scope or gets what it registered, and gets
 * both codes, where to send the owner, how long it has and how often it may ask (§3.2). */
void
auth_server_device_authorization (AuthServer *self,
                                  SimMessage *message)
{
  g_autoptr(SimParams) form = auth_server_read_form (self, message, TRUE);
  g_auto(ClientAuth) auth = { 0 };
  g_autoptr(SimFields) answer = sim_fields_new ();
  g_autofree char *verification_uri = NULL;
  g_autofree char *complete = NULL;
  g_autofree char *code = NULL;
  const char *requested;
  DeviceRequest *device;
  gint64 now = sim_clock_now (self->world->clock);

  if (form == NULL || !auth_server_authenticate_client (self, message, form, FALSE, &auth))
    return;
  if (!registered_client_has_grant (auth.client, DEVICE_CODE_GRANT))
    {
      device_error (message, "unauthorized_client", "this client may not use the device_code grant",
                    _("RFC 8628 §3.2 and RFC 6749 §5.2: the client did not register the device_code grant type, so it is unauthorized_client for it."));
      return;
    }
  requested = sim_params_get (form, "scope");
  if (requested && (!oauth_scope_is_valid (requested) || !oauth_scope_is_subset (requested, auth.client->scope)))
    {
      device_error (message, "invalid_scope", "scope is not one this client registered for",
                    _("RFC 8628 §3.1 and RFC 6749 §3.3: the scope asked for is not within what this client registered, so the answer is invalid_scope."));
      return;
    }

  device = g_new0 (DeviceRequest, 1);
  device->device_code = sim_rng_token (self->world->rng, "dc_", 16);
  do
    {
      g_free (code);
      code = draw_user_code (self);
    }
  while (g_hash_table_contains (self->user_codes, code));
  device->user_code = g_strdup_printf ("%.4s-%.4s", code, code + 4);
  device->client_id = g_strdup (auth.client_id);
  device->scope = requested && !oauth_scope_is_empty (requested) ? oauth_scope_normalize (requested)
                                                                 : g_strdup (auth.client->scope);
  device->status = DEVICE_PENDING;
  device->expires_at = now + self->config.device_code_lifetime;
  device->forget_at = device->expires_at + self->config.device_code_lifetime;
  device->interval = self->config.device_poll_interval;
  device->last_poll = -1;
  sim_world_hold (self->world, "auth-server", "device_code", device->device_code);
  auth_server_remember (self, self->devices, device->device_code, device, device->forget_at);
  auth_server_remember (self, self->user_codes, g_strdup (code), g_strdup (device->device_code),
                        device->expires_at);

  verification_uri = g_strconcat (self->config.issuer, "/device", NULL);
  complete = g_strconcat (verification_uri, "?user_code=", device->user_code, NULL);
  sim_fields_add_string (answer, "device_code", device->device_code);
  sim_fields_add_string (answer, "user_code", device->user_code);
  sim_fields_add_string (answer, "verification_uri", verification_uri);
  sim_fields_add_string (answer, "verification_uri_complete", complete);
  sim_fields_add_int (answer, "expires_in", self->config.device_code_lifetime);
  sim_fields_add_int (answer, "interval", device->interval);
  sim_message_set_response_fields (message, SOUP_STATUS_OK, answer);
  oauth_no_store (message);
  sim_message_narrate (message,
                       _("RFC 8628 §3.2: the server answers with a device_code, which the device keeps to itself, and a user_code, short and easy to type (§6.1), for the owner to enter at %s. Both live %" PRId64 " s, and the device must wait %" PRId64 " s between two polls of the token endpoint."),
                       verification_uri, self->config.device_code_lifetime, device->interval);
}

/* The page where the owner types the code; @error_text when her last try named no request. */
typedef struct
{
  char *error_text;
} EntryPage;

static void
entry_page_free (gpointer data)
{
  EntryPage *page = data;
  g_free (page->error_text);
  g_free (page);
}

static void
write_entry_body (GString       *body,
                  gconstpointer  data)
{
  const EntryPage *page = data;

  if (page->error_text)
    {
      g_string_append (body, "<p class=\"error\" role=\"alert\">");
      oauth_html_append_escaped (body, page->error_text);
      g_string_append (body, "</p>\n");
    }
  g_string_append (body,
                   "<p>Enter the code your device shows.</p>\n"
                   "<form method=\"post\" action=\"/device\">\n"
                   "<label>Code <input type=\"text\" name=\"user_code\" autocomplete=\"off\" "
                   "autocapitalize=\"characters\" spellcheck=\"false\" required></label>\n"
                   "<button type=\"submit\">Continue</button>\n"
                   "</form>");
}

static void
show_entry (AuthServer *self,
            SimMessage *message,
            guint       status,
            const char *error_text)
{
  EntryPage *page = g_new0 (EntryPage, 1);

  page->error_text = g_strdup (error_text);
  oauth_html_form_page (message, status, "Connect a device", oauth_form_new ("/device"),
                        write_entry_body, page, entry_page_free, auth_server_page_flags (self));
}

/* GET /device shows the form; GET /device?user_code=… (verification_uri_complete, §3.3.1) and
 * POST /device with the form go on to the login and consent page of the request it names. */
void
auth_server_device_page (AuthServer *self,
                         SimMessage *message)
{
  g_autoptr(SimParams) params = NULL;
  g_autofree char *code = NULL;
  const char *typed;
  const char *device_code;
  DeviceRequest *device = NULL;
  RegisteredClient *client;
  PendingRequest *pending;
  gboolean from_link = strcmp (message->method, "GET") == 0;

  params = from_link ? sim_message_get_query (message, NULL) : sim_message_get_form (message, NULL);
  typed = params ? sim_params_get (params, "user_code") : NULL;
  if (from_link && typed == NULL)
    {
      show_entry (self, message, SOUP_STATUS_OK, NULL);
      sim_message_narrate (message, _("RFC 8628 §3.3: the verification page asks the owner for the code her device shows."));
      return;
    }
  code = canonical_user_code (typed);
  device_code = code ? g_hash_table_lookup (self->user_codes, code) : NULL;
  if (device_code)
    device = g_hash_table_lookup (self->devices, device_code);
  if (device == NULL || device->status != DEVICE_PENDING
      || sim_clock_now (self->world->clock) >= device->expires_at)
    {
      show_entry (self, message, SOUP_STATUS_BAD_REQUEST,
                  "That code is not valid, or it has expired. Check the code on your device.");
      sim_message_narrate (message, _("RFC 8628 §3.3: the server has no waiting device request with this user code (it is mistyped, already answered or expired), so it shows the page again with an error."));
      return;
    }

  pending = g_new0 (PendingRequest, 1);
  pending->id = sim_rng_token (self->world->rng, "rq_", 12);
  pending->client_id = g_strdup (device->client_id);
  pending->scope = g_strdup (device->scope);
  pending->device_code = g_strdup (device->device_code);
  pending->expires_at = device->expires_at;
  auth_server_remember (self, self->pending, pending->id, pending, pending->expires_at);
  auth_server_show_login (self, message, pending, NULL);

  client = g_hash_table_lookup (self->clients, device->client_id);
  sim_message_narrate (message,
                       from_link ? _("RFC 8628 §3.3.1: the link carries the user code, so the owner need not type it; the server shows the request of “%s” on its own login and consent page, the one every client's owner sees.")
                                 : _("RFC 8628 §3.3: the code names a request of “%s”; the server shows it on its own login and consent page, the one every client's owner sees."),
                       client && client->client_name ? client->client_name : device->client_id);
  if (self->config.defenses.device_confirmation)
    sim_message_narrate (message,
                         _("RFC 8628 §5.4: the page also shows the code and asks the owner to confirm that she started this on a device in front of her that shows it, since anyone can send her a code of their own."));
  else
    sim_message_narrate (message,
                         _("The page does not ask whether the code is on a device in front of her (device_confirmation is off): whoever sent her the code gets what she approves (RFC 8628 §5.4)."));
}

/**
 * auth_server_device_decide:
 * @approved_scope: (nullable): what the owner allowed; %NULL when she said no
 *
 * The owner answered the login and consent page of a device's request (her password is
 * already checked). There is no redirect: the device is not a browser; the page tells her to
 * go back to it, and the device's next poll gets the answer (RFC 8628 §3.3, §3.5).
 */
void
auth_server_device_decide (AuthServer     *self,
                           SimMessage     *message,
                           PendingRequest *request,
                           SimParams      *form,
                           const char     *username,
                           const char     *approved_scope)
{
  DeviceRequest *device = g_hash_table_lookup (self->devices, request->device_code);

  if (device == NULL || device->status != DEVICE_PENDING)
    {
      oauth_html_page_with (message, SOUP_STATUS_BAD_REQUEST, "Device request expired",
                            "<p class=\"error\">This device request has expired. Start again on your device.</p>",
                            auth_server_page_flags (self), NULL);
      sim_message_narrate (message, _("RFC 8628 §3.5: the device request has expired meanwhile, so the owner's answer counts for nothing."));
      g_hash_table_remove (self->pending, request->id);
      return;
    }
  if (approved_scope && self->config.defenses.device_confirmation
      && g_strcmp0 (sim_params_get (form, "confirm_user_code"), device->user_code) != 0)
    {
      auth_server_show_login (self, message, request,
                              "Confirm that you started this on your device and that it shows this code.");
      sim_message_narrate (message, _("RFC 8628 §5.4: the owner did not confirm that the code is on a device in front of her, so the server approves nothing and shows the page again."));
      return;
    }

  if (approved_scope)
    {
      device->status = DEVICE_APPROVED;
      device->subject = g_strdup (username);
      g_free (device->scope);
      device->scope = g_strdup (approved_scope);
      oauth_html_page_with (message, SOUP_STATUS_OK, "Device connected",
                            "<p>You are done here. Go back to your device: it will continue on its own.</p>",
                            auth_server_page_flags (self), NULL);
      sim_message_narrate (message,
                           _("The credentials check out, and the owner approved “%s”. RFC 8628 §3.3: there is no redirect, since the device is not a browser; the server records the approval and tells her to go back to the device, whose next poll gets the tokens."),
                           approved_scope);
    }
  else
    {
      device->status = DEVICE_DENIED;
      oauth_html_page_with (message, SOUP_STATUS_OK, "Request denied",
                            "<p>You denied the request. Nothing was shared with the device.</p>",
                            auth_server_page_flags (self), NULL);
      sim_message_narrate (message, _("The owner said no. The server records it, and the device's next poll gets access_denied (RFC 8628 §3.5)."));
    }
  g_hash_table_remove (self->pending, request->id);
}
