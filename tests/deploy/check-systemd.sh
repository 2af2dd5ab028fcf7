#!/usr/bin/env bash
# Checks the systemd unit confcap@.service as it is installed: with systemd-analyze verify (any
# complaint fails), that its ExecStart runs the installed binary, and that an instance name K-of-N
# becomes --shard K/N as its ExecStart writes it. The argument is a build folder, installed here
# into a temporary prefix, or an installed unit file. Exits 77 (skipped) without systemd-analyze.
set -euo pipefail
if ! command -v systemd-analyze >/dev/null; then
    echo "check-systemd: systemd-analyze is not installed: skipped"
    exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [[ -d $1 ]]; then
    cmake --install "$1" --prefix "$work/prefix" >/dev/null
    unit="$work/prefix/lib/systemd/system/confcap@.service"
    binary="$work/prefix/bin/confcap"
else
    unit=$1
    binary=${2:-/usr/bin/confcap}
fi
cp "$unit" "$work/confcap@.service"
# verify prints what it ignores (unknown keys, bad values) but exits 0: any output fails.
if ! (cd "$work" && systemd-analyze verify --man=no "$work/confcap@.service") >"$work/out" 2>&1 ||
    [[ -s $work/out ]]; then
    echo "check-systemd: systemd-analyze verify complains about confcap@.service:"
    cat "$work/out"
    exit 1
fi
line="$(grep '^ExecStart=' "$unit")"
if [[ $line != *"exec $binary record "* ]]; then
    echo "check-systemd: ExecStart does not run $binary: $line"
    exit 1
fi
# The instance to --shard mapping, run as the unit's ExecStart runs it ($$ is systemd's $).
mapping="$(sed -e 's/.*--shard "\$\$(\(.*\))".*/\1/' <<<"$line")"
for instance in 1-of-3 3-of-3 12-of-20; do
    got="$(sh -c "$(sed "s/%i/$instance/g" <<<"$mapping")")"
    want="${instance/-of-//}"
    if [[ $got != "$want" ]]; then
        echo "check-systemd: instance $instance gives --shard '$got', not $want"
        exit 1
    fi
done
echo "check-systemd: confcap@.service verifies, runs $binary; instances map to --shard K/N"
