/*  content — content-svc's public header: what folders outside the service
    (fuzz/, bench/) may use — text analysis (text.h), typo correction
    (typo.h), synonyms (synonyms.h), TF-IDF (tfidf.h), search (search.h) and
    the request handler over a state (serve.h).  Include it as
    "content-svc/content.h"; everything else in the folder is private.     */
#ifndef CONTENT_H
#define CONTENT_H
#include "quantity.h"
#include "search.h"
#include "serve.h"
#include "synonyms.h"
#include "text.h"
#include "tfidf.h"
#include "typo.h"
#endif
