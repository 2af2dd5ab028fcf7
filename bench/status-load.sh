#!/usr/bin/env bash
# The status server under a crowd on loopback (bench/StatusLoadBench.cpp): half-open connections
# from many loopback addresses, slow downloads of recordings, and a probe of /api/status every
# 100 ms. Three rounds: 1000 half-open connections with the server's own 5 s head timeout (the
# crowd re-opens what it drops, as slowloris does); the same 1000 held open throughout (a 60 s
# head timeout, so the timeout cannot be what saves the probe); and 5000, more than the server
# allows at once. Each round prints the probe's latencies, the downloads and the threads; it
# fails when a probe failed or took a second, or a download differs from its file.
# Usage: bench/status-load.sh [SECONDS] [DOWNLOADS]   (environment: CONFCAP_BUILD, the build folder)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${CONFCAP_BUILD:-build-bench}
seconds=${1:-20}
downloads=${2:-20}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFCAP_BENCH=ON >/dev/null
cmake --build "$build" --target confcap-bench-status -j 2 >/dev/null
# Each round needs two descriptors per connection (client and server side) in this process.
ulimit -n "$(ulimit -Hn)"
bench="$build/bench/confcap-bench-status"
status=0
echo "== 1000 half-open connections (re-opened when dropped), $downloads slow downloads"
"$bench" --half-open 1000 --downloads "$downloads" --seconds "$seconds" || status=1
echo "== 1000 half-open connections held for the whole round, $downloads slow downloads"
"$bench" --half-open 1000 --downloads "$downloads" --seconds "$seconds" --head-timeout 60 || status=1
if (($(ulimit -n) >= 12000)); then
    echo "== 5000 half-open connections, more than the server allows at once"
    "$bench" --half-open 5000 --downloads "$downloads" --seconds "$seconds" --head-timeout 60 ||
        status=1
else
    echo "== 5000 half-open connections: skipped, the open-file limit $(ulimit -n) is below 12000"
fi
exit $status
