/*  gw_config — the gateway's environment variables and their parsed values. */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H
#include <stdbool.h>
#include "hr_config.h"

extern const hr_config_var_t gw_config_vars[];

/*  HR_MERGE_BY: learned (the published merge model, rank until there is
    one), rank or max.  */
typedef enum { GW_MERGE_LEARNED, GW_MERGE_RANK, GW_MERGE_MAX } gw_merge_mode_t;

/*  Weights of the personalised merge (hr_merge sources).                   */
typedef struct {
    double clicked, search, diverse;                 /* top level: 0.5/0.4/0.1 */
    double clicked_content, clicked_collab, clicked_rules, clicked_seqrules;   /* within clicked */
    gw_merge_mode_t mode;       /* HR_MERGE_BY */
} gw_weights_t;

typedef struct {
    int port;
    int threads;                    /* resolved: >= 1 */
    bool embed_broker;
    const char *broker_bind;        /* when embedded */
    bool broker_inproc;             /* embedded: loops connect over inproc:// */
    const char *broker_endpoint;    /* when not embedded */
    int deadline_ms;                /* read fan-out budget per request */
    int write_timeout_ms;           /* interactions record/history */
    int max_inflight;               /* fan-out requests in flight, process-wide */
    int active_per_loop;            /* read fan-outs asking at once per loop; 0 = no limit */
    int max_body;
    int max_url;
    int max_headers_bytes;
    int breaker_threshold;
    int breaker_cooldown_ms;
    int breaker_silence_ms;     /* HR_GATEWAY_BREAKER_SILENCE_MS (gw_breaker.h) */
    int grace_ms;               /* HR_GATEWAY_GRACE_MS (gw_fanout_need_one) */
    int hold_ms;                /* HR_GATEWAY_HOLD_MS (gw_fanout.h "Holding") */
    const char *cors_origins;       /* "" = off, "*" or a comma list */
    bool bench;
    bool access_log;
    int access_log_personal;        /* gw_accesslog_mode_t: redact (default), hash, full */
    int catalog_poll_ms;
    int cache_mb;                   /* gw_cache budget for /product + /search; 0 = off */
    int cache_ttl_ms;
    int search_fallback_ms;         /* trending's fallback list reused this long per loop */
    int diverse_local_ms;           /* /home draws its diverse picks itself this long per loop (gw_diverse.h) */
    int home_cache_mb;              /* gw_home_cache.h: /home's for_user answers; 0 = off */
    int cache_settle_ms;            /* gw_versions.h */
    int product_warm_batch;         /* gw_warm.h: products per message; 0 = no warmer */
    int product_warm_ms;            /* gw_warm.h: renewal period; 0 = only on a version change */
    int versions_poll_ms;
    int history_limit;              /* events returned by GET .../interactions/{user} */
    const char *database_url;
    const char *redis_url;          /* erasure (DELETE /api/v1/users/{id}) */
    /*  Access control and abuse limits (gw_auth.h, gw_limits.h).  */
    const char *api_keys;           /* "" = off */
    bool metrics_require_key;
    double rate_limit_rps;          /* per client, whole process; 0 = off */
    int rate_limit_burst;           /* 0 = 2 x rps */
    int rate_limit_clients;         /* per loop */
    int trusted_proxies;            /* HR_TRUST_FORWARDED: proxies appending X-Forwarded-For */
    int max_connections;            /* process-wide */
    int req_timeout_ms;             /* h2o http1.req_timeout */
    gw_weights_t weights;
} gw_settings_t;

/*  Fills `out` from a loaded configuration (strings point into cfg). */
void gw_settings_from_config (hr_config_t *cfg, gw_settings_t *out);
/*  Defaults without a configuration (tests).  */
void gw_settings_defaults (gw_settings_t *out);

#endif
