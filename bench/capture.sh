#!/usr/bin/env bash
# Downloads the same ~400 MB from a loopback server, as fast as it goes, with confcap capture,
# curl, ffmpeg -c copy and streamlink, once each, for a progressive MPEG-TS stream and for a VOD
# HLS playlist of the same bytes, and prints CPU seconds per GB, wall time and peak RSS per tool.
# Usage: bench/capture.sh [MEGABYTES]   (environment: CONFCAP_BUILD, the build folder; build-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
megabytes=${1:-400}
build=${CONFCAP_BUILD:-build-bench}
command -v streamlink >/dev/null && command -v /usr/bin/time >/dev/null && command -v bc >/dev/null &&
    command -v curl >/dev/null || scripts/install-deps.sh --bench >/dev/null
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFCAP_BENCH=ON >/dev/null
cmake --build "$build" --target confcap confcap-bench-server -j 2 >/dev/null
confcap=$build/src/confcap
[[ -x $confcap ]] || confcap=$build/confcap

work=$(mktemp -d)
server_pid=
cleanup() {
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

"$build/bench/confcap-bench-server" files --megabytes "$megabytes" --media "$build/bench-media" \
    --info "$work/info" --curl-config "$work/curl.cfg" &
server_pid=$!
for _ in $(seq 120); do [[ -f $work/info ]] && break; sleep 0.5; done
[[ -f $work/info ]] || { echo "capture.sh: the bench server did not start" >&2; exit 1; }
ts_url=$(sed -n 's/^ts_url=//p' "$work/info")
once_prefix=$(sed -n 's/^once_prefix=//p' "$work/info")
hls_url=$(sed -n 's/^hls_url=//p' "$work/info")
served=$(sed -n 's/^bytes=//p' "$work/info")
segments=$(sed -n 's/^segments=//p' "$work/info")

# measure NAME OUTPUT COMMAND...: runs COMMAND under /usr/bin/time; prints one tab-separated line
# name, bytes written, wall s, user+sys s, peak RSS KiB.
measure() {
    local name=$1 output=$2
    shift 2
    rm -f "$output"
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >"$work/out" 2>"$work/err" || {
        echo "capture.sh: $name failed:" >&2
        cat "$work/err" >&2
        return 1
    }
    read -r wall user sys rss <"$work/time"
    local bytes
    bytes=$(stat -c %s "$output" 2>/dev/null || echo 0)
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$bytes" "$wall" "$(echo "$user + $sys" | bc -l)" "$rss"
}

table() {
    local title=$1 file=$2
    local curl_cpu_gb
    curl_cpu_gb=$(awk -F'\t' '$1 ~ /^curl/ {printf "%.6f", $4 / ($2 / 1e9)}' "$file")
    printf '\n%s\n' "$title"
    printf '%-22s %9s %8s %9s %9s %9s %8s\n' tool MB "wall s" "CPU s" "CPU s/GB" "peak RSS" "vs curl"
    awk -F'\t' -v curl="$curl_cpu_gb" '{
        gb = $2 / 1e9; perGb = (gb > 0) ? $4 / gb : 0; ratio = (curl > 0) ? perGb / curl : 0
        printf "%-22s %9.1f %8.2f %9.2f %9.2f %7.1fMB %7.2fx\n", $1, $2 / 1e6, $3, $4, perGb,
               $5 / 1024, ratio }' "$file"
}

echo "capture.sh: $((served / 1000000)) MB per run from a loopback server ($segments HLS segments);" \
     "one run per tool"
: >"$work/ts.tsv"
measure "curl" "$work/curl.ts" curl -sS -o "$work/curl.ts" "$ts_url" >>"$work/ts.tsv"
# A progressive connection that ends is reconnected; the /once/ URL then answers 410 Gone and
# the capture ends. --min-duration 0: at loopback speed the stream covers almost no wall time.
measure "confcap capture" "$work/cc/ts.ts" "$confcap" capture "${once_prefix}ts$$.ts" \
    --for 10m --min-duration 0 -o "$work/cc/ts.ts" >>"$work/ts.tsv"
measure "ffmpeg -c copy" "$work/ffmpeg.ts" ffmpeg -nostdin -loglevel error -i "$ts_url" -c copy \
    -f mpegts "$work/ffmpeg.ts" >>"$work/ts.tsv"
measure "streamlink" "$work/streamlink.ts" streamlink --quiet -o "$work/streamlink.ts" \
    "httpstream://$ts_url" best >>"$work/ts.tsv"
table "Progressive MPEG-TS" "$work/ts.tsv"

: >"$work/hls.tsv"
# curl fetches the playlist's segments one after another over one kept-alive connection.
measure "curl (segment list)" "$work/curl-hls.ts" sh -c \
    "curl -sS '$hls_url' >/dev/null && curl -sS -K '$work/curl.cfg' >'$work/curl-hls.ts'" \
    >>"$work/hls.tsv"
measure "confcap capture" "$work/cc/hls.ts" "$confcap" capture "$hls_url" --for 10m \
    -o "$work/cc/hls.ts" >>"$work/hls.tsv"
measure "ffmpeg -c copy" "$work/ffmpeg-hls.ts" ffmpeg -nostdin -loglevel error -i "$hls_url" \
    -c copy -f mpegts "$work/ffmpeg-hls.ts" >>"$work/hls.tsv"
measure "streamlink" "$work/streamlink-hls.ts" streamlink --quiet -o "$work/streamlink-hls.ts" \
    "hls://$hls_url" best >>"$work/hls.tsv"
table "HLS (VOD playlist, $segments segments)" "$work/hls.tsv"

cat <<EOF

CPU s = user + sys of the process (/usr/bin/time); vs curl = CPU s/GB against curl's.
Targets for confcap: at most 1.0x curl's CPU per GB, peak RSS below 12 MB (the shared
libraries alone take about 9 MB: confcap --version peaks there; OpenSSL is loaded only for
https); HLS holds each segment whole while it reads it (about 1.1 MB here). Below ~300 MB the
start-up (about 40 ms of CPU) weighs on the ratio. The progressive confcap run includes one
reconnect attempt (about 1 s of wall time) after the stream ends. confcap's CPU includes naming
the talk in the file's MPEG-TS service description and hashing the file for the sidecar's
check, both done as the file is written. One run each is noisy: pair runs to compare closely.
EOF
