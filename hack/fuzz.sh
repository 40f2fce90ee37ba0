#!/usr/bin/env bash
# Runs every fuzzer for SECONDS each (default 30); exits non-zero when one finds a crash, a
# leak, a hang or a failed check. CI runs it from hack/test.sh. Fuzzers:
#   fuzz_parsers, fuzz_unpack   image/fuzz: registry input parsers, hostile layers
#   fuzz_load, fuzz_exec        wasm/engine/fuzz: decode + validate, and running modules
#   fuzz_cri_requests           cri/fuzz: every CRI request type decoded and converted
#   fuzz_spdy                   cri/fuzz: SPDY/3.1 frames and header blocks of the streaming server
#   test_wasi_fuzz SECONDS      tests/unit/wasi: random WASI calls (ASan build)
#   fuzz_simd.py                wasm/engine/fuzz: SIMD instructions on random v128s, the
#                               interpreter (ASan build's spec_runner) against node's V8
# The libFuzzer targets come from a clang build with -DWASMCRI_FUZZ=ON (build-fuzz/, made
# here if missing); crashing inputs are kept in build-fuzz/artifacts/ for replay:
#   build-fuzz/<path>/fuzz_x build-fuzz/artifacts/crash-...
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
seconds=${1:-30}
targets="fuzz_parsers fuzz_unpack fuzz_load fuzz_exec fuzz_cri_requests fuzz_spdy"
# Only the fuzz targets: the libraries they fuzz are built with sanitizer coverage there.
CC=clang cmake -S . -B build-fuzz -DWASMCRI_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  >/dev/null || exit 1
# shellcheck disable=SC2086
cmake --build build-fuzz -j"$(nproc)" --target $targets >/dev/null || exit 1
mkdir -p build-fuzz/artifacts
status=0
for f in image/fuzz_parsers image/fuzz_unpack wasm/engine/fuzz_load wasm/engine/fuzz_exec \
  cri/fuzz_cri_requests cri/fuzz_spdy; do
  name=$(basename "$f")
  corpus=$(mktemp -d "/tmp/wasmcri-corpus-$name-XXXXXX")
  echo "== fuzz $name (${seconds}s)"
  if ! "build-fuzz/$f" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$name-" "$corpus" \
    >"build-fuzz/artifacts/$name.log" 2>&1; then
    tail -40 "build-fuzz/artifacts/$name.log"
    status=1
  else
    grep -E "^stat::number_of_executed_units" "build-fuzz/artifacts/$name.log"
  fi
  rm -rf "$corpus"
done
echo "== fuzz test_wasi_fuzz (${seconds}s)"
if [ -x build-asan/tests/unit/wasi/test_wasi_fuzz ]; then
  # A hang (a blocking call the fuzzer failed to defuse) fails here, not at CI's time limit.
  if ! timeout -s ABRT $((seconds + 120)) build-asan/tests/unit/wasi/test_wasi_fuzz "$seconds"; then
    echo "test_wasi_fuzz failed or hung: replay with the seed above"
    status=1
  fi
else
  echo "build-asan/tests/unit/wasi/test_wasi_fuzz is missing (hack/test.sh builds it)"
  status=1
fi
echo "== fuzz fuzz_simd (${seconds}s)"
if [ -x build-asan/tests/spec/spec_runner ]; then
  if ! timeout -s ABRT $((seconds + 300)) /usr/bin/python3 wasm/engine/fuzz/fuzz_simd.py \
    build-asan/tests/spec/spec_runner "$seconds"; then
    echo "fuzz_simd failed or hung: replay with the seed above"
    status=1
  fi
else
  echo "build-asan/tests/spec/spec_runner is missing (hack/test.sh builds it)"
  status=1
fi
exit $status
