#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets (clang, ASan+UBSan, build-fuzz/)
# and runs each for HR_FUZZ_SECONDS (default 60) on a working copy of its
# seed corpus (fuzz/corpus/<t>/ plus whatever earlier runs found).  Exits
# non-zero when any target crashes; the input is kept in
# build-fuzz/crashes/<t>/ — copy it to fuzz/regress/<t>/ to make it a
# regression test (ctest -L fuzz).
#   HR_FUZZ_SECONDS=10   the CI short pass
#   HR_FUZZ_TARGETS="validate csv"   a subset
#   HR_FUZZ_BUILD=dir    another build directory
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${HR_FUZZ_BUILD:-$root/build-fuzz}
secs=${HR_FUZZ_SECONDS:-60}
jobs=${JOBS:-2}

command -v clang >/dev/null || { echo "fuzz: clang is required (apt-get install clang)" >&2; exit 2; }

flags="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -Wno-error"
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DHR_FUZZ=ON -DCMAKE_BUILD_TYPE=Fuzz \
      "-DCMAKE_C_FLAGS_FUZZ=$flags" \
      "-DCMAKE_EXE_LINKER_FLAGS_FUZZ=-fsanitize=address,undefined" \
      "-DCMAKE_SHARED_LINKER_FLAGS_FUZZ=-fsanitize=address,undefined" >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_all >/dev/null

targets=${HR_FUZZ_TARGETS:-$(cat "$build/fuzz-targets.txt")}
mkdir -p "$build/crashes" "$build/logs"
failed=()
printf '%-16s %10s %8s %8s %s\n' target execs exec/s cov result
for t in $targets; do
    exe="$build/bin/fuzz_$t"
    [ -x "$exe" ] || { echo "fuzz: no target $t" >&2; failed+=("$t"); continue; }
    work="$build/corpus/$t"
    mkdir -p "$work" "$build/crashes/$t"
    [ -d "$root/fuzz/corpus/$t" ] && cp -n "$root/fuzz/corpus/$t"/* "$work"/ 2>/dev/null || true
    args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096
          -print_final_stats=1 -artifact_prefix="$build/crashes/$t/")
    [ -f "$root/fuzz/dict/$t.dict" ] && args+=(-dict="$root/fuzz/dict/$t.dict")
    log="$build/logs/$t.log"
    rc=0
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$exe" "${args[@]}" "$work" >"$log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1 || true)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1 || true)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
    if [ "$rc" -ne 0 ]; then
        failed+=("$t")
        printf '%-16s %10s %8s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "CRASH (log $log)"
        grep -m3 -E 'ERROR: |runtime error|invariant failed|Test unit written' "$log" | sed 's/^/    /' || true
    else
        printf '%-16s %10s %8s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" ok
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: crashes in: ${failed[*]} (inputs in $build/crashes/)" >&2
    exit 1
fi
echo "fuzz: no crash"
