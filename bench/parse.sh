#!/usr/bin/env bash
# Times `confcap list` (read the file, parse, select, print the table) and `confcap list --json`
# on the real schedules, several runs each, and prints wall time and peak RSS as a table; then
# `list --json` of 38C3, `--help` (the start alone) and `list --json` of a generated schedule of
# 100 000 talks against their targets.
# Usage: bench/parse.sh [RUNS]   (the 100 000-talk schedule runs a third as often, at least 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
schedules=tests/data/schedules
bin=${CONFCAP_BIN:-build/confcap}
[[ -x $bin ]] || scripts/build.sh >/dev/null
command -v /usr/bin/time >/dev/null && command -v bc >/dev/null && command -v python3 >/dev/null ||
    scripts/install-deps.sh --bench >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs confcap ARGS... N times; sets min, med, max (ms of wall time, timed by the shell itself
# so that no helper process is counted) and rss (MB, the peak, from one more run under time).
measure() {
    local n=$1
    shift
    local walls=() start i
    for ((i = 0; i < n; i++)); do
        start=${EPOCHREALTIME/[.,]/}
        "$bin" "$@" >/dev/null
        walls+=("$(( ${EPOCHREALTIME/[.,]/} - start ))")
    done
    local sorted=($(printf '%s\n' "${walls[@]}" | sort -n))
    min=$(echo "${sorted[0]} / 1000" | bc -l)
    med=$(echo "${sorted[$((n / 2))]} / 1000" | bc -l)
    max=$(echo "${sorted[$((n - 1))]} / 1000" | bc -l)
    /usr/bin/time -o "$work/rss" -f '%M' "$bin" "$@" >/dev/null
    rss=$(echo "$(tail -1 "$work/rss") / 1024" | bc -l)
}

printf '%-34s %-6s %5s %6s %10s %10s %10s %9s\n' schedule output size talks "wall min" "wall med" "wall max" "peak RSS"
for spec in "38c3-fahrplan-20251206.xml:" "fosdem2024-pentabarf.xml:Europe/Brussels" \
            "31c3-frab-v1.5.xml:Europe/Berlin" "json-pretalx-rc3.json:Europe/Berlin"; do
    file=${spec%%:*}
    zone=${spec#*:}
    base=(list --schedule "$schedules/$file")
    [[ -n $zone ]] && base+=(--timezone "$zone")
    talks=$("$bin" "${base[@]}" --json | grep -c '"guid"' || true)
    size=$(du -h "$schedules/$file" | cut -f1)
    for output in table json; do
        args=("${base[@]}")
        [[ $output == json ]] && args+=(--json)
        measure "$runs" "${args[@]}"
        printf '%-34s %-6s %5s %6s %8.1fms %8.1fms %8.1fms %7.1fMB\n' "$file" "$output" "$size" \
            "$talks" "$min" "$med" "$max" "$rss"
    done
done

python3 bench/big-schedule.py 100000 >"$work/100000-talks.xml"
echo
printf '%-34s %10s %10s %9s %10s\n' "list --json" "wall min" "wall med" "peak RSS" target
measure "$runs" list --json --schedule "$schedules/38c3-fahrplan-20251206.xml"
printf '%-34s %8.1fms %8.1fms %7.1fMB %10s\n' "38C3 (1007 talks, 2.1 MB)" "$min" "$med" "$rss" \
    "< 30 ms"
measure "$runs" --help
printf '%-34s %8.1fms %8.1fms %7.1fMB %10s\n' "confcap --help (the start alone)" "$min" "$med" \
    "$rss" "< 10 ms"
# The floor under it: a program that does nothing, linked with the libraries confcap loads at
# its start, and one linked with nothing (what starting any process costs from a shell here).
libs=$(ldd "$bin" | awk '$1 ~ /^lib/ && $1 !~ /^lib(c|m|gcc_s)\.so/ { print "-l:" $1 }')
printf 'int main() { return 0; }\n' >"$work/empty.cpp"
g++ -O2 "$work/empty.cpp" -o "$work/floor" -Wl,--no-as-needed $libs
g++ -O2 "$work/empty.cpp" -o "$work/nothing"
bin=$work/floor measure "$runs"
printf '%-34s %8.1fms %8.1fms %7.1fMB\n' "  an empty program, the same libs" "$min" "$med" "$rss"
bin=$work/nothing measure "$runs"
printf '%-34s %8.1fms %8.1fms %7.1fMB\n' "  an empty program, no libs" "$min" "$med" "$rss"
big_runs=$(( runs / 3 > 3 ? runs / 3 : 3 ))
measure "$big_runs" list --json --schedule "$work/100000-talks.xml"
printf '%-34s %8.2fs  %8.2fs  %7.1fMB %10s\n' "generated (100000 talks, $(du -h "$work/100000-talks.xml" | cut -f1))" \
    "$(echo "$min / 1000" | bc -l)" "$(echo "$med / 1000" | bc -l)" "$rss" "< 3 s"
