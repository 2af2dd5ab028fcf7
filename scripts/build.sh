#!/usr/bin/env bash
# Configures and builds confcap and its tests in ./build (Release with debug info).
# Extra arguments go to cmake's configure step, e.g. -DCONFCAP_SANITIZE=address,undefined.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFCAP_WERROR=ON "$@" >/dev/null
cmake --build build -j "$jobs"
