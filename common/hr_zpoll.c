/*  hr_zpoll — poll(2) on libzmq sockets' ZMQ_FDs, asking a socket only
    when its fd woke or it is stale (hr_zpoll.h).                          */
#include "hr_zpoll.h"

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <zmq.h>

void
hr_zpoll_init (hr_zpoll_t *self)
{
    assert (self);
    self->n = 0;
    self->skipped = false;
}

static int
s_socket_fd (void *socket)
{
    int fd = -1;
    size_t size = sizeof fd;
    if (socket && zmq_getsockopt (socket, ZMQ_FD, &fd, &size) != 0)
        fd = -1;
    return fd;
}

static int
s_add (hr_zpoll_t *self, void *socket, int fd)
{
    assert (self);
    if (self->n == HR_ZPOLL_MAX)
        return -1;
    int index = self->n++;
    self->items[index] = (hr_zpoll_item_t) { socket, socket != NULL, false };
    self->fds[index] = (struct pollfd) { fd, POLLIN, 0 };
    return index;
}

int
hr_zpoll_add (hr_zpoll_t *self, void *socket)
{
    assert (socket);
    return s_add (self, socket, s_socket_fd (socket));
}

int
hr_zpoll_add_fd (hr_zpoll_t *self, int fd)
{
    return s_add (self, NULL, fd);
}

void
hr_zpoll_set (hr_zpoll_t *self, int index, void *socket)
{
    assert (self && index >= 0 && index < self->n);
    hr_zpoll_item_t *item = &self->items[index];
    if (item->socket != socket) {
        item->socket = socket;
        item->stale = socket != NULL;
        item->ready = false;
    }
    /*  Every time (no system call): a new socket may sit at an old one's
        address.  */
    self->fds[index].fd = s_socket_fd (socket);
}

void
hr_zpoll_set_fd (hr_zpoll_t *self, int index, int fd)
{
    assert (self && index >= 0 && index < self->n);
    self->items[index] = (hr_zpoll_item_t) { NULL, false, false };
    self->fds[index].fd = fd;
}

void
hr_zpoll_touch (hr_zpoll_t *self, int index)
{
    assert (self && index >= 0 && index < self->n);
    if (self->items[index].socket)
        self->items[index].stale = true;
}

void
hr_zpoll_idle (hr_zpoll_t *self, int index)
{
    assert (self && index >= 0 && index < self->n);
    self->items[index].stale = false;
}

int
hr_zpoll_wait (hr_zpoll_t *self, int timeout_ms)
{
    assert (self);
    int stale = 0, used = 0;
    for (int i = 0; i < self->n; i++) {
        self->items[i].ready = self->items[i].stale;
        stale += self->items[i].stale;
        if (self->fds[i].fd >= 0)
            used = i + 1;       /* the unused tail is not passed to poll(2) */
    }
    if (stale > 0 && !self->skipped) {
        self->skipped = true;
        return stale;
    }
    self->skipped = false;
    int rc = poll (self->fds, (nfds_t) used, stale > 0 ? 0 : timeout_ms);
    if (rc < 0)
        return -1;
    int ready = 0;
    for (int i = 0; i < used; i++) {
        hr_zpoll_item_t *item = &self->items[i];
        if (self->fds[i].fd >= 0 && (self->fds[i].revents & POLLIN)) {
            item->ready = true;
            if (item->socket)
                item->stale = true;     /* until it is seen idle */
        }
        ready += item->ready;
    }
    return ready;
}

bool
hr_zpoll_ready (hr_zpoll_t *self, int index)
{
    assert (self && index >= 0 && index < self->n);
    return self->items[index].ready;
}

bool
hr_zpoll_polled (hr_zpoll_t *self)
{
    assert (self);
    return !self->skipped;
}
