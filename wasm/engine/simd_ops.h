/* simd_ops.h: the lane semantics of Wasm's simd128, for interp.c (and interp_simd.h, its handler
 * lines). Portable: GCC/clang vector extensions, which the compiler lowers to SSE2 or NEON where
 * the target has them and to scalar code elsewhere; plain lane loops (LANES) where wasm's rule
 * has no vector-extension form (saturation, widening, NaN rules, conversions), which the compiler
 * vectorises where it can. Little-endian hosts only (lane i is at byte i * lane size).
 * A v128 lives in two adjacent 64-bit frame slots; v_get/v_put move it (unaligned-safe memcpy).
 * Needs interp.c's scalar helpers (fmin32, sat_i32, QNAN, ...) defined before it is included.
 */
#ifndef WASMCRI_ENGINE_SIMD_OPS_H
#define WASMCRI_ENGINE_SIMD_OPS_H

#include <stdint.h>
#include <string.h>

typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef int8_t i8x16 __attribute__((vector_size(16)));
typedef uint16_t u16x8 __attribute__((vector_size(16)));
typedef int16_t i16x8 __attribute__((vector_size(16)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
typedef uint64_t u64x2 __attribute__((vector_size(16)));
typedef int64_t i64x2 __attribute__((vector_size(16)));
typedef float f32x4 __attribute__((vector_size(16)));
typedef double f64x2 __attribute__((vector_size(16)));
typedef u64x2 v128;

static inline v128 v_get(const uint64_t *p)
{
    v128 v;
    memcpy(&v, p, 16);
    return v;
}

static inline void v_put(uint64_t *p, v128 v)
{
    memcpy(p, &v, 16);
}

/* A vector of type T whose lane i is expr (which may use i), as a v128. */
#define LANES(T, N, expr)                                                                          \
    ({                                                                                             \
        T r_ = {0};                                                                                \
        for (int i = 0; i < (N); i++)                                                              \
            r_[i] = (expr);                                                                        \
        (v128) r_;                                                                                 \
    })

static inline uint16_t ld16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}
static inline uint32_t ld32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline uint64_t ld64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline int clamp(int x, int lo, int hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static inline v128 v_swizzle(u8x16 a, u8x16 idx)
{
    return LANES(u8x16, 16, idx[i] < 16 ? a[idx[i] & 15] : 0);
}

/* i8x16.shuffle: lanes holds the 16 lane indexes (0-31, checked by the validator) of the
 * immediate. A byte table lookup, which needs no branch per lane, where the host has no byte
 * shuffle by a runtime index: arm64's tbl takes both operands as one 32-byte table; x86-64's
 * pshufb (SSSE3, not in the x86-64 baseline: checked at run time) takes one operand at a time,
 * with bit 7 set in the indexes of the other one's lanes (which makes them zero). */
static inline v128 v_shuffle_bytes(const uint64_t *a, const uint64_t *b, const uint8_t *lanes)
{
    uint8_t ab[32], r[16];
    memcpy(ab, a, 16);
    memcpy(ab + 16, b, 16);
    for (int i = 0; i < 16; i++)
        r[i] = ab[lanes[i] & 31];
    return v_get((const uint64_t *)(const void *)r);
}

#if defined(__aarch64__)
#include <arm_neon.h>
static inline v128 v_shuffle(const uint64_t *a, const uint64_t *b, const uint8_t *lanes)
{
    uint8x16x2_t t = {{vld1q_u8((const uint8_t *)a), vld1q_u8((const uint8_t *)b)}};
    uint8x16_t r = vqtbl2q_u8(t, vld1q_u8(lanes));
    v128 v;
    memcpy(&v, &r, 16);
    return v;
}
#elif defined(__x86_64__)
#include <emmintrin.h>
/* pshufb (SSSE3) by inline assembly: the handler stays inline in the baseline (SSE2) build, where
 * a target("ssse3") function was a call per shuffle. */
static inline __m128i pshufb(__m128i a, __m128i m)
{
    __asm__("pshufb %1, %0" : "+x"(a) : "xm"(m));
    return a;
}
static inline v128 v_shuffle(const uint64_t *a, const uint64_t *b, const uint8_t *lanes)
{
    if (!__builtin_cpu_supports("ssse3"))
        return v_shuffle_bytes(a, b, lanes);
    __m128i m = _mm_loadu_si128((const __m128i *)(const void *)lanes);
    __m128i in_b = _mm_cmpgt_epi8(m, _mm_set1_epi8(15));
    __m128i ra = pshufb(_mm_loadu_si128((const __m128i *)(const void *)a), _mm_or_si128(m, in_b));
    __m128i rb = pshufb(_mm_loadu_si128((const __m128i *)(const void *)b),
                        _mm_or_si128(m, _mm_andnot_si128(in_b, _mm_set1_epi8(-128))));
    __m128i r = _mm_or_si128(ra, rb);
    v128 v;
    memcpy(&v, &r, 16);
    return v;
}
#else
#define v_shuffle v_shuffle_bytes
#endif

static inline uint32_t all_true8(u8x16 a)
{
    uint32_t ok = 1;
    for (int i = 0; i < 16; i++)
        ok &= a[i] != 0;
    return ok;
}
static inline uint32_t all_true16(u16x8 a)
{
    uint32_t ok = 1;
    for (int i = 0; i < 8; i++)
        ok &= a[i] != 0;
    return ok;
}
static inline uint32_t all_true32(u32x4 a)
{
    return a[0] && a[1] && a[2] && a[3];
}
static inline uint32_t all_true64(u64x2 a)
{
    return a[0] && a[1];
}

static inline uint32_t bitmask8(i8x16 a)
{
    uint32_t m = 0;
    for (int i = 0; i < 16; i++)
        m |= (uint32_t)(a[i] < 0) << i;
    return m;
}
static inline uint32_t bitmask16(i16x8 a)
{
    uint32_t m = 0;
    for (int i = 0; i < 8; i++)
        m |= (uint32_t)(a[i] < 0) << i;
    return m;
}
static inline uint32_t bitmask32(i32x4 a)
{
    uint32_t m = 0;
    for (int i = 0; i < 4; i++)
        m |= (uint32_t)(a[i] < 0) << i;
    return m;
}
static inline uint32_t bitmask64(i64x2 a)
{
    return (uint32_t)(a[0] < 0) | (uint32_t)(a[1] < 0) << 1;
}

/* Narrowing: lanes of a, then of b, saturated to the narrower type. */
static inline v128 narrow16_s(i16x8 a, i16x8 b)
{
    return LANES(i8x16, 16, (int8_t)clamp(i < 8 ? a[i] : b[i - 8], INT8_MIN, INT8_MAX));
}
static inline v128 narrow16_u(i16x8 a, i16x8 b)
{
    return LANES(u8x16, 16, (uint8_t)clamp(i < 8 ? a[i] : b[i - 8], 0, UINT8_MAX));
}
static inline int32_t clamp32(int32_t x, int32_t lo, int32_t hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}
static inline v128 narrow32_s(i32x4 a, i32x4 b)
{
    return LANES(i16x8, 8, (int16_t)clamp32(i < 4 ? a[i] : b[i - 4], INT16_MIN, INT16_MAX));
}
static inline v128 narrow32_u(i32x4 a, i32x4 b)
{
    return LANES(u16x8, 8, (uint16_t)clamp32(i < 4 ? a[i] : b[i - 4], 0, UINT16_MAX));
}

/* The absolute value with wrap-around (the minimum stays itself), computed unsigned. */
#define ABS_LANE(UT, x) ((x) < 0 ? (UT)(0 - (UT)(x)) : (UT)(x))

#endif
