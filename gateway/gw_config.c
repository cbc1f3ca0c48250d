/*  gw_config — the gateway's variables (hr_config_common adds the shared ones). */
#include "gw_config.h"
#include <string.h>
#include <unistd.h>
#include "gw_accesslog.h"
#include "hr_log.h"

const hr_config_var_t gw_config_vars[] = {
    { "HR_GATEWAY_PORT", HR_CFG_INT, "8080", "HTTP port (SO_REUSEPORT, one listener per loop)", 1, 65535 },
    { "HR_GATEWAY_THREADS", HR_CFG_INT, "0", "event-loop threads; 0 = number of cores", 0, 256 },
    { "HR_GATEWAY_EMBED_BROKER", HR_CFG_BOOL, "1", "run the broker inside the gateway (0: connect to HR_BROKER_ENDPOINT)", 0, 0 },
    { "HR_BROKER_BIND", HR_CFG_STR, "tcp://127.0.0.1:5555", "where the embedded broker binds (loopback; tcp://*:5555 for services on other hosts, with CURVE: docs/security.md)", 0, 0 },
    { "HR_GATEWAY_BROKER_INPROC", HR_CFG_BOOL, "1", "with the embedded broker: the gateway's own clients reach it over inproc:// instead of loopback TCP (services always use TCP)", 0, 0 },
    { "HR_GATEWAY_DEADLINE_MS", HR_CFG_INT, "50", "fan-out deadline per recommendation request (ms)", 1, 10000 },
    { "HR_GATEWAY_WRITE_TIMEOUT_MS", HR_CFG_INT, "2000", "timeout of interaction writes and history reads (ms)", 1, 60000 },
    { "HR_GATEWAY_MAX_INFLIGHT", HR_CFG_INT, "4096", "requests waiting on services before answering 503", 1, 1000000 },
    { "HR_GATEWAY_ACTIVE_PER_LOOP", HR_CFG_INT, "24", "read requests asking the services at once per event loop; more wait in the gateway, their deadline not yet running (0 = no limit)", 0, 1000000 },
    { "HR_GATEWAY_MAX_BODY", HR_CFG_INT, "16384", "largest accepted request body (bytes; larger -> 413)", 64, 1048576 },
    { "HR_GATEWAY_MAX_URL", HR_CFG_INT, "8192", "longest accepted request target (bytes; longer -> 414)", 256, 65536 },
    { "HR_GATEWAY_MAX_HEADERS", HR_CFG_INT, "32768", "largest accepted header block (bytes; larger -> 431)", 1024, 262144 },
    { "HR_GATEWAY_BREAKER_THRESHOLD", HR_CFG_INT, "5", "consecutive timeouts that open a service's circuit", 1, 1000 },
    { "HR_GATEWAY_BREAKER_COOLDOWN_MS", HR_CFG_INT, "1000", "how long an open circuit skips its service (ms)", 1, 600000 },
    { "HR_GATEWAY_GRACE_MS", HR_CFG_INT, "1000", "a read none of whose services answered by the deadline waits up to this long more for the first answer instead of answering 503 (0 = no grace)", 0, 60000 },
    { "HR_GATEWAY_HOLD_MS", HR_CFG_INT, "5000", "past its deadline (and grace), a read with no answer yet or a write keeps waiting while its service is alive (answered a call within HR_GATEWAY_BREAKER_SILENCE_MS), up to this long: load the services queue is waited for, not answered 503 (0 = give up at the deadline / grace)", 0, 600000 },
    { "HR_GATEWAY_BREAKER_SILENCE_MS", HR_CFG_INT, "1000", "timeouts count toward opening a circuit only once the service has answered nothing (on time or late) for this long (ms): a slow service is waited for, a frozen one skipped", 0, 600000 },
    { "HR_CORS_ORIGINS", HR_CFG_STR, "", "allowed CORS origins: empty = off, * or a comma-separated list", 0, 0 },
    { "HR_GATEWAY_BENCH", HR_CFG_BOOL, "0", "serve GET /bench/fixed (a fixed in-memory response: the ceiling)", 0, 0 },
    { "HR_GATEWAY_ACCESS_LOG", HR_CFG_BOOL, "1", "one JSON access-log line per request", 0, 0 },
    { "HR_GATEWAY_ACCESS_LOG_PERSONAL", HR_CFG_STR, "redact", "user ids and query values in the access log: redact (\"-\"), hash (keyed per process) or full; response_limit, explain, days, limit are always kept", 0, 0 },
    { "HR_GATEWAY_CACHE_MB", HR_CFG_INT, "256", "memory for cached /product and /search answers, keyed by catalog and model versions (0 = no cache)", 0, 65536 },
    { "HR_GATEWAY_CACHE_TTL_MS", HR_CFG_INT, "60000", "longest a cached answer that can move without a version is served (collab's live co-clicks); a /product list content filled alone depends on versions only and stays until they change", 0, 86400000 },
    { "HR_GATEWAY_HOME_CACHE_MB", HR_CFG_INT, "64", "memory for /home's personal lists: content's, collab's and rules' answers per user history (a digest of it), count and model versions; a click or a new version asks again (0 = no cache)", 0, 65536 },
    { "HR_GATEWAY_CACHE_SETTLE_MS", HR_CFG_INT, "5000", "after a catalog or model version change, answers are not cached for this long (services load the new version at their next tick)", 0, 600000 },
    { "HR_GATEWAY_PRODUCT_WARM_BATCH", HR_CFG_INT, "32", "products per message when the gateway computes every product's default /product answer ahead, after a catalog or model version change (gw_warm.h; 0 = off)", 0, 256 },
    { "HR_GATEWAY_PRODUCT_WARM_MS", HR_CFG_INT, "45000", "how often the /product answers computed ahead that collab topped up are asked again (under HR_GATEWAY_CACHE_TTL_MS by more than a sweep takes, a few seconds; 0 = only after a version change)", 0, 86400000 },
    { "HR_GATEWAY_VERSIONS_POLL_MS", HR_CFG_INT, "500", "how often the cache checks the catalog and model versions (ms)", 50, 600000 },
    { "HR_GATEWAY_CATALOG_POLL_MS", HR_CFG_INT, "3000", "how often the catalog and merge model versions are checked (ms)", 100, 3600000 },
    /*  Up to interactions-svc's INTER_HISTORY_MAX (1000): above it every history GET would fail.  */
    { "HR_GATEWAY_HISTORY_LIMIT", HR_CFG_INT, "1000", "most events returned by GET /api/v1/interactions/interactions/{user_id} (interactions-svc answers at most 1000)", 1, 1000 },
    { "HR_API_KEYS", HR_CFG_STR, "", "comma-separated API keys; set = GET .../interactions/{user_id} and /api/v1/admin/* need Authorization: Bearer <key> (docs/security.md)", 0, 0 },
    { "HR_METRICS_REQUIRE_KEY", HR_CFG_BOOL, "0", "with HR_API_KEYS: /metrics needs a key too", 0, 0 },
    { "HR_RATE_LIMIT_RPS", HR_CFG_DOUBLE, "0", "per-client requests per second (token bucket; 0 = off); 429 + Retry-After above it", 0, 1000000 },
    { "HR_RATE_LIMIT_BURST", HR_CFG_INT, "0", "per-client burst (bucket size); 0 = 2 x HR_RATE_LIMIT_RPS (at least 1)", 0, 10000000 },
    { "HR_RATE_LIMIT_CLIENTS", HR_CFG_INT, "16384", "clients remembered per event loop by the rate limiter (least recent evicted)", 64, 16777216 },
    { "HR_TRUST_FORWARDED", HR_CFG_INT, "0", "trusted proxies in front that append to X-Forwarded-For: the client is the entry that many from the right (1 = the last hop, set by your proxy); 0 = the peer address", 0, 16 },
    { "HR_GATEWAY_MAX_CONNECTIONS", HR_CFG_INT, "4096", "open client connections, process-wide; more are answered 503 and closed", 1, 1000000 },
    { "HR_GATEWAY_REQ_TIMEOUT_MS", HR_CFG_INT, "10000", "idle keep-alive and slow-client limit: time to receive a whole request (ms)", 100, 3600000 },
    { NULL, HR_CFG_STR, NULL, NULL, 0, 0 },
};

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
    out->weights = (gw_weights_t) { 0.5, 0.4, 0.1, 0.4, 0.4, 0.2, GW_MERGE_LEARNED };
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
    out->weights.clicked_rules = hr_config_double (cfg, "HR_WEIGHT_CLICKED_RULES");
    const char *by = hr_config_str (cfg, "HR_MERGE_BY");
    out->weights.mode = strcmp (by, "max") == 0 ? GW_MERGE_MAX
                      : strcmp (by, "rank") == 0 ? GW_MERGE_RANK : GW_MERGE_LEARNED;
}
