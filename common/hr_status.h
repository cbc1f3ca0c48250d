/*  hr_status — the status byte of every reply on the service protocol.    */
#ifndef HR_STATUS_H
#define HR_STATUS_H
typedef enum {
    HR_OK = 0,
    HR_NOT_FOUND = 1,       /* the thing asked about does not exist          */
    HR_BAD_REQUEST = 2,     /* malformed or invalid arguments (body = message) */
    HR_UNAVAILABLE = 3,     /* no live replica, or a backing store is down    */
    HR_EXPIRED = 4,         /* the deadline passed before the work was done   */
    HR_INTERNAL = 5,        /* a bug or unexpected failure (body = message)   */
} hr_status_t;
const char *hr_status_name (int status);
#endif
