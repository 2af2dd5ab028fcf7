#!/usr/bin/env bash
# Records ROOMS live HLS rooms (about 3 Mbit/s each, real time, from a loopback server) split
# among 1, 2 and 4 `confcap record --shard K/N` processes: a generated schedule with one talk per
# room, all at the same time, for SECONDS, once per shard count. Prints for every process its
# rooms, its CPU use while the talks record (% of one core), its CPU time over the whole run and
# its peak RSS, and per shard count the files the sidecars report.
# Usage: bench/shards.sh [ROOMS] [SECONDS]   (environment: CONFCAP_BUILD, the build folder)
set -euo pipefail
cd "$(dirname "$0")/.."
rooms=${1:-64}
seconds=${2:-60}
lead=8 # seconds from the server's start to the talks, for confcap to start and plan
build=${CONFCAP_BUILD:-build-bench}
command -v /usr/bin/time >/dev/null && command -v bc >/dev/null && command -v python3 >/dev/null ||
    scripts/install-deps.sh --bench >/dev/null
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFCAP_BENCH=ON >/dev/null
cmake --build "$build" --target confcap confcap-bench-server -j 2 >/dev/null
confcap=$build/confcap
hz=$(getconf CLK_TCK)

work=$(mktemp -d)
server_pid=
cleanup() {
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# Sleeps until the epoch second $1 (at once when it has passed).
sleep_until() { sleep "$(echo "$1 - $(date +%s.%N)" | bc -l | sed 's/^-.*/0/')"; }

echo "shards.sh: $rooms live HLS rooms, $seconds s talks, split among 1, 2 and 4 processes"
printf '%-8s %-7s %6s %8s %22s %16s %12s\n' shards process rooms files "CPU while recording" \
    "CPU whole run" "peak RSS"
for count in 1 2 4; do
    run=$work/$count
    mkdir -p "$run"
    "$build/bench/confcap-bench-server" rooms --rooms "$rooms" --talk-in "$lead" \
        --talk-length "$seconds" --media "$build/bench-media" --info "$run/info" \
        --schedule "$run/schedule.xml" &
    server_pid=$!
    for _ in $(seq 120); do [[ -f $run/info ]] && break; sleep 0.5; done
    [[ -f $run/info ]] || { echo "shards.sh: the bench server did not start" >&2; exit 1; }
    talk_start=$(sed -n 's/^talk_start=//p' "$run/info")
    args=(record --schedule "$run/schedule.xml" --pad-before 0 --pad-after 0 --refresh 0
          --exit-when-done --quiet)
    while IFS= read -r stream; do
        args+=(--stream "$stream")
    done < <(sed -n 's/^stream=//p' "$run/info")

    time_pids=()
    pids=()
    for k in $(seq "$count"); do
        /usr/bin/time -f '%e %U %S %M' -o "$run/time.$k" "$confcap" "${args[@]}" \
            --out "$run/out.$k" --shard "$k/$count" >"$run/summary.$k" 2>"$run/log.$k" &
        time_pids+=($!)
    done
    sleep 0.5
    for t in "${time_pids[@]}"; do
        pids+=("$(pgrep -P "$t" | head -1)")
    done
    # CPU ticks of a confcap process (user + system), from /proc.
    ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
    # Measure from 3 s into the talks (all rooms connected) to 3 s before their end.
    sleep_until $((talk_start + 3))
    t0=$(date +%s.%N)
    c0=()
    for p in "${pids[@]}"; do c0+=("$(ticks "$p")"); done
    sleep_until $((talk_start + seconds - 3))
    t1=$(date +%s.%N)
    c1=()
    for p in "${pids[@]}"; do c1+=("$(ticks "$p")"); done
    for k in $(seq "$count"); do
        status=0
        wait "${time_pids[$((k - 1))]}" || status=$?
        if [[ $status -ne 0 ]]; then
            echo "shards.sh: shard $k/$count exited with $status; the end of its log:" >&2
            tail -5 "$run/log.$k" >&2
        fi
        read -r wall user sys rss < <(tail -1 "$run/time.$k")
        mine=$("$confcap" plan --schedule "$run/schedule.xml" --shards "$count" --json \
            --stream-template 'http://127.0.0.1:9/{room_slug}.m3u8' |
            python3 -c 'import json, sys
print(sum(r["shard"] == int(sys.argv[1]) for r in json.load(sys.stdin)["rooms"]))' "$k")
        files=$(find "$run/out.$k" -name '*.json' ! -name '*.part.json' -not -path '*/.confcap/*' |
            wc -l)
        cpu=$(echo "(${c1[$((k - 1))]} - ${c0[$((k - 1))]}) / $hz / ($t1 - $t0) * 100" | bc -l)
        printf '%-8s %-7s %6s %8s %20.1f %% %13.1f s %9.1f MB\n' "$count" "$k/$count" "$mine" \
            "$files" "$cpu" "$(echo "$user + $sys" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
    done
    kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    server_pid=
done
echo "CPU while recording: % of one core over the talks' middle; peak RSS from /usr/bin/time."
