#!/usr/bin/env bash
# Times the status page's timeline (status::timelineSvg) and the whole page with its JSON for
# ROOMS rooms and TALKS talks (default 30 and 300, each talk with media and two gaps): the
# mean milliseconds per render over ROUNDS, as the page does on each refresh.
# Usage: bench/timeline.sh [ROOMS] [TALKS] [ROUNDS]   (environment: CONFCAP_BUILD, the build folder)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${CONFCAP_BUILD:-build-bench}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFCAP_BENCH=ON >/dev/null
cmake --build "$build" --target confcap-bench-timeline -j 2 >/dev/null
"$build/bench/confcap-bench-timeline" "${1:-30}" "${2:-300}" "${3:-50}"
