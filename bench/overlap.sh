#!/usr/bin/env bash
# What back-to-back talks cost on disk. ROOMS live HLS rooms (about 3 Mbit/s each, real time,
# from a loopback server), each with TALKS talks of SECONDS back to back, recorded with
# --pad-before and --pad-after PAD by two `confcap record` processes at once: one onto an XFS
# image (its files can share blocks), one onto the machine's own disk (ext4 here). Each padded
# window overlaps the next talk's by 2 × PAD. Prints, for each, the talks' files (the sum of their
# sizes), what they use on disk, and the overlap the talks' windows have in common.
# Needs root (the XFS image is mounted through a loop device) and xfsprogs.
# Usage: bench/overlap.sh [ROOMS] [TALKS] [SECONDS] [PAD]   (environment: CONFCAP_BUILD)
set -euo pipefail
cd "$(dirname "$0")/.."
rooms=${1:-4}
talks=${2:-3}
seconds=${3:-40}
pad=${4:-10}
lead=$((pad + 8)) # the first talk's padded window opens 8 s after the server starts
build=${CONFCAP_BUILD:-build-bench}
command -v bc >/dev/null && command -v mkfs.xfs >/dev/null ||
    scripts/install-deps.sh --bench >/dev/null
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFCAP_BENCH=ON >/dev/null
cmake --build "$build" --target confcap confcap-bench-server -j 2 >/dev/null
confcap=$build/confcap

work=$(mktemp -d)
server_pid=
cleanup() {
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    mountpoint -q "$work/xfs" && umount "$work/xfs"
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/xfs" "$work/ext"
truncate -s 4G "$work/xfs.img"
mkfs.xfs -q "$work/xfs.img"
mount -o loop "$work/xfs.img" "$work/xfs"

"$build/bench/confcap-bench-server" rooms --rooms "$rooms" --talks "$talks" --talk-in "$lead" \
    --talk-length "$seconds" --media "$build/bench-media" --info "$work/info" \
    --schedule "$work/schedule.xml" &
server_pid=$!
for _ in $(seq 120); do [[ -f $work/info ]] && break; sleep 0.5; done
[[ -f $work/info ]] || { echo "overlap.sh: the bench server did not start" >&2; exit 1; }

used() { sync; df -B1 --output=used "$1" | tail -1; }
xfs_before=$(used "$work/xfs")
args=(record --schedule "$work/schedule.xml" --pad-before "${pad}s" --pad-after "${pad}s"
      --refresh 0 --exit-when-done --quiet --no-health --keep-tape 0)
while IFS= read -r stream; do
    args+=(--stream "$stream")
done < <(sed -n 's/^stream=//p' "$work/info")
"$confcap" "${args[@]}" --out "$work/xfs/out" >/dev/null 2>"$work/xfs.log" &
xfs_pid=$!
"$confcap" "${args[@]}" --out "$work/ext/out" >/dev/null 2>"$work/ext.log" &
ext_pid=$!
status=0
wait "$xfs_pid" || status=$?
wait "$ext_pid" || status=$?
((status == 0)) || { echo "overlap.sh: confcap record failed" >&2; tail -5 "$work"/*.log >&2; exit 1; }

files_bytes() { find "$1" -name '*.ts' -not -path '*/.confcap/*' -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }
count() { find "$1" -name '*.ts' -not -path '*/.confcap/*' | wc -l; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1000000 }'; }
# The talks' files on the machine's disk, each file counted once (du counts hard links once).
ext_used=$(du -sB1 --exclude=.confcap "$work/ext/out" | cut -f1)
xfs_used=$(($(used "$work/xfs") - xfs_before))
ext_files=$(files_bytes "$work/ext/out")
xfs_files=$(files_bytes "$work/xfs/out")
# The stretch each boundary between two talks is in both files: 2 × PAD of the room's stream.
rate=$(echo "$ext_files / ($rooms * $talks * ($seconds + 2 * $pad))" | bc -l)
overlap=$(echo "$rooms * ($talks - 1) * 2 * $pad * $rate" | bc -l | cut -d. -f1)

echo "$rooms rooms × $talks talks of ${seconds}s back to back, padded ${pad}s each side:" \
     "each boundary is in both talks' files for $((2 * pad))s"
printf '%-22s %6s %14s %14s %16s %10s\n' "file system" files "sum of sizes" "used on disk" \
    "overlap (est.)" "saved"
for fs in ext xfs; do
    files_var=${fs}_files
    used_var=${fs}_used
    name=$([[ $fs == xfs ]] && echo "XFS (shares blocks)" || echo "$(df --output=fstype "$work/ext" | tail -1) (this disk)")
    saved=$(( ${!files_var} - ${!used_var} ))
    printf '%-22s %6s %11s MB %11s MB %13s MB %7s MB\n' "$name" "$(count "$work/$fs/out")" \
        "$(mb "${!files_var}")" "$(mb "${!used_var}")" "$(mb "$overlap")" "$(mb "$saved")"
done
