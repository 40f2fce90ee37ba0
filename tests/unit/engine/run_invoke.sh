#!/bin/sh
# `wasmcri run --invoke`: results on stdout, a trap gives "wasm trap: ..." on stderr and status 134.
# Skipped without wat2wasm, except in CI (tests/missing.sh).
#   run_invoke.sh WASMCRI WAT OUTDIR
wasmcri=$1 wat=$2 out=$3
. "$(dirname "$0")/../../missing.sh"
command -v wat2wasm >/dev/null 2>&1 || missing "wat2wasm (wabt) is not installed"
mkdir -p "$out" && wat2wasm "$wat" -o "$out/run_invoke.wasm" || exit 1
w=$out/run_invoke.wasm
fail() { echo "FAIL: $*"; exit 1; }
[ "$("$wasmcri" run --invoke fac "$w" 20)" = 2432902008176640000 ] || fail "fac 20"
[ "$("$wasmcri" run --invoke two "$w" | tr '\n' ' ')" = "7 2.5 " ] || fail "multi-value results"
[ "$("$wasmcri" run --invoke imm64 "$w" 5)" = 2147483631 ] || fail "i64 immediate ops"
[ "$("$wasmcri" run --invoke rot "$w" 305419896)" = -1953919031 ] || fail "rotate immediates"
[ "$("$wasmcri" run --invoke count "$w" 50)" = 50 ] || fail "fused compare-and-branch (exit)"
[ "$("$wasmcri" run --invoke count "$w" 5000)" = 1000 ] || fail "fused compare-and-branch (loop)"
[ "$("$wasmcri" run --invoke count "$w" 0)" = -1 ] || fail "fused eqz-if"
[ "$("$wasmcri" run --invoke wrap "$w" 8)" = 42 ] || fail "fused address (wrapping add)"
"$wasmcri" run --invoke wrap "$w" 3 2>/dev/null; [ $? -eq 134 ] || fail "fused address out of bounds must trap"
[ "$("$wasmcri" run --invoke wrapstore "$w" 8)" = 8 ] || fail "fused store address"
"$wasmcri" run --invoke div "$w" 1 0 2>"$out/err.txt"; rc=$?
[ $rc -eq 134 ] || fail "trap exit status $rc, want 134"
grep -q "^wasm trap: integer divide by zero" "$out/err.txt" || fail "trap message: $(cat "$out/err.txt")"
"$wasmcri" run --invoke nosuch "$w" 2>/dev/null && fail "missing export accepted"
echo "ok"
