#!/bin/sh
# Op and op-pair profiles of the engine benchmark programs (tests/wasm/bench), for picking fused
# ops from measurements: builds the engine with -DWASMCRI_OP_PROFILE=ON (wasm/engine/op_profile.c)
# and writes one profile per program, hottest ops and pairs first, with their shares of all ops.
#   hack/bench/op_profile.sh [BUILD_DIR] [PROGRAM...]   (default: build-opprofile; all programs)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-opprofile}
[ $# -gt 0 ] && shift
programs=${*:-fib matmul sha256 sort coremark}
src=$root/tests/wasm/bench
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DWASMCRI_ENGINE_ONLY=ON \
    -DWASMCRI_OP_PROFILE=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j2 --target wasmcri >/dev/null
mkdir -p "$build/bench"
for p in $programs; do
    clang --target=wasm32-wasi -O2 -nostartfiles -Wl,--no-entry -Wl,--export=run \
        -o "$build/bench/$p.wasm" "$src/$p.c"
    WASMCRI_OP_PROFILE="$build/bench/$p.profile" "$build/wasmcri" run --invoke run \
        "$build/bench/$p.wasm" >/dev/null
    echo "$p: $build/bench/$p.profile ($(head -1 "$build/bench/$p.profile"))"
done
