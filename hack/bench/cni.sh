#!/usr/bin/env bash
# CNI benchmark (issue 10): RunPodSandbox on a bridge conflist vs the plugins' own run
# time from a plain script, and networked start-up; see cni.py.
#   hack/bench/cni.sh [BUILD_DIR] [--rounds 5] [--pods 20]
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 hack/bench/cni.py "$@"
