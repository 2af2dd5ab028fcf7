#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, and record a fake conference
# on loopback end to end (`confcap demo`, about two minutes) into ./demo-recordings.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
./build/confcap demo "$@"
