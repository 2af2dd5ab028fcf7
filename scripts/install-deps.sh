#!/usr/bin/env bash
# Installs the Debian 12 packages confcap needs to build and run; with --test also what the test
# suite uses. Skips what is already installed. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(g++ cmake make pkg-config libpoco-dev libpugixml-dev libhowardhinnant-date-dev
          libboost-test-dev tzdata ca-certificates ffmpeg)
case "${1:-}" in
    --test) packages+=(openssl curl chromium mplayer streamlink python3-prometheus-client
                       clang libclang-rt-14-dev llvm-14 clang-format) ;;
    --bench) packages+=(time bc curl streamlink mplayer python3) ;;
esac

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all ${#packages[@]} packages are installed"
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
