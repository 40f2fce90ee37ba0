#!/usr/bin/env bash
# Start-up and idle-memory benchmark of the runtime service (issue 6); see startup.py.
#   hack/bench/startup.sh [BUILD_DIR] [--pods N] [--idle N] [--step N]
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 hack/bench/startup.py "$@"
