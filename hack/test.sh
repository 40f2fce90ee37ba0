#!/usr/bin/env bash
# Runs every test of wasmcri on a fresh Debian 12 machine (.ci/run calls exactly this):
# installs the Debian packages, checks the format (hack/format.sh --check), builds with gcc
# (Release, warnings are errors), with clang, and with ASan+UBSan; runs ctest on the three builds,
# the engine, WASI and spec tests for arm64 and armhf under qemu-user (hack/cross.sh), every
# fuzzer for 30 s (hack/fuzz.sh, a clang+libFuzzer build), and the pytest integration suite
# against the gcc and sanitizer daemons; builds the Debian package and tests it (hack/package.sh,
# tests/package). Prints each runner's own summary. A test that
# hangs fails after 15 minutes (ctest and pytest-timeout) instead of eating CI's whole budget.
set -uo pipefail
cd "$(dirname "$0")/.."
bash hack/deps.sh || exit 1
bash hack/format.sh --check || exit 1

build() { echo "== build $1"; bash hack/build.sh "$@" || exit 1; }
build build
CC=clang build build-clang
build build-asan -DWASMCRI_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export LSAN_OPTIONS=suppressions=$PWD/hack/lsan.supp
export UBSAN_OPTIONS=print_stacktrace=1
status=0
for dir in build build-clang build-asan; do
  echo "== ctest ($dir)"
  (cd "$dir" && ctest --output-on-failure -j2 --timeout 900) || status=1
done
# arm64 and armhf: the engine, WASI and spec tests, cross-built and run under qemu-user
# (hack/cross.sh ARCH --engine: Debian's cross gcc on this host, no cross-build root; the first
# run on a machine installs it and ARCH's jansson and libseccomp, hack/cross-host.sh).
for arch in arm64 armhf; do
  echo "== cross $arch (qemu-user: engine, WASI, spec)"
  start=$SECONDS
  timeout 2400 bash hack/cross.sh "$arch" --engine || status=1
  echo "== cross $arch: $((SECONDS - start)) s"
done
# Every fuzzer for 30 s (hack/fuzz.sh): a crash, leak or hang fails CI.
bash hack/fuzz.sh 30 || status=1
for dir in build build-asan; do
  echo "== pytest integration ($dir)"
  WASMCRI_BUILD=$dir /usr/bin/python3 -m pytest -q -p no:cacheprovider --timeout=900 tests/integration || status=1
done
# The Debian package, built once (hack/package.sh, into dist/), then installed, upgraded, removed
# and purged in throw-away roots, and checked by lintian (tests/package).
echo "== package"
start=$SECONDS
if bash hack/package.sh; then
  echo "== pytest package"
  /usr/bin/python3 -m pytest -q -p no:cacheprovider --timeout=900 tests/package || status=1
else
  status=1
fi
echo "== package: $((SECONDS - start)) s"
exit $status
