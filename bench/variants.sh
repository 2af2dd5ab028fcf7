#!/usr/bin/env bash
# Records ROOMS rooms of one live HLS stream with three variants (ffmpeg's own HLS muxer, real
# time: 720p at 2.2 Mbit/s, 360p at 660 kbit/s, 180p at 170 kbit/s, BANDWIDTH) through ONE
# loopback line of RATE bit/s that the rooms share (default 1.2 Mbit/s per room), for SECONDS,
# with one `confcap capture` per room: first fitting the variant to the line (the default), then
# pinned to the best with --variant best. Prints per room the variants used and the seconds at
# each, the gaps, the covered seconds (the sidecar's) and the seconds of video ffprobe finds in
# the file (its video packets at 25 frames per second); the figure is the ratio of the covered
# seconds, fitted to pinned, and the same for the video.
# Usage: bench/variants.sh [ROOMS] [SECONDS] [RATE]   (environment: CONFCAP_BUILD, the build folder)
set -euo pipefail
cd "$(dirname "$0")/.."
rooms=${1:-3}
seconds=${2:-60}
rate=${3:-$((rooms * 1200000))}
build=${CONFCAP_BUILD:-build-bench}
command -v python3 >/dev/null && command -v ffprobe >/dev/null || scripts/install-deps.sh --bench >/dev/null
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFCAP_BENCH=ON >/dev/null
cmake --build "$build" --target confcap confcap-bench-server -j 2 >/dev/null
confcap=$build/confcap
[[ -x $confcap ]] || confcap=$build/src/confcap

work=$(mktemp -d)
packager_pid=
server_pid=
stop_server() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=
}
cleanup() {
    stop_server
    if [[ -n $packager_pid ]]; then
        kill "$packager_pid" 2>/dev/null || true
        wait "$packager_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# The packager: one encode, three variants sharing their timestamps, CBR (x264 filler) so that a
# segment weighs what its BANDWIDTH says; 2 s segments, a window of 5.
mkdir -p "$work/hls"
(cd "$work/hls" && exec ffmpeg -hide_banner -loglevel error -nostdin \
    -re -f lavfi -i testsrc2=size=1280x720:rate=25 -re -f lavfi -i sine=frequency=440:sample_rate=48000 \
    -map 0:v -map 0:v -map 0:v -map 1:a -map 1:a -map 1:a \
    -c:v libx264 -preset ultrafast -tune zerolatency -g 25 -keyint_min 25 -sc_threshold 0 \
    -x264-params nal-hrd=cbr -filter:v:1 scale=640:360 -filter:v:2 scale=320:180 \
    -b:v:0 1900k -minrate:v:0 1900k -maxrate:v:0 1900k -bufsize:v:0 1900k \
    -b:v:1 520k -minrate:v:1 520k -maxrate:v:1 520k -bufsize:v:1 520k \
    -b:v:2 100k -minrate:v:2 100k -maxrate:v:2 100k -bufsize:v:2 100k \
    -c:a aac -b:a:0 96k -b:a:1 64k -b:a:2 48k \
    -f hls -hls_time 2 -hls_list_size 5 -hls_flags delete_segments+program_date_time \
    -master_pl_name master.m3u8 -var_stream_map "v:0,a:0 v:1,a:1 v:2,a:2" stream_%v.m3u8) &
packager_pid=$!
for _ in $(seq 120); do [[ -f $work/hls/stream_2.m3u8 ]] && break; sleep 0.5; done
[[ -f $work/hls/stream_2.m3u8 ]] || { echo "variants.sh: the packager did not start" >&2; exit 1; }

# run NAME ARGS...: every room's capture at once, through a fresh line.
run() {
    local name=$1
    shift
    mkdir -p "$work/$name"
    "$build/bench/confcap-bench-server" folder --folder "$work/hls" --rate "$((rate / 8))" \
        --info "$work/$name/info" &
    server_pid=$!
    for _ in $(seq 60); do [[ -f $work/$name/info ]] && break; sleep 0.2; done
    local url pids=()
    url=$(sed -n 's/^url=//p' "$work/$name/info")
    for room in $(seq "$rooms"); do
        "$confcap" capture "${url}master.m3u8?room=$room" --for "${seconds}s" \
            -o "$work/$name/room$room.ts" "$@" 2>"$work/$name/room$room.log" >/dev/null &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || true; done
    stop_server
    for room in $(seq "$rooms"); do
        local file=$work/$name/room$room.ts
        [[ -f $file ]] || continue
        ffprobe -v error -select_streams v -show_entries packet=pts_time -of csv=p=0 "$file" |
            grep -c '^[0-9]' >"$work/$name/room$room.video" || true
    done
}

echo "variants.sh: $rooms rooms of one live 3-variant stream through one $((rate / 1000)) kbit/s" \
     "line, ${seconds} s each"
run fitted
run pinned --variant best

python3 - "$work" "$rooms" "$seconds" <<'EOF'
import json, pathlib, re, sys
work, rooms, seconds = pathlib.Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
master = (work / "hls" / "master.m3u8").read_text()
ladder = [(int(b), r) for b, r in re.findall(r"BANDWIDTH=(\d+),RESOLUTION=(\d+x\d+)", master)]
best = max(ladder)

def name(v):
    return f"{v.get('resolution', '?')}@{v['bandwidth'] // 1000}k"

def table(run):
    print(f"\n{run}")
    print(f"{'room':<6} {'variants used (seconds at each)':<52} {'gaps':>5} {'lost s':>7} "
          f"{'covered s':>10} {'video s':>8}")
    total = video_total = 0.0
    for room in range(1, rooms + 1):
        sidecar = work / run / f"room{room}.json"
        if not sidecar.exists():
            print(f"room{room:<2} no recording")
            continue
        s = json.loads(sidecar.read_text())
        moves = s.get("variants", [])
        current = name(moves[0]["from"]) if moves else f"{best[1]}@{best[0] // 1000}k"
        spans, at = [], 0.0
        for m in moves:
            spans.append((current, max(0.0, m["offsetSeconds"] - at)))
            at, current = max(at, m["offsetSeconds"]), name(m["to"])
        spans.append((current, max(0.0, s["scheduledSeconds"] - at)))
        used = ", ".join(f"{v} {t:.0f}" for v, t in spans)
        lost = sum(g["lengthSeconds"] for g in s["gaps"])
        video_file = work / run / f"room{room}.video"
        video = int(video_file.read_text().strip() or 0) / 25 if video_file.exists() else 0
        total += s["coveredSeconds"]
        video_total += video
        print(f"room{room:<2} {used:<52} {len(s['gaps']):>5} {lost:>7.1f} "
              f"{s['coveredSeconds']:>10.1f} {video:>8.1f}")
    print(f"{'all':<6} {'':<52} {'':>5} {'':>7} {total:>10.1f} {video_total:>8.1f}")
    return total, video_total

def ratio(a, b):
    return f"{a:.1f} / {b:.1f} = {a / b if b > 0 else float('inf'):.2f}x"

fitted, fitted_video = table("fitted")
pinned, pinned_video = table("pinned")
print(f"\nof {rooms * seconds:.0f} s scheduled, fitted / pinned to the best:")
print(f"  covered seconds  {ratio(fitted, pinned)}")
print(f"  seconds of video {ratio(fitted_video, pinned_video)}")
EOF
