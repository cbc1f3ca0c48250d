#!/usr/bin/env bash
# Makes a Docker engine available on this machine from Debian packages only:
# installs docker.io, docker-compose (v1) and mmdebstrap when missing, starts
# dockerd when none answers, then checks that the engine can run a container
# (a throw-away image of the host's /usr/bin/true, made once).  No registry is
# needed (or reachable): the daemon runs without a bridge, containers use the
# host's network.
#   scripts/docker.sh   exit 0: `docker info` works and a container ran
#                       exit 77: this machine cannot have a Docker engine
#                         (no root, packages not installable, dockerd does not
#                         start, or it cannot start a container); the reason
#                         is printed.  `make test-compose` skips on 77.
# Run by scripts/image.sh and scripts/compose_test.sh.  DOCKER is the client
# (Debian's, not whatever `docker` is first on PATH), DOCKERD the daemon.
set -euo pipefail
DOCKER=${DOCKER:-/usr/bin/docker}
DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
log=${HR_DOCKERD_LOG:-/var/log/hybridrec-dockerd.log}
no_engine() { echo "docker: no Docker engine on this machine: $*" >&2; exit 77; }

if ! "$DOCKER" info >/dev/null 2>&1; then
  # Installing packages and starting dockerd need root; a user in the docker
  # group with a running daemon needs neither.
  [ "$(id -u)" = 0 ] || no_engine "no daemon answers and not root (dockerd and apt need root)"
  need=()
  [ -x "$DOCKERD" ] && [ -x "$DOCKER" ] || need+=(docker.io)
  command -v docker-compose >/dev/null || need+=(docker-compose)
  command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
  if [ ${#need[@]} -gt 0 ]; then
    command -v apt-get >/dev/null || no_engine "${need[*]} missing and no apt-get to install them"
    echo "docker: installing ${need[*]} (Debian packages)" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"; } \
      >/tmp/hybridrec-docker-apt.log 2>&1 \
      || { tail -5 /tmp/hybridrec-docker-apt.log >&2; no_engine "could not install ${need[*]} (log: /tmp/hybridrec-docker-apt.log)"; }
  fi
  echo "docker: starting dockerd (no bridge, no iptables; log in $log)" >&2
  setsid "$DOCKERD" --bridge=none --iptables=false --ip6tables=false >"$log" 2>&1 </dev/null &
  pid=$!
  for _ in $(seq 1 120); do
    "$DOCKER" info >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || break   # dockerd exited
    sleep 0.5
  done
  if ! "$DOCKER" info >/dev/null 2>&1; then
    tail -20 "$log" >&2 || true
    no_engine "dockerd did not start (log above, $log)"
  fi
fi
# Can it start a container?  Some machines (an unprivileged CI container, no
# cgroups, no overlay) run dockerd but not containers.
probe=hybridrec-probe:1
if ! "$DOCKER" image inspect "$probe" >/dev/null 2>&1; then
  files=$( { echo /usr/bin/true; ldd /usr/bin/true | grep -o '/[^ ]*'; } | sort -u)
  # shellcheck disable=SC2086  # one path per word
  tar -ch --absolute-names --transform='s,^/,,' $files 2>/dev/null | "$DOCKER" import - "$probe" >/dev/null \
    || no_engine "docker import failed"
fi
if ! out=$("$DOCKER" run --rm --network host "$probe" /usr/bin/true 2>&1); then
  echo "$out" | tail -5 >&2
  no_engine "dockerd runs but cannot start a container (above)"
fi
