#!/usr/bin/env bash
# Installs the Debian 12 packages hybridrec needs, then the pinned npm set of
# scripts/node/ (package.json + package-lock.json, integrity-checked) into
# .deps/node/ (git-ignored).  Idempotent: does nothing when everything is
# installed; runs `apt-get update` at most once.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# swagger-ui-dist (the gateway embeds it at build time for /docs), typescript
# and yaml (clients/ts).  `npm ci` installs exactly the lock's versions and
# checks every tarball's integrity hash; --ignore-scripts: no package runs
# code at install (swagger-ui-dist's @scarf/scarf would phone home).  Only
# when the lock changed or the folder is missing.  Not fatal: without it
# the build still succeeds and the gateway answers /docs with a 503.
node_deps() {
  local want=$root/scripts/node dir=$root/.deps/node
  if [ -d "$dir/node_modules/swagger-ui-dist" ] && cmp -s "$want/package-lock.json" "$dir/package-lock.json"; then
    return 0
  fi
  if ! command -v npm >/dev/null; then
    echo "deps: npm is missing: /docs (Swagger UI) and the typed client's tests are unavailable;" \
         "install Debian's nodejs and npm, then re-run scripts/deps.sh" >&2
    return 0
  fi
  echo "deps: installing the npm packages of scripts/node/package-lock.json into .deps/node/" >&2
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$want/package.json" "$want/package-lock.json" "$dir/"
  if ! (cd "$dir" && SCARF_ANALYTICS=false npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2); then
    rm -rf "$dir/node_modules"
    echo "deps: npm ci failed (is the npm registry reachable?): /docs answers 503 and the" \
         "typed client's tests fail until scripts/deps.sh succeeds; then rebuild" >&2
  fi
}
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
command -v npm >/dev/null || missing+=(nodejs npm)   # only when the machine has none
if [ ${#missing[@]} -eq 0 ]; then
  node_deps
  exit 0
fi
echo "deps: installing ${missing[*]}" >&2
sudo_=""
[ "$(id -u)" = 0 ] || sudo_="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo_ apt-get update -qq
$sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian postgresql package starts a cluster on 5432; we run our own.
node_deps
echo "deps: done" >&2
