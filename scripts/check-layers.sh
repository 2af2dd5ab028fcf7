#!/usr/bin/env bash
# Checks that the modules use each other only as docs/architecture.md allows: every
# `#include "confcap/<module>/…"` in src/<m>/ and include/confcap/<m>/, and every cc_<module> that
# src/<m>/CMakeLists.txt links. With --dot it prints the linked module graph in Graphviz dot instead.
set -euo pipefail
cd "$(dirname "$0")/.."
table=docs/architecture.md

# The table rows: "| `module` | holds | may use |" -> "module<TAB>allowed modules".
rows=$(awk -F'|' '
    /^## Modules/ { inside = 1; next }
    /^## / { inside = 0 }
    inside && $2 ~ /^ *`[a-z]+` *$/ {
        name = $2; gsub(/[ `]/, "", name)
        uses = $4; allowed = ""
        if (uses ~ /every module above/) {
            allowed = above
        } else {
            while (match(uses, /`[a-z]+`/)) {
                allowed = allowed " " substr(uses, RSTART + 1, RLENGTH - 2)
                uses = substr(uses, RSTART + RLENGTH)
            }
        }
        print name "\t" allowed
        above = above " " name
    }' "$table")
[[ -n $rows ]] || { echo "check-layers: no module table found in $table" >&2; exit 1; }

declare -A direct allowed
order=()
while IFS=$'\t' read -r name uses; do
    order+=("$name")
    direct[$name]=$uses
done <<<"$rows"

# What each module may use: its row, closed over the rows of what it lists.
closure() {
    local -A seen=()
    local queue=(${direct[$1]}) next
    while ((${#queue[@]})); do
        next=${queue[0]}
        queue=("${queue[@]:1}")
        [[ -n ${seen[$next]:-} ]] && continue
        seen[$next]=1
        queue+=(${direct[$next]:-})
    done
    echo "${!seen[@]}"
}
for name in "${order[@]}"; do
    allowed[$name]=" $(closure "$name") "
done

links() { # the cc_<module> names a module's CMakeLists.txt links, one per line
    grep -oE '\bcc_[a-z]+\b' "src/$1/CMakeLists.txt" | sed 's/^cc_//' | grep -vx "$1" | sort -u || true
}

if [[ ${1:-} == --dot ]]; then
    echo "digraph confcap {"
    echo "    rankdir=BT; node [shape=box];"
    for name in "${order[@]}"; do
        for used in $(links "$name"); do
            echo "    \"$name\" -> \"$used\";"
        done
    done
    echo "}"
    exit 0
fi

failures=0
fail() {
    echo "check-layers: $*" >&2
    failures=$((failures + 1))
}

for dir in src/*/; do
    name=$(basename "$dir")
    [[ -n ${direct[$name]+x} ]] || fail "src/$name/ has no row in $table"
done

for name in "${order[@]}"; do
    [[ -d src/$name ]] || { fail "$table names module '$name' but src/$name/ does not exist"; continue; }
    for used in $(links "$name"); do
        [[ ${allowed[$name]} == *" $used "* ]] ||
            fail "src/$name/CMakeLists.txt links cc_$used, but $table does not let '$name' use '$used'"
    done
    while IFS=: read -r file line used; do
        [[ $used == "$name" || ${allowed[$name]} == *" $used "* ]] ||
            fail "$file:$line includes confcap/$used/, but $table does not let '$name' use '$used'"
    done < <(grep -rnoE '^#include "confcap/[a-z]+/' "src/$name" "include/confcap/$name" 2>/dev/null |
        sed -E 's|#include "confcap/([a-z]+)/$|\1|')
done

if ((failures)); then
    echo "check-layers: $failures dependencies cross $table" >&2
    exit 1
fi
echo "check-layers: ${#order[@]} modules, every include and link as $table allows"
