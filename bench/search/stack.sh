#!/usr/bin/env bash
# P@10 of both judged sets THROUGH /recommendations/search of a running stack:
# Release build, throwaway PostgreSQL + Redis, the full amazon.in catalog,
# trained models (bench/lib.sh), then judge.py --url on each set.
# Run it inside a network namespace:
#   unshare -n bash -c 'ip link set lo up && bench/search/stack.sh'
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
bench_stack_up 55701 56701 18701 18702 19700
for set in longtail common heldout; do
  echo "== $set (through /recommendations/search)"
  python3 "$here/judge.py" "$here/$set.tsv" --url http://127.0.0.1:18701 "$@" | tail -8
done
