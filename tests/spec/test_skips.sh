#!/bin/sh
# spec_runner refuses skips nobody listed: a text-only module (tests/spec/selftest/skips.json)
# fails the run unless the allowed skips list it with a reason, and a listed skip that no
# command reaches fails it too.
#   test_skips.sh RUNNER SELFTEST_DIR TMPDIR
runner=$1 dir=$2 tmp=$3
mkdir -p "$tmp" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
: >"$tmp/none.txt"
echo "skips.wast text-module the module is only text" >"$tmp/listed.txt"
echo "skips.wast text-module" >"$tmp/no_reason.txt"
cp "$tmp/listed.txt" "$tmp/stale.txt"
echo "other.wast text-module never reached" >>"$tmp/stale.txt"
"$runner" --skips "$tmp/none.txt" "$dir/skips.json" >"$tmp/out" && fail "an unlisted skip passed"
grep -q "skipped (text-module), and the allowed skips do not list" "$tmp/out" || fail "$(cat "$tmp/out")"
"$runner" --skips "$tmp/listed.txt" "$dir/skips.json" >"$tmp/out" || fail "a listed skip failed: $(cat "$tmp/out")"
grep -q "0 failed, 1 skipped" "$tmp/out" || fail "$(cat "$tmp/out")"
"$runner" --skips "$tmp/no_reason.txt" "$dir/skips.json" >"$tmp/out" && fail "a skip without a reason was accepted"
"$runner" --skips "$tmp/stale.txt" "$dir/skips.json" >"$tmp/out" && fail "a stale allowed skip passed"
grep -q "STALE allowed skip" "$tmp/out" || fail "$(cat "$tmp/out")"
echo ok
