/*  hr_redis — a Redis connection (hiredis, blocking with timeouts) that
    reconnects after a server restart.  One hr_redis_t per thread.          */
#ifndef HR_REDIS_H
#define HR_REDIS_H
#include <hiredis.h>
#include <stddef.h>
#include <stdint.h>
#include "hr_strbuf.h"

typedef struct hr_redis hr_redis_t;

/*  url: redis://[:password@]host:port[/db].  Connects lazily; never NULL
    for a well-formed URL (NULL for a malformed one).  */
hr_redis_t *hr_redis_new (const char *url, int timeout_ms);
void hr_redis_destroy (hr_redis_t **self_p);

/*  Like redisCommand / redisCommandArgv; reconnects once on a broken
    connection.  NULL when Redis is down or on a protocol error (callers
    fall back to PostgreSQL).  REDIS_REPLY_ERROR replies are returned.
    Caller freeReplyObject()s.  */
redisReply *hr_redis_command (hr_redis_t *self, const char *fmt, ...);
redisReply *hr_redis_argv (hr_redis_t *self, int argc, const char **argv, const size_t *argvlen);
/*  Pipelining: append, then get replies in order.  -1 when down.           */
int hr_redis_append (hr_redis_t *self, const char *fmt, ...);
int hr_redis_append_argv (hr_redis_t *self, int argc, const char **argv,
                          const size_t *argvlen);
int hr_redis_get_reply (hr_redis_t *self, redisReply **reply);

/*  Commands written in RESP by the caller into one buffer and queued with
    one call (issue 16: a group commit queues ~7 commands per event; each
    hr_redis_append parses its format and allocates per argument).  A
    command is hr_resp_command (buf, argc) then argc hr_resp_arg /
    hr_resp_arg_int.  0, or -1 when out of memory.                          */
int hr_resp_command (hr_strbuf_t *buf, int argc);
int hr_resp_arg (hr_strbuf_t *buf, const void *s, size_t n);
int hr_resp_arg_int (hr_strbuf_t *buf, int64_t value);
/*  Queues the commands in buf[0..len) on the pipeline.  0, -1 when down.   */
int hr_redis_append_resp (hr_redis_t *self, const char *resp, size_t len);

/*  Extra (common-data): the socket timeout for replies from now on (e.g.
    longer than an XREAD BLOCK); connecting keeps the timeout given to
    hr_redis_new so a down server still fails fast.                         */
void hr_redis_set_reply_timeout (hr_redis_t *self, int timeout_ms);

#endif
