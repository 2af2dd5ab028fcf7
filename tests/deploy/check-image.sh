#!/usr/bin/env bash
# The container image as a cluster gets it. deploy/container/build.sh builds the OCI archive from
# the .deb that cpack makes of the build folder (the argument); skopeo reads its configuration
# (user, entrypoint, working folder, volume, port) and copies it; umoci unpacks it, and in the
# unpacked file system confcap, ffmpeg and /bin/sh run as the manifests' uid 10001. Where
# containerd is installed, a containerd of the test's own imports the archive as `k3s ctr images
# import` does and runs the image: --version, an https URL (the TLS module is found), and
# confcap demo as the image's user.
#
# Minutes, like the package test: runs only with CONFCAP_PACKAGE_TEST=1 (scripts/package-test.sh).
# Exits 77 (skipped) without root, umoci, skopeo, mmdebstrap or a reachable Debian mirror.
set -euo pipefail
check=check-image
source "$(dirname "$0")/deb-setup.sh"
needs_package_test "it builds a Debian root and an image for minutes" mmdebstrap umoci skopeo jq

start=$SECONDS
make_deb
version=$(dpkg-deb -f "$deb" Version)
debian_root

"$checkout/deploy/container/build.sh" --deb "$deb"
archive="$checkout/build/container/confcap-$version.oci.tar"
name=localhost/confcap:$version
[[ -s $archive ]] || fail "deploy/container/build.sh wrote no $archive"
echo "check-image: $(basename "$archive"), $(stat -c %s "$archive") bytes, built in $((SECONDS - start)) s"

work="$build/container/image-test"
rm -rf "$work"
mkdir -p "$work"
containerd_pid=
cleanup() {
    if [[ -n $containerd_pid ]]; then
        kill "$containerd_pid" 2>/dev/null || true
        wait "$containerd_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

config="$(skopeo inspect --config "oci-archive:$archive")"
want='{"User":"confcap","Entrypoint":["confcap"],"WorkingDir":"/var/lib/confcap","Volumes":["/var/lib/confcap"],"ExposedPorts":["8080/tcp"]}'
got="$(jq -c '.config | {User, Entrypoint, WorkingDir, Volumes: (.Volumes | keys),
    ExposedPorts: (.ExposedPorts | keys)}' <<<"$config")"
[[ $got == "$want" ]] || fail "the image's configuration is $got, not $want"
[[ $(skopeo inspect "oci-archive:$archive" | jq -r .Architecture) == "$(dpkg --print-architecture)" ]] ||
    fail "the image is not for $(dpkg --print-architecture)"

# skopeo copies it as a user pushing it would; umoci unpacks that copy.
skopeo copy --quiet "oci-archive:$archive" "oci:$work/layout:check"
umoci unpack --image "$work/layout:check" "$work/bundle" >/dev/null
rootfs=$work/bundle/rootfs
grep -q '^confcap:x:10001:10001:' "$rootfs/etc/passwd" || fail "the image has no user confcap with uid 10001"
[[ $(stat -c %u:%g "$rootfs/var/lib/confcap") == 10001:10001 ]] ||
    fail "/var/lib/confcap does not belong to confcap"
got="$(chroot --userspec=10001:10001 "$rootfs" /usr/local/bin/confcap --version)"
[[ $got == "confcap $version" ]] || fail "/usr/local/bin/confcap --version says '$got'"
chroot --userspec=10001:10001 "$rootfs" /bin/sh -c 'ffmpeg -version' >/dev/null ||
    fail "ffmpeg does not run in the image"
echo "check-image: the unpacked image runs confcap $version and ffmpeg as uid 10001"

if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
    echo "check-image: containerd is not installed: the archive was not imported"
    exit 0
fi
# A containerd of its own, in the test's folder, as k3s and kind run one.
cat >"$work/containerd.toml" <<EOF
version = 2
root = "$work/containerd/root"
state = "$work/containerd/state"
[grpc]
  address = "$work/containerd/containerd.sock"
EOF
containerd --config "$work/containerd.toml" >"$work/containerd.log" 2>&1 &
containerd_pid=$!
ctr=(ctr --address "$work/containerd/containerd.sock" --namespace k8s.io)
for _ in $(seq 100); do
    "${ctr[@]}" version >/dev/null 2>&1 && break
    sleep 0.2
done
"${ctr[@]}" version >/dev/null 2>&1 || fail "containerd did not start: $(tail "$work/containerd.log")"
"${ctr[@]}" images import "$archive" >/dev/null
"${ctr[@]}" images ls -q | grep -qx "$name" || fail "ctr images import did not name it $name"
got="$("${ctr[@]}" run --rm --net-host "$name" check-version confcap --version)"
[[ $got == "confcap $version" ]] || fail "the container says '$got'"
# The TLS module is found from the program's own path (/proc/self/exe): an https URL gets as far
# as connecting (nothing listens on port 1).
https="$("${ctr[@]}" run --rm --net-host "$name" check-https confcap list \
    --schedule https://127.0.0.1:1/schedule.xml 2>&1 || true)"
grep -q "connection refused" <<<"$https" || fail "an https URL fails in the container so: $https"
# The image's own user, working folder and entrypoint: the fake conference, recorded.
demo_start=$SECONDS
"${ctr[@]}" run --rm --net-host "$name" check-demo confcap demo >"$work/demo.log" 2>&1 ||
    fail "confcap demo failed in the container: $(tail -30 "$work/demo.log")"
grep -q "The recordings are in /var/lib/confcap/demo-recordings" "$work/demo.log" ||
    fail "the demo did not record into /var/lib/confcap: $(tail -5 "$work/demo.log")"
echo "check-image: containerd imported $name; confcap demo ran in it in $((SECONDS - demo_start)) s"
echo "check-image: done in $((SECONDS - start)) s"
