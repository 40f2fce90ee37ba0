#!/bin/sh
# Converts every core .wast of the spec test suite with wast2json into OUTDIR and runs spec_runner
# on the results. Exits 77 (ctest SKIP) when the suite or wast2json is missing, except in CI
# (CI=true), where a missing part fails the test.
#   run_spec.sh RUNNER SUITE_DIR OUTDIR KNOWN_FAILURES ALLOWED_SKIPS
runner=$1 suite=$2 out=$3 known=$4 skips=$5
. "$(dirname "$0")/../missing.sh"
[ -d "$suite" ] ||
    missing "spec test suite not found at $suite (expected ../shared/wasm-testsuite next to the checkout)"
command -v wast2json >/dev/null 2>&1 || missing "wast2json (Debian package wabt) is not installed"
mkdir -p "$out" || exit 1
set --
for wast in "$suite"/*.wast; do
    name=$(basename "$wast" .wast)
    mkdir -p "$out/$name"
    if ! wast2json "$wast" -o "$out/$name/$name.json" >"$out/$name/wast2json.log" 2>&1; then
        echo "FAIL $name.wast: wast2json failed:"; cat "$out/$name/wast2json.log"
        exit 1
    fi
    set -- "$@" "$out/$name/$name.json"
done
exec "$runner" --known "$known" --skips "$skips" "$@"
