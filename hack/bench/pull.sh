#!/usr/bin/env bash
# Pull benchmark (see hack/bench/pull.py): the daemon's PullImage of a ~50 MB 5-layer image
# from a loopback docker-registry next to `skopeo copy docker://... dir:` of the same image,
# as a ratio. Usage: hack/bench/pull.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 hack/bench/pull.py "${1:-build}" "${2:-5}"
