#!/usr/bin/env bash
# Records ROOMS live HLS rooms (about 3 Mbit/s each, real time, from a loopback server) in ONE
# `confcap record` process: a generated schedule with one talk per room, all at the same time, for
# SECONDS. Prints the process's CPU use while the talks record (% of one core), its peak RSS, and
# what the sidecars say was lost.
# Usage: bench/rooms.sh [ROOMS] [SECONDS]   (environment: CONFCAP_BUILD, the build folder)
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

work=$(mktemp -d)
server_pid=
cleanup() {
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

"$build/bench/confcap-bench-server" rooms --rooms "$rooms" --talk-in "$lead" \
    --talk-length "$seconds" --media "$build/bench-media" --info "$work/info" \
    --schedule "$work/schedule.xml" &
server_pid=$!
for _ in $(seq 120); do [[ -f $work/info ]] && break; sleep 0.5; done
[[ -f $work/info ]] || { echo "rooms.sh: the bench server did not start" >&2; exit 1; }
talk_start=$(sed -n 's/^talk_start=//p' "$work/info")
# Without the content checks: analysing every talk after the end is not what is measured here.
args=(record --schedule "$work/schedule.xml" --out "$work/out" --pad-before 0 --pad-after 0
      --refresh 0 --exit-when-done --quiet --no-health)
while IFS= read -r stream; do
    args+=(--stream "$stream")
done < <(sed -n 's/^stream=//p' "$work/info")

/usr/bin/time -f '%e %U %S %M' -o "$work/time" "$confcap" "${args[@]}" >"$work/summary" \
    2>"$work/log" &
time_pid=$!
sleep 0.5
pid=$(pgrep -P "$time_pid" | head -1)

# CPU ticks of the confcap process (user + system), from /proc.
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
# Measure from 3 s into the talks (all rooms connected) to 3 s before their end.
from=$((talk_start + 3))
until=$((talk_start + seconds - 3))
sleep "$(echo "$from - $(date +%s.%N)" | bc -l | sed 's/^-.*/0/')"
t0=$(date +%s.%N)
c0=$(ticks)
sleep "$(echo "$until - $(date +%s.%N)" | bc -l | sed 's/^-.*/0/')"
t1=$(date +%s.%N)
c1=$(ticks)
status=0
wait "$time_pid" || status=$?
read -r wall user sys rss < <(tail -1 "$work/time")
if [[ $status -ne 0 ]]; then
    echo "rooms.sh: confcap record exited with $status; the end of its log:" >&2
    tail -5 "$work/log" >&2
fi

python3 - "$work/out" "$rooms" "$seconds" "$status" "$wall" "$user" "$sys" "$rss" \
    "$(echo "($c1 - $c0) / $hz / ($t1 - $t0) * 100" | bc -l)" "$(echo "$t1 - $t0" | bc -l)" <<'EOF'
import json, pathlib, sys
out, rooms, seconds, status, wall, user, sys_, rss, cpu, span = sys.argv[1:]
files = unfinished = covered = gaps = lost = 0
total_bytes = 0
# Sidecars of finished files, and the part lists of files a crash left unfinished.
for p in pathlib.Path(out).rglob("*.json"):
    if ".confcap" in p.parts:
        continue
    s = json.loads(p.read_text())
    if p.name.endswith(".part.json"):
        unfinished += 1
    elif "outcome" in s:
        files += 1
        total_bytes += s["bytes"]
    else:
        continue
    covered += s.get("coveredSeconds", 0)
    for g in s.get("gaps", []):
        gaps += 1
        if "firstSequence" in g and "lastSequence" in g:
            lost += g["lastSequence"] - g["firstSequence"] + 1
talks = max(files + unfinished, 1)
# On disk: every file once (a tape's hard link to a talk's file is the same bytes), and what the
# tapes hold on their own.
seen = set()
disk = tape_own = tape_shared = 0
for p in pathlib.Path(out).rglob("*"):
    if not p.is_file():
        continue
    st = p.stat()
    if (st.st_dev, st.st_ino) not in seen:
        seen.add((st.st_dev, st.st_ino))
        disk += st.st_size
    if "tape" in p.parts and ".confcap" in p.parts and p.suffix != ".idx":
        if st.st_nlink == 1:
            tape_own += st.st_size
        else:
            tape_shared += st.st_size
print(f"rooms.sh: {rooms} live HLS rooms, {seconds} s talks, one confcap record process")
print(f"{'exit code':<34}{status}")
print(f"{'CPU while recording':<34}{float(cpu):.1f} % of one core (over {float(span):.0f} s)")
print(f"{'CPU over the whole run':<34}{(float(user) + float(sys_)) / float(wall) * 100:.1f} % "
      f"of one core ({float(user) + float(sys_):.1f} s in {float(wall):.0f} s)")
print(f"{'peak RSS':<34}{int(rss) / 1024:.1f} MB")
print(f"{'finished files with sidecars':<34}{files} of {rooms}")
print(f"{'left unfinished (.part)':<34}{unfinished}")
print(f"{'recorded':<34}{total_bytes / 1e6:.0f} MB in finished files; "
      f"{covered / talks:.1f} s covered per talk on average")
print(f"{'gaps / lost segments':<34}{gaps} / {lost}")
print(f"{'on disk (each file once)':<34}{disk / 1e6:.0f} MB; the tapes hold {tape_own / 1e6:.0f} MB "
      f"of their own and share {tape_shared / 1e6:.0f} MB with the talks' files")
print("Targets: 64 rooms under 60 MB; 256 rooms under 25 % of one core and 150 MB; nothing lost.")
EOF
