#!/bin/sh
# Prints a C program with many varied functions: a large module for the compile-speed benchmark.
n=${1:-3000}
echo '#include <stdint.h>'
echo 'static volatile int32_t sink;'
i=0
while [ $i -lt "$n" ]; do
    cat <<C
__attribute__((noinline)) static int32_t f$i(int32_t a, int32_t b, double d)
{
    int32_t s = a ^ $i;
    for (int k = 0; k < (b & 15); k++) {
        switch ((s + k) & 3) {
        case 0: s += k * $((i % 97 + 3)); break;
        case 1: s ^= (s << 3) | (s >> 5); break;
        case 2: s = (int32_t)(d * (s & 255)) + $i; break;
        default: s -= b; break;
        }
        if (s > $((i * 13 % 1000 + 100))) s = s / 3 + (int32_t)(d / 2.0);
    }
    return s;
}
C
    i=$((i + 1))
done
echo 'int run(void) { int32_t s = 0;'
i=0
while [ $i -lt "$n" ]; do echo "s += f$i(s, $i, 1.5);"; i=$((i + 1)); done
echo 'sink = s; return s; }'
