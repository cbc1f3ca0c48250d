/*  gw_limits — client identity and the per-client rate limit.              */
#include "gw_limits.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "gw_ratelimit.h"
#include "gw_respond.h"
#include "hr_metrics.h"

static void
s_v4_mapped (const void *v4, uint8_t out[16])
{
    memset (out, 0, 10);
    out[10] = out[11] = 0xff;
    memcpy (out + 12, v4, 4);
}

/*  1 when `s` (not NUL-terminated) is an IPv4 or IPv6 address.  */
static int
s_parse_address (const char *s, size_t n, uint8_t out[16])
{
    char text[INET6_ADDRSTRLEN + 1];
    if (n == 0 || n >= sizeof text)
        return 0;
    memcpy (text, s, n);
    text[n] = '\0';
    struct in_addr a4;
    if (inet_pton (AF_INET, text, &a4) == 1) {
        s_v4_mapped (&a4, out);
        return 1;
    }
    return inet_pton (AF_INET6, text, out) == 1;
}

/*  The hop `proxies` entries from the right of X-Forwarded-For (every
    X-Forwarded-For header, in order, as one list): each trusted proxy
    appends the address it got the request from, so that entry is the one
    the outermost trusted proxy wrote — entries left of it are whatever the
    client sent.  With fewer entries, the leftmost.  1 when it parses.     */
static int
s_forwarded_for (h2o_req_t *req, int proxies, uint8_t out[16])
{
    h2o_iovec_t hops[GW_MAX_TRUSTED_PROXIES];     /* the last `proxies` entries seen */
    int seen = 0;
    for (ssize_t at = -1;
         (at = h2o_find_header (&req->headers, H2O_TOKEN_X_FORWARDED_FOR, at)) >= 0;) {
        const char *p = req->headers.entries[at].value.base;
        const char *end = p + req->headers.entries[at].value.len;
        while (p < end) {
            while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
                p++;
            const char *hop = p;
            while (p < end && *p != ',')
                p++;
            const char *last = p;
            while (last > hop && (last[-1] == ' ' || last[-1] == '\t'))
                last--;
            if (last > hop)
                hops[seen++ % proxies] = h2o_iovec_init (hop, (size_t) (last - hop));
        }
    }
    if (seen == 0)
        return 0;
    h2o_iovec_t pick = seen >= proxies ? hops[seen % proxies] : hops[0];
    return s_parse_address (pick.base, pick.len, out);
}

void
gw_client_address (h2o_req_t *req, int trusted_proxies, uint8_t out[16])
{
    if (trusted_proxies > GW_MAX_TRUSTED_PROXIES)
        trusted_proxies = GW_MAX_TRUSTED_PROXIES;
    if (trusted_proxies > 0 && s_forwarded_for (req, trusted_proxies, out))
        return;
    memset (out, 0, 16);
    struct sockaddr_storage ss;
    socklen_t len = req->conn->callbacks->get_peername
                  ? req->conn->callbacks->get_peername (req->conn, (struct sockaddr *) &ss) : 0;
    if (len == 0)
        return;
    if (ss.ss_family == AF_INET)
        s_v4_mapped (&((struct sockaddr_in *) &ss)->sin_addr, out);
    else if (ss.ss_family == AF_INET6)
        memcpy (out, &((struct sockaddr_in6 *) &ss)->sin6_addr, 16);
}

bool
gw_limits_admit (gw_request_t *r)
{
    gw_ratelimit_t *rl = r->thread->ratelimit;
    if (!rl)
        return true;
    uint8_t client[16];
    gw_client_address (r->req, r->app->settings.trusted_proxies, client);
    int wait = gw_ratelimit_take (rl, client, r->start_ns);
    if (wait == 0)
        return true;
    static _Atomic (hr_counter_t *) s_limited;
    hr_counter_t *limited = atomic_load_explicit (&s_limited, memory_order_acquire);
    if (!limited) {             /* get-or-create: a race returns the same handle */
        limited = hr_counter ("hr_gateway_rate_limited_total",
                              "Requests refused with 429 by the per-client rate limit", NULL);
        atomic_store_explicit (&s_limited, limited, memory_order_release);
    }
    hr_counter_inc (limited);
    char secs[16];
    snprintf (secs, sizeof secs, "%d", wait);
    gw_add_header (r, "retry-after", h2o_strdup (&r->req->pool, secs, SIZE_MAX).base);
    gw_send_error (r, 429, "rate_limited", "too many requests from this client; retry in %d s", wait);
    return false;
}
