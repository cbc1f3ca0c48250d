#!/usr/bin/env bash
# Makes a Docker engine available on this machine from Debian packages only:
# installs docker.io, docker-compose (v1) and mmdebstrap when missing and starts
# dockerd when none answers.  No registry is needed (or reachable): the
# daemon runs without a bridge, containers use the host's network.
#   scripts/docker.sh            -> prints nothing, exits 0 once `docker info` works
# Sourced by scripts/image.sh and scripts/compose_test.sh; DOCKER is the client.
set -euo pipefail
DOCKER=${DOCKER:-/usr/bin/docker}
need=()
[ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker ] || need+=(docker.io)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
if [ ${#need[@]} -gt 0 ]; then
  echo "docker: installing ${need[*]}" >&2
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_ apt-get update -qq
  $sudo_ apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if ! $DOCKER info >/dev/null 2>&1; then
  echo "docker: starting dockerd (no bridge, no iptables; log in /var/log/hybridrec-dockerd.log)" >&2
  setsid /usr/sbin/dockerd --bridge=none --iptables=false --ip6tables=false \
    >/var/log/hybridrec-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 120); do $DOCKER info >/dev/null 2>&1 && break; sleep 0.5; done
  $DOCKER info >/dev/null 2>&1 || { echo "docker: dockerd did not start" >&2; tail -20 /var/log/hybridrec-dockerd.log >&2; exit 1; }
fi
