#!/usr/bin/env bash
# Installs the Debian 12 packages hybridrec needs. Idempotent: does nothing
# when everything is installed; runs `apt-get update` at most once.
set -euo pipefail
pkgs=(
  build-essential cmake pkg-config git
  libh2o-evloop-dev libssl-dev libczmq-dev libzmq3-dev
  libpq-dev libhiredis-dev libjansson-dev libstemmer-dev
  check libsubunit-dev
  postgresql redis-server
  python3-yaml           # deploy manifest validation in tests
  openapi-specification python3-jsonschema   # the OpenAPI 3.0 JSON Schema the API document is validated against
  clang libclang-rt-14-dev   # make fuzz (libFuzzer) and its short pass in make test
  wrk curl procps
  chromium               # the dashboard's browser test (tests/browser; node + npm come with the machine)
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
sudo_=""
[ "$(id -u)" = 0 ] || sudo_="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo_ apt-get update -qq
$sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian postgresql package starts a cluster on 5432; we run our own.
echo "deps: done" >&2
