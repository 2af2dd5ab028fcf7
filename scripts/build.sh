#!/usr/bin/env bash
# Configures and builds confcap and its tests in ./build (Release with debug info).
# Uses Ninja and ccache when they are installed (a folder first configured for make stays make).
# Extra arguments go to cmake's configure step, e.g. -DCONFCAP_SANITIZE=address,undefined.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
configure=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFCAP_WERROR=ON)
if [[ ! -f build/CMakeCache.txt ]] && command -v ninja >/dev/null; then
    configure+=(-G Ninja)
fi
if command -v ccache >/dev/null; then
    configure+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
    # Paths relative to the checkout, so that two checkouts share their cached objects.
    export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
fi
cmake -S . -B build "${configure[@]}" "$@" >/dev/null
cmake --build build -j "$jobs"
