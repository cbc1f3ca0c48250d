/*  recommend — content-svc's for_user: from a user's history, two scored
    lists — *clicked* (neighbours of the newest clicked products, newest
    weighs most) and *search* (results of the newest distinct queries,
    newest weighs most); products the user clicked appear in neither.     */
#ifndef CONTENT_RECOMMEND_H
#define CONTENT_RECOMMEND_H
#include "hr_proto.h"
#include "snapshot.h"

/*  Writes both lists into reply.  0, or -1 on out of memory.             */
int content_recommend_for_user (const content_snapshot_t *s, const hr_proto_for_user_t *req,
                                hr_writer_t *reply);

#endif
