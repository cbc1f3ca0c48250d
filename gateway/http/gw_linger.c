/*  gw_linger — lingering close (see gw_linger.h).                          */
#include "gw_linger.h"
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
    gw_linger_t *owner;
    int fd;                         /* the duplicate; -1 once closed */
    h2o_socket_t *conn;             /* h2o's socket while h2o has it */
    h2o_socket_t *sock;             /* ours while lingering */
    void (*on_closed) (void *);
    void *arg;
    size_t discarded;
    h2o_timeout_entry_t timer;
    h2o_linklist_t link;            /* in owner->open or owner->lingering */
} watched_t;

struct gw_linger {
    h2o_loop_t *loop;
    h2o_timeout_t timeout;
    h2o_linklist_t open, lingering;
    int nlingering;
};

gw_linger_t *
gw_linger_new (h2o_loop_t *loop)
{
    gw_linger_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->loop = loop;
    h2o_timeout_init (loop, &self->timeout, GW_LINGER_MS);
    h2o_linklist_init_anchor (&self->open);
    h2o_linklist_init_anchor (&self->lingering);
    return self;
}

static void
s_finish (watched_t *w)
{
    if (h2o_timeout_is_linked (&w->timer))
        h2o_timeout_unlink (&w->timer);
    if (h2o_linklist_is_linked (&w->link))
        h2o_linklist_unlink (&w->link);
    if (w->sock) {
        h2o_socket_close (w->sock);         //  closes w->fd
        w->owner->nlingering--;
    }
    else
    if (w->fd >= 0)
        close (w->fd);
    free (w);
}

static void
s_on_timeout (h2o_timeout_entry_t *entry)
{
    s_finish (H2O_STRUCT_FROM_MEMBER (watched_t, timer, entry));
}

static void
s_on_read (h2o_socket_t *sock, const char *err)
{
    watched_t *w = sock->data;
    if (err) {                              //  the client closed: done
        s_finish (w);
        return;
    }
    w->discarded += sock->input->size;
    h2o_buffer_consume (&sock->input, sock->input->size);
    if (w->discarded > GW_LINGER_BYTES)
        s_finish (w);
}

//  Reads what is there already; 1 when the client has closed (or the
//  socket failed) and lingering is pointless.
static int
s_drain_now (watched_t *w)
{
    char buf[16384];
    while (w->discarded <= GW_LINGER_BYTES) {
        ssize_t n = recv (w->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0)
            w->discarded += (size_t) n;
        else
        if (n < 0 && errno == EINTR)
            continue;
        else
            return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : 1;
    }
    return 1;
}

static void
s_on_h2o_close (void *data)
{
    watched_t *w = data;
    gw_linger_t *self = w->owner;
    w->conn = NULL;
    h2o_linklist_unlink (&w->link);
    w->on_closed (w->arg);
    //  the answer is in the send buffer: FIN after it, then read what the
    //  client still sends until it closes too
    if (shutdown (w->fd, SHUT_WR) != 0 || s_drain_now (w) != 0
    ||  self->nlingering >= GW_LINGER_MAX) {
        s_finish (w);
        return;
    }
    w->sock = h2o_evloop_socket_create (self->loop, w->fd, 0);
    if (!w->sock) {
        s_finish (w);
        return;
    }
    self->nlingering++;
    w->sock->data = w;
    h2o_linklist_insert (&self->lingering, &w->link);
    w->timer.cb = s_on_timeout;
    h2o_timeout_link (self->loop, &self->timeout, &w->timer);
    h2o_socket_read_start (w->sock, s_on_read);
}

int
gw_linger_watch (gw_linger_t *self, h2o_socket_t *sock, void (*on_closed) (void *), void *arg)
{
    assert (self && sock && on_closed);
    watched_t *w = calloc (1, sizeof *w);
    if (!w)
        return -1;
    w->fd = fcntl (h2o_socket_get_fd (sock), F_DUPFD_CLOEXEC, 0);
    if (w->fd < 0) {
        free (w);
        return -1;
    }
    w->owner = self;
    w->conn = sock;
    w->on_closed = on_closed;
    w->arg = arg;
    h2o_linklist_insert (&self->open, &w->link);
    sock->on_close.cb = s_on_h2o_close;
    sock->on_close.data = w;
    return 0;
}

int
gw_linger_count (const gw_linger_t *self)
{
    return self->nlingering;
}

void
gw_linger_destroy (gw_linger_t **self_p)
{
    assert (self_p);
    gw_linger_t *self = *self_p;
    if (!self)
        return;
    while (!h2o_linklist_is_empty (&self->lingering))
        s_finish (H2O_STRUCT_FROM_MEMBER (watched_t, link, self->lingering.next));
    while (!h2o_linklist_is_empty (&self->open)) {
        watched_t *w = H2O_STRUCT_FROM_MEMBER (watched_t, link, self->open.next);
        w->conn->on_close.cb = w->on_closed;
        w->conn->on_close.data = w->arg;
        s_finish (w);
    }
    h2o_timeout_dispose (self->loop, &self->timeout);
    free (self);
    *self_p = NULL;
}
