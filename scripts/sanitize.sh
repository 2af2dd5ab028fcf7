#!/usr/bin/env bash
# Builds confcap and its tests with AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer
# into ./build-sanitize and runs every suite that is not labelled slow. Any report fails the run:
# the build stops at the first UBSan report, ASan and LSan end the process with an error.
# Arguments go to ctest, e.g. -R Schedule.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFCAP_WERROR=ON \
    -DCONFCAP_SANITIZE=address,undefined -DCONFCAP_SLOW_TESTS=OFF >/dev/null
cmake --build build-sanitize -j "$jobs"
cd build-sanitize
# The suites that run the confcap binary run this folder's sanitized one (CONFCAP_BINARY).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --output-on-failure --timeout 600 -j 2 -LE slow "$@"
