#!/usr/bin/env bash
# Issue 17, item 15: `hybridrec train all` runs every trainer even when the
# first ones fail, reports each, exits 1; the scheduler turns a failed run
# into an alert (a JSON error line and HR_SCHEDULE_ALERT_CMD).
#   train_all_alert.sh SOURCE_DIR BIN_DIR
set -euo pipefail
src=$1 bin=$2
tmp=$(mktemp -d /tmp/hr-train-alert-XXXXXX)
sched=
trap '[ -n "$sched" ] && kill "$sched" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Every trainer fails (no database answers): all are still attempted.
rc=0
DATABASE_URL=postgresql://x@127.0.0.1:1/x REDIS_URL=redis://127.0.0.1:1/0 HR_PG_CONNECT_WAIT_MS=0 \
  "$bin/hybridrec" train all >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] || fail "train all exited $rc, expected 1"
summary=$(grep '^train all:' "$tmp/out") || fail "no summary line: $(cat "$tmp/out")"
for t in content collab rules trending; do
  echo "$summary" | grep -q " $t FAILED" || fail "summary lacks '$t FAILED': $summary"
done
[ "$(grep -c 'failed (exit' "$tmp/err")" -ge 4 ] || fail "not every failure reported: $(cat "$tmp/err")"

# The scheduler: a failing command -> one JSON alert line and the alert command.
cat >"$tmp/hybridrec" <<'EOS'
#!/bin/sh
exit 3
EOS
chmod +x "$tmp/hybridrec"
cat >"$tmp/alert" <<EOS
#!/bin/sh
echo "\$@" >>"$tmp/alerts"
EOS
chmod +x "$tmp/alert"
HR_SCHEDULE_HOURLY_S=0 HR_SCHEDULE_ALERT_CMD="$tmp/alert" \
  "$src/scripts/scheduler.sh" "$tmp/hybridrec" 2>"$tmp/sched.err" &
sched=$!
while ! [ -s "$tmp/alerts" ]; do   # waits on the condition; ctest's timeout bounds it
  kill -0 "$sched" 2>/dev/null || fail "scheduler exited: $(cat "$tmp/sched.err")"
  sleep 0.05
done
kill "$sched"; wait "$sched" 2>/dev/null || true; sched=
read -r first <"$tmp/alerts"
[ "$first" = "hybridrec train trending 3" ] || fail "alert command got '$first'"
grep -q '"level":"error","msg":"scheduled training failed","command":"hybridrec train trending","exit":3' \
  "$tmp/sched.err" || fail "no JSON alert line: $(cat "$tmp/sched.err")"
echo "train all and the scheduler's alert: ok"
