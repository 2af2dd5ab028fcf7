#!/usr/bin/env bash
# Installs the Debian 12 packages confcap needs to build and run; with --test also what the test
# suite uses; with --dev what the format check and the fuzz targets use (clang, clang-format);
# with --deb what building the Debian package uses, with --package what building and testing
# the package and the container image use. Skips what is already installed. Needs root (or
# sudo) only when something is missing.
set -euo pipefail

packages=(g++ cmake make pkg-config libpoco-dev libpugixml-dev libhowardhinnant-date-dev libcrypt-dev
          libboost-test-dev libre2-dev libxxhash-dev tzdata ca-certificates ffmpeg)
case "${1:-}" in
    --test) packages+=(openssl curl chromium mplayer streamlink python3-prometheus-client
                       systemd man-db xfsprogs)
            # xfsprogs: an XFS image, whose files share blocks, for the overlap of back-to-back
            # talks.
            # node and npm (Debian's, unless a node that brings its own npm is installed) for the
            # offline Kubernetes schema check in tests/deploy.
            command -v node >/dev/null || packages+=(nodejs)
            command -v npm >/dev/null || packages+=(npm) ;;
    # clang++ with libFuzzer (llvm-14's symbolizer for its reports) and clang-format 14: about
    # 300 MB the test suite does not use.
    --dev) packages+=(clang libclang-rt-14-dev llvm-14 clang-format) ;;
    --bench) packages+=(time bc curl streamlink mplayer python3 xfsprogs) ;;
    # The Debian package: dpkg-shlibdeps and file compute its Depends.
    --deb) packages+=(dpkg-dev file) ;;
    # The package, the clean Debian 12 root its test and the container image start from
    # (mmdebstrap), the OCI image (umoci, jq), and for the tests systemd-analyze, man, skopeo and
    # containerd (its ctr imports the image as k3s does).
    --package) packages+=(dpkg-dev file mmdebstrap umoci jq systemd man-db skopeo containerd) ;;
esac

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
# The Kubernetes schema check's packages (kubernetes-models, yaml) at the versions of
# tests/deploy/package-lock.json, from the npm registry: no Debian package has them.
npm_test_packages() {
    [[ ${1:-} == --test ]] || return 0
    local deploy
    deploy="$(cd "$(dirname "$0")/.." && pwd)/tests/deploy"
    if [[ ! -d $deploy/node_modules/kubernetes-models ]]; then
        echo "install-deps: installing the npm packages of tests/deploy"
        npm ci --prefix "$deploy" --no-audit --no-fund --loglevel=error
    fi
}

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all ${#packages[@]} packages are installed"
    npm_test_packages "${1:-}"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null; then
        echo "install-deps: run this as root to install: ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
npm_test_packages "${1:-}"
