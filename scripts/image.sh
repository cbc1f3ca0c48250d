#!/usr/bin/env bash
# `make image`: the hybridrec image (and the datastores image compose uses),
# built offline from Debian packages.
#  1. hybridrec-base:bookworm, when absent: `mmdebstrap --variant=minbase` with the
#     Debian mirror this machine's apt uses (HR_DEBIAN_MIRROR overrides), imported.
#  2. deploy/Dockerfile on top of it (apt inside the build uses the same mirror).
# Prints the images' sizes.  HR_IMAGE (hybridrec:latest), HR_DATASTORES_IMAGE
# (hybridrec-datastores:latest), HR_BASE_IMAGE (hybridrec-base:bookworm).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/docker.sh
DOCKER=${DOCKER:-/usr/bin/docker}
base=${HR_BASE_IMAGE:-hybridrec-base:bookworm}
image=${HR_IMAGE:-hybridrec:latest}
stores=${HR_DATASTORES_IMAGE:-hybridrec-datastores:latest}

mirror() {  # the first Debian URI apt is configured with
  local m=${HR_DEBIAN_MIRROR:-}
  if [ -z "$m" ]; then
    m=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -1)
    [ -n "$m" ] || m=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | head -1)
  fi
  echo "${m:-http://deb.debian.org/debian}"
}

if ! $DOCKER image inspect "$base" >/dev/null 2>&1; then
  m=$(mirror)
  sec=${m%/debian}/debian-security
  echo "image: building $base with mmdebstrap from $m" >&2
  mmdebstrap --quiet --variant=minbase --components=main bookworm - \
      "deb $m bookworm main" "deb $m bookworm-updates main" "deb $sec bookworm-security main" \
    | $DOCKER import - "$base" >/dev/null
fi
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
# Host networking for the build: apt reaches the mirror as the host does.
build() {
  $DOCKER build -q --network host --build-arg BASE="$base" --build-arg HR_BUILD_COMMIT="$commit" \
    -f deploy/Dockerfile "$@" . >/dev/null
}
echo "image: building $stores" >&2
build --target datastores -t "$stores"
echo "image: building $image (commit $commit)" >&2
build -t "$image"
$DOCKER image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep -E "^(${base%%:*}|${image%%:*}|${stores%%:*}):" || true
$DOCKER run --rm "$image" hybridrec --version
