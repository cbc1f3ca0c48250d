#!/usr/bin/env bash
# Starts/stops a throwaway PostgreSQL + Redis on loopback for tests and `make run`.
#   stack.sh start DIR PG_PORT REDIS_PORT   (idempotent: reuses a running stack)
#   stack.sh stop DIR
# PostgreSQL runs as the unprivileged `postgres` user when we are root.
# HR_STACK_WAIT_S (default 60): how long to wait for each to answer.
# Database `hybridrec`, role `hybridrec` (owner, trust auth on 127.0.0.1 only).
set -euo pipefail
cmd=${1:?usage: stack.sh start|stop DIR [PG_PORT REDIS_PORT]}
dir=${2:?DIR required}
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  pg_port=${3:?PG_PORT}; redis_port=${4:?REDIS_PORT}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ "$(id -u)" = 0 ] && chown postgres "$dir" 2>/dev/null || true
  chmod 755 "$dir"
  if [ ! -f "$dir/pg/PG_VERSION" ]; then
    as_pg "$pgbin/initdb" -D "$dir/pg" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$dir/pg/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 128MB
fsync = on
synchronous_commit = on
logging_collector = off
CONF
  fi
  if ! as_pg "$pgbin/pg_ctl" -D "$dir/pg" status >/dev/null 2>&1; then
    as_pg "$pgbin/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w -t "${HR_STACK_WAIT_S:-60}" start >/dev/null \
      || { tail -20 "$dir/pg.log" >&2; exit 1; }
  fi
  psql_() { as_pg psql -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
  if [ "$(psql_ -c "SELECT 1 FROM pg_roles WHERE rolname='hybridrec'")" != 1 ]; then
    psql_ -c "CREATE ROLE hybridrec LOGIN CREATEDB"
  fi
  if [ "$(psql_ -c "SELECT 1 FROM pg_database WHERE datname='hybridrec'")" != 1 ]; then
    psql_ -c "CREATE DATABASE hybridrec OWNER hybridrec"
  fi
  if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save "" --appendonly no >/dev/null
    for _ in $(seq 1 $((${HR_STACK_WAIT_S:-60} * 10))); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$redis_port" ping >/dev/null
  fi
  echo "$pg_port $redis_port" >"$dir/ports"
  echo "stack up: postgresql://hybridrec@127.0.0.1:$pg_port/hybridrec redis://127.0.0.1:$redis_port/0"
  ;;
stop)
  [ -d "$dir" ] || exit 0
  if [ -f "$dir/pg/PG_VERSION" ]; then
    as_pg "$pgbin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ -f "$dir/redis.pid" ]; then
    kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    rm -f "$dir/redis.pid"
  fi
  echo "stack down: $dir"
  ;;
*) echo "usage: stack.sh start|stop DIR [PG_PORT REDIS_PORT]" >&2; exit 2 ;;
esac
