#!/usr/bin/env bash
# Installs the build dependencies, builds wasmcri and runs the daemon in the
# foreground with its embedded defaults (socket /run/wasmcri/wasmcri.sock, root
# /var/lib/wasmcri, state /run/wasmcri) unless flags say otherwise:
#   hack/run.sh [--config FILE] [--socket PATH] [--root DIR] [--state DIR] [--log-level L]
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/deps.sh
bash hack/build.sh build
exec ./build/wasmcri "$@"
