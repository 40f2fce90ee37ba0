#!/bin/sh
# Converts every .wast of the given spec test suite directories with wast2json into OUTDIR and
# runs spec_runner on all of them at once (so the lists of known failures and allowed skips are
# checked against the whole suite). Exits 77 (ctest SKIP) when a suite or wast2json is missing,
# except in CI (CI=true), where a missing part fails the test.
#   run_spec.sh [--lazy] RUNNER OUTDIR KNOWN_FAILURES ALLOWED_SKIPS SUITE_DIR...
# (--lazy: the runner compiles every function on its first call instead of at load)
lazy=
[ "$1" = --lazy ] && lazy=--lazy && shift
runner=$1 out=$2 known=$3 skips=$4
shift 4
. "$(dirname "$0")/../missing.sh"
command -v wast2json >/dev/null 2>&1 || missing "wast2json (Debian package wabt) is not installed"
mkdir -p "$out" || exit 1
files=""
for suite in "$@"; do
    [ -d "$suite" ] ||
        missing "spec test suite not found at $suite (expected ../shared/wasm-testsuite next to the checkout)"
    for wast in "$suite"/*.wast; do
        name=$(basename "$wast" .wast)
        mkdir -p "$out/$name"
        if ! wast2json "$wast" -o "$out/$name/$name.json" >"$out/$name/wast2json.log" 2>&1; then
            echo "FAIL $name.wast: wast2json failed:"; cat "$out/$name/wast2json.log"
            exit 1
        fi
        files="$files $out/$name/$name.json"
    done
done
# shellcheck disable=SC2086 # the paths are ours, without blanks
exec "$runner" $lazy --known "$known" --skips "$skips" $files
