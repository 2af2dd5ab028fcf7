#!/usr/bin/env bash
# The Debian package as a user meets it. cpack builds the .deb from the build folder (the
# argument); apt installs it into a copy of a clean Debian 12 root (scripts/debian-root.sh, made
# by mmdebstrap from Debian's packages, which holds its dependencies, so that the install needs
# no download); there, under chroot, confcap --version answers, an https URL finds the TLS
# module, and confcap demo records as the user confcap that the package creates; the installed
# unit passes systemd-analyze verify and the man page renders; then the package is purged.
#
# It takes minutes (the demo alone two, the first root about two more), so it runs only with
# CONFCAP_PACKAGE_TEST=1, as scripts/package-test.sh runs it. Exits 77 (skipped) without root,
# mmdebstrap or a reachable Debian mirror.
set -euo pipefail
check=check-package
source "$(dirname "$0")/deb-setup.sh"
needs_package_test "it builds a Debian root and runs the demo in it for minutes" mmdebstrap

start=$SECONDS
make_deb
echo "check-package: $(basename "$deb"), $(stat -c %s "$deb") bytes"
debian_root
echo "check-package: the Debian root is ready after $((SECONDS - start)) s"

# A copy of the root for this run, left for a look until the next run.
root="$build/debian-root/package-test"
rm -rf "$root"
cp -a "$cached" "$root"
cp "$deb" "$root/tmp/"
# Runs "$@" (chroot's options, then the command) in the root with /proc and /dev mounted in a
# mount namespace of its own, so that nothing stays mounted when it ends.
in_root() {
    unshare --mount --propagation private -- bash -c '
        root=$1; shift
        mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" && exec chroot "$@" ' \
        bash "$root" "$@"
}
as_root() { in_root "$root" "$@"; }
as_confcap() { in_root --userspec=confcap:confcap "$root" env HOME=/var/lib/confcap "$@"; }

# apt installs it as the README says. The root's package lists are empty (mmdebstrap cleans
# them), so apt can fetch nothing: every dependency must be a Debian 12 package the root has.
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/tmp/$(basename "$deb")" >"$root/tmp/apt.log" 2>&1 ||
    fail "apt-get install of the .deb failed: $(tail -20 "$root/tmp/apt.log")"
status="$(as_root dpkg-query -W -f='${Status}' confcap)"
[[ $status == "install ok installed" ]] || fail "dpkg says confcap is '$status'"

# postinst: the system user the unit runs as, and its home.
account="$(as_root getent passwd confcap)" || fail "postinst created no user confcap"
IFS=: read -r _ _ uid _ _ home shell <<<"$account"
[[ $uid -lt 1000 && $home == /var/lib/confcap && $shell == */nologin ]] ||
    fail "the user confcap is not a system user with the home /var/lib/confcap: $account"
owner="$(as_root stat -c %U:%G /var/lib/confcap)"
[[ $owner == confcap:confcap ]] || fail "/var/lib/confcap belongs to $owner"

want="$("$build/confcap" --version)"
got="$(as_root confcap --version)"
[[ $got == "$want" ]] || fail "confcap --version in the root says '$got', not '$want'"
# Its TLS module: an https URL gets as far as connecting (nothing listens on port 1).
https="$(as_confcap confcap list --schedule https://127.0.0.1:1/schedule.xml 2>&1 || true)"
grep -q "connection refused" <<<"$https" || fail "an https URL fails in the root so: $https"

# The unit as installed: systemd-analyze verify, ExecStart naming the installed binary.
unit=$root/usr/lib/systemd/system/confcap@.service
[[ -f $unit ]] || fail "the package has no /usr/lib/systemd/system/confcap@.service"
grep -q '^User=confcap$' "$unit" || fail "the unit does not run as the user confcap"
[[ -x $root/usr/bin/confcap ]] || fail "no /usr/bin/confcap"
"$here/check-systemd.sh" "$unit" /usr/bin/confcap

# The man page, as man shows it.
page="$(MANWIDTH=80 man --warnings -l "$root/usr/share/man/man1/confcap.1.gz" 2>&1)"
grep -q "^ *confcap - record conference talks" <<<"$page" ||
    fail "man -l shows: ${page:0:300}"
grep -q "^ *--status-port PORT" <<<"$page" || fail "the man page lacks --status-port"

# The demo, as the user confcap in its home: the fake conference on loopback, recorded.
demo_start=$SECONDS
if ! as_confcap sh -c 'cd /var/lib/confcap && exec confcap demo' >"$root/tmp/demo.log" 2>&1; then
    fail "confcap demo failed in the root: $(tail -30 "$root/tmp/demo.log")"
fi
recordings=$root/var/lib/confcap/demo-recordings
sidecars=$(find "$recordings" -path "$recordings/.confcap" -prune -o -name '*.json' -print | wc -l)
[[ $sidecars -ge 6 ]] || fail "the demo left $sidecars sidecars: $(tail -30 "$root/tmp/demo.log")"
[[ -s $recordings/.confcap/summary.html ]] || fail "the demo left no summary.html"
[[ $(stat -c %u "$recordings/.confcap/summary.html") == \
    "$(stat -c %u "$root/var/lib/confcap")" ]] || fail "the demo's files are not the user's"
echo "check-package: confcap demo recorded $sidecars talks in the root in $((SECONDS - demo_start)) s"

# Purging removes the program and keeps the user's recordings.
as_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q confcap >"$root/tmp/apt.log" 2>&1 ||
    fail "apt-get purge failed: $(tail -20 "$root/tmp/apt.log")"
[[ ! -e $root/usr/bin/confcap && ! -e $unit ]] || fail "purge left the program or the unit"
[[ -s $recordings/.confcap/summary.html ]] || fail "purge removed the recordings"

echo "check-package: installed, ran and purged in a Debian 12 root in $((SECONDS - start)) s"
