/* interp_simd.h: the simd128 handlers, one line per operation, included inside wasm_interp()'s
 * dispatch (interp.c), so they are labels of the same threaded loop. Semantics helpers and the
 * vector types are in simd_ops.h; code layouts are at the tables in opcodes.h. In a line, a and b
 * are the operands viewed with the lane type given, and the expression is the v128 result.
 *   V1/V2 unary/binary on v128s; VSH v128 and an i32 shift count; VSPLAT a scalar to every lane;
 *   VI32 a v128 to an i32; VLOAD a load, `m` pointing at the bytes read; VEXTRACT/VREPLACE lanes.
 */
#define V1(n, T, expr)                                                                             \
    OP(n)                                                                                          \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        T a = (T)v_get(fp + c.s.b);                                                                \
        v_put(fp + c.s.a, (v128)(expr));                                                           \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }
#define V2(n, T, expr)                                                                             \
    OP(n)                                                                                          \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        T a = (T)v_get(fp + c.s.b), b = (T)v_get(fp + c.s.c);                                      \
        v_put(fp + c.s.a, (v128)(expr));                                                           \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }
#define VSH(n, T, bits, expr)                                                                      \
    OP(n)                                                                                          \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        T a = (T)v_get(fp + c.s.b);                                                                \
        int b = (int)((uint32_t)fp[c.s.c] & ((bits)-1));                                           \
        v_put(fp + c.s.a, (v128)(expr));                                                           \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }
/* Two chained v128 binary ops (compile.c's chained_binop) [dst, a, b, c]: dst = c n2 (a n1 b). */
#define V2V2(n1, T1, expr1, n2, T2, expr2)                                                         \
    OP(n1##_##n2)                                                                                  \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        v128 t_;                                                                                   \
        {                                                                                          \
            T1 a = (T1)v_get(fp + c.s.b), b = (T1)v_get(fp + c.s.c);                               \
            t_ = (v128)(expr1);                                                                    \
        }                                                                                          \
        T2 a = (T2)v_get(fp + c.s.d), b = (T2)t_;                                                  \
        v_put(fp + c.s.a, (v128)(expr2));                                                          \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }
/* A splat is a vector plus a scalar (one broadcast; a lane loop built it by 7 shuffles). */
#define VSPLAT(n, S, T)                                                                            \
    OP(n)                                                                                          \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        S x = get_##S(fp[c.s.b]);                                                                  \
        v_put(fp + c.s.a, (v128)((T){0} + (__typeof__(((T){0})[0]))x));                            \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }
#define VI32(n, T, expr)                                                                           \
    OP(n)                                                                                          \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        T a = (T)v_get(fp + c.s.b);                                                                \
        fp[c.s.a] = (uint32_t)(expr);                                                              \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }
#define VLOAD(n, size, expr)                                                                       \
    OP(n)                                                                                          \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        uint64_t ea = MEM_AT(size, fp[c.m.b], 0, c.m.x);                                           \
        const uint8_t *m = mbase + ea;                                                             \
        v_put(fp + c.m.a, (v128)(expr));                                                           \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }
/* [dst, addr, vec, lane][offset]: the vector with one lane read from memory */
#define VLOAD_LANE(n, size)                                                                        \
    OP(n)                                                                                          \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        uint64_t ea = MEM_AT(size, fp[c.s.b], 0, ip[2].u64);                                       \
        uint8_t v[16];                                                                             \
        memcpy(v, fp + c.s.c, 16);                                                                 \
        memcpy(v + c.s.d * (size), mbase + ea, size);                                              \
        memcpy(fp + c.s.a, v, 16);                                                                 \
        ip += 3;                                                                                   \
        NEXT();                                                                                    \
    }
#define VSTORE_LANE(n, size)                                                                       \
    OP(n)                                                                                          \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        uint64_t ea = MEM_AT(size, fp[c.s.b], 0, ip[2].u64);                                       \
        memcpy(mbase + ea, (const uint8_t *)(fp + c.s.c) + c.s.d * (size), size);                  \
        ip += 3;                                                                                   \
        NEXT();                                                                                    \
    }
/* [dst, vec, lane] / [dst, vec, scalar, lane]; float lanes move as bits */
#define VEXTRACT(n, T, R)                                                                          \
    OP(n)                                                                                          \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        T a = (T)v_get(fp + c.s.b);                                                                \
        fp[c.s.a] = put_##R(a[c.s.c]);                                                             \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }
#define VREPLACE(n, T)                                                                             \
    OP(n)                                                                                          \
    {                                                                                              \
        wcell c = ip[1];                                                                           \
        T a = (T)v_get(fp + c.s.b);                                                                \
        a[c.s.d] = fp[c.s.c];                                                                      \
        v_put(fp + c.s.a, (v128)a);                                                                \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }

// clang-format off
    V2(I8X16_SWIZZLE, u8x16, v_swizzle(a, b))
    VSPLAT(I8X16_SPLAT, u32, u8x16)
    VSPLAT(I16X8_SPLAT, u32, u16x8)
    VSPLAT(I32X4_SPLAT, u32, u32x4)
    VSPLAT(I64X2_SPLAT, u64, u64x2)
    VSPLAT(F32X4_SPLAT, u32, u32x4)
    VSPLAT(F64X2_SPLAT, u64, u64x2)

    V2(I8X16_EQ, i8x16, a == b)
    V2(I8X16_NE, i8x16, a != b)
    V2(I8X16_LT_S, i8x16, a < b)
    V2(I8X16_LT_U, u8x16, a < b)
    V2(I8X16_GT_S, i8x16, a > b)
    V2(I8X16_GT_U, u8x16, a > b)
    V2(I8X16_LE_S, i8x16, a <= b)
    V2(I8X16_LE_U, u8x16, a <= b)
    V2(I8X16_GE_S, i8x16, a >= b)
    V2(I8X16_GE_U, u8x16, a >= b)
    V2(I16X8_EQ, i16x8, a == b)
    V2(I16X8_NE, i16x8, a != b)
    V2(I16X8_LT_S, i16x8, a < b)
    V2(I16X8_LT_U, u16x8, a < b)
    V2(I16X8_GT_S, i16x8, a > b)
    V2(I16X8_GT_U, u16x8, a > b)
    V2(I16X8_LE_S, i16x8, a <= b)
    V2(I16X8_LE_U, u16x8, a <= b)
    V2(I16X8_GE_S, i16x8, a >= b)
    V2(I16X8_GE_U, u16x8, a >= b)
    V2(I32X4_EQ, i32x4, a == b)
    V2(I32X4_NE, i32x4, a != b)
    V2(I32X4_LT_S, i32x4, a < b)
    V2(I32X4_LT_U, u32x4, a < b)
    V2(I32X4_GT_S, i32x4, a > b)
    V2(I32X4_GT_U, u32x4, a > b)
    V2(I32X4_LE_S, i32x4, a <= b)
    V2(I32X4_LE_U, u32x4, a <= b)
    V2(I32X4_GE_S, i32x4, a >= b)
    V2(I32X4_GE_U, u32x4, a >= b)
    V2(F32X4_EQ, f32x4, a == b)
    V2(F32X4_NE, f32x4, a != b)
    V2(F32X4_LT, f32x4, a < b)
    V2(F32X4_GT, f32x4, a > b)
    V2(F32X4_LE, f32x4, a <= b)
    V2(F32X4_GE, f32x4, a >= b)
    V2(F64X2_EQ, f64x2, a == b)
    V2(F64X2_NE, f64x2, a != b)
    V2(F64X2_LT, f64x2, a < b)
    V2(F64X2_GT, f64x2, a > b)
    V2(F64X2_LE, f64x2, a <= b)
    V2(F64X2_GE, f64x2, a >= b)
    V2(I64X2_EQ, i64x2, a == b)
    V2(I64X2_NE, i64x2, a != b)
    V2(I64X2_LT_S, i64x2, a < b)
    V2(I64X2_GT_S, i64x2, a > b)
    V2(I64X2_LE_S, i64x2, a <= b)
    V2(I64X2_GE_S, i64x2, a >= b)

    V1(V128_NOT, u64x2, ~a)
    V2(V128_AND, u64x2, a & b)
    V2(V128_ANDNOT, u64x2, a & ~b)
    V2(V128_OR, u64x2, a | b)
    V2(V128_XOR, u64x2, a ^ b)
    V2V2(V128_AND, u64x2, a & b, I32X4_ADD, u32x4, a + b)
    V2V2(F32X4_MUL, f32x4, a * b, F32X4_ADD, f32x4, a + b)
    VI32(V128_ANY_TRUE, u64x2, (a[0] | a[1]) != 0)
    VI32(I8X16_ALL_TRUE, u8x16, all_true8(a))
    VI32(I16X8_ALL_TRUE, u16x8, all_true16(a))
    VI32(I32X4_ALL_TRUE, u32x4, all_true32(a))
    VI32(I64X2_ALL_TRUE, u64x2, all_true64(a))
    VI32(I8X16_BITMASK, i8x16, bitmask8(a))
    VI32(I16X8_BITMASK, i16x8, bitmask16(a))
    VI32(I32X4_BITMASK, i32x4, bitmask32(a))
    VI32(I64X2_BITMASK, i64x2, bitmask64(a))

    V1(I8X16_ABS, i8x16, LANES(u8x16, 16, ABS_LANE(uint8_t, a[i])))
    V1(I16X8_ABS, i16x8, LANES(u16x8, 8, ABS_LANE(uint16_t, a[i])))
    V1(I32X4_ABS, i32x4, LANES(u32x4, 4, ABS_LANE(uint32_t, a[i])))
    V1(I64X2_ABS, i64x2, LANES(u64x2, 2, ABS_LANE(uint64_t, a[i])))
    V1(I8X16_NEG, u8x16, -a)
    V1(I16X8_NEG, u16x8, -a)
    V1(I32X4_NEG, u32x4, -a)
    V1(I64X2_NEG, u64x2, -a)
    V1(I8X16_POPCNT, u8x16, LANES(u8x16, 16, __builtin_popcount(a[i])))
    V2(I8X16_NARROW_I16X8_S, i16x8, narrow16_s(a, b))
    V2(I8X16_NARROW_I16X8_U, i16x8, narrow16_u(a, b))
    V2(I16X8_NARROW_I32X4_S, i32x4, narrow32_s(a, b))
    V2(I16X8_NARROW_I32X4_U, i32x4, narrow32_u(a, b))

    VSH(I8X16_SHL, u8x16, 8, a << b)
    VSH(I8X16_SHR_S, i8x16, 8, a >> b)
    VSH(I8X16_SHR_U, u8x16, 8, a >> b)
    VSH(I16X8_SHL, u16x8, 16, a << b)
    VSH(I16X8_SHR_S, i16x8, 16, a >> b)
    VSH(I16X8_SHR_U, u16x8, 16, a >> b)
    VSH(I32X4_SHL, u32x4, 32, a << b)
    VSH(I32X4_SHR_S, i32x4, 32, a >> b)
    VSH(I32X4_SHR_U, u32x4, 32, a >> b)
    VSH(I64X2_SHL, u64x2, 64, a << b)
    VSH(I64X2_SHR_S, i64x2, 64, a >> b)
    VSH(I64X2_SHR_U, u64x2, 64, a >> b)

    V2(I8X16_ADD, u8x16, a + b)
    V2(I8X16_SUB, u8x16, a - b)
    V2(I8X16_ADD_SAT_S, i8x16, LANES(i8x16, 16, clamp(a[i] + b[i], INT8_MIN, INT8_MAX)))
    V2(I8X16_ADD_SAT_U, u8x16, LANES(u8x16, 16, clamp(a[i] + b[i], 0, UINT8_MAX)))
    V2(I8X16_SUB_SAT_S, i8x16, LANES(i8x16, 16, clamp(a[i] - b[i], INT8_MIN, INT8_MAX)))
    V2(I8X16_SUB_SAT_U, u8x16, LANES(u8x16, 16, clamp(a[i] - b[i], 0, UINT8_MAX)))
    V2(I8X16_MIN_S, i8x16, LANES(i8x16, 16, a[i] < b[i] ? a[i] : b[i]))
    V2(I8X16_MIN_U, u8x16, LANES(u8x16, 16, a[i] < b[i] ? a[i] : b[i]))
    V2(I8X16_MAX_S, i8x16, LANES(i8x16, 16, a[i] > b[i] ? a[i] : b[i]))
    V2(I8X16_MAX_U, u8x16, LANES(u8x16, 16, a[i] > b[i] ? a[i] : b[i]))
    V2(I8X16_AVGR_U, u8x16, LANES(u8x16, 16, (a[i] + b[i] + 1) >> 1))
    V2(I16X8_ADD, u16x8, a + b)
    V2(I16X8_SUB, u16x8, a - b)
    V2(I16X8_MUL, u16x8, a * b)
    V2(I16X8_ADD_SAT_S, i16x8, LANES(i16x8, 8, clamp(a[i] + b[i], INT16_MIN, INT16_MAX)))
    V2(I16X8_ADD_SAT_U, u16x8, LANES(u16x8, 8, clamp(a[i] + b[i], 0, UINT16_MAX)))
    V2(I16X8_SUB_SAT_S, i16x8, LANES(i16x8, 8, clamp(a[i] - b[i], INT16_MIN, INT16_MAX)))
    V2(I16X8_SUB_SAT_U, u16x8, LANES(u16x8, 8, clamp(a[i] - b[i], 0, UINT16_MAX)))
    V2(I16X8_MIN_S, i16x8, LANES(i16x8, 8, a[i] < b[i] ? a[i] : b[i]))
    V2(I16X8_MIN_U, u16x8, LANES(u16x8, 8, a[i] < b[i] ? a[i] : b[i]))
    V2(I16X8_MAX_S, i16x8, LANES(i16x8, 8, a[i] > b[i] ? a[i] : b[i]))
    V2(I16X8_MAX_U, u16x8, LANES(u16x8, 8, a[i] > b[i] ? a[i] : b[i]))
    V2(I16X8_AVGR_U, u16x8, LANES(u16x8, 8, (a[i] + b[i] + 1) >> 1))
    V2(I16X8_Q15MULR_SAT_S, i16x8, LANES(i16x8, 8, clamp((a[i] * b[i] + 0x4000) >> 15, INT16_MIN, INT16_MAX)))
    V2(I32X4_ADD, u32x4, a + b)
    V2(I32X4_SUB, u32x4, a - b)
    V2(I32X4_MUL, u32x4, a * b)
    V2(I32X4_MIN_S, i32x4, LANES(i32x4, 4, a[i] < b[i] ? a[i] : b[i]))
    V2(I32X4_MIN_U, u32x4, LANES(u32x4, 4, a[i] < b[i] ? a[i] : b[i]))
    V2(I32X4_MAX_S, i32x4, LANES(i32x4, 4, a[i] > b[i] ? a[i] : b[i]))
    V2(I32X4_MAX_U, u32x4, LANES(u32x4, 4, a[i] > b[i] ? a[i] : b[i]))
    V2(I32X4_DOT_I16X8_S, i16x8, LANES(u32x4, 4, (uint32_t)(a[2 * i] * b[2 * i]) + (uint32_t)(a[2 * i + 1] * b[2 * i + 1])))
    V2(I64X2_ADD, u64x2, a + b)
    V2(I64X2_SUB, u64x2, a - b)
    V2(I64X2_MUL, u64x2, a * b)

    V1(I16X8_EXTADD_PAIRWISE_I8X16_S, i8x16, LANES(i16x8, 8, a[2 * i] + a[2 * i + 1]))
    V1(I16X8_EXTADD_PAIRWISE_I8X16_U, u8x16, LANES(u16x8, 8, a[2 * i] + a[2 * i + 1]))
    V1(I32X4_EXTADD_PAIRWISE_I16X8_S, i16x8, LANES(i32x4, 4, a[2 * i] + a[2 * i + 1]))
    V1(I32X4_EXTADD_PAIRWISE_I16X8_U, u16x8, LANES(u32x4, 4, a[2 * i] + a[2 * i + 1]))
    V1(I16X8_EXTEND_LOW_I8X16_S, i8x16, LANES(i16x8, 8, a[i]))
    V1(I16X8_EXTEND_HIGH_I8X16_S, i8x16, LANES(i16x8, 8, a[i + 8]))
    V1(I16X8_EXTEND_LOW_I8X16_U, u8x16, LANES(u16x8, 8, a[i]))
    V1(I16X8_EXTEND_HIGH_I8X16_U, u8x16, LANES(u16x8, 8, a[i + 8]))
    V1(I32X4_EXTEND_LOW_I16X8_S, i16x8, LANES(i32x4, 4, a[i]))
    V1(I32X4_EXTEND_HIGH_I16X8_S, i16x8, LANES(i32x4, 4, a[i + 4]))
    V1(I32X4_EXTEND_LOW_I16X8_U, u16x8, LANES(u32x4, 4, a[i]))
    V1(I32X4_EXTEND_HIGH_I16X8_U, u16x8, LANES(u32x4, 4, a[i + 4]))
    V1(I64X2_EXTEND_LOW_I32X4_S, i32x4, LANES(i64x2, 2, a[i]))
    V1(I64X2_EXTEND_HIGH_I32X4_S, i32x4, LANES(i64x2, 2, a[i + 2]))
    V1(I64X2_EXTEND_LOW_I32X4_U, u32x4, LANES(u64x2, 2, a[i]))
    V1(I64X2_EXTEND_HIGH_I32X4_U, u32x4, LANES(u64x2, 2, a[i + 2]))
    V2(I16X8_EXTMUL_LOW_I8X16_S, i8x16, LANES(i16x8, 8, a[i] * b[i]))
    V2(I16X8_EXTMUL_HIGH_I8X16_S, i8x16, LANES(i16x8, 8, a[i + 8] * b[i + 8]))
    V2(I16X8_EXTMUL_LOW_I8X16_U, u8x16, LANES(u16x8, 8, a[i] * b[i]))
    V2(I16X8_EXTMUL_HIGH_I8X16_U, u8x16, LANES(u16x8, 8, a[i + 8] * b[i + 8]))
    V2(I32X4_EXTMUL_LOW_I16X8_S, i16x8, LANES(i32x4, 4, a[i] * b[i]))
    V2(I32X4_EXTMUL_HIGH_I16X8_S, i16x8, LANES(i32x4, 4, a[i + 4] * b[i + 4]))
    V2(I32X4_EXTMUL_LOW_I16X8_U, u16x8, LANES(u32x4, 4, (uint32_t)a[i] * b[i]))
    V2(I32X4_EXTMUL_HIGH_I16X8_U, u16x8, LANES(u32x4, 4, (uint32_t)a[i + 4] * b[i + 4]))
    V2(I64X2_EXTMUL_LOW_I32X4_S, i32x4, LANES(i64x2, 2, (int64_t)a[i] * b[i]))
    V2(I64X2_EXTMUL_HIGH_I32X4_S, i32x4, LANES(i64x2, 2, (int64_t)a[i + 2] * b[i + 2]))
    V2(I64X2_EXTMUL_LOW_I32X4_U, u32x4, LANES(u64x2, 2, (uint64_t)a[i] * b[i]))
    V2(I64X2_EXTMUL_HIGH_I32X4_U, u32x4, LANES(u64x2, 2, (uint64_t)a[i + 2] * b[i + 2]))

    V1(F32X4_ABS, u32x4, a & 0x7FFFFFFFu)
    V1(F32X4_NEG, u32x4, a ^ 0x80000000u)
    V1(F32X4_SQRT, f32x4, LANES(f32x4, 4, QNAN(a[i], sqrtf(a[i]))))
    V1(F32X4_CEIL, f32x4, LANES(f32x4, 4, QNAN(a[i], ceilf(a[i]))))
    V1(F32X4_FLOOR, f32x4, LANES(f32x4, 4, QNAN(a[i], floorf(a[i]))))
    V1(F32X4_TRUNC, f32x4, LANES(f32x4, 4, QNAN(a[i], truncf(a[i]))))
    V1(F32X4_NEAREST, f32x4, LANES(f32x4, 4, QNAN(a[i], nearbyintf(a[i]))))
    V2(F32X4_ADD, f32x4, a + b)
    V2(F32X4_SUB, f32x4, a - b)
    V2(F32X4_MUL, f32x4, a * b)
    V2(F32X4_DIV, f32x4, a / b)
    V2(F32X4_MIN, f32x4, LANES(f32x4, 4, fmin32(a[i], b[i])))
    V2(F32X4_MAX, f32x4, LANES(f32x4, 4, fmax32(a[i], b[i])))
    V2(F32X4_PMIN, f32x4, LANES(f32x4, 4, b[i] < a[i] ? b[i] : a[i]))
    V2(F32X4_PMAX, f32x4, LANES(f32x4, 4, a[i] < b[i] ? b[i] : a[i]))
    V1(F64X2_ABS, u64x2, a & 0x7FFFFFFFFFFFFFFFull)
    V1(F64X2_NEG, u64x2, a ^ 0x8000000000000000ull)
    V1(F64X2_SQRT, f64x2, LANES(f64x2, 2, QNAN(a[i], sqrt(a[i]))))
    V1(F64X2_CEIL, f64x2, LANES(f64x2, 2, QNAN(a[i], ceil(a[i]))))
    V1(F64X2_FLOOR, f64x2, LANES(f64x2, 2, QNAN(a[i], floor(a[i]))))
    V1(F64X2_TRUNC, f64x2, LANES(f64x2, 2, QNAN(a[i], trunc(a[i]))))
    V1(F64X2_NEAREST, f64x2, LANES(f64x2, 2, QNAN(a[i], nearbyint(a[i]))))
    V2(F64X2_ADD, f64x2, a + b)
    V2(F64X2_SUB, f64x2, a - b)
    V2(F64X2_MUL, f64x2, a * b)
    V2(F64X2_DIV, f64x2, a / b)
    V2(F64X2_MIN, f64x2, LANES(f64x2, 2, fmin64(a[i], b[i])))
    V2(F64X2_MAX, f64x2, LANES(f64x2, 2, fmax64(a[i], b[i])))
    V2(F64X2_PMIN, f64x2, LANES(f64x2, 2, b[i] < a[i] ? b[i] : a[i]))
    V2(F64X2_PMAX, f64x2, LANES(f64x2, 2, a[i] < b[i] ? b[i] : a[i]))

    V1(I32X4_TRUNC_SAT_F32X4_S, f32x4, LANES(i32x4, 4, sat_i32(a[i])))
    V1(I32X4_TRUNC_SAT_F32X4_U, f32x4, LANES(u32x4, 4, sat_u32(a[i])))
    V1(F32X4_CONVERT_I32X4_S, i32x4, LANES(f32x4, 4, (float)a[i]))
    V1(F32X4_CONVERT_I32X4_U, u32x4, LANES(f32x4, 4, (float)a[i]))
    V1(I32X4_TRUNC_SAT_F64X2_S_ZERO, f64x2, LANES(i32x4, 4, i < 2 ? sat_i32(a[i & 1]) : 0))
    V1(I32X4_TRUNC_SAT_F64X2_U_ZERO, f64x2, LANES(u32x4, 4, i < 2 ? sat_u32(a[i & 1]) : 0))
    V1(F64X2_CONVERT_LOW_I32X4_S, i32x4, LANES(f64x2, 2, (double)a[i]))
    V1(F64X2_CONVERT_LOW_I32X4_U, u32x4, LANES(f64x2, 2, (double)a[i]))
    V1(F32X4_DEMOTE_F64X2_ZERO, f64x2, LANES(f32x4, 4, i < 2 ? (float)a[i & 1] : 0.0f))
    V1(F64X2_PROMOTE_LOW_F32X4, f32x4, LANES(f64x2, 2, (double)a[i]))

    VLOAD(V128_LOAD, 16, v_get((const uint64_t *)(const void *)m))
    VLOAD(V128_LOAD8X8_S, 8, LANES(i16x8, 8, (int8_t)m[i]))
    VLOAD(V128_LOAD8X8_U, 8, LANES(u16x8, 8, m[i]))
    VLOAD(V128_LOAD16X4_S, 8, LANES(i32x4, 4, (int16_t)ld16(m + 2 * i)))
    VLOAD(V128_LOAD16X4_U, 8, LANES(u32x4, 4, ld16(m + 2 * i)))
    VLOAD(V128_LOAD32X2_S, 8, LANES(i64x2, 2, (int32_t)ld32(m + 4 * i)))
    VLOAD(V128_LOAD32X2_U, 8, LANES(u64x2, 2, ld32(m + 4 * i)))
    VLOAD(V128_LOAD8_SPLAT, 1, (u8x16){0} + m[0])
    VLOAD(V128_LOAD16_SPLAT, 2, (u16x8){0} + ld16(m))
    VLOAD(V128_LOAD32_SPLAT, 4, (u32x4){0} + ld32(m))
    VLOAD(V128_LOAD64_SPLAT, 8, (u64x2){0} + ld64(m))
    VLOAD(V128_LOAD32_ZERO, 4, LANES(u32x4, 4, i ? 0 : ld32(m)))
    VLOAD(V128_LOAD64_ZERO, 8, LANES(u64x2, 2, i ? 0 : ld64(m)))
    VLOAD_LANE(V128_LOAD8_LANE, 1)
    VLOAD_LANE(V128_LOAD16_LANE, 2)
    VLOAD_LANE(V128_LOAD32_LANE, 4)
    VLOAD_LANE(V128_LOAD64_LANE, 8)
    VSTORE_LANE(V128_STORE8_LANE, 1)
    VSTORE_LANE(V128_STORE16_LANE, 2)
    VSTORE_LANE(V128_STORE32_LANE, 4)
    VSTORE_LANE(V128_STORE64_LANE, 8)

    VEXTRACT(I8X16_EXTRACT_LANE_S, i8x16, i32)
    VEXTRACT(I8X16_EXTRACT_LANE_U, u8x16, u32)
    VEXTRACT(I16X8_EXTRACT_LANE_S, i16x8, i32)
    VEXTRACT(I16X8_EXTRACT_LANE_U, u16x8, u32)
    VEXTRACT(I32X4_EXTRACT_LANE, u32x4, u32)
    VEXTRACT(I64X2_EXTRACT_LANE, u64x2, u64)
    VEXTRACT(F32X4_EXTRACT_LANE, u32x4, u32)
    VEXTRACT(F64X2_EXTRACT_LANE, u64x2, u64)
    VREPLACE(I8X16_REPLACE_LANE, u8x16)
    VREPLACE(I16X8_REPLACE_LANE, u16x8)
    VREPLACE(I32X4_REPLACE_LANE, u32x4)
    VREPLACE(I64X2_REPLACE_LANE, u64x2)
    VREPLACE(F32X4_REPLACE_LANE, u32x4)
    VREPLACE(F64X2_REPLACE_LANE, u64x2)
// clang-format on

OP(V128_STORE)
{
    wcell c = ip[1];
    uint64_t ea = MEM_AT(16, fp[c.m.b], 0, c.m.x);
    memcpy(mbase + ea, fp + c.m.a, 16);
    ip += 2;
    NEXT();
}
/* One 16-byte store: two 8-byte ones make the next op's 16-byte load of the value wait for both
 * stores to retire (no store forwarding from two stores to one load), ~6% of a byte count loop. */
OP(V128_CONST)
{
    v_put(fp + ip[1].s.a, v_get(&ip[2].u64));
    ip += 4;
    NEXT();
}
OP(I8X16_SHUFFLE)
{
    wcell c = ip[1];
    v_put(fp + c.s.a, v_shuffle(fp + c.s.b, fp + c.s.c, (const uint8_t *)&ip[2].u64));
    ip += 4;
    NEXT();
}
OP(V128_BITSELECT)
{
    wcell c = ip[1];
    v128 a = v_get(fp + c.s.b), b = v_get(fp + c.s.c), m = v_get(fp + c.s.d);
    v_put(fp + c.s.a, (a & m) | (b & ~m));
    ip += 2;
    NEXT();
}
OP(COPY_V128)
{
    v_put(fp + ip[1].s.a, v_get(fp + ip[1].s.b));
    ip += 2;
    NEXT();
}
OP(SELECT_V128)
{
    wcell c = ip[1];
    v_put(fp + c.s.a, v_get(fp + ((uint32_t)fp[c.s.d] ? c.s.b : c.s.c)));
    ip += 2;
    NEXT();
}
OP(GLOBAL_GET_V128)
{
    wasm_global *g = inst->globals[ip[1].m.x];
    fp[ip[1].m.a] = g->val.u64;
    fp[ip[1].m.a + 1] = g->hi;
    ip += 2;
    NEXT();
}
OP(GLOBAL_SET_V128)
{
    wasm_global *g = inst->globals[ip[1].m.x];
    g->val.u64 = fp[ip[1].m.a];
    g->hi = fp[ip[1].m.a + 1];
    ip += 2;
    NEXT();
}
