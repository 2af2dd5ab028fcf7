#!/usr/bin/env bash
# Soak: one `confcap record` process records a fake conference on loopback for HOURS (default 1):
# four rooms (live HLS, HLS with fMP4 segments, progressive MPEG-TS, MP3 radio) with 30 s talks
# back to back, one fault per room every minute (drop, stall, 503, failing segment), a new schedule
# version every 20 s read with --refresh 5s. Every minute it samples the process's RSS, open file
# descriptors and threads. It fails when one of them grows by more than 10 % from the first quarter
# of the run to the last, when confcap exits non-zero, or when a talk has no final file.
# Usage: bench/soak.sh [HOURS]   (environment: CONFCAP_BUILD, the build folder; SOAK_KEEP=1 keeps
# the recordings)
set -euo pipefail
cd "$(dirname "$0")/.."
hours=${1:-1}
build=${CONFCAP_BUILD:-build-bench}
talk_in=20
talk_length=30
seconds=$(python3 -c "import sys; print(max(240, int(float(sys.argv[1]) * 3600) // 60 * 60))" "$hours")
command -v python3 >/dev/null || scripts/install-deps.sh --bench >/dev/null
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFCAP_BENCH=ON >/dev/null
cmake --build "$build" --target confcap confcap-bench-server -j 2 >/dev/null

work=$(mktemp -d)
# Copies, so that a rebuild while the soak runs changes nothing under it.
cp "$build/confcap" "$build/bench/confcap-bench-server" "$work/"
server_pid=
confcap_pid=
cleanup() {
    [[ -n $confcap_pid ]] && kill "$confcap_pid" 2>/dev/null && wait "$confcap_pid" 2>/dev/null
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    if [[ ${SOAK_KEEP:-0} == 1 ]]; then
        echo "soak.sh: kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

"$work/confcap-bench-server" soak --seconds "$seconds" --talk-in "$talk_in" \
    --talk-length "$talk_length" --media "$build/bench-media" --info "$work/info" &
server_pid=$!
for _ in $(seq 120); do [[ -f $work/info ]] && break; sleep 0.5; done
[[ -f $work/info ]] || { echo "soak.sh: the bench server did not start" >&2; exit 1; }
talk_start=$(sed -n 's/^talk_start=//p' "$work/info")
args=(record --schedule "$(sed -n 's/^schedule_url=//p' "$work/info")" --out "$work/out"
      --cache-dir "$work/cache" --pad-before 0 --pad-after 0 --refresh 5s --stall-timeout 4s
      --min-size 16K --min-duration 5s --exit-when-done --quiet)
while IFS= read -r stream; do
    args+=(--stream "$stream")
done < <(sed -n 's/^stream=//p' "$work/info")

"$work/confcap" "${args[@]}" >"$work/summary" 2>"$work/log" &
confcap_pid=$!
echo "soak.sh: $(grep -c '^talk=' "$work/info") talks in 4 rooms over $((seconds / 60)) minutes," \
    "confcap pid $confcap_pid, recordings in $work/out"

# One sample a minute, 15 s into a minute of talks: mid-talk and away from the faults (32-45 s).
printf 'minute\trss_kb\tfds\tthreads\n' >"$work/samples"
minute=1
while kill -0 "$confcap_pid" 2>/dev/null; do
    at=$((talk_start + minute * 60 + 15))
    while (($(date +%s) < at)) && kill -0 "$confcap_pid" 2>/dev/null; do sleep 1; done
    [[ -r /proc/$confcap_pid/status ]] || break
    if ((at > talk_start + seconds)); then
        break
    fi
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$confcap_pid/status" 2>/dev/null) || break
    threads=$(awk '/^Threads:/ {print $2}' "/proc/$confcap_pid/status" 2>/dev/null) || break
    fds=$(find "/proc/$confcap_pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    [[ -n $rss && -n $threads ]] || break
    printf '%s\t%s\t%s\t%s\n' "$minute" "$rss" "$fds" "$threads" | tee -a "$work/samples"
    minute=$((minute + 1))
done
status=0
wait "$confcap_pid" || status=$?
confcap_pid=
if [[ $status -ne 0 ]]; then
    echo "soak.sh: confcap record exited with $status; the end of its log:" >&2
    tail -5 "$work/log" >&2
fi

python3 - "$work" "$status" <<'EOF'
import json, pathlib, statistics, sys, time
work, status = pathlib.Path(sys.argv[1]), int(sys.argv[2])
rows = [line.split("\t") for line in (work / "samples").read_text().splitlines()[1:]]
samples = [tuple(int(v) for v in row) for row in rows]
failed = status != 0
print(f"soak.sh: confcap exited with {status} after {len(samples)} samples")
if len(samples) < 4:
    print("soak.sh: FAIL: fewer than 4 samples")
    sys.exit(1)
quarter = max(1, len(samples) // 4)
first, last = samples[:quarter], samples[-quarter:]
print(f"{'':<10}{'first quarter':>16}{'last quarter':>16}{'growth':>10}   (means of {quarter} samples)")
for i, name in [(1, "RSS KB"), (2, "open fds"), (3, "threads")]:
    a = statistics.mean(s[i] for s in first)
    b = statistics.mean(s[i] for s in last)
    growth = (b - a) / a * 100 if a else 0.0
    verdict = "FAIL" if growth > 10 else "ok"
    failed = failed or growth > 10
    print(f"{name:<10}{a:>16.1f}{b:>16.1f}{growth:>9.1f}%  {verdict}")

expected = {}
for line in (work / "info").read_text().splitlines():
    if line.startswith("talk="):
        guid, end = line[5:].split()
        expected[guid] = int(end)
recorded, gaps, covered = {}, 0, 0.0
out = work / "out"
for p in out.rglob("*.json"):
    if ".confcap" in p.parts or p.name.endswith(".part.json"):
        continue
    s = json.loads(p.read_text())
    talk = s.get("talk") or {}
    if s.get("outcome") == "recorded" and (out / s["file"]).is_file():
        recorded[talk.get("guid")] = s
        gaps += len(s.get("gaps", []))
        covered += s.get("coveredSeconds", 0)
due = [g for g, end in expected.items() if end <= time.time()]
missing = sorted(g for g in due if g not in recorded)
print(f"talks recorded: {len(recorded)} of {len(due)} due ({len(expected)} scheduled); "
      f"{gaps} gaps; {covered / max(len(recorded), 1):.1f} s covered per talk on average")
leftovers = [p for p in out.rglob("*.part*") if ".confcap" not in p.parts]
if missing:
    failed = True
    print(f"soak.sh: FAIL: no final file for {len(missing)} talks, e.g. {missing[:3]}")
if leftovers:
    failed = True
    print(f"soak.sh: FAIL: {len(leftovers)} .part files left, e.g. {leftovers[0]}")
print("soak.sh: FAIL" if failed else "soak.sh: PASS")
sys.exit(1 if failed else 0)
EOF
