#!/usr/bin/env bash
# The toolbox benchmark (hack/bench/toolbox.py): ExecSync of sh -c "cat /tmp/x" p50, toolbox.wasm's
# size, the memory an exec adds. Usage: hack/bench/toolbox.sh [BUILD_DIR] [--calls N] [--rounds N]
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 hack/bench/toolbox.py "$@"
