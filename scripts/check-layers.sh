#!/usr/bin/env bash
# Checks that the modules use each other only as docs/architecture.md allows, reading its module
# table literally: a module may include (`#include "confcap/<module>/…"` or `<confcap/<module>/…>`)
# and link (cc_<module>) only itself, `core` and the modules its row lists. It checks src/<m>/ and
# include/confcap/<m>/ with src/<m>/CMakeLists.txt; tests/<m>/ with its CMakeLists.txt, which may
# use what module <m> may use and `demo` too; and each file in bench/ and fuzz/ as the module its
# build target links. The crossings the table lists as known are let through and counted. Only
# the TLS module (src/tls/module/) may include or link Poco NetSSL, Poco Crypto and OpenSSL.
# With --dot it prints the linked module graph in Graphviz dot instead.
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

# Known crossings, "- `path` uses `module`: why", under the heading "Known crossings".
known=$(awk '
    /^#+ / { inside = ($0 ~ /Known crossings/) }
    inside && match($0, /^- `[^`]+` uses `[a-z]+`/) {
        split(substr($0, RSTART, RLENGTH), f, "`")
        print f[2] " " f[4]
    }' "$table")

declare -A allowed rank
order=()
while IFS=$'\t' read -r name uses; do
    rank[$name]=${#order[@]}
    order+=("$name")
    allowed[$name]=" $name core $uses "
done <<<"$rows"

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
tolerated=0
fail() {
    echo "check-layers: $*" >&2
    failures=$((failures + 1))
}

# check WHO ALLOWED FILE USED WHAT: one use of module USED by FILE on behalf of WHO.
check() {
    local who=$1 may=$2 file=$3 used=$4 what=$5
    [[ -n ${rank[$used]+x} ]] || return 0
    [[ $may == *" $used "* ]] && return 0
    if grep -qxF "$file $used" <<<"$known"; then
        tolerated=$((tolerated + 1))
        return 0
    fi
    fail "$what, but $table does not let '$who' use '$used'"
}

# includes FILE-OR-DIR...: "file:line:module" for every confcap include, both spellings.
includes() {
    grep -rHnoE '^#include ["<]confcap/[a-z]+/' "$@" 2>/dev/null |
        sed -E 's|#include ["<]confcap/([a-z]+)/$|\1|' || true
}

# statements CMAKEFILE: the file's CMake commands, one a line (comments dropped).
statements() {
    sed 's/#.*//' "$1" | tr '\n' ' ' | sed 's/)/)\n/g'
}

for dir in src/*/; do
    name=$(basename "$dir")
    [[ -n ${rank[$name]+x} ]] || fail "src/$name/ has no row in $table"
done

for name in "${order[@]}"; do
    [[ -d src/$name ]] || { fail "$table names module '$name' but src/$name/ does not exist"; continue; }
    for used in $(links "$name"); do
        check "$name" "${allowed[$name]}" "src/$name/CMakeLists.txt" "$used" \
            "src/$name/CMakeLists.txt links cc_$used"
    done
    while IFS=: read -r file line used; do
        check "$name" "${allowed[$name]}" "$file" "$used" "$file:$line includes confcap/$used/"
    done < <(includes "src/$name" "include/confcap/$name")

    [[ -d tests/$name ]] || continue
    may="${allowed[$name]}demo "
    while IFS=: read -r file line used; do
        check "$name" "$may" "$file" "$used" "$file:$line includes confcap/$used/"
    done < <(includes "tests/$name")
    [[ -f tests/$name/CMakeLists.txt ]] || continue
    while read -r statement; do
        sources=$(grep -oE '[A-Za-z0-9_]+\.cpp' <<<"$statement" || true)
        for used in $(grep -oE '\bcc_[a-z]+\b' <<<"$statement" | sed 's/^cc_//' | sort -u); do
            file=tests/$name/$(head -n1 <<<"$sources")
            check "$name" "$may" "$file" "$used" "tests/$name/CMakeLists.txt links cc_$used for $file"
        done
    done < <(statements "tests/$name/CMakeLists.txt")
done

# bench/ and fuzz/: a file is checked as the module its target links (the highest, when several).
for folder in bench fuzz; do
    [[ -f $folder/CMakeLists.txt ]] || continue
    cmake=$(statements "$folder/CMakeLists.txt")
    for file in "$folder"/*.cpp "$folder"/*.h; do
        [[ -f $file ]] || continue
        source=$(basename "${file%.*}").cpp
        owner=$(grep -F "$source" <<<"$cmake" | head -n1 || true)
        target=$(sed -nE 's/^ *(add_executable|add_library|confcap_fuzzer)\( *([A-Za-z0-9_-]+).*/\2/p' \
            <<<"$owner")
        [[ -n $target ]] || continue
        module=""
        for used in $(grep -E "(^| |\()$target( |\))" <<<"$cmake" | grep -oE '\bcc_[a-z]+\b' |
            sed 's/^cc_//'); do
            if [[ -n ${rank[$used]+x} && (-z $module || ${rank[$used]} -gt ${rank[$module]}) ]]; then
                module=$used
            fi
        done
        [[ -n $module ]] || continue
        while IFS=: read -r _ line used; do
            check "$module" "${allowed[$module]}" "$file" "$used" \
                "$file:$line (checked as '$module') includes confcap/$used/"
        done < <(includes "$file")
    done
done

# TLS lives in its module (src/tls/module/, loaded when first used): nothing else in the program
# includes Poco NetSSL, Poco Crypto or OpenSSL, nor links them.
netssl='Secure[A-Za-z]*|SSL[A-Za-z]*|HTTPS[A-Z][A-Za-z]*|FTPS[A-Za-z]*|NetSSL|Context|Session'
netssl+='|Utility|X509Certificate|VerificationErrorArgs'
netssl+='|[A-Za-z]*(Certificate|PrivateKey|Passphrase|KeyConsole|KeyFile)[A-Za-z]*'
while IFS=: read -r file line _; do
    fail "$file:$line includes TLS headers, which only src/tls/module/ may"
done < <(grep -rHnE "^#include <(openssl/|Poco/Crypto/|Poco/Net/($netssl)\.h>)" \
    src include --include='*.cpp' --include='*.h' | grep -v '^src/tls/module/' || true)
for cmake in src/*/CMakeLists.txt; do
    [[ $cmake == src/tls/CMakeLists.txt ]] && continue
    if grep -qE 'Poco::(NetSSL|Crypto)|OpenSSL::' "$cmake"; then
        fail "$cmake links NetSSL, Crypto or OpenSSL, which only the TLS module may"
    fi
done

if ((failures)); then
    echo "check-layers: $failures dependencies cross $table" >&2
    exit 1
fi
echo "check-layers: ${#order[@]} modules, every include and link as $table allows" \
    "($tolerated known crossings)"
