#!/usr/bin/env bash
# The local schedules `make run` starts in the background (Kubernetes: CronJobs
# in deploy/k8s/jobs.yaml): trending reconciliation every hour, retraining of
# content, rules and collab every day. Each run publishes a new model version
# that the services hot-swap.
#   scheduler.sh BIN  (environment: DATABASE_URL, REDIS_URL, HR_SCHEDULE_HOURLY_S)
set -uo pipefail
bin=${1:?usage: scheduler.sh path/to/hybridrec}
period=${HR_SCHEDULE_HOURLY_S:-3600}
n=0
while true; do
  sleep "$period"
  "$bin" train trending
  n=$((n + 1))
  if [ $((n % 24)) -eq 0 ]; then
    "$bin" train content && "$bin" train rules && "$bin" train collab
  fi
done
