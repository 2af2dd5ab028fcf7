#!/usr/bin/env bash
# Prints the path of a clean Debian 12 (bookworm) root that mmdebstrap made from Debian's own
# packages, with what a confcap package needs already in it: the package's Depends and
# Recommends (ffmpeg), but not the package. The package test and the container image install the
# .deb into a copy of it.
#
# Usage: scripts/debian-root.sh PACKAGE.deb
# The root is built once into build/debian-root/bookworm-KEY/ (about a minute and a half) and
# then reused; KEY changes with the package's dependencies, the mirror and this script. Needs
# root and mmdebstrap (scripts/install-deps.sh --package). The mirror is the one apt uses here
# (the first .../debian and .../debian-security in /etc/apt/sources.list*), or
# $CONFCAP_DEBIAN_MIRROR. Exits 75 when the mirror cannot be reached.
set -euo pipefail
script="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."
deb=$1
suite=bookworm

sources() {
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
        2>/dev/null || true
}
# The first URI of a deb822 "URIs:" field or a one-line "deb" entry that ends in $1.
mirror_ending() {
    sources | grep -E '^(URIs:|deb )' | grep -oE "https?://[^] ]+$1/?( |\$)" | head -n 1 |
        sed -e 's,/* *$,,'
}
mirror=${CONFCAP_DEBIAN_MIRROR:-$(mirror_ending /debian)}
mirror=${mirror:-http://deb.debian.org/debian}
security=${CONFCAP_DEBIAN_SECURITY_MIRROR:-$(mirror_ending /debian-security)}

if ! command -v mmdebstrap >/dev/null; then
    echo "debian-root: mmdebstrap is not installed (scripts/install-deps.sh --package)" >&2
    exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "debian-root: mmdebstrap builds the root as root (chroot): run this as root" >&2
    exit 1
fi

# What the package needs from Debian: the names in Depends and Recommends (the first of
# alternatives), without versions.
packages=$(dpkg-deb -f "$deb" Depends Recommends | sed -e 's/^[A-Za-z]*: //' | tr ',' '\n' |
    sed -e 's/|.*//' -e 's/(.*)//' -e 's/ //g' | grep -v '^$' | sort -u | paste -sd, -)
key=$( (echo "$suite $mirror $security $packages"; cat "$script") | sha256sum | cut -c1-12)
cache=build/debian-root
root=$cache/$suite-$key
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [[ -f $root.done ]]; then
    echo "$PWD/$root"
    exit 0
fi

if ! timeout 60 /usr/lib/apt/apt-helper download-file "$mirror/dists/$suite/InRelease" \
    "$cache/.InRelease" >/dev/null 2>&1; then
    echo "debian-root: the Debian mirror $mirror cannot be reached" >&2
    exit 75
fi
rm -f "$cache/.InRelease"

echo "debian-root: building a Debian $suite root from $mirror with $packages" >&2
rm -rf "$cache/$suite-"*
entries=("deb $mirror $suite main" "deb $mirror $suite-updates main")
if [[ -n $security ]]; then
    entries+=("deb $security $suite-security main")
fi
start=$SECONDS
mmdebstrap --quiet --variant=minbase --include="$packages" "$suite" "$root.tmp" "${entries[@]}" >&2
mv "$root.tmp" "$root"
touch "$root.done"
echo "debian-root: $root built in $((SECONDS - start)) s, $(du -sh "$root" | cut -f1)" >&2
echo "$PWD/$root"
