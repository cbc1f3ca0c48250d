/*  gw_config — the gateway's variables (hr_config_common adds the shared ones). */
#include "gw_config.h"
#include <string.h>
#include <unistd.h>
#include "gw_accesslog.h"
#include "hr_log.h"

/*  gw_config_vars: gateway/config.tsv.  */

static int
s_cores (void)
{
    long n = sysconf (_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int) n : 1;
}

void
gw_settings_defaults (gw_settings_t *out)
{
    memset (out, 0, sizeof *out);
    out->port = 8080;
    out->threads = s_cores ();
    out->embed_broker = true;
    out->broker_bind = "tcp://127.0.0.1:5555";
    out->broker_inproc = true;
    out->broker_endpoint = "tcp://127.0.0.1:5555";
    out->deadline_ms = 50;
    out->write_timeout_ms = 2000;
    out->max_inflight = 4096;
    out->active_per_loop = 0;
    out->max_body = 16384;
    out->max_url = 8192;
    out->max_headers_bytes = 32768;
    out->breaker_threshold = 5;
    out->breaker_cooldown_ms = 1000;
    out->breaker_silence_ms = 1000;
    out->grace_ms = 1000;
    out->hold_ms = 5000;
    out->cors_origins = "";
    out->access_log = true;
    out->catalog_poll_ms = 3000;
    out->cache_mb = 0;                  /* tests turn it on where they test it */
    out->cache_ttl_ms = 60000;
    out->search_fallback_ms = 1000;
    out->diverse_local_ms = 1000;
    out->home_cache_mb = 0;             /* tests turn it on where they test it */
    out->cache_settle_ms = 0;
    out->product_warm_batch = 0;        /* tests turn it on where they test it */
    out->product_warm_ms = 45000;
    out->versions_poll_ms = 500;
    out->history_limit = 1000;
    out->database_url = "";
    out->redis_url = "";
    out->api_keys = "";
    out->rate_limit_clients = 16384;
    out->max_connections = 4096;
    out->req_timeout_ms = 10000;
    out->weights = (gw_weights_t) { 0.5, 0.4, 0.1, 0.4, 0.4, 0.2, 0.2, GW_MERGE_LEARNED };
}

void
gw_settings_from_config (hr_config_t *cfg, gw_settings_t *out)
{
    gw_settings_defaults (out);
    out->port = (int) hr_config_int (cfg, "HR_GATEWAY_PORT");
    int threads = (int) hr_config_int (cfg, "HR_GATEWAY_THREADS");
    out->threads = threads > 0 ? threads : s_cores ();
    out->embed_broker = hr_config_bool (cfg, "HR_GATEWAY_EMBED_BROKER");
    out->broker_bind = hr_config_str (cfg, "HR_BROKER_BIND");
    out->broker_inproc = hr_config_bool (cfg, "HR_GATEWAY_BROKER_INPROC");
    out->broker_endpoint = hr_config_str (cfg, "HR_BROKER_ENDPOINT");
    out->deadline_ms = (int) hr_config_int (cfg, "HR_GATEWAY_DEADLINE_MS");
    out->write_timeout_ms = (int) hr_config_int (cfg, "HR_GATEWAY_WRITE_TIMEOUT_MS");
    out->max_inflight = (int) hr_config_int (cfg, "HR_GATEWAY_MAX_INFLIGHT");
    out->active_per_loop = (int) hr_config_int (cfg, "HR_GATEWAY_ACTIVE_PER_LOOP");
    out->max_body = (int) hr_config_int (cfg, "HR_GATEWAY_MAX_BODY");
    out->max_url = (int) hr_config_int (cfg, "HR_GATEWAY_MAX_URL");
    out->max_headers_bytes = (int) hr_config_int (cfg, "HR_GATEWAY_MAX_HEADERS");
    out->breaker_threshold = (int) hr_config_int (cfg, "HR_GATEWAY_BREAKER_THRESHOLD");
    out->breaker_cooldown_ms = (int) hr_config_int (cfg, "HR_GATEWAY_BREAKER_COOLDOWN_MS");
    out->breaker_silence_ms = (int) hr_config_int (cfg, "HR_GATEWAY_BREAKER_SILENCE_MS");
    out->grace_ms = (int) hr_config_int (cfg, "HR_GATEWAY_GRACE_MS");
    out->hold_ms = (int) hr_config_int (cfg, "HR_GATEWAY_HOLD_MS");
    out->cors_origins = hr_config_str (cfg, "HR_CORS_ORIGINS");
    out->bench = hr_config_bool (cfg, "HR_GATEWAY_BENCH");
    /*  Access lines are info level: HR_LOG_LEVEL=warn silences them too.  */
    int level = hr_log_level_parse (hr_config_str (cfg, "HR_LOG_LEVEL"));
    out->access_log = hr_config_bool (cfg, "HR_GATEWAY_ACCESS_LOG") && level <= HR_LOG_INFO;
    out->access_log_personal = gw_accesslog_mode_parse (hr_config_str (cfg, "HR_GATEWAY_ACCESS_LOG_PERSONAL"));
    out->catalog_poll_ms = (int) hr_config_int (cfg, "HR_GATEWAY_CATALOG_POLL_MS");
    out->cache_mb = (int) hr_config_int (cfg, "HR_GATEWAY_CACHE_MB");
    out->cache_ttl_ms = (int) hr_config_int (cfg, "HR_GATEWAY_CACHE_TTL_MS");
    out->search_fallback_ms = (int) hr_config_int (cfg, "HR_GATEWAY_SEARCH_FALLBACK_MS");
    out->diverse_local_ms = (int) hr_config_int (cfg, "HR_GATEWAY_DIVERSE_LOCAL_MS");
    out->home_cache_mb = (int) hr_config_int (cfg, "HR_GATEWAY_HOME_CACHE_MB");
    out->cache_settle_ms = (int) hr_config_int (cfg, "HR_GATEWAY_CACHE_SETTLE_MS");
    out->product_warm_batch = (int) hr_config_int (cfg, "HR_GATEWAY_PRODUCT_WARM_BATCH");
    out->product_warm_ms = (int) hr_config_int (cfg, "HR_GATEWAY_PRODUCT_WARM_MS");
    out->versions_poll_ms = (int) hr_config_int (cfg, "HR_GATEWAY_VERSIONS_POLL_MS");
    out->history_limit = (int) hr_config_int (cfg, "HR_GATEWAY_HISTORY_LIMIT");
    out->database_url = hr_config_database_url (cfg);
    out->redis_url = hr_config_str (cfg, "REDIS_URL");
    out->api_keys = hr_config_str (cfg, "HR_API_KEYS");
    out->metrics_require_key = hr_config_bool (cfg, "HR_METRICS_REQUIRE_KEY");
    out->rate_limit_rps = hr_config_double (cfg, "HR_RATE_LIMIT_RPS");
    out->rate_limit_burst = (int) hr_config_int (cfg, "HR_RATE_LIMIT_BURST");
    out->rate_limit_clients = (int) hr_config_int (cfg, "HR_RATE_LIMIT_CLIENTS");
    out->trusted_proxies = (int) hr_config_int (cfg, "HR_TRUST_FORWARDED");
    out->max_connections = (int) hr_config_int (cfg, "HR_GATEWAY_MAX_CONNECTIONS");
    out->req_timeout_ms = (int) hr_config_int (cfg, "HR_GATEWAY_REQ_TIMEOUT_MS");
    out->weights.clicked = hr_config_double (cfg, "HR_WEIGHT_CLICKED");
    out->weights.search = hr_config_double (cfg, "HR_WEIGHT_SEARCH");
    out->weights.diverse = hr_config_double (cfg, "HR_WEIGHT_DIVERSE");
    out->weights.clicked_content = hr_config_double (cfg, "HR_WEIGHT_CLICKED_CONTENT");
    out->weights.clicked_collab = hr_config_double (cfg, "HR_WEIGHT_CLICKED_COLLAB");
    out->weights.clicked_seqrules = hr_config_double (cfg, "HR_WEIGHT_CLICKED_SEQRULES");
    out->weights.clicked_rules = hr_config_double (cfg, "HR_WEIGHT_CLICKED_RULES");
    const char *by = hr_config_str (cfg, "HR_MERGE_BY");
    out->weights.mode = strcmp (by, "max") == 0 ? GW_MERGE_MAX
                      : strcmp (by, "rank") == 0 ? GW_MERGE_RANK : GW_MERGE_LEARNED;
}
