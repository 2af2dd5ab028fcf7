#!/usr/bin/env bash
# Formats the C++ sources with the committed .clang-format (clang-format 14). With --check it
# changes nothing and fails when a file is not formatted (CI).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || scripts/install-deps.sh --dev
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [[ ${1:-} == --check ]]; then
    clang-format --dry-run -Werror "${files[@]}"
    echo "format: all ${#files[@]} C++ files are formatted"
else
    clang-format -i "${files[@]}"
fi
