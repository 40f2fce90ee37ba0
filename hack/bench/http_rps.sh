#!/usr/bin/env bash
# HTTP requests per second of one wasm server pod and of the same server built natively
# (issue 10); see http_rps.py.
#   hack/bench/http_rps.sh [BUILD_DIR] [--requests N] [--rounds N]
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 hack/bench/http_rps.py "$@"
