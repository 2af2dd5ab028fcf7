#!/usr/bin/env bash
# Builds confcap's container image as an OCI archive from the repository alone: no base image is
# pulled from a registry. Its file system is the clean Debian 12 root that scripts/debian-root.sh
# makes with mmdebstrap from Debian's packages, with the Debian package (scripts/package.sh)
# installed by apt; umoci writes the image. Installs what is missing
# (scripts/install-deps.sh --package).
#
# Usage (as root): deploy/container/build.sh [--deb FILE] [NAME]
# NAME defaults to localhost/confcap:VERSION; without --deb, scripts/package.sh builds the .deb.
# Writes build/container/confcap-VERSION.oci.tar, named NAME inside, which
#   podman load -i FILE
#   k3s ctr images import FILE        (or: kind load image-archive FILE)
#   skopeo copy oci-archive:FILE docker://REGISTRY/confcap:VERSION
# load or push as it is; deploy/README.md shows each.
#
# The image runs `confcap` (entrypoint; the default argument is --help) as the user confcap, whose
# uid and gid are 10001 as the Kubernetes manifests' runAsUser, in /var/lib/confcap (working
# folder and volume, the recordings), with the status port 8080 exposed. It has ffmpeg, /bin/sh,
# and /usr/local/bin/confcap as a link to /usr/bin/confcap for commands that name that path.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ $(id -u) -ne 0 ]]; then
    echo "deploy/container/build.sh: run it as root (mmdebstrap and chroot build the root)" >&2
    exit 1
fi
deb=
name=
while [[ $# -gt 0 ]]; do
    case $1 in
        --deb) deb=$(realpath "$2") && shift 2 ;;
        -*) echo "usage: deploy/container/build.sh [--deb FILE] [NAME]" >&2 && exit 64 ;;
        *) name=$1 && shift ;;
    esac
done
scripts/install-deps.sh --package >&2
if [[ -z $deb ]]; then
    deb=$(realpath "$(scripts/package.sh | tail -n 1)")
fi
version=$(dpkg-deb -f "$deb" Version)
name=${name:-localhost/confcap:$version}
# The name containerd files an image under: a name without a registry is Docker Hub's.
case ${name%%/*} in
    *.* | *:* | localhost) full=$name ;;
    *) [[ $name == */* ]] && full=docker.io/$name || full=docker.io/library/$name ;;
esac
root="$(scripts/debian-root.sh "$deb")"
created=$(git log -1 --format=%cI 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)

work=build/container/work
rm -rf "$work"
mkdir -p "$work"
rootfs=$work/rootfs
cp -a "$root" "$rootfs"
in_rootfs() {
    unshare --mount --propagation private -- bash -c '
        root=$1; shift
        mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" && exec chroot "$root" "$@"' \
        bash "$rootfs" "$@"
}
# The user first, with the uid the manifests run as; the package's postinst keeps it and gives it
# /var/lib/confcap.
in_rootfs groupadd --gid 10001 confcap
in_rootfs useradd --uid 10001 --gid 10001 --home-dir /var/lib/confcap --no-create-home \
    --shell /usr/sbin/nologin --comment "confcap recorder" confcap
cp "$deb" "$rootfs/tmp/"
in_rootfs env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/tmp/$(basename "$deb")" \
    >"$work/apt.log" 2>&1 || {
    tail -20 "$work/apt.log" >&2
    exit 1
}
ln -s /usr/bin/confcap "$rootfs/usr/local/bin/confcap"
# What a container does without: the .deb, apt's caches and lists, the logs of this build, and
# device nodes (the runtime mounts /dev).
rm -rf "${rootfs:?}"/tmp/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/dev/*
find "$rootfs/var/log" -type f -delete

layout=$work/oci
umoci init --layout "$layout"
umoci new --image "$layout:$version"
umoci insert --image "$layout:$version" --history.created "$created" \
    --history.created_by "mmdebstrap --variant=minbase bookworm; apt-get install ./$(basename "$deb")" \
    "$rootfs" /
umoci config --image "$layout:$version" --created "$created" --author confcap \
    --history.created "$created" --history.created_by "deploy/container/build.sh" \
    --config.user confcap --config.workingdir /var/lib/confcap \
    --config.volume /var/lib/confcap --config.exposedports 8080/tcp \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.entrypoint confcap --config.cmd=--help --config.stopsignal SIGTERM \
    --config.label org.opencontainers.image.title=confcap \
    --config.label "org.opencontainers.image.version=$version"
umoci gc --layout "$layout"
# The image's name as podman (the OCI reference name) and containerd (its own annotation) read it.
jq --arg name "$name" --arg full "$full" -c '.manifests[0].annotations = {
        "org.opencontainers.image.ref.name": $name, "io.containerd.image.name": $full }' \
    "$layout/index.json" >"$work/index.json"
mv "$work/index.json" "$layout/index.json"

out=build/container/confcap-$version.oci.tar
tar --sort=name --mtime="$created" --owner=0 --group=0 --numeric-owner -C "$layout" \
    -cf "$out.tmp" oci-layout index.json blobs
mv "$out.tmp" "$out"
rm -rf "$work"
echo "deploy/container/build.sh: $out ($name, $(du -h "$out" | cut -f1))"
