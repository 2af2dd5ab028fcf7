#!/usr/bin/env bash
# Builds the libFuzzer targets with clang++ (AddressSanitizer and UndefinedBehaviorSanitizer, every
# report fatal) into ./build-fuzz and runs one of them for SECONDS (default 60).
# Usage: fuzz/run.sh TARGET [SECONDS] [libFuzzer options...]
# TARGET: schedule, favourites, hls_playlist, file_name, config, status_path, request_head,
# media, tape_index, part_log or ts_naming; `all` runs each in turn.
# The committed seeds in fuzz/corpus/TARGET stay as they are; what the run finds goes into
# build-fuzz/corpus/TARGET, and a crashing input into build-fuzz/artifacts/TARGET/ (turn it into
# a regression test in the suite of the code at fault).
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(schedule favourites hls_playlist file_name config status_path request_head media tape_index
         part_log ts_naming)
target=${1:-}
seconds=${2:-60}
shift $(($# > 2 ? 2 : $#))
if [[ $target == all ]]; then
    for t in "${targets[@]}"; do "$0" "$t" "$seconds" "$@"; done
    exit 0
fi
if [[ ! " ${targets[*]} " == *" $target "* ]]; then
    echo "usage: fuzz/run.sh TARGET [SECONDS] [libFuzzer options...]; TARGET: ${targets[*]} or all" >&2
    exit 64
fi
command -v clang++ >/dev/null && [[ -d /usr/lib/llvm-14/lib/clang ]] || scripts/install-deps.sh --dev
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCONFCAP_FUZZ=ON -DCONFCAP_TESTS=OFF >/dev/null
cmake --build build-fuzz --target "fuzz_$target" -j "$jobs" >/dev/null

corpus=build-fuzz/corpus/$target
artifacts=build-fuzz/artifacts/$target
mkdir -p "$corpus" "$artifacts"
options=(-max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1
         -artifact_prefix="$artifacts/")
[[ -f fuzz/$target.dict ]] && options+=(-dict="fuzz/$target.dict")
case $target in
    schedule | favourites) options+=(-max_len=65536) ;;
    file_name) options+=(-max_len=8192) ;;
    request_head) options+=(-max_len=20000) ;;
esac
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "fuzz/run.sh: $target for $seconds s"
build-fuzz/fuzz/"fuzz_$target" "${options[@]}" "$@" "$corpus" "fuzz/corpus/$target" 2>&1 |
    grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse)' || [[ ${PIPESTATUS[0]} -eq 0 ]]
