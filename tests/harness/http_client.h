/*  http_client — a tiny blocking HTTP/1.1 client for tests (keep-alive,
    Content-Length and chunked bodies, 10 s socket timeouts).               */
#ifndef HR_HTTP_CLIENT_H
#define HR_HTTP_CLIENT_H
#include <stddef.h>

typedef struct {
    int status;
    char *headers;              /* the raw header block, NUL-terminated */
    char *body;                 /* NUL-terminated (not counted in body_len) */
    size_t body_len;
} hr_http_response_t;

typedef struct hr_http hr_http_t;

/*  Connects lazily (and again after the server closed the connection).    */
hr_http_t *hr_http_new (const char *host, int port);
void hr_http_destroy (hr_http_t **self_p);

/*  extra_headers: "Name: value\r\n" lines or NULL.  0, or -1 on a network
    or protocol error.  */
int hr_http_request (hr_http_t *self, const char *method, const char *target,
                     const char *extra_headers, const void *body, size_t body_len,
                     hr_http_response_t *out);
/*  Sends `raw` as is (malformed requests) and reads one response.         */
int hr_http_raw (hr_http_t *self, const void *raw, size_t len, hr_http_response_t *out);

/*  A header's value (case-insensitive name), copied into buf; NULL when
    absent.  */
const char *hr_http_header (const hr_http_response_t *res, const char *name, char *buf, size_t cap);
void hr_http_response_free (hr_http_response_t *res);

/*  One-shot GET on a fresh connection.  */
int hr_http_get (const char *host, int port, const char *target, hr_http_response_t *out);

#endif
