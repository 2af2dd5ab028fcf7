#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test suite with CTest.
# Arguments go to ctest, e.g. -LE slow (the quick loop) or -R Schedule.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh
cd build
# Two suites per core: the long ones spend their time waiting on live streams in real time, and the
# few that keep a core busy (live encoders) or need the machine to themselves say so to CTest.
jobs=$(( 2 * $(nproc 2>/dev/null || echo 2) ))
ctest --output-on-failure --timeout 600 -j "$jobs" "$@"
