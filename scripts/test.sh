#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test suite with CTest.
# Arguments go to ctest, e.g. -LE slow (the quick loop) or -R Schedule.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh
cd build
ctest --output-on-failure --timeout 600 -j 2 "$@"
