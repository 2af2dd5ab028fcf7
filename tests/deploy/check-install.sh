#!/usr/bin/env bash
# Installs a build folder with `cmake --install` into a temporary prefix and checks what lands
# where, as a user would look: the binary runs and finds its TLS module, man shows the page, bash
# loads the completion, the unit names the installed binary, and the example configuration has
# only keys confcap knows.
set -euo pipefail
build=$1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/log"
fail() {
    echo "check-install: $*"
    exit 1
}
for file in bin/confcap share/man/man1/confcap.1.gz share/bash-completion/completions/confcap \
    lib/systemd/system/confcap@.service share/doc/confcap/confcap.ini \
    share/doc/confcap/README.md share/doc/confcap/examples/38c3.ini; do
    [[ -f $prefix/$file ]] || fail "cmake --install did not install $file"
done
module="$(find "$prefix" -path '*/confcap/confcap-tls.so' -type f)"
[[ -n $module ]] || fail "cmake --install did not install the TLS module confcap-tls.so"
# The installed program finds it: an https URL gets as far as connecting (nothing listens on
# port 1), instead of failing for want of TLS.
set +e
"$prefix/bin/confcap" list --schedule https://127.0.0.1:1/schedule.xml \
    --cache-dir "$work/cache" >"$work/out" 2>&1
set -e
grep -q "connection refused" "$work/out" || fail "an https URL fails so: $(cat "$work/out")"
version="$("$prefix/bin/confcap" --version)"
[[ $version =~ ^confcap\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "confcap --version says '$version'"
page="$(MANWIDTH=80 man -l "$prefix/share/man/man1/confcap.1.gz" 2>&1)"
grep -q "^ *confcap - record conference talks" <<<"$page" || fail "man -l shows: ${page:0:300}"
bash -c 'source "$1" && complete -p confcap' bash \
    "$prefix/share/bash-completion/completions/confcap" >/dev/null ||
    fail "bash cannot load the completion"
grep -q "^ExecStart=.*exec $prefix/bin/confcap record" "$prefix/lib/systemd/system/confcap@.service" ||
    fail "the unit's ExecStart does not run $prefix/bin/confcap"
# Every key of the example is an option (an unknown key would exit 78 before the folder, 66, is
# looked at).
for config in "$prefix"/share/doc/confcap/confcap.ini "$prefix"/share/doc/confcap/examples/*.ini; do
    set +e
    "$prefix/bin/confcap" summary --config "$config" "$work/none" >"$work/out" 2>&1
    code=$?
    set -e
    [[ $code -eq 66 ]] || fail "$config: confcap says ($code): $(cat "$work/out")"
done
echo "check-install: $(find "$prefix" -type f | wc -l) files install into a prefix and work"
