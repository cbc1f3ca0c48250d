/*  hr_discover — the brokers a service replica registers with
    (docs/scaling.md, "No single broker").  The list given is endpoints
    ("tcp://gw1:5555") and/or DNS names to expand,
    "dns+tcp://hybridrec-gateway-brokers:5555": one tcp:// endpoint per
    address the name resolves to (a Kubernetes headless Service has one per
    gateway pod), re-resolved every period on a thread of its own, so that
    a gateway that joins is used within a period and one that leaves is
    let go.  A name that resolves to nothing keeps the list as it was: a
    DNS hiccup must not unregister every replica.

      hr_discover_t *d = hr_discover_new (list, HR_DISCOVER_PERIOD_MS);
      ...each worker thread...
      uint64_t generation = 0;
      char *brokers = NULL;
      if (hr_discover_get (d, &generation, &brokers) == 1)
          hr_worker_set_brokers (worker, brokers);                         */
#ifndef HR_DISCOVER_H
#define HR_DISCOVER_H
#include <stdbool.h>
#include <stdint.h>

#define HR_DISCOVER_PERIOD_MS 5000
#define HR_DISCOVER_PREFIX "dns+tcp://"

typedef struct hr_discover hr_discover_t;

/*  True when the list has a dns+tcp:// entry (needs an hr_discover).     */
bool hr_discover_dynamic (const char *list);
/*  The list with every dns+tcp:// entry resolved now: the endpoints
    sorted, without duplicates, comma-separated (malloc'd; "" when none).
    *unresolved counts the names that resolved to nothing.  NULL when out
    of memory.                                                             */
char *hr_discover_expand (const char *list, int *unresolved);

/*  Resolves once (so the first list is there at once), then every
    period_ms.  NULL on failure.  */
hr_discover_t *hr_discover_new (const char *list, int period_ms);
void hr_discover_destroy (hr_discover_t **self_p);
/*  When the list changed since *generation: 1, *list replaced by a copy
    (free the old one and the last with free()), *generation updated;
    0 when unchanged; -1 when out of memory.  Thread-safe.                */
int hr_discover_get (hr_discover_t *self, uint64_t *generation, char **list);

#endif
