/* The opcode table: every "simple" wasm instruction (fixed operand types, no immediates) and every
 * load/store, as X-macros. The validator derives its type rule from here and the interpreter its
 * handler list, so adding such an instruction is one line here plus one handler body in interp.c.
 *
 * SIMPLE(byte, NAME, in1, in2, out)   in2 = 0 for unary ops. WASM_SAT_OPS: the same for 0xFC 0..7.
 * LOAD(byte, NAME, type, align_log2)  STORE(byte, NAME, type, align_log2)
 * Every load/store NAME also has an internal NAME_AI form: address = i32 slot + 32-bit immediate
 * (wrapping, as i32.add would), fused by validate.c when an i32.add-immediate computed the address.
 */
#ifndef WASMCRI_ENGINE_OPCODES_H
#define WASMCRI_ENGINE_OPCODES_H

#define T_I32 0x7F
#define T_I64 0x7E
#define T_F32 0x7D
#define T_F64 0x7C

// clang-format off
#define WASM_LOAD_OPS(X)                                                                           \
    X(0x28, I32_LOAD, T_I32, 2)                                                                    \
    X(0x29, I64_LOAD, T_I64, 3)                                                                    \
    X(0x2A, F32_LOAD, T_F32, 2)                                                                    \
    X(0x2B, F64_LOAD, T_F64, 3)                                                                    \
    X(0x2C, I32_LOAD8_S, T_I32, 0)                                                                 \
    X(0x2D, I32_LOAD8_U, T_I32, 0)                                                                 \
    X(0x2E, I32_LOAD16_S, T_I32, 1)                                                                \
    X(0x2F, I32_LOAD16_U, T_I32, 1)                                                                \
    X(0x30, I64_LOAD8_S, T_I64, 0)                                                                 \
    X(0x31, I64_LOAD8_U, T_I64, 0)                                                                 \
    X(0x32, I64_LOAD16_S, T_I64, 1)                                                                \
    X(0x33, I64_LOAD16_U, T_I64, 1)                                                                \
    X(0x34, I64_LOAD32_S, T_I64, 2)                                                                \
    X(0x35, I64_LOAD32_U, T_I64, 2)
// clang-format on

// clang-format off
#define WASM_STORE_OPS(X)                                                                          \
    X(0x36, I32_STORE, T_I32, 2)                                                                   \
    X(0x37, I64_STORE, T_I64, 3)                                                                   \
    X(0x38, F32_STORE, T_F32, 2)                                                                   \
    X(0x39, F64_STORE, T_F64, 3)                                                                   \
    X(0x3A, I32_STORE8, T_I32, 0)                                                                  \
    X(0x3B, I32_STORE16, T_I32, 1)                                                                 \
    X(0x3C, I64_STORE8, T_I64, 0)                                                                  \
    X(0x3D, I64_STORE16, T_I64, 1)                                                                 \
    X(0x3E, I64_STORE32, T_I64, 2)
// clang-format on

// clang-format off
#define WASM_SIMPLE_OPS(X)                                                                         \
    X(0x45, I32_EQZ, T_I32, 0, T_I32)                                                              \
    X(0x46, I32_EQ, T_I32, T_I32, T_I32)                                                           \
    X(0x47, I32_NE, T_I32, T_I32, T_I32)                                                           \
    X(0x48, I32_LT_S, T_I32, T_I32, T_I32)                                                         \
    X(0x49, I32_LT_U, T_I32, T_I32, T_I32)                                                         \
    X(0x4A, I32_GT_S, T_I32, T_I32, T_I32)                                                         \
    X(0x4B, I32_GT_U, T_I32, T_I32, T_I32)                                                         \
    X(0x4C, I32_LE_S, T_I32, T_I32, T_I32)                                                         \
    X(0x4D, I32_LE_U, T_I32, T_I32, T_I32)                                                         \
    X(0x4E, I32_GE_S, T_I32, T_I32, T_I32)                                                         \
    X(0x4F, I32_GE_U, T_I32, T_I32, T_I32)                                                         \
    X(0x50, I64_EQZ, T_I64, 0, T_I32)                                                              \
    X(0x51, I64_EQ, T_I64, T_I64, T_I32)                                                           \
    X(0x52, I64_NE, T_I64, T_I64, T_I32)                                                           \
    X(0x53, I64_LT_S, T_I64, T_I64, T_I32)                                                         \
    X(0x54, I64_LT_U, T_I64, T_I64, T_I32)                                                         \
    X(0x55, I64_GT_S, T_I64, T_I64, T_I32)                                                         \
    X(0x56, I64_GT_U, T_I64, T_I64, T_I32)                                                         \
    X(0x57, I64_LE_S, T_I64, T_I64, T_I32)                                                         \
    X(0x58, I64_LE_U, T_I64, T_I64, T_I32)                                                         \
    X(0x59, I64_GE_S, T_I64, T_I64, T_I32)                                                         \
    X(0x5A, I64_GE_U, T_I64, T_I64, T_I32)                                                         \
    X(0x5B, F32_EQ, T_F32, T_F32, T_I32)                                                           \
    X(0x5C, F32_NE, T_F32, T_F32, T_I32)                                                           \
    X(0x5D, F32_LT, T_F32, T_F32, T_I32)                                                           \
    X(0x5E, F32_GT, T_F32, T_F32, T_I32)                                                           \
    X(0x5F, F32_LE, T_F32, T_F32, T_I32)                                                           \
    X(0x60, F32_GE, T_F32, T_F32, T_I32)                                                           \
    X(0x61, F64_EQ, T_F64, T_F64, T_I32)                                                           \
    X(0x62, F64_NE, T_F64, T_F64, T_I32)                                                           \
    X(0x63, F64_LT, T_F64, T_F64, T_I32)                                                           \
    X(0x64, F64_GT, T_F64, T_F64, T_I32)                                                           \
    X(0x65, F64_LE, T_F64, T_F64, T_I32)                                                           \
    X(0x66, F64_GE, T_F64, T_F64, T_I32)                                                           \
    X(0x67, I32_CLZ, T_I32, 0, T_I32)                                                              \
    X(0x68, I32_CTZ, T_I32, 0, T_I32)                                                              \
    X(0x69, I32_POPCNT, T_I32, 0, T_I32)                                                           \
    X(0x6A, I32_ADD, T_I32, T_I32, T_I32)                                                          \
    X(0x6B, I32_SUB, T_I32, T_I32, T_I32)                                                          \
    X(0x6C, I32_MUL, T_I32, T_I32, T_I32)                                                          \
    X(0x6D, I32_DIV_S, T_I32, T_I32, T_I32)                                                        \
    X(0x6E, I32_DIV_U, T_I32, T_I32, T_I32)                                                        \
    X(0x6F, I32_REM_S, T_I32, T_I32, T_I32)                                                        \
    X(0x70, I32_REM_U, T_I32, T_I32, T_I32)                                                        \
    X(0x71, I32_AND, T_I32, T_I32, T_I32)                                                          \
    X(0x72, I32_OR, T_I32, T_I32, T_I32)                                                           \
    X(0x73, I32_XOR, T_I32, T_I32, T_I32)                                                          \
    X(0x74, I32_SHL, T_I32, T_I32, T_I32)                                                          \
    X(0x75, I32_SHR_S, T_I32, T_I32, T_I32)                                                        \
    X(0x76, I32_SHR_U, T_I32, T_I32, T_I32)                                                        \
    X(0x77, I32_ROTL, T_I32, T_I32, T_I32)                                                         \
    X(0x78, I32_ROTR, T_I32, T_I32, T_I32)                                                         \
    X(0x79, I64_CLZ, T_I64, 0, T_I64)                                                              \
    X(0x7A, I64_CTZ, T_I64, 0, T_I64)                                                              \
    X(0x7B, I64_POPCNT, T_I64, 0, T_I64)                                                           \
    X(0x7C, I64_ADD, T_I64, T_I64, T_I64)                                                          \
    X(0x7D, I64_SUB, T_I64, T_I64, T_I64)                                                          \
    X(0x7E, I64_MUL, T_I64, T_I64, T_I64)                                                          \
    X(0x7F, I64_DIV_S, T_I64, T_I64, T_I64)                                                        \
    X(0x80, I64_DIV_U, T_I64, T_I64, T_I64)                                                        \
    X(0x81, I64_REM_S, T_I64, T_I64, T_I64)                                                        \
    X(0x82, I64_REM_U, T_I64, T_I64, T_I64)                                                        \
    X(0x83, I64_AND, T_I64, T_I64, T_I64)                                                          \
    X(0x84, I64_OR, T_I64, T_I64, T_I64)                                                           \
    X(0x85, I64_XOR, T_I64, T_I64, T_I64)                                                          \
    X(0x86, I64_SHL, T_I64, T_I64, T_I64)                                                          \
    X(0x87, I64_SHR_S, T_I64, T_I64, T_I64)                                                        \
    X(0x88, I64_SHR_U, T_I64, T_I64, T_I64)                                                        \
    X(0x89, I64_ROTL, T_I64, T_I64, T_I64)                                                         \
    X(0x8A, I64_ROTR, T_I64, T_I64, T_I64)                                                         \
    X(0x8B, F32_ABS, T_F32, 0, T_F32)                                                              \
    X(0x8C, F32_NEG, T_F32, 0, T_F32)                                                              \
    X(0x8D, F32_CEIL, T_F32, 0, T_F32)                                                             \
    X(0x8E, F32_FLOOR, T_F32, 0, T_F32)                                                            \
    X(0x8F, F32_TRUNC, T_F32, 0, T_F32)                                                            \
    X(0x90, F32_NEAREST, T_F32, 0, T_F32)                                                          \
    X(0x91, F32_SQRT, T_F32, 0, T_F32)                                                             \
    X(0x92, F32_ADD, T_F32, T_F32, T_F32)                                                          \
    X(0x93, F32_SUB, T_F32, T_F32, T_F32)                                                          \
    X(0x94, F32_MUL, T_F32, T_F32, T_F32)                                                          \
    X(0x95, F32_DIV, T_F32, T_F32, T_F32)                                                          \
    X(0x96, F32_MIN, T_F32, T_F32, T_F32)                                                          \
    X(0x97, F32_MAX, T_F32, T_F32, T_F32)                                                          \
    X(0x98, F32_COPYSIGN, T_F32, T_F32, T_F32)                                                     \
    X(0x99, F64_ABS, T_F64, 0, T_F64)                                                              \
    X(0x9A, F64_NEG, T_F64, 0, T_F64)                                                              \
    X(0x9B, F64_CEIL, T_F64, 0, T_F64)                                                             \
    X(0x9C, F64_FLOOR, T_F64, 0, T_F64)                                                            \
    X(0x9D, F64_TRUNC, T_F64, 0, T_F64)                                                            \
    X(0x9E, F64_NEAREST, T_F64, 0, T_F64)                                                          \
    X(0x9F, F64_SQRT, T_F64, 0, T_F64)                                                             \
    X(0xA0, F64_ADD, T_F64, T_F64, T_F64)                                                          \
    X(0xA1, F64_SUB, T_F64, T_F64, T_F64)                                                          \
    X(0xA2, F64_MUL, T_F64, T_F64, T_F64)                                                          \
    X(0xA3, F64_DIV, T_F64, T_F64, T_F64)                                                          \
    X(0xA4, F64_MIN, T_F64, T_F64, T_F64)                                                          \
    X(0xA5, F64_MAX, T_F64, T_F64, T_F64)                                                          \
    X(0xA6, F64_COPYSIGN, T_F64, T_F64, T_F64)                                                     \
    X(0xA7, I32_WRAP_I64, T_I64, 0, T_I32)                                                         \
    X(0xA8, I32_TRUNC_F32_S, T_F32, 0, T_I32)                                                      \
    X(0xA9, I32_TRUNC_F32_U, T_F32, 0, T_I32)                                                      \
    X(0xAA, I32_TRUNC_F64_S, T_F64, 0, T_I32)                                                      \
    X(0xAB, I32_TRUNC_F64_U, T_F64, 0, T_I32)                                                      \
    X(0xAC, I64_EXTEND_I32_S, T_I32, 0, T_I64)                                                     \
    X(0xAD, I64_EXTEND_I32_U, T_I32, 0, T_I64)                                                     \
    X(0xAE, I64_TRUNC_F32_S, T_F32, 0, T_I64)                                                      \
    X(0xAF, I64_TRUNC_F32_U, T_F32, 0, T_I64)                                                      \
    X(0xB0, I64_TRUNC_F64_S, T_F64, 0, T_I64)                                                      \
    X(0xB1, I64_TRUNC_F64_U, T_F64, 0, T_I64)                                                      \
    X(0xB2, F32_CONVERT_I32_S, T_I32, 0, T_F32)                                                    \
    X(0xB3, F32_CONVERT_I32_U, T_I32, 0, T_F32)                                                    \
    X(0xB4, F32_CONVERT_I64_S, T_I64, 0, T_F32)                                                    \
    X(0xB5, F32_CONVERT_I64_U, T_I64, 0, T_F32)                                                    \
    X(0xB6, F32_DEMOTE_F64, T_F64, 0, T_F32)                                                       \
    X(0xB7, F64_CONVERT_I32_S, T_I32, 0, T_F64)                                                    \
    X(0xB8, F64_CONVERT_I32_U, T_I32, 0, T_F64)                                                    \
    X(0xB9, F64_CONVERT_I64_S, T_I64, 0, T_F64)                                                    \
    X(0xBA, F64_CONVERT_I64_U, T_I64, 0, T_F64)                                                    \
    X(0xBB, F64_PROMOTE_F32, T_F32, 0, T_F64)                                                      \
    X(0xBC, I32_REINTERPRET_F32, T_F32, 0, T_I32)                                                  \
    X(0xBD, I64_REINTERPRET_F64, T_F64, 0, T_I64)                                                  \
    X(0xBE, F32_REINTERPRET_I32, T_I32, 0, T_F32)                                                  \
    X(0xBF, F64_REINTERPRET_I64, T_I64, 0, T_F64)                                                  \
    X(0xC0, I32_EXTEND8_S, T_I32, 0, T_I32)                                                        \
    X(0xC1, I32_EXTEND16_S, T_I32, 0, T_I32)                                                       \
    X(0xC2, I64_EXTEND8_S, T_I64, 0, T_I64)                                                        \
    X(0xC3, I64_EXTEND16_S, T_I64, 0, T_I64)                                                       \
    X(0xC4, I64_EXTEND32_S, T_I64, 0, T_I64)
// clang-format on

// clang-format off
#define WASM_SAT_OPS(X)                                                                            \
    X(0xFC00, I32_TRUNC_SAT_F32_S, T_F32, 0, T_I32)                                                \
    X(0xFC01, I32_TRUNC_SAT_F32_U, T_F32, 0, T_I32)                                                \
    X(0xFC02, I32_TRUNC_SAT_F64_S, T_F64, 0, T_I32)                                                \
    X(0xFC03, I32_TRUNC_SAT_F64_U, T_F64, 0, T_I32)                                                \
    X(0xFC04, I64_TRUNC_SAT_F32_S, T_F32, 0, T_I64)                                                \
    X(0xFC05, I64_TRUNC_SAT_F32_U, T_F32, 0, T_I64)                                                \
    X(0xFC06, I64_TRUNC_SAT_F64_S, T_F64, 0, T_I64)                                                \
    X(0xFC07, I64_TRUNC_SAT_F64_U, T_F64, 0, T_I64)
// clang-format on

/* Fused binary ops with a 32-bit immediate right operand (compile.c picks them for `x op const`).
 */
// clang-format off
#define WASM_IMM_OPS(X)                                                                            \
    X(I32_ADD)                                                                                     \
    X(I32_SUB)                                                                                     \
    X(I32_MUL)                                                                                     \
    X(I32_AND)                                                                                     \
    X(I32_OR)                                                                                      \
    X(I32_XOR)                                                                                     \
    X(I32_SHL)                                                                                     \
    X(I32_SHR_S)                                                                                   \
    X(I32_SHR_U)                                                                                   \
    X(I32_EQ)                                                                                      \
    X(I32_NE)                                                                                      \
    X(I32_LT_S)                                                                                    \
    X(I32_LT_U)                                                                                    \
    X(I32_GT_S)                                                                                    \
    X(I32_GT_U)                                                                                    \
    X(I32_LE_S)                                                                                    \
    X(I32_LE_U)                                                                                    \
    X(I32_GE_S)                                                                                    \
    X(I32_GE_U)                                                                                    \
    X(I32_ROTL)                                                                                    \
    X(I32_ROTR)                                                                                    \
    X(I64_ADD)                                                                                     \
    X(I64_SUB)                                                                                     \
    X(I64_MUL)                                                                                     \
    X(I64_AND)                                                                                     \
    X(I64_OR)                                                                                      \
    X(I64_XOR)                                                                                     \
    X(I64_SHL)                                                                                     \
    X(I64_SHR_S)                                                                                   \
    X(I64_SHR_U)
// clang-format on

/* Internal-only operations (not in the wasm table). */
// clang-format off
#define WASM_INTERNAL_OPS(X)                                                                       \
    X(NOP)                                                                                         \
    X(UNREACHABLE)                                                                                 \
    X(COPY)                                                                                        \
    X(CONST32)                                                                                     \
    X(CONST64)                                                                                     \
    X(JMP)                                                                                         \
    X(BR_IF)                                                                                       \
    X(BR_UNLESS)                                                                                   \
    X(BR_TABLE)                                                                                    \
    X(CALL)                                                                                        \
    X(CALL_INDIRECT)                                                                               \
    X(RETURN)                                                                                      \
    X(SELECT)                                                                                      \
    X(GLOBAL_GET)                                                                                  \
    X(GLOBAL_SET)                                                                                  \
    X(MEMORY_SIZE)                                                                                 \
    X(MEMORY_GROW)                                                                                 \
    X(MEMORY_INIT)                                                                                 \
    X(DATA_DROP)                                                                                   \
    X(MEMORY_COPY)                                                                                 \
    X(MEMORY_FILL)                                                                                 \
    X(TABLE_GET)                                                                                   \
    X(TABLE_SET)                                                                                   \
    X(TABLE_INIT)                                                                                  \
    X(ELEM_DROP)                                                                                   \
    X(TABLE_COPY)                                                                                  \
    X(TABLE_GROW)                                                                                  \
    X(TABLE_SIZE)                                                                                  \
    X(TABLE_FILL)                                                                                  \
    X(REF_IS_NULL)                                                                                 \
    X(REF_FUNC)                                                                                    \
    X(POLL)                                                                                        \
    X(CALL_LOCAL)
// clang-format on

/* Fused compare-and-branch: BR_<cmp> [a, b][off] and BR_<cmp>_IMM [a, imm][off] (compile.c). */
// clang-format off
#define WASM_BRCMP_OPS(X)                                                                          \
    X(I32_EQ)                                                                                      \
    X(I32_NE)                                                                                      \
    X(I32_LT_S)                                                                                    \
    X(I32_LT_U)                                                                                    \
    X(I32_GT_S)                                                                                    \
    X(I32_GT_U)                                                                                    \
    X(I32_LE_S)                                                                                    \
    X(I32_LE_U)                                                                                    \
    X(I32_GE_S)                                                                                    \
    X(I32_GE_U)
// clang-format on

/* The internal op enum: one value per handler. */
enum wop {
#define X_SIMPLE(b, n, i1, i2, o) OP_##n,
#define X_MEM(b, n, t, a) OP_##n, OP_##n##_AI,
#define X_IMM(n) OP_##n##_IMM,
#define X_INT(n) OP_##n,
#define X_BR(n) OP_BR_##n, OP_BR_##n##_IMM,
    WASM_SIMPLE_OPS(X_SIMPLE) WASM_SAT_OPS(X_SIMPLE) WASM_LOAD_OPS(X_MEM) WASM_STORE_OPS(X_MEM)
        WASM_IMM_OPS(X_IMM) WASM_INTERNAL_OPS(X_INT) WASM_BRCMP_OPS(X_BR) OP_COUNT_
#undef X_SIMPLE
#undef X_MEM
#undef X_IMM
#undef X_INT
#undef X_BR
};

#endif
