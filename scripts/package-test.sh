#!/usr/bin/env bash
# Builds the Debian package (scripts/package.sh) and runs the CTest entries labelled package:
# PackageTest (tests/deploy/check-package.sh) installs it with apt into a clean Debian 12 root
# that mmdebstrap makes from Debian's packages, runs confcap --version and confcap demo there under
# chroot, verifies the unit and renders the man page. Needs root and the Debian mirror (skipped
# without it). The root is kept in build/debian-root/: the first run builds it (one and a half to
# three minutes); then the test takes about two minutes, most of it the demo.
# CI runs this as a step of its own (.ci/run); scripts/test.sh skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/package.sh
cd build
CONFCAP_PACKAGE_TEST=1 ctest -L '^package$' --output-on-failure --timeout 1200
