/*  hr_log — structured logs: one JSON object per line on stderr.
    {"ts":"2026-11-26T06:44:45.123Z","level":"info","service":"content",
     "msg":"model loaded","request_id":"...", ...extra fields}             */
#ifndef HR_LOG_H
#define HR_LOG_H
#include <stdarg.h>
#include <stddef.h>

typedef enum { HR_LOG_DEBUG, HR_LOG_INFO, HR_LOG_WARN, HR_LOG_ERROR } hr_log_level_t;

void hr_log_init (const char *service, hr_log_level_t min_level);
/*  "debug"|"info"|"warn"|"error" -> level; -1 when unknown.  */
int hr_log_level_parse (const char *s);

/*  msg is printf-formatted and JSON-escaped.  */
void hr_log (hr_log_level_t level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/*  With extra fields: `fields` is a NULL-terminated list of key, value
    string pairs (values are escaped), request_id may be NULL.
    hr_log_kv(HR_LOG_INFO, rid, "loaded", "version", "3", "items", "30000", NULL); */
void hr_log_kv (hr_log_level_t level, const char *request_id, const char *msg, ...);
/*  hr_log_kv to another descriptor (a command's report stream).            */
void hr_log_kv_fd (int fd, hr_log_level_t level, const char *request_id, const char *msg, ...);

#define hr_debug(...) hr_log (HR_LOG_DEBUG, __VA_ARGS__)
#define hr_info(...)  hr_log (HR_LOG_INFO, __VA_ARGS__)
#define hr_warn(...)  hr_log (HR_LOG_WARN, __VA_ARGS__)
#define hr_error(...) hr_log (HR_LOG_ERROR, __VA_ARGS__)

/*  Appends s JSON-escaped (without quotes) to buf; returns bytes written or
    -1 when it does not fit.  Invalid UTF-8 is replaced by U+FFFD.  Shared by
    everything that writes JSON by hand.  */
int hr_json_escape (char *buf, size_t cap, const char *s, size_t len);

#endif
