/* transport-http.c: serve mode's edge, where bus messages become real HTTP and back.
 *
 * Why one thread per actor: an actor's handler is synchronous and may itself send a request
 * (the client's callback calls /token, the API calls /introspect). Over real HTTP that is a
 * blocking SoupSession call made from inside a SoupServer handler; with every server on one
 * thread the server being called could never answer. So each actor has a thread, a
 * GMainContext that its SoupServer is attached to, and its own SoupSession; its state is only
 * ever touched by that thread.
 *
 * How an exchange between two actors stays one step in the trace: the sender's forwarder adds
 * an Oauth-Sim-Exchange header naming an in-flight record (who sent it, the step it nests in,
 * its phase and narration); the receiving side finds the record, removes the header and calls
 * sim_bus_receive() with it. A request from outside (a browser, curl, another OAuth client)
 * has no such record, and is shown as coming from "browser" or the product in its User-Agent.
 */
#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "sim/rng.h"
#include "sim/transport-http.h"

#define VIA_HEADER "Oauth-Sim-Exchange"
#define SEND_TIMEOUT 15        /* seconds an actor waits for another actor's answer */
#define BODY_STATE "oauth-sim-body"
#define LISTEN_BACKLOG 128     /* GSocket's default, 10, drops SYNs under a few dozen clients */
#define ACCEPT_BATCH 32        /* connections taken from the queue per wake-up at most */
#define ACCEPT_RETRY_MS 10     /* pause after accept() fails: no descriptor or memory left */
#define CLIENT_KEY "oauth-sim-client"
#define KEEP_ALIVE_KEY "oauth-sim-keep-alive"
#define MAX_LAYERS 16          /* stream wrappers kept for a client that pipelines; see on_wrote_body() */

G_DEFINE_QUARK (sim-http-error-quark, sim_http_error)

typedef enum
{
  ACTOR_IDLE,
  ACTOR_RUNNING,
  ACTOR_FAILED,
} ActorState;

typedef struct
{
  SimHttp *http;                /* (not owned) */
  char *name;
  char *host;
  guint port;
  char *origin;                 /* http://host:port */
  GSocket *socket;              /* bound and listening before any thread starts */
  SimHandler handler;
  gpointer actor;
  SimHttpStartFunc on_start;

  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  SoupServer *server;           /* only touched by the actor's thread */
  GSource *accept_source;       /* (owned) the listening socket's readiness, in the context */
  struct _Client *accepting;    /* the connection soup_server_accept_iostream() is taking now */
  ActorState state;             /* under the transport's lock */
  GError *start_error;
  gboolean busy;                /* only read and written by the actor's thread */
} HttpActor;

/* A message an actor sent and is waiting for an answer to. */
typedef struct
{
  char *from;
  guint parent;
  guint depth;
  SimMessage *sent;             /* (owned) the sender's own message: phase, narration, notes */
} InFlight;

struct _SimHttp
{
  SimBus *bus;                  /* (not owned) */
  GPtrArray *actors;            /* (element-type HttpActor) in the order they listen */
  SimHttpPhaseFunc phase_func;
  gpointer phase_data;
  SimRng *rng;                  /* getrandom: in-flight names an outsider cannot guess */
  GMutex lock;
  GCond cond;
  GHashTable *in_flight;        /* name -> InFlight */
};

/* Headers that the transport adds or consumes, or that browsers and HTTP libraries send on
 * their own: an actor reads none of them, and in a trace they would bury the lesson. */
static const char *const dropped_request_headers[] = {
  "Host", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Upgrade",
  "Expect", "Proxy-Connection", "Accept", "Accept-Encoding", "Accept-Language", "User-Agent",
  "Cache-Control", "Pragma", "Upgrade-Insecure-Requests", "DNT", "Priority", "Purpose",
  VIA_HEADER, NULL
};

static const char *const dropped_response_headers[] = {
  "Date", "Server", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding", NULL
};

static gboolean
header_in (const char        *name,
           const char *const *list)
{
  for (guint i = 0; list[i]; i++)
    if (g_ascii_strcasecmp (name, list[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_dropped_request_header (const char *name)
{
  /* Fetch metadata and client hints (Sec-Fetch-Site, sec-ch-ua, ...): browsers only. */
  return g_ascii_strncasecmp (name, "Sec-", 4) == 0 || header_in (name, dropped_request_headers);
}

static void
in_flight_free (gpointer data)
{
  InFlight *entry = data;
  g_free (entry->from);
  sim_message_unref (entry->sent);
  g_free (entry);
}

static void
http_actor_free (gpointer data)
{
  HttpActor *a = data;

  g_assert (a->thread == NULL);
  g_free (a->name);
  g_free (a->host);
  g_free (a->origin);
  g_clear_object (&a->socket);
  g_clear_pointer (&a->loop, g_main_loop_unref);
  g_clear_pointer (&a->context, g_main_context_unref);
  g_clear_error (&a->start_error);
  g_free (a);
}

/**
 * sim_http_new:
 * @bus: (not owned): must outlive the transport
 *
 * Returns: (transfer full): a transport with no actors yet.
 */
SimHttp *
sim_http_new (SimBus *bus)
{
  SimHttp *self = g_new0 (SimHttp, 1);

  self->bus = bus;
  self->actors = g_ptr_array_new_with_free_func (http_actor_free);
  self->rng = sim_rng_new_system ();
  self->in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, in_flight_free);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  return self;
}

void
sim_http_free (SimHttp *self)
{
  if (!self)
    return;
  sim_http_stop (self);
  g_ptr_array_unref (self->actors);
  sim_rng_free (self->rng);
  g_hash_table_unref (self->in_flight);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

static HttpActor *
find_actor (SimHttp    *self,
            const char *name)
{
  for (guint i = 0; i < self->actors->len; i++)
    {
      HttpActor *a = self->actors->pdata[i];
      if (strcmp (a->name, name) == 0)
        return a;
    }
  return NULL;
}

/**
 * sim_http_listen:
 * @name: the actor's name on the bus
 * @address: an IPv4 address such as "127.0.0.1"
 * @port: 0 for any free port
 *
 * Binds and listens now, so that the origin is known before the actor is built and so that
 * connections wait in the queue until the actor's thread is ready for them.
 *
 * Returns: (transfer none) (nullable): the origin, "http://127.0.0.1:9400", or %NULL with
 * @error set.
 */
const char *
sim_http_listen (SimHttp     *self,
                 const char  *name,
                 const char  *address,
                 guint        port,
                 GError     **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) bind_address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;
  HttpActor *a;

  g_return_val_if_fail (self != NULL && name != NULL && address != NULL, NULL);
  g_return_val_if_fail (find_actor (self, name) == NULL, NULL);

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL || g_inet_address_get_family (inet) != G_SOCKET_FAMILY_IPV4)
    {
      g_set_error (error, SIM_HTTP_ERROR, SIM_HTTP_ERROR_ADDRESS,
                   _("“%s” is not an IPv4 address such as 127.0.0.1"), address);
      return NULL;
    }
  if (g_inet_address_get_is_any (inet))
    {
      g_set_error (error, SIM_HTTP_ERROR, SIM_HTTP_ERROR_ADDRESS,
                   _("%s is not an address a browser can open; give the address of one interface, such as 127.0.0.1"),
                   address);
      return NULL;
    }

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  /* accept_ready() takes connections until the queue is empty. */
  g_socket_set_blocking (socket, FALSE);
  bind_address = g_inet_socket_address_new (inet, port);
  if (!g_socket_bind (socket, bind_address, TRUE, error) || !g_socket_listen (socket, error))
    {
      g_prefix_error (error, _("cannot listen on %s:%u for the %s: "), address, port, name);
      return NULL;
    }
  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL)
    return NULL;

  a = g_new0 (HttpActor, 1);
  a->http = self;
  a->name = g_strdup (name);
  a->host = g_strdup (address);
  a->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  a->origin = g_strdup_printf ("http://%s:%u", address, a->port);
  a->socket = g_steal_pointer (&socket);
  a->context = g_main_context_new ();
  a->loop = g_main_loop_new (a->context, FALSE);
  g_ptr_array_add (self->actors, a);
  return a->origin;
}

/* Sending: one SoupSession per thread, made and used only there. */

static void
session_free (gpointer data)
{
  g_object_unref (data);
}

static GPrivate thread_session = G_PRIVATE_INIT (session_free);

static SoupSession *
get_session (void)
{
  SoupSession *session = g_private_get (&thread_session);

  if (session == NULL)
    {
      session = soup_session_new_with_options ("timeout", SEND_TIMEOUT, "idle-timeout", 60, NULL);
      /* Loopback only: never through a proxy from the environment, and no compression to
       * undo, so what the trace shows is what went over the wire. */
      soup_session_set_proxy_resolver (session, NULL);
      soup_session_remove_feature_by_type (session, SOUP_TYPE_CONTENT_DECODER);
      g_private_set (&thread_session, session);
    }
  return session;
}

static gboolean
copies_request_header (const char *name)
{
  return g_ascii_strcasecmp (name, "Content-Type") != 0 && !is_dropped_request_header (name);
}

/* A simulated request's fields onto a real one. */
static void
copy_request_header (const char *name,
                     const char *value,
                     gpointer    data)
{
  SoupMessageHeaders *to = data;

  if (copies_request_header (name))
    soup_message_headers_append (to, name, value);
}

/* A real request's fields onto a simulated one. */
static void
take_request_header (const char *name,
                     const char *value,
                     gpointer    data)
{
  SimHeaders *to = data;

  if (copies_request_header (name))
    sim_headers_append (to, name, value);
}

/* A real answer's fields onto the simulated message. */
static void
take_response_header (const char *name,
                      const char *value,
                      gpointer    data)
{
  SimHeaders *to = data;

  if (!header_in (name, dropped_response_headers))
    sim_headers_append (to, name, value);
}

/* The bus's forwarder: runs in the sender's thread and blocks until the answer comes. */
static void
forward (gpointer         data,
         const SimSender *sender,
         SimMessage      *message)
{
  SimHttp *self = data;
  g_autoptr(GUri) target = sim_uri_to_guri (message->uri);
  g_autoptr(SoupMessage) request = target ? soup_message_new_from_uri (message->method, target) : NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = sim_rng_token (self->rng, NULL, 16);
  g_autofree char *origin = sim_message_dup_origin (message);
  InFlight *entry;

  if (request == NULL)
    {
      sim_message_set_response (message, SOUP_STATUS_NONE, NULL, NULL);
      sim_message_narrate (message, _("The request cannot be sent over HTTP: its URI or method is not valid."));
      return;
    }
  sim_headers_foreach (message->request_headers, copy_request_header,
                       soup_message_get_request_headers (request));
  if (sim_message_get_request_body (message))
    soup_message_set_request_body_from_bytes (request,
                                              sim_headers_get_one (message->request_headers, "Content-Type"),
                                              sim_message_get_request_body (message));
  /* The sender decides what to do with a redirect, as on the bus. IDEMPOTENT: libsoup opens a
   * new connection for every POST otherwise (a TCP handshake per /token and /introspect call);
   * the actors' servers keep connections alive and never close an idle one unannounced, so
   * the POST goes on the connection the last answer came on. */
  soup_message_add_flags (request, SOUP_MESSAGE_NO_REDIRECT | SOUP_MESSAGE_IDEMPOTENT);
  soup_message_headers_replace (soup_message_get_request_headers (request), VIA_HEADER, name);

  entry = g_new0 (InFlight, 1);
  entry->from = g_strdup (sender->from);
  entry->parent = sender->parent;
  entry->depth = sender->depth;
  entry->sent = sim_message_ref (message);
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->in_flight, g_strdup (name), entry);
  g_mutex_unlock (&self->lock);

  body = soup_session_send_and_read (get_session (), request, NULL, &error);

  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->in_flight, name);
  g_mutex_unlock (&self->lock);

  if (body == NULL)
    {
      sim_message_set_response (message, SOUP_STATUS_NONE, NULL, NULL);
      sim_message_narrate (message, _("Nobody answers at %s over HTTP (%s): the message is lost."),
                           origin, error->message);
      return;
    }
  soup_message_headers_foreach (soup_message_get_response_headers (request), take_response_header,
                                message->response_headers);
  sim_message_set_response (message, soup_message_get_status (request), NULL,
                            g_bytes_get_size (body) ? body : NULL);
}

/* Receiving */

typedef struct
{
  GByteArray *body;
  gboolean too_large;
} BodyState;

static void
body_state_free (gpointer data)
{
  BodyState *state = data;
  g_clear_pointer (&state->body, g_byte_array_unref);
  g_free (state);
}

static void
answer_too_large (SoupServerMessage *msg)
{
  static const char text[] = "Request body too large: the limit is 64 KiB.\n";

  soup_server_message_set_status (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_STATIC,
                                    text, strlen (text));
}

/* Keeps at most SIM_HTTP_MAX_BODY bytes of a body, whatever the client says it will send. */
static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           data)
{
  BodyState *state = data;
  gsize size = g_bytes_get_size (chunk);

  if (state->too_large)
    return;
  if (state->body->len + size > SIM_HTTP_MAX_BODY)
    {
      state->too_large = TRUE;
      g_byte_array_set_size (state->body, 0);
      return;
    }
  g_byte_array_append (state->body, g_bytes_get_data (chunk, NULL), size);
}

static gboolean
is_decimal (const char *text)
{
  gsize digits = 0;

  for (; *text; text++, digits++)
    if (!g_ascii_isdigit (*text))
      return FALSE;
  return digits > 0 && digits <= 18;
}

/* Without a body length that can be trusted, the request cannot even be read to its end (a
 * negative Content-Length would leave libsoup waiting): answer and hang up at once. */
static void
refuse_and_close (SoupServerMessage *msg,
                  guint              status)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 %u %s\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                                           status, soup_status_get_phrase (status));

  if (stream == NULL)
    return;
  g_output_stream_write_all (g_io_stream_get_output_stream (stream), head, strlen (head),
                             NULL, NULL, NULL);
  g_io_stream_close (stream, NULL, NULL);
}

/* After the headers, before the body: refuse a length that is not a number, note a body
 * announced too large, and collect the body ourselves instead of letting libsoup keep all of
 * it. */
static void
early_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *length = soup_message_headers_get_list (headers, "Content-Length");
  BodyState *state;

  if (length && !is_decimal (length))
    {
      refuse_and_close (msg, SOUP_STATUS_BAD_REQUEST);
      return;
    }
  state = g_new0 (BodyState, 1);

  state->body = g_byte_array_new ();
  g_object_set_data_full (G_OBJECT (msg), BODY_STATE, state, body_state_free);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), state);

  /* The answer waits for the request handler: a status set this early would make libsoup
   * skip it, and libsoup 3.2 then loses the connection when the client half-closes. */
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (headers) > SIM_HTTP_MAX_BODY)
    state->too_large = TRUE;
}

/* "browser" for anything that says Mozilla/, else the product named first in User-Agent. */
static char *
outside_sender (SoupMessageHeaders *headers)
{
  const char *agent = soup_message_headers_get_one (headers, "User-Agent");
  GString *product;

  if (agent == NULL || *agent == '\0')
    return g_strdup (_("someone"));
  if (g_str_has_prefix (agent, "Mozilla/"))
    return g_strdup (_("browser"));
  product = g_string_new (NULL);
  for (const char *p = agent; *p && *p != '/' && *p != ' ' && product->len < 24; p++)
    if (g_ascii_isalnum (*p) || *p == '.' || *p == '-' || *p == '_')
      g_string_append_c (product, *p);
  if (product->len == 0)
    g_string_append (product, _("someone"));
  return g_string_free (product, FALSE);
}

static SimMessage *
message_from_request (HttpActor         *a,
                      SoupServerMessage *msg,
                      BodyState         *state)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  GUri *target = soup_server_message_get_uri (msg);
  const char *content_type = soup_message_headers_get_one (headers, "Content-Type");
  g_autoptr(GUri) built = g_uri_build (G_URI_FLAGS_ENCODED, "http", NULL, a->host, a->port,
                                       g_uri_get_path (target), g_uri_get_query (target), NULL);
  g_autoptr(SimUri) uri = sim_uri_new_from_guri (built);
  SimMessage *message = sim_message_new_from_uri (soup_server_message_get_method (msg), uri);
  g_autoptr(GBytes) body = NULL;

  if (state)
    body = g_bytes_new (state->body->data, state->body->len);
  else
    body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  if (g_bytes_get_size (body) > 0)
    sim_message_set_request_body (message, content_type, body);
  else if (content_type)
    sim_headers_replace (message->request_headers, "Content-Type", content_type);
  soup_message_headers_foreach (headers, take_request_header, message->request_headers);
  return message;
}

/* Fills in who sent @message: an actor, through its in-flight record, or an outsider. */
static char *
find_sender (HttpActor          *a,
             SoupMessageHeaders *headers,
             SimMessage         *message,
             SimSender          *sender)
{
  SimHttp *self = a->http;
  const char *name = soup_message_headers_get_one (headers, VIA_HEADER);
  InFlight *entry;
  char *from = NULL;

  g_mutex_lock (&self->lock);
  entry = name ? g_hash_table_lookup (self->in_flight, name) : NULL;
  if (entry)
    {
      from = g_strdup (entry->from);
      sender->parent = entry->parent;
      sender->depth = entry->depth;
      /* The sender is blocked waiting for this answer: its message does not change now. */
      sim_message_set_phase (message, entry->sent->phase);
      for (guint i = 0; i < entry->sent->narration->len; i++)
        sim_message_narrate (message, "%s", (char *) entry->sent->narration->pdata[i]);
      for (guint i = 0; i < entry->sent->notes->len; i++)
        sim_message_add_note (message, entry->sent->notes->pdata[i]);
    }
  g_mutex_unlock (&self->lock);

  if (from == NULL)
    {
      from = outside_sender (headers);
      sender->parent = 0;
      sender->depth = 0;
      if (self->phase_func)
        sim_message_set_phase (message, self->phase_func (self->phase_data, a->name, message));
    }
  sender->from = from;
  return from;
}

static void
copy_to_response (const char *name,
                  const char *value,
                  gpointer    data)
{
  soup_message_headers_append (data, name, value);
}

static void keep_alive_if_possible (SoupServerMessage *msg);
static void cork (SoupServerMessage *msg,
                  gboolean           on);

static void
request_handler (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           data)
{
  HttpActor *a = data;
  BodyState *state = g_object_get_data (G_OBJECT (msg), BODY_STATE);
  g_autoptr(SimMessage) message = NULL;
  g_autofree char *from = NULL;
  SimSender sender = { 0 };
  guint status;

  /* The whole request is read (no "100 Continue" to come): hold what libsoup writes next, the
   * answer's head and then its body, until on_wrote_body() lets it go as one segment. */
  cork (msg, TRUE);
  if ((state && state->too_large)
      || (!state && soup_server_message_get_request_body (msg)->length > SIM_HTTP_MAX_BODY))
    {
      answer_too_large (msg);
      return;
    }
  if (strcmp (g_uri_get_path (soup_server_message_get_uri (msg)), "/favicon.ico") == 0)
    {
      /* Browsers ask for it on their own; it has nothing to do with the lesson. */
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (a->busy)
    {
      /* Cannot happen with blocking sends; if it did, the actor's state would be used twice. */
      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      return;
    }

  message = message_from_request (a, msg, state);
  from = find_sender (a, soup_server_message_get_request_headers (msg), message, &sender);

  a->busy = TRUE;
  sim_bus_receive (a->http->bus, a->name, &sender, message);
  a->busy = FALSE;

  status = message->status;
  if (status == SOUP_STATUS_NONE)
    {
      /* An answer lost on the bus (dropped or unreachable) is a gateway error on the wire. */
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_GATEWAY, NULL);
      return;
    }
  soup_server_message_set_status (msg, status, NULL);
  sim_headers_foreach (message->response_headers, copy_to_response,
                       soup_server_message_get_response_headers (msg));
  if (sim_message_get_response_body (message))
    soup_message_body_append_bytes (soup_server_message_get_response_body (msg),
                                    sim_message_get_response_body (message));
  keep_alive_if_possible (msg);
}

/* Connections.
 *
 * Accepting: libsoup 3.2's own listener (soup_server_listen_socket) keeps one reference to every
 * socket it accepts and never drops it (fixed upstream later: soup-listener.c unrefs the socket
 * after soup_server_connection_new): about 700 bytes of memory per connection for ever, and the
 * descriptor too unless the connection is closed with g_io_stream_close(). So the transport
 * accepts connections itself and hands each to the server with soup_server_accept_iostream();
 * the socket then belongs to its GSocketConnection alone, and goes, descriptor and all, when
 * libsoup lets the connection go.
 *
 * Keeping connections alive: libsoup 3.2 loses a kept-alive connection that its client closes
 * between two requests: the message waiting for the next request reads the end of the stream,
 * has nobody to tell, and the connection stays open for ever (one descriptor and its objects per
 * connection; fixed upstream). The first message on a connection has no such hole: a
 * client that hangs up before it has asked anything is let go. And without a listener of its
 * own, libsoup closes every connection after its first answer instead of keeping it. So once an
 * answer is written, the transport takes the stream back (soup_server_message_steal_connection)
 * and gives it to the server again as a new connection (hand_back_now): every request is a first
 * message, the socket is never closed between two of them, and a client that goes away is
 * noticed. An answer that will not be followed by another on the same connection (libsoup's own
 * error pages, an HTTP/1.0 client, a "Connection: close" request, an answer the actors did not
 * write) says "Connection: close", and libsoup closes the connection after it. */

typedef struct _Client
{
  grefcount refs;
  HttpActor *a;
  GSocketConnection *connection;   /* (owned) */
  GSocketAddress *local;           /* (owned) */
  GSocketAddress *remote;          /* (owned) */
  guint layers;                    /* stream wrappers between libsoup and the connection */
} Client;

static Client *
client_ref (Client *client)
{
  g_ref_count_inc (&client->refs);
  return client;
}

static void
client_unref (gpointer data)
{
  Client *client = data;

  if (!g_ref_count_dec (&client->refs))
    return;
  g_object_unref (client->connection);
  g_object_unref (client->local);
  g_object_unref (client->remote);
  g_free (client);
}

/* Gives @stream to the server as a new connection; its first request is read at once if it is
 * already there. */
static void
serve_stream (Client    *client,
              GIOStream *stream)
{
  HttpActor *a = client->a;

  a->accepting = client;
  soup_server_accept_iostream (a->server, stream, client->local, client->remote, NULL);
  a->accepting = NULL;
}

typedef struct
{
  Client *client;
  GIOStream *stream;
} HandBack;

static void
hand_back_free (gpointer data)
{
  HandBack *back = data;

  client_unref (back->client);
  g_object_unref (back->stream);
  g_free (back);
}

static gboolean
hand_back_now (gpointer data)
{
  HandBack *back = data;

  if (back->client->a->server == NULL)
    g_io_stream_close (back->stream, NULL, NULL);     /* the actor is stopping */
  else
    serve_stream (back->client, back->stream);
  return G_SOURCE_REMOVE;
}

/* After a normal answer from an actor: keep the connection if the client may send another
 * request on it. */
static void
keep_alive_if_possible (SoupServerMessage *msg)
{
  Client *client = g_object_get_data (G_OBJECT (msg), CLIENT_KEY);
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);

  if (client == NULL
      || client->layers >= MAX_LAYERS
      || soup_server_message_get_http_version (msg) != SOUP_HTTP_1_1
      || soup_message_headers_header_contains (request_headers, "Connection", "close")
      || soup_message_headers_get_encoding (response_headers) != SOUP_ENCODING_CONTENT_LENGTH)
    return;
  soup_message_headers_remove (response_headers, "Connection");
  g_object_set_data (G_OBJECT (msg), KEEP_ALIVE_KEY, GINT_TO_POINTER (TRUE));
}

/* TCP_CORK: libsoup writes an answer's head and its body in two calls, and on loopback each
 * send with TCP_NODELAY is a segment of its own, delivered (and its reader woken) at once. */
static void
cork (SoupServerMessage *msg,
      gboolean           on)
{
  Client *client = g_object_get_data (G_OBJECT (msg), CLIENT_KEY);

  if (client)
    g_socket_set_option (g_socket_connection_get_socket (client->connection),
                         IPPROTO_TCP, TCP_CORK, on, NULL);
}

/* The whole answer is written: send it, and take the stream back before libsoup closes it. */
static void
on_wrote_body (SoupServerMessage *msg,
               gpointer           data)
{
  Client *client = g_object_get_data (G_OBJECT (msg), CLIENT_KEY);
  g_autoptr(GIOStream) stolen = NULL;
  GInputStream *input;
  HandBack *back;
  GSource *source;

  cork (msg, FALSE);
  if (client == NULL || !g_object_get_data (G_OBJECT (msg), KEEP_ALIVE_KEY))
    return;
  stolen = soup_server_message_steal_connection (msg);
  if (stolen == NULL)
    return;

  back = g_new0 (HandBack, 1);
  back->client = client_ref (client);
  /* libsoup reads ahead into a buffer of the stream it was given. A client that waits for each
   * answer before it asks again (browsers, curl, wrk, every HTTP library by default) has left
   * nothing there, and the next connection reads the socket afresh. If the stream has something
   * to read, it may be the next request in the kernel or bytes of a pipelined one in that
   * buffer: the stolen stream, buffer and all, is given back instead, one more wrapper, until a
   * moment with nothing to read lets them all go. MAX_LAYERS bounds the wrappers. */
  input = g_io_stream_get_input_stream (stolen);
  if (G_IS_POLLABLE_INPUT_STREAM (input)
      && g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input))
      && !g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (input)))
    {
      back->stream = G_IO_STREAM (g_object_ref (client->connection));
      client->layers = 0;
    }
  else
    {
      back->stream = g_steal_pointer (&stolen);
      client->layers++;
    }
  /* From the main loop, not from inside libsoup's writing of this answer. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, hand_back_now, back, hand_back_free);
  g_source_attach (source, client->a->context);
  g_source_unref (source);
}

/* Every message starts as the first on a connection the transport gave the server. */
static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           data)
{
  HttpActor *a = data;

  /* Unless keep_alive_if_possible() says otherwise, this is the connection's last answer. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  if (a->accepting)
    {
      g_object_set_data_full (G_OBJECT (msg), CLIENT_KEY, client_ref (a->accepting), client_unref);
      g_signal_connect (msg, "wrote-body", G_CALLBACK (on_wrote_body), NULL);
      a->accepting = NULL;
    }
}

static void watch_listening_socket (HttpActor *a);

static gboolean
accept_retry (gpointer data)
{
  HttpActor *a = data;

  g_clear_pointer (&a->accept_source, g_source_unref);
  watch_listening_socket (a);
  return G_SOURCE_REMOVE;
}

static gboolean
accept_ready (GSocket      *listening,
              GIOCondition  condition,
              gpointer      data)
{
  HttpActor *a = data;

  for (guint i = 0; i < ACCEPT_BATCH; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = g_socket_accept (listening, NULL, &error);
      Client *client;

      if (socket == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return G_SOURCE_CONTINUE;
          /* Out of descriptors or memory (or a client that gave up in the queue): the queue
           * may stay readable, so without a pause this would spin. The connections answered
           * meanwhile give descriptors back. */
          g_clear_pointer (&a->accept_source, g_source_unref);
          a->accept_source = g_timeout_source_new (ACCEPT_RETRY_MS);
          g_source_set_callback (a->accept_source, accept_retry, a, NULL);
          g_source_attach (a->accept_source, a->context);
          return G_SOURCE_REMOVE;
        }
      /* Answers are small and written at once; Nagle would hold them for the client's ACK. */
      g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
      client = g_new0 (Client, 1);
      g_ref_count_init (&client->refs);
      client->a = a;
      client->local = g_socket_get_local_address (socket, NULL);
      client->remote = g_socket_get_remote_address (socket, NULL);
      if (client->local == NULL || client->remote == NULL)
        {
          /* Already gone; dropping the socket closes it. */
          g_clear_object (&client->local);
          g_clear_object (&client->remote);
          g_free (client);
          continue;
        }
      client->connection = g_socket_connection_factory_create_connection (socket);
      serve_stream (client, G_IO_STREAM (client->connection));
      client_unref (client);
    }
  /* More may be waiting: the source fires again at once, after the connections' own work. */
  return G_SOURCE_CONTINUE;
}

static void
watch_listening_socket (HttpActor *a)
{
  a->accept_source = g_socket_create_source (a->socket, G_IO_IN, NULL);
  g_source_set_callback (a->accept_source, G_SOURCE_FUNC (accept_ready), a, NULL);
  g_source_attach (a->accept_source, a->context);
}

/* The actor's thread */

static void
report_state (HttpActor  *a,
              ActorState  state,
              GError     *error)
{
  g_mutex_lock (&a->http->lock);
  a->state = state;
  a->start_error = error;
  g_cond_broadcast (&a->http->cond);
  g_mutex_unlock (&a->http->lock);
}

static gpointer
actor_thread (gpointer data)
{
  HttpActor *a = data;
  g_autoptr(SoupServer) server = NULL;
  GError *error = NULL;

  g_main_context_push_thread_default (a->context);

  if (a->on_start && !a->on_start (a->actor, &error))
    {
      g_main_context_pop_thread_default (a->context);
      report_state (a, ACTOR_FAILED, error);
      return NULL;
    }

  /* raw-paths: the path stays as it was sent, percent-encoding and all, like the query. */
  server = soup_server_new ("server-header", "oauth-sim", "raw-paths", TRUE, NULL);
  soup_server_add_early_handler (server, NULL, early_handler, a, NULL);
  soup_server_add_handler (server, NULL, request_handler, a, NULL);
  g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), a);
  a->server = server;
  watch_listening_socket (a);
  report_state (a, ACTOR_RUNNING, NULL);

  g_main_loop_run (a->loop);

  /* No new connection from now on: the watch (or the timer that would bring it back) goes,
   * and so does the listening socket, as soup_server_disconnect() would close its own. */
  if (a->accept_source)
    {
      g_source_destroy (a->accept_source);
      g_clear_pointer (&a->accept_source, g_source_unref);
    }
  g_socket_close (a->socket, NULL);
  soup_server_disconnect (server);
  a->server = NULL;
  g_clear_object (&server);
  /* Let the connections the server just closed finish their business in this context. */
  while (g_main_context_iteration (a->context, FALSE))
    ;
  g_main_context_pop_thread_default (a->context);
  return NULL;
}

/**
 * sim_http_add_actor:
 * @name: an actor already given a socket by sim_http_listen()
 * @actor: (not owned): passed to @handler and @on_start, in the actor's thread only
 * @on_start: (nullable): run in the actor's thread before it answers anything
 *
 * Puts the actor on the bus at its origin, with a forwarder: from now on, messages to it
 * travel over HTTP.
 */
void
sim_http_add_actor (SimHttp          *self,
                    const char       *name,
                    SimHandler        handler,
                    gpointer          actor,
                    SimHttpStartFunc  on_start)
{
  HttpActor *a;

  g_return_if_fail (self != NULL && name != NULL && handler != NULL);
  a = find_actor (self, name);
  g_return_if_fail (a != NULL && a->handler == NULL);

  a->handler = handler;
  a->actor = actor;
  a->on_start = on_start;
  sim_bus_add_actor (self->bus, name, a->origin, handler, actor);
  sim_bus_set_forwarder (self->bus, name, forward, self);
}

void
sim_http_set_phase_func (SimHttp          *self,
                         SimHttpPhaseFunc  func,
                         gpointer          data)
{
  self->phase_func = func;
  self->phase_data = data;
}

/**
 * sim_http_start:
 *
 * Starts the actors' threads one at a time, in the order they listened; each has run its
 * on_start function and is answering before the next begins, so an actor may call those
 * before it while it starts (the client registers with the server).
 *
 * Returns: %TRUE when every actor is answering; otherwise %FALSE with @error set, and the
 * ones already started are stopped again.
 */
gboolean
sim_http_start (SimHttp  *self,
                GError  **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->actors->len; i++)
    {
      HttpActor *a = self->actors->pdata[i];
      g_autofree char *thread_name = g_strdup_printf ("http-%s", a->name);

      g_return_val_if_fail (a->handler != NULL, FALSE);
      a->thread = g_thread_new (thread_name, actor_thread, a);

      g_mutex_lock (&self->lock);
      while (a->state == ACTOR_IDLE)
        g_cond_wait (&self->cond, &self->lock);
      g_mutex_unlock (&self->lock);

      if (a->state == ACTOR_FAILED)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&a->start_error),
                                      _("the %s could not start: "), a->name);
          sim_http_stop (self);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/**
 * sim_http_stop:
 *
 * Stops the actors in the reverse order of their start, so a request under way can still be
 * answered by the actors it calls; each finishes the request it is handling first. Every
 * thread has ended when this returns.
 */
void
sim_http_stop (SimHttp *self)
{
  g_return_if_fail (self != NULL);

  for (guint i = self->actors->len; i > 0; i--)
    {
      HttpActor *a = self->actors->pdata[i - 1];

      if (a->thread == NULL)
        continue;
      /* From inside the loop, so that a quit cannot come before the loop runs. */
      if (a->state == ACTOR_RUNNING)
        g_main_context_invoke (a->context, quit_loop, a->loop);
      g_thread_join (g_steal_pointer (&a->thread));
      a->state = ACTOR_IDLE;
    }
}
