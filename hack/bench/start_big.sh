#!/usr/bin/env bash
# Start and compile of a big generated module (issue 14, part 3); see start_big.py.
#   hack/bench/start_big.sh [BUILD_DIR] [--mib 20] [--rounds 7]
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 hack/bench/start_big.py "$@"
