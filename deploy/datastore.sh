#!/bin/sh
# The datastores image's entry point: `datastore postgres` or `datastore redis`.
#   postgres: initialises PGDATA on first start (POSTGRES_USER, POSTGRES_PASSWORD,
#             POSTGRES_DB as the official image reads them), then runs the server on
#             PGPORT (5432) listening on PG_LISTEN (* ; 127.0.0.1 on a host network).
#   redis:    redis-server with an append-only file in /data on REDIS_PORT (6379),
#             bound to REDIS_BIND (* ; 127.0.0.1 on a host network).
set -eu
case "${1:-}" in
postgres)
  PGDATA=${PGDATA:-/var/lib/postgresql/data}
  user=${POSTGRES_USER:-hybridrec}
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    pw=$(mktemp)
    printf '%s\n' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" >"$pw"
    initdb -D "$PGDATA" -U "$user" --pwfile="$pw" --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pw"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -k /tmp" -w start >/dev/null
    createdb -h /tmp -U "$user" "${POSTGRES_DB:-$user}"
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  fi
  exec postgres -D "$PGDATA" -p "${PGPORT:-5432}" -k /tmp -c listen_addresses="${PG_LISTEN:-*}" ;;
redis)
  exec redis-server --port "${REDIS_PORT:-6379}" --bind "${REDIS_BIND:-* -::*}" --dir /data \
    --appendonly yes --protected-mode no ;;
*)
  echo "usage: datastore postgres|redis" >&2; exit 2 ;;
esac
