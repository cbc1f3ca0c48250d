/*  interactions — what the service is configured with: its connections and
    its sizes (serve.h reads them from the configuration; the committer
    takes them as they are).                                               */
#ifndef INTER_SETTINGS_H
#define INTER_SETTINGS_H

typedef struct {
    const char *database_url;
    const char *redis_url;
    int statement_timeout_ms;
    int redis_timeout_ms;
    int cache_len;              /* HR_HISTORY_CACHE_LEN */
    int retention_days;         /* HR_INTERACTIONS_RETENTION_DAYS, 0 = forever */
    int partitions_ahead;       /* HR_INTERACTIONS_PARTITIONS_AHEAD */
    int batch_max;              /* HR_INTERACTIONS_BATCH_MAX */
    int committers;             /* HR_INTERACTIONS_COMMITTERS */
    int readers;                /* HR_INTERACTIONS_READERS */
} inter_settings_t;

/*  Defaults for everything but the URLs (tests).                            */
void inter_settings_defaults (inter_settings_t *s, const char *database_url,
                              const char *redis_url);

#endif
