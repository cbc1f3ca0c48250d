#!/usr/bin/env bash
# `make run`: installs what is missing, builds Release, starts PostgreSQL +
# Redis under var/, migrates, imports the bundled sample catalog, trains the
# models, starts the services + gateway, waits for /readyz, prints the URL.
# Running it twice is harmless. Point DATABASE_URL / REDIS_URL at existing
# servers to skip the local ones (HR_EXTERNAL_STORES=1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
mkdir -p bin
for b in hybridrec hybridrec-gateway hybridrec-broker interactions-svc content-svc trending-svc rules-svc collab-svc; do
  ln -sfn "../build/bin/$b" "bin/$b"
done

pg_port=${HR_PG_PORT:-55432}
redis_port=${HR_REDIS_PORT:-56379}
if [ "${HR_EXTERNAL_STORES:-0}" != 1 ]; then
  tests/harness/stack.sh start var/stack "$pg_port" "$redis_port"
  export DATABASE_URL=${DATABASE_URL:-postgresql://hybridrec@127.0.0.1:$pg_port/hybridrec}
  export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:$redis_port/0}
fi
export HR_LOG_LEVEL=${HR_LOG_LEVEL:-info}

bin/hybridrec migrate
catalog=${HR_CATALOG:-data/catalog-sample.csv}
if [ ! -f var/.catalog-imported ] || [ "$catalog" -nt var/.catalog-imported ]; then
  bin/hybridrec import-catalog "$catalog"
  touch var/.catalog-imported
fi
bin/hybridrec train all
tests/harness/suite.sh start build/bin var/run
if ! { [ -f var/run/scheduler.pid ] && kill -0 "$(cat var/run/scheduler.pid)" 2>/dev/null; }; then
  nohup scripts/scheduler.sh "$root/bin/hybridrec" >>var/run/log/scheduler.log 2>&1 &
  echo $! >var/run/scheduler.pid
fi
port=${HR_GATEWAY_PORT:-8080}
cat <<MSG

hybridrec is up:  http://127.0.0.1:$port
  try:   curl 'http://127.0.0.1:$port/recommendations/home?user_id=alice'
         curl 'http://127.0.0.1:$port/recommendations/search?query=earbuds&response_limit=5'
  docs:  http://127.0.0.1:$port/docs (Swagger UI)     http://127.0.0.1:$port/openapi.yaml
  dashboard: http://127.0.0.1:$port/dashboard     metrics: http://127.0.0.1:$port/metrics
  logs:  var/run/log/        stop: make stop
  API keys: export HR_API_KEYS=key1,key2 before make run to protect histories and admin data.
MSG
