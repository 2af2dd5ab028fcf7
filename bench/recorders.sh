#!/usr/bin/env bash
# Records the same fault scenario with each recorder, one `confcap record` run after another: one
# room streaming in real time from a loopback server (about 3 Mbit/s), two talks back to back; the
# first loses its connection for 3 s (refused), the second's stream stalls for 8 s. Scenario hls
# (live HLS) runs native, ffmpeg and streamlink; scenario ts (progressive MPEG-TS) runs native,
# ffmpeg and mplayer. Prints per talk what the sidecar says was covered and lost and how long the
# media file plays, and per run the CPU time (confcap plus the recorder programs it started) and
# peak RSS.
# Usage: bench/recorders.sh [TALK_SECONDS]   (environment: CONFCAP_BUILD, the build folder;
#        CONFCAP_BENCH_LOGS, a folder to keep each run's log in)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
lead=8 # seconds from the server's start to the first talk, for confcap to start and plan
build=${CONFCAP_BUILD:-build-bench}
logs=${CONFCAP_BENCH_LOGS:-}
for tool in /usr/bin/time python3 streamlink mplayer ffprobe; do
    command -v "$tool" >/dev/null || { scripts/install-deps.sh --bench >/dev/null; break; }
done
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFCAP_BENCH=ON >/dev/null
cmake --build "$build" --target confcap confcap-bench-server -j 2 >/dev/null
confcap=$build/confcap
[[ -n $logs ]] && mkdir -p "$logs"

work=$(mktemp -d)
server_pid=
stop_server() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
}
cleanup() {
    stop_server
    rm -rf "$work"
}
trap cleanup EXIT

# run SCENARIO RECORDER: records the scenario once in a fresh folder with a fresh bench server;
# appends one tab-separated line per talk to $work/rows.tsv: scenario, recorder, talk, outcome,
# covered s, window s, gap s, gaps, media s, reconnects, exit code, CPU s, peak RSS KiB.
run() {
    local scenario=$1 recorder=$2
    local dir
    dir=$(mktemp -d -p "$work" "$scenario-$recorder.XXXXXX")
    "$build/bench/confcap-bench-server" faults --kind "$scenario" --talk-in "$lead" \
        --talk-length "$seconds" --media "$build/bench-media" --info "$dir/info" &
    server_pid=$!
    for _ in $(seq 120); do [[ -f $dir/info ]] && break; sleep 0.5; done
    [[ -f $dir/info ]] || { echo "recorders.sh: the bench server did not start" >&2; exit 1; }
    local schedule stream
    schedule=$(sed -n 's/^schedule_url=//p' "$dir/info")
    stream=$(sed -n 's/^stream=//p' "$dir/info")
    echo "recorders.sh: $scenario with $recorder (drop at $(sed -n 's/^drop_at=//p' "$dir/info")," \
        "stall from $(sed -n 's/^stall_from=//p' "$dir/info"))" >&2
    local status=0
    /usr/bin/time -f '%e %U %S %M' -o "$dir/time" "$confcap" record --schedule "$schedule" \
        --stream "$stream" --recorder "$recorder" --out "$dir/out" --pad-before 2s \
        --pad-after 2s --stall-timeout 6s --refresh 0 --min-size 32K --min-duration 5s \
        --exit-when-done >"$dir/summary" 2>"$dir/log" || status=$?
    stop_server
    [[ -n $logs ]] && cp "$dir/log" "$logs/$scenario-$recorder.log"
    if [[ $status -ne 0 ]]; then
        echo "recorders.sh: $scenario/$recorder: confcap record exited with $status; its log ends:" >&2
        tail -5 "$dir/log" >&2
    fi
    local user sys rss
    read -r _ user sys rss < <(tail -1 "$dir/time")
    python3 - "$dir/out" "$scenario" "$recorder" "$status" "$user" "$sys" "$rss" \
        >>"$work/rows.tsv" <<'EOF'
import json, pathlib, subprocess, sys
out, scenario, recorder, status, user, sys_, rss = sys.argv[1:]
sidecars = {}
for p in pathlib.Path(out).rglob("*.json"):
    if ".confcap" in p.relative_to(out).parts:
        continue
    s = json.loads(p.read_text())
    if isinstance(s.get("talk"), dict) and "outcome" in s:
        sidecars[s["talk"].get("title", "")] = s
for title in ("Dropped Talk", "Stalled Talk"):
    s = sidecars.get(title)
    if s is None:
        row = ["missing", "-", "-", "-", "-", "-", "-"]
    else:
        media = "-"
        probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                                "-of", "default=nw=1:nk=1", str(pathlib.Path(out) / s["file"])],
                               capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() not in ("", "N/A"):
            media = f"{float(probe.stdout.strip()):.1f}"
        gaps = s.get("gaps", [])
        row = [s["outcome"], f"{s.get('coveredSeconds', 0):.1f}",
               f"{s.get('scheduledSeconds', 0):.1f}",
               f"{sum(g.get('lengthSeconds', 0) for g in gaps):.1f}", str(len(gaps)), media,
               str(s.get("reconnects", 0))]
    print("\t".join([scenario, recorder, title] + row +
                    [status, f"{float(user) + float(sys_):.2f}", rss]))
EOF
}

echo "recorders.sh: two $seconds s talks per run, 6 runs of about $((lead + 2 * seconds + 6)) s" \
    "each" >&2
: >"$work/rows.tsv"
for pair in "hls native" "hls ffmpeg" "hls streamlink" "ts native" "ts ffmpeg" "ts mplayer"; do
    read -r scenario recorder <<<"$pair"
    run "$scenario" "$recorder"
done

python3 - "$work/rows.tsv" <<'EOF'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
native = {r[0]: float(r[11]) for r in rows if r[1] == "native"}
header = ("scenario", "recorder", "talk", "outcome", "covered s", "window s", "gap s (n)",
          "media s", "reconnects", "exit", "CPU s", "peak RSS", "vs native")
form = "{:<8} {:<10} {:<12} {:<9} {:>9} {:>8} {:>9} {:>7} {:>10} | {:>4} {:>6} {:>8} {:>9}"
print()
print(form.format(*header))
seen = set()
for (scenario, recorder, talk, outcome, covered, window, gap, gaps, media, reconnects, status,
     cpu, rss) in rows:
    run = ["", "", "", ""]
    if (scenario, recorder) not in seen:
        seen.add((scenario, recorder))
        base = native.get(scenario, 0)
        run = [status, f"{float(cpu):.2f}", f"{int(rss) / 1024:.0f} MB",
               f"{float(cpu) / base:.2f}x" if base > 0 else "-"]
    print(form.format(scenario, recorder, talk, outcome, covered, window,
                      gap if gap == "-" else f"{gap} ({gaps})", media, reconnects, *run))
EOF

cat <<EOF

Per talk, from its sidecar: covered s = coveredSeconds (native HLS: the media seconds of the
segments written, which may start before the window; otherwise the time data kept arriving);
window s = the scheduled window with 2 s padding on each side; gap s (n) = the gaps' total length
and count (time without data). media s = the file's duration by ffprobe (first to last timestamp,
so a hole in the media counts too). Per run: exit = confcap record's exit code; CPU s =
user + sys of confcap and every recorder program it reaped (/usr/bin/time); peak RSS = the largest
single process (confcap or one recorder), not their sum; vs native = CPU s against the native run of
the same scenario. Faults: talk 1 loses its connection at its middle (refused 3 s); talk 2's stream
sends nothing for 8 s from its middle; --stall-timeout 6s.
EOF
