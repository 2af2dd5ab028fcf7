#!/usr/bin/env bash
# Builds the Debian package: installs what is missing (scripts/install-deps.sh --deb), builds
# (scripts/build.sh, into build/), and runs cpack, which writes
# build/package/confcap_VERSION_ARCH.deb with its Depends computed from the shared libraries the
# binary links. Install it with `sudo apt install ./build/package/confcap_*.deb`.
# Arguments go to scripts/build.sh's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --deb
scripts/build.sh "$@"
rm -f build/package/confcap_*.deb
if ! (cd build && cpack -G DEB >cpack.log 2>&1); then
    cat build/cpack.log >&2
    exit 1
fi
ls "$PWD"/build/package/confcap_*.deb
