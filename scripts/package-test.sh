#!/usr/bin/env bash
# Builds the Debian package (scripts/package.sh) and runs the CTest entries labelled package:
# PackageTest (tests/deploy/check-package.sh) installs it with apt into a clean Debian 12 root
# that mmdebstrap makes from Debian's packages, runs confcap --version and confcap demo there under
# chroot, verifies the unit and renders the man page; ImageTest (tests/deploy/check-image.sh)
# builds the container image from that root (deploy/container/build.sh), unpacks it, imports it
# into a containerd of its own and runs the demo in it. Needs root and the Debian mirror (both
# skip without it). The root is kept in build/debian-root/: the first run builds it (one and a
# half to three minutes); then each test takes two to three minutes, most of it the demo.
# CI runs this as a step of its own (.ci/run); scripts/test.sh skips both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --package
scripts/package.sh
cd build
CONFCAP_PACKAGE_TEST=1 ctest -L '^package$' --output-on-failure --timeout 1200
