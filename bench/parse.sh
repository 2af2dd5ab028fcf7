#!/usr/bin/env bash
# Times `confcap list` (read the file, parse, select, print the table) and `confcap list --json`
# on the real schedules, several runs each, and prints wall time and peak RSS as a table.
# Usage: bench/parse.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
schedules=tests/data/schedules
bin=${CONFCAP_BIN:-build/confcap}
[[ -x $bin ]] || scripts/build.sh >/dev/null
command -v /usr/bin/time >/dev/null || scripts/install-deps.sh --bench >/dev/null

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
        walls=()
        rss=0
        for ((i = 0; i < runs; i++)); do
            start=$(date +%s%N)
            kb=$( { /usr/bin/time -f '%M' "$bin" "${args[@]}" >/dev/null; } 2>&1 | tail -1)
            walls+=("$(( ($(date +%s%N) - start) / 1000 ))")
            (( kb > rss )) && rss=$kb
        done
        sorted=($(printf '%s\n' "${walls[@]}" | sort -n))
        printf '%-34s %-6s %5s %6s %8.1fms %8.1fms %8.1fms %7.1fMB\n' "$file" "$output" "$size" \
            "$talks" "$(echo "${sorted[0]} / 1000" | bc -l)" \
            "$(echo "${sorted[$((runs / 2))]} / 1000" | bc -l)" \
            "$(echo "${sorted[$((runs - 1))]} / 1000" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
    done
done
