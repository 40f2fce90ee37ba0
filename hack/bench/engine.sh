#!/bin/sh
# Engine benchmark: each program in tests/wasm/bench/ is built natively (gcc -O2) and to wasm
# (clang --target=wasm32-wasi -O2, exporting `run`) and timed as a whole process (CPU time, medians
# of RUNS interleaved runs); prints the wasm/native slowdown per program and the geometric mean, the compile speed on a large generated
# module, the speedup of SIMD builds of two kernels over their scalar builds, and the median process
# time of a trivial `wasmcri run`.
#   hack/bench/engine.sh [BUILD_DIR]      (default: build; it is built if needed)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
src=$root/tests/wasm/bench
out=$build/bench
runs=${RUNS:-3}
mkdir -p "$out"
[ -x "$build/wasmcri" ] || { cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build "$build" -j2 >/dev/null; }
cc -O2 -o "$out/proctime" "$src/proctime.c"
cc -O2 -I"$root/wasm/engine" -I"$root/common" -o "$out/compile_speed" "$src/compile_speed.c" \
    "$build/wasm/engine/libwasmcri_engine.a" "$build/common/libwasmcri_common.a" -lm -pthread
wasmflags="--target=wasm32-wasi -O2 -nostartfiles -Wl,--no-entry -Wl,--export=run"

# The slowdown table: native and wasm runs interleaved, the median CPU time (user + system) of
# each; CPU time does not count waiting for a core on this shared machine, wall time does.
median() { sort -n "$1" | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'; }
cputime() { "$out/proctime" 1 "$@" | cut -d' ' -f3; }
printf '%-10s %12s %12s %10s\n' program native_ms wasm_ms slowdown
logsum=0
n=0
for p in fib matmul sha256 sort coremark; do
    gcc -O2 -o "$out/$p.native" "$src/$p.c" "$src/bench_main.c"
    # shellcheck disable=SC2086
    clang $wasmflags -o "$out/$p.wasm" "$src/$p.c"
    want=$("$out/$p.native")
    got=$("$build/wasmcri" run --invoke run "$out/$p.wasm")
    [ "$want" = "$got" ] || { echo "$p: wasm result $got differs from native $want" >&2; exit 1; }
    : >"$out/$p.native.times"
    : >"$out/$p.wasm.times"
    i=0
    while [ "$i" -lt "$runs" ]; do
        cputime "$out/$p.native" >>"$out/$p.native.times"
        cputime "$build/wasmcri" run --invoke run "$out/$p.wasm" >>"$out/$p.wasm.times"
        i=$((i + 1))
    done
    tn=$(median "$out/$p.native.times")
    tw=$(median "$out/$p.wasm.times")
    ratio=$(awk -v a="$tw" -v b="$tn" 'BEGIN { printf "%.2f", a / b }')
    printf '%-10s %12s %12s %9sx\n' "$p" "$tn" "$tw" "$ratio"
    logsum=$(awk -v s="$logsum" -v r="$ratio" 'BEGIN { printf "%.6f", s + log(r) }')
    n=$((n + 1))
done
awk -v s="$logsum" -v n="$n" 'BEGIN { printf "geometric mean slowdown: %.2fx (target <= 5x, no program over 8x)\n", exp(s / n) }'

# SIMD: one C source built for wasm without and with -msimd128 (clang vectorises the kernel);
# speedup = scalar CPU time / SIMD CPU time under wasmcri, medians of RUNS interleaved runs each.
printf '%-12s %12s %12s %10s\n' simd_kernel scalar_ms simd_ms speedup
for p in bytecount matmul_f32; do
    gcc -O2 -o "$out/$p.native" "$src/$p.c" "$src/bench_main.c"
    # shellcheck disable=SC2086
    clang $wasmflags -o "$out/$p.scalar.wasm" "$src/$p.c"
    # shellcheck disable=SC2086
    clang $wasmflags -msimd128 -o "$out/$p.simd.wasm" "$src/$p.c"
    want=$("$out/$p.native")
    for v in scalar simd; do
        got=$("$build/wasmcri" run --invoke run "$out/$p.$v.wasm")
        [ "$want" = "$got" ] || { echo "$p.$v: wasm result $got differs from native $want" >&2; exit 1; }
        : >"$out/$p.$v.times"
    done
    i=0
    while [ "$i" -lt "$runs" ]; do
        for v in scalar simd; do
            cputime "$build/wasmcri" run --invoke run "$out/$p.$v.wasm" >>"$out/$p.$v.times"
        done
        i=$((i + 1))
    done
    ts=$(median "$out/$p.scalar.times")
    tv=$(median "$out/$p.simd.times")
    printf '%-12s %12s %12s %9sx\n' "$p" "$ts" "$tv" "$(awk -v a="$ts" -v b="$tv" 'BEGIN { printf "%.2f", a / b }')"
done

sh "$src/gen_big.sh" 3000 >"$out/big.c"
# shellcheck disable=SC2086
clang --target=wasm32-wasi -O1 -nostartfiles -Wl,--no-entry -Wl,--export=run -o "$out/big.wasm" "$out/big.c"
"$out/compile_speed" "$out/big.wasm" | awk '{ printf "compile speed: %.1f MB/s (%d-byte module, %.2f ms per load)\n", $3, $1, $2 * 1000 }'
"$out/compile_speed" --lazy "$out/big.wasm" | awk '{ printf "validation speed (lazy_compile): %.1f MB/s (%.2f ms per load)\n", $3, $2 * 1000 }'

"$out/proctime" 200 /bin/true | awk '{ printf "baseline: /bin/true process time: median %.3f ms, min %.3f ms\n", $1, $2 }'
# Process start: a WASI hello world when this wasmcri has WASI, else a trivial --invoke module.
clang --target=wasm32-wasi -O2 -o "$out/hello.wasm" "$src/hello.c"
if [ "$("$build/wasmcri" run "$out/hello.wasm" 2>/dev/null)" = hello ]; then
    "$out/proctime" 200 "$build/wasmcri" run "$out/hello.wasm" |
        awk '{ printf "wasmcri run hello.wasm (WASI) process time: median %.3f ms, min %.3f ms\n", $1, $2 }'
else
    printf '(module (func (export "run") (result i32) (i32.const 0)))' >"$out/trivial.wat"
    wat2wasm "$out/trivial.wat" -o "$out/trivial.wasm"
    "$out/proctime" 200 "$build/wasmcri" run --invoke run "$out/trivial.wasm" |
        awk '{ printf "wasmcri run --invoke run (trivial module, no WASI in this build) process time: median %.3f ms, min %.3f ms\n", $1, $2 }'
fi
