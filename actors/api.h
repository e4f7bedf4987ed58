/* api.h: the third-party API, a calendar that holds each owner's events and lets a client in
 * only with a bearer token whose scope allows the call (RFC 6750). */
#pragma once

#include "sim/world.h"

G_BEGIN_DECLS

typedef struct _CalendarApi CalendarApi;

CalendarApi *calendar_api_new        (SimWorld    *world,
                                      const char  *origin,
                                      const char  *introspection_url,
                                      const char  *resource_id,
                                      const char  *resource_secret);
void         calendar_api_free       (CalendarApi *self);
void         calendar_api_set_dpop     (CalendarApi *self,
                                        gboolean     require_nonce);
void         calendar_api_set_audience (CalendarApi *self,
                                      const char  *audience);
void         calendar_api_handle     (gpointer     self,
                                      SimMessage  *message);
void         calendar_api_add_event  (CalendarApi *self,
                                      const char  *owner,
                                      const char  *title,
                                      const char  *start);
guint        calendar_api_count_events (CalendarApi *self,
                                      const char  *owner);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalendarApi, calendar_api_free)

G_END_DECLS
