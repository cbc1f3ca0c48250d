/*  gw_linger — a lingering close for the gateway's HTTP/1 connections.

    h2o 2.2.5 answers a request whose body is too large (over
    max_request_entity_size) with 413 and `Connection: close`, stops reading
    and closes the socket at once.  The client is usually still sending its
    body; closing a socket with unread data makes the kernel answer with a
    reset, and a client busy writing sees "connection reset" and never reads
    the 413.  Here each accepted socket gets a duplicate descriptor, so h2o's
    close() does not close the connection; when h2o lets go of it, the
    connection is half-closed (FIN after the answer) and what the client
    still sends is read and thrown away until it closes its side, up to
    GW_LINGER_MS and GW_LINGER_BYTES (then it is closed, reset or not).
    At most GW_LINGER_MAX connections linger per loop; more close at once.   */
#ifndef GW_LINGER_H
#define GW_LINGER_H
#define H2O_USE_LIBUV 0
#include <h2o.h>

#define GW_LINGER_MS    2000
#define GW_LINGER_BYTES (16u << 20)
#define GW_LINGER_MAX   1024

typedef struct gw_linger gw_linger_t;

/*  One per event loop.  NULL when out of memory.                           */
gw_linger_t *gw_linger_new (h2o_loop_t *loop);
/*  Closes what still lingers; connections still open close abruptly when
    h2o closes them (on_closed is still called).  Before the loop goes.     */
void gw_linger_destroy (gw_linger_t **self_p);

/*  Takes over sock->on_close: on_closed(arg) runs when h2o closes it, and
    the connection then lingers.  -1 (nothing changed) when no descriptor
    or memory is left: h2o's close stays abrupt.                            */
int gw_linger_watch (gw_linger_t *self, h2o_socket_t *sock, void (*on_closed) (void *),
                     void *arg);
/*  Connections lingering now (tests).  */
int gw_linger_count (const gw_linger_t *self);

#endif
