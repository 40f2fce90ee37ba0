#!/bin/sh
# Engine on armhf (32-bit host) against arm64, both under qemu-user: the bench programs of
# tests/wasm/bench/ built once to wasm and run by each arch's `wasmcri run --invoke run`,
# interleaved (arm64, armhf, arm64, ...), median of RUNS process times each. Prints the
# armhf/arm64 ratio per program and its geometric mean. Emulation is no speed measure: only the
# ratio means something (what a 32-bit host costs the same interpreter: 64-bit slots and effective
# addresses in 32-bit registers, the same explicit bounds checks on both).
#   hack/bench/cross_engine.sh      (needs build-ARCH-engine/ from hack/cross.sh ARCH --engine, or
#                                    build-ARCH/ from hack/cross.sh ARCH, for arm64 and armhf)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
src=$root/tests/wasm/bench
out=$root/build/bench-cross
runs=${RUNS:-5}
mkdir -p "$out"
# wasmcri of ARCH: the engine-only build's, else the full build's
wasmcri_of() {
    if [ -x "$root/build-$1-engine/wasmcri" ]; then echo "$root/build-$1-engine/wasmcri"; else echo "$root/build-$1/wasmcri"; fi
}
for a in arm64 armhf; do
    [ -x "$(wasmcri_of $a)" ] || { echo "build-$a-engine/wasmcri missing: run hack/cross.sh $a --engine" >&2; exit 1; }
done
cc -O2 -o "$out/proctime" "$src/proctime.c"
wasmflags="--target=wasm32-wasi -O2 -nostartfiles -Wl,--no-entry -Wl,--export=run"
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%-10s %12s %12s %8s\n' program arm64_ms armhf_ms ratio
logsum=0
n=0
for p in fib matmul sha256 sort coremark; do
    # shellcheck disable=SC2086
    clang $wasmflags -o "$out/$p.wasm" "$src/$p.c"
    want=$("$(wasmcri_of arm64)" run --invoke run "$out/$p.wasm")
    got=$("$(wasmcri_of armhf)" run --invoke run "$out/$p.wasm")
    [ "$want" = "$got" ] || { echo "$p: armhf result $got differs from arm64 $want" >&2; exit 1; }
    : >"$out/$p.arm64"
    : >"$out/$p.armhf"
    i=0
    while [ $i -lt "$runs" ]; do
        for a in arm64 armhf; do
            "$out/proctime" 1 "$(wasmcri_of $a)" run --invoke run "$out/$p.wasm" | cut -d' ' -f2 >>"$out/$p.$a"
        done
        i=$((i + 1))
    done
    t64=$(median <"$out/$p.arm64")
    t32=$(median <"$out/$p.armhf")
    ratio=$(awk -v a="$t32" -v b="$t64" 'BEGIN { printf "%.2f", a / b }')
    printf '%-10s %12s %12s %7sx\n' "$p" "$t64" "$t32" "$ratio"
    logsum=$(awk -v s="$logsum" -v r="$ratio" 'BEGIN { printf "%.6f", s + log(r) }')
    n=$((n + 1))
done
awk -v s="$logsum" -v n="$n" 'BEGIN { printf "geometric mean armhf/arm64 (both under qemu-user): %.2fx\n", exp(s / n) }'
printf 'size of wasmcri / wasmcri-daemon (stripped, bytes):'
for a in arm64 armhf; do
    for b in wasmcri wasmcri-daemon; do
        [ -x "$root/build-$a/$b" ] || continue
        printf ' %s/%s %s' "$a" "$b" "$(llvm-strip-14 -o - "$root/build-$a/$b" 2>/dev/null | wc -c || echo ?)"
    done
done
echo
