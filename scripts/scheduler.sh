#!/usr/bin/env bash
# The local schedules `make run` starts in the background (Kubernetes: CronJobs
# in deploy/k8s/jobs.yaml): trending reconciliation every hour, `train all`
# (content, collab, rules, trending, each whatever the others did) every day.
# Each run publishes a new model version that the services hot-swap.
# A failed run is an alert: one JSON line {"level":"error","msg":"scheduled
# training failed",...} on stderr (the scheduler log), and HR_SCHEDULE_ALERT_CMD
# (if set) runs with the failed command as its arguments.
#   scheduler.sh BIN  (environment: DATABASE_URL, REDIS_URL, HR_SCHEDULE_HOURLY_S,
#                      HR_SCHEDULE_ALERT_CMD)
set -uo pipefail
bin=${1:?usage: scheduler.sh path/to/hybridrec}
period=${HR_SCHEDULE_HOURLY_S:-3600}

run() {  # ARGS...: runs "$bin" ARGS, alerts when it fails
  local rc=0
  "$bin" "$@" || rc=$?
  if [ "$rc" != 0 ]; then
    printf '{"ts":"%s","level":"error","msg":"scheduled training failed","command":"hybridrec %s","exit":%d}\n' \
      "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" "$rc" >&2
    [ -n "${HR_SCHEDULE_ALERT_CMD:-}" ] && ${HR_SCHEDULE_ALERT_CMD} "hybridrec $*" "$rc"
  fi
  return 0
}

n=0
while true; do
  sleep "$period"
  n=$((n + 1))
  if [ $((n % 24)) -eq 0 ]; then
    run train all
  else
    run train trending
  fi
done
