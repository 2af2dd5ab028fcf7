#!/usr/bin/env bash
# Checks deploy/systemd/confcap@.service with systemd-analyze verify (any complaint fails), and
# that an instance name K-of-N becomes --shard K/N as its ExecStart writes it. Exits 77
# (skipped) without systemd-analyze.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
unit="$here/../../deploy/systemd/confcap@.service"
if ! command -v systemd-analyze >/dev/null; then
    echo "check-systemd: systemd-analyze is not installed: skipped"
    exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$unit" "$work/confcap@.service"
# verify prints what it ignores (unknown keys, bad values) but exits 0: any output fails.
if ! (cd "$work" && systemd-analyze verify --man=no "$work/confcap@.service") >"$work/out" 2>&1 ||
    [[ -s $work/out ]]; then
    echo "check-systemd: systemd-analyze verify complains about confcap@.service:"
    cat "$work/out"
    exit 1
fi
# The instance to --shard mapping, run as the unit's ExecStart runs it ($$ is systemd's $).
line="$(grep '^ExecStart=' "$unit")"
mapping="$(sed -e 's/.*--shard "\$\$(\(.*\))".*/\1/' <<<"$line")"
for instance in 1-of-3 3-of-3 12-of-20; do
    got="$(sh -c "$(sed "s/%i/$instance/g" <<<"$mapping")")"
    want="${instance/-of-//}"
    if [[ $got != "$want" ]]; then
        echo "check-systemd: instance $instance gives --shard '$got', not $want"
        exit 1
    fi
done
echo "check-systemd: confcap@.service verifies; instances map to --shard K/N"
