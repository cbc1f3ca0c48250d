/*  interactions — what the service answers (docs/protocol.md,
    "interactions"; the messages are declared in common/hr_proto.h).

      record   hr_proto_record_t: str user_id, u8 type, str value
               -> empty body, sent only after the event is committed;
                  BAD_REQUEST with a message on an invalid event
      history  hr_proto_history_req_t: str user_id, u32 days, u32 limit
               -> a history (hr_proto_history_put): the user's events,
                  newest first, within `days` (1..HR_HISTORY_DAYS_MAX), at
                  most `limit` (1..HR_HISTORY_MAX)
      events   u32 n, n x hr_proto_event_in_t (hr_proto.h)
               -> empty body once all n are committed; BAD_REQUEST naming
                  the first invalid event (then nothing is stored)
      erase    str user_id -> hr_proto_erase_reply_t (erase.h)            */
#ifndef INTER_PROTOCOL_H
#define INTER_PROTOCOL_H
#include "hr_proto.h"

#endif
