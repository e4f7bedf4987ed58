/* headers.h: the header fields of a simulated HTTP message.
 *
 * SoupMessageHeaders as the bus needs it, and no more: it behaves as libsoup's does (names
 * compared without case, the names libsoup knows written its way and listed first, the last of
 * a repeated field for get_one, all of them joined by ", " for get_list, the media type of
 * Content-Type), and the HTTP transport copies fields to and from libsoup at the edge. Every
 * exchange makes two of these, so they cost one small array, not libsoup's per-field setters
 * and caches.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A message keeps its two lists of fields inside itself (sim_headers_init()); the members
 * are private to headers.c. */
typedef struct
{
  /*< private >*/
  char *name;               /* as given, compared without case; the field's one allocation */
  const char *value;        /* after @name's NUL */
  const char *spelling;     /* how libsoup lists @name, once somebody asked */
  gboolean asked;
} SimHeaderField;

#define SIM_HEADERS_INLINE_FIELDS 6     /* most messages have fewer: no second allocation */

typedef struct _SimHeaders SimHeaders;

struct _SimHeaders
{
  /*< private >*/
  SimHeaderField *fields;   /* in the order they were added: @inline_fields, or the heap */
  guint len;
  guint room;
  GPtrArray *joined;        /* (element-type utf8) (nullable): what get_list wrote */
  char *content_type;       /* (nullable): the media type, when @content_type_known */
  gboolean content_type_known;
  SimHeaderField inline_fields[SIM_HEADERS_INLINE_FIELDS];
};

typedef struct
{
  /*< private >*/
  SimHeaders *headers;
  guint pass;
  guint index;
} SimHeadersIter;

typedef void (*SimHeadersForeachFunc) (const char *name,
                                       const char *value,
                                       gpointer    data);

SimHeaders *sim_headers_new              (void);
void        sim_headers_free             (SimHeaders  *self);
void        sim_headers_init             (SimHeaders  *self);
void        sim_headers_clear            (SimHeaders  *self);

void        sim_headers_append           (SimHeaders  *self,
                                          const char  *name,
                                          const char  *value);
void        sim_headers_replace          (SimHeaders  *self,
                                          const char  *name,
                                          const char  *value);
void        sim_headers_remove           (SimHeaders  *self,
                                          const char  *name);
const char *sim_headers_get_one          (SimHeaders  *self,
                                          const char  *name);
const char *sim_headers_get_list         (SimHeaders  *self,
                                          const char  *name);
const char *sim_headers_get_content_type (SimHeaders  *self);
guint       sim_headers_size             (SimHeaders  *self);

void        sim_headers_iter_init        (SimHeadersIter *iter,
                                          SimHeaders     *headers);
gboolean    sim_headers_iter_next        (SimHeadersIter *iter,
                                          const char    **name,
                                          const char    **value);
void        sim_headers_foreach          (SimHeaders           *self,
                                          SimHeadersForeachFunc func,
                                          gpointer              data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimHeaders, sim_headers_free)

G_END_DECLS
