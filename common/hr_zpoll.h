/*  hr_zpoll — waits on libzmq sockets (and plain fds) with one poll(2) on
    their ZMQ_FDs, instead of zmq_poll, which asks every socket ZMQ_EVENTS
    before and after blocking (each ask is a poll(2) or read(2) of the
    socket's mailbox: measured, most of the broker's and a worker's system
    calls per request; BENCHMARKS.md, "Syscalls per request").

    A socket's ZMQ_FD is edge-triggered: any operation on the socket (send,
    recv, getsockopt) may consume its wake-up while a message is waiting, so
    the fd stays quiet.  The rule kept here: a socket is "stale" from the
    moment it is added or touched (the caller did anything on it) until the
    caller saw it idle (a ZMQ_DONTWAIT recv answered EAGAIN, or ZMQ_EVENTS
    had no POLLIN, and nothing was done on it since).  A stale socket is
    ready at once: it is asked before anything blocks.  Only idle sockets
    are left to their fd.

    A value the caller holds (no resources: nothing to free).              */
#ifndef HR_ZPOLL_H
#define HR_ZPOLL_H
#include <poll.h>
#include <stdbool.h>

#define HR_ZPOLL_MAX 65         /* hr_worker: its wake fd and 64 brokers */

typedef struct {
    void *socket;               /* a libzmq socket, or NULL (a plain fd, or unused) */
    bool stale;                 /* ask it before blocking */
    bool ready;                 /* the last wait: its fd woke, or it was stale */
} hr_zpoll_item_t;

typedef struct {
    hr_zpoll_item_t items[HR_ZPOLL_MAX];
    struct pollfd fds[HR_ZPOLL_MAX];    /* fd -1: unused (poll(2) skips it) */
    int n;
    bool skipped;               /* the last wait returned without poll(2) */
} hr_zpoll_t;

/*  Empty.  */
void hr_zpoll_init (hr_zpoll_t *self);
/*  Adds a libzmq socket (stale: asked on the first wait), or a plain fd
    (socket NULL; level-triggered, never stale).  The item's index, or -1
    when HR_ZPOLL_MAX are in.                                              */
int hr_zpoll_add (hr_zpoll_t *self, void *socket);
int hr_zpoll_add_fd (hr_zpoll_t *self, int fd);
/*  Puts a socket (or NULL: unused) at `index`; a different one than before
    is stale.  A socket replaced by a new one at the same address must be
    touched by the caller (it did something on it anyway: connect, send). */
void hr_zpoll_set (hr_zpoll_t *self, int index, void *socket);
/*  Puts a plain fd (-1: unused) at `index`.                               */
void hr_zpoll_set_fd (hr_zpoll_t *self, int index, int fd);
/*  The caller did something on the socket: ask it again before blocking. */
void hr_zpoll_touch (hr_zpoll_t *self, int index);
/*  The socket said nothing is waiting (EAGAIN, or ZMQ_EVENTS without
    POLLIN) and nothing was done on it since: its fd will tell.           */
void hr_zpoll_idle (hr_zpoll_t *self, int index);
/*  Waits up to timeout_ms (-1: no limit) for an item to be ready.  When a
    socket is stale, returns at once without a system call, except right
    after another such wait: then polls without blocking, so quiet items
    are looked at at least every other wait.  A socket whose fd woke turns
    stale (ask it until it is idle).  The number of ready items, 0 when
    none, or -1 (errno: EINTR) when poll(2) failed.                        */
int hr_zpoll_wait (hr_zpoll_t *self, int timeout_ms);
/*  Whether the item was ready in the last wait: for a socket, ask it (it
    may have nothing: its fd also wakes for libzmq's own commands).       */
bool hr_zpoll_ready (hr_zpoll_t *self, int index);
/*  Whether the last wait looked at every fd (false: it only returned the
    stale sockets; what came on the others was not seen).                 */
bool hr_zpoll_polled (hr_zpoll_t *self);

#endif
