#!/usr/bin/env bash
# Configures and builds one build tree: hack/build.sh DIR [cmake args...]
# (e.g. hack/build.sh build-asan -DWASMCRI_SANITIZE=ON). Default: build/, Release.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
