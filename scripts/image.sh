#!/usr/bin/env bash
# `make image`: hybridrec:latest and hybridrec-datastores:latest with no image
# registry and no compiler in any image:
#  1. two base images made by `mmdebstrap --variant=minbase` from the Debian
#     mirror this machine's apt uses (HR_DEBIAN_MIRROR overrides):
#       hybridrec-runtime:bookworm-KEY     the binaries' shared libraries, curl
#       hybridrec-stores-base:bookworm-KEY PostgreSQL 15 + Redis 7
#     KEY hashes the package lists and this recipe: made only when absent
#     (the cache), both at once;
#  2. meanwhile the binaries: the Release tree build/ (the one `make build`
#     uses, incremental), `cmake --install`ed into build/image/root;
#  3. deploy/Dockerfile.local on top: COPY only, seconds.
# The host must be Debian 12 (the binaries link against bookworm's libraries);
# elsewhere `docker build -f deploy/Dockerfile .` compiles inside instead.
# Prints the images' sizes.  HR_IMAGE, HR_DATASTORES_IMAGE rename the results.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/docker.sh
DOCKER=${DOCKER:-/usr/bin/docker}
image=${HR_IMAGE:-hybridrec:latest}
stores=${HR_DATASTORES_IMAGE:-hybridrec-datastores:latest}
runtime_pkgs=libh2o-evloop0.13,libczmq4,libzmq5,libpq5,libhiredis0.14,libjansson4,libstemmer0d,libssl3,curl,ca-certificates
stores_pkgs=postgresql-15,redis-server
t0=$(date +%s)

mirror() {  # the first Debian URI apt is configured with
  local m=${HR_DEBIAN_MIRROR:-}
  if [ -z "$m" ]; then
    m=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '!/security/ {print $2}' | sed -n 1p)
    [ -n "$m" ] || m=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | sed -n 1p)
  fi
  echo "${m:-http://deb.debian.org/debian}"
}
m=$(mirror)
sec=${m%/debian}/debian-security
key=$( { echo "$runtime_pkgs $stores_pkgs $m"; sed -n '/^base()/,/^run_logged()/p' "$0"; } | sha256sum | cut -c1-12)
runtime=hybridrec-runtime:bookworm-$key
stores_base=hybridrec-stores-base:bookworm-$key
logs=build/image/logs
mkdir -p "$logs"

base() {  # base NAME PACKAGES [HOOK...]: minbase + PACKAGES, imported as NAME
  local name=$1 pkgs=$2; shift 2
  # No documentation, manuals or translations in an image: dpkg skips them for
  # every package it installs (our own dpkg.cfg.d file, so that mmdebstrap
  # does not filter each essential package through its Python mmtarfilter),
  # and what the essential set's extraction put there is removed at the end.
  # dpkg without fsync (the tree is thrown away if anything fails); no
  # translated package descriptions.
  mmdebstrap --variant=minbase --components=main --include="$pkgs" \
    --dpkgopt=force-unsafe-io --aptopt='Acquire::Languages "none"' \
    --setup-hook='mkdir -p "$1/etc/dpkg/dpkg.cfg.d"
      printf "%s\n" "path-exclude=/usr/share/man/*" "path-exclude=/usr/share/locale/*" \
        "path-exclude=/usr/share/doc/*" "path-include=/usr/share/doc/*/copyright" \
        >"$1/etc/dpkg/dpkg.cfg.d/90hybridrec-nodoc"' \
    "$@" \
    --customize-hook='rm -rf "$1"/usr/share/man/* "$1"/usr/share/locale/*
      find "$1/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
      find "$1/usr/share/doc" -mindepth 1 -type d -empty -delete' \
    bookworm - \
    "deb $m bookworm main" "deb $m bookworm-updates main" "deb $sec bookworm-security main" \
    | $DOCKER import - "$name" >/dev/null
}
make_runtime() {
  # The unprivileged user the processes run as; /etc/hybridrec/curve is the
  # certificates' volume (its owner carries into a new named volume).
  base "$runtime" "$runtime_pkgs" --customize-hook='
    echo "hybridrec:x:10001:10001::/app:/usr/sbin/nologin" >>"$1/etc/passwd"
    echo "hybridrec:x:10001:" >>"$1/etc/group"
    mkdir -p "$1/app" "$1/etc/hybridrec/curve"
    chown 10001:10001 "$1/app" "$1/etc/hybridrec/curve"'
}
make_stores_base() {
  # No cluster at install time: deploy/datastore.sh makes its own in PGDATA.
  base "$stores_base" "$stores_pkgs" --essential-hook='
    mkdir -p "$1/etc/postgresql-common/createcluster.d"
    echo "create_main_cluster = false" >"$1/etc/postgresql-common/createcluster.d/hybridrec.conf"' \
    --customize-hook='
    mkdir -p "$1/var/lib/postgresql/data" "$1/data"
    chroot "$1" chown postgres:postgres /var/lib/postgresql/data
    chmod 700 "$1/var/lib/postgresql/data"
    chroot "$1" chown redis:redis /data'
}
run_logged() {  # run_logged NAME FUNCTION: in the background, output in $logs/NAME
  ( TIMEFORMAT="%R s wall, %U s user, %S s sys"; time "$2" ) >"$logs/$1" 2>&1 &
  names[$!]=$1
}

# Progress every 60 s: each job still running and its log's last line.
declare -A names=()
ticker() {
  while sleep 60 </dev/null >/dev/null 2>&1; do
    for n in "${names[@]}"; do
      [ -e "$logs/$n.done" ] || echo "image: +$(( $(date +%s) - t0 )) s $n: $(tail -c 2000 "$logs/$n" | tr '\r' '\n' | grep -v '^\s*$' | tail -1 | cut -c1-100)" >&2
    done
  done
}
rm -f "$logs"/*
for pair in "$runtime:make_runtime" "$stores_base:make_stores_base"; do
  if ! $DOCKER image inspect "${pair%%:make_*}" >/dev/null 2>&1; then
    echo "image: making ${pair%%:make_*} with mmdebstrap from $m" >&2
    run_logged "${pair##*:}" "${pair##*:}"
  fi
done
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
echo "image: building the binaries in build/ (Release, commit $commit)" >&2
build_binaries() {
  scripts/deps.sh
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr/local \
    -DHR_BUILD_COMMIT="$commit" >/dev/null
  cmake --build build -j"$(nproc)" --target hybridrec hybridrec-gateway hybridrec-broker \
    interactions-svc content-svc trending-svc rules-svc collab-svc
  rm -rf build/image/context
  DESTDIR="$root/build/image/context/root" cmake --install build >/dev/null
  strip build/image/context/root/usr/local/bin/*
  cp deploy/datastore.sh build/image/context/datastore.sh
}
run_logged binaries build_binaries
ticker & ticker_pid=$!
failed=0
while [ ${#names[@]} -gt 0 ]; do
  rc=0; wait -n -p done_pid "${!names[@]}" || rc=$?
  n=${names[$done_pid]}; unset "names[$done_pid]"; touch "$logs/$n.done"
  if [ "$rc" -eq 0 ]; then
    echo "image: +$(( $(date +%s) - t0 )) s $n done ($(tail -1 "$logs/$n"))" >&2
  else
    failed=1
    echo "image: $n failed:" >&2
    tail -30 "$logs/$n" >&2
  fi
done
kill "$ticker_pid" 2>/dev/null || true
[ "$failed" -eq 0 ] || exit 1

build() {
  $DOCKER build -q --build-arg RUNTIME="$runtime" --build-arg STORES="$stores_base" \
    -f deploy/Dockerfile.local "$@" build/image/context >/dev/null
}
echo "image: $stores and $image" >&2
build --target datastores -t "$stores"
build -t "$image"
# Every binary finds its libraries in the image.
missing=$($DOCKER run --rm --entrypoint sh "$image" -c 'ldd /usr/local/bin/* | grep "not found" || true')
[ -z "$missing" ] || { echo "image: libraries missing in $image: $missing" >&2; exit 1; }
$DOCKER image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' \
  | grep -E "^(${image%%:*}|${stores%%:*}|hybridrec-runtime|hybridrec-stores-base):" || true
$DOCKER run --rm "$image" hybridrec --version
echo "image: $(( $(date +%s) - t0 )) s"
