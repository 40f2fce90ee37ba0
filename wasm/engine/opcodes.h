/* The opcode table: every "simple" wasm instruction (fixed operand types, no immediates) and every
 * load/store, as X-macros. The validator derives its type rule from here and the interpreter its
 * handler list, so adding such an instruction is one line here plus one handler body in interp.c.
 *
 * SIMPLE(byte, NAME, in1, in2, out)   in2 = 0 for unary ops. WASM_SAT_OPS: the same for 0xFC 0..7.
 * LOAD(byte, NAME, type, align_log2)  STORE(byte, NAME, type, align_log2)
 * Every load/store NAME also has an internal NAME_AI form: address = i32 slot + 32-bit immediate
 * (wrapping, as i32.add would), fused by validate.c when an i32.add-immediate computed the address.
 * Every load also has NAME_PI [dst, p, offset][a, imm]: p = a + imm (i32, written to its slot),
 * then the load from p + offset: a pointer advanced and dereferenced (`local.tee p` between the
 * two).
 */
#ifndef WASMCRI_ENGINE_OPCODES_H
#define WASMCRI_ENGINE_OPCODES_H

#define T_I32 0x7F
#define T_I64 0x7E
#define T_F32 0x7D
#define T_F64 0x7C
#define T_V128 0x7B

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
    X(COPY2)                                                                                       \
    X(COPY3)                                                                                       \
    X(COPY4)                                                                                       \
    X(COPY8)                                                                                       \
    X(COPY8_JMP)                                                                                   \
    X(I32_ROTL2_XOR)                                                                               \
    X(I32_ROTL3_XOR)                                                                               \
    X(I32_ADD_IMM2)                                                                                \
    X(I32_ROTL3_XOR_I32_ADD)                                                                       \
    X(I32_ROTL2_XOR_SHR_U)                                                                         \
    X(I32_ROTL2_XOR_SHR_U_I32_ADD)                                                                 \
    X(I32_AND_I32_XOR_I32_ADD)                                                                     \
    X(I32_ADD_L_I32_LOAD_SET_ADD)                                                                  \
    X(I32_ADD_F64_MUL_LL_F64_LOAD)                                                                 \
    X(I32_ADD_I32_MUL_LL_I32_LOAD16_S)                                                             \
    X(I32_ADD_IMM_I32_LOAD)                                                                        \
    X(I32_ADD_IMM_I32_LOAD_PI)                                                                     \
    X(I32_ADD_I32_LOAD)                                                                            \
    X(I32_ADD3)                                                                                    \
    X(F64_ADD3)                                                                                    \
    X(I32_ADD3_BR_ADDI2_I32_NE)                                                                    \
    X(F64_ADD3_BR_ADDI2_I32_NE)                                                                    \
    X(I32_STORE_BR_ADDI_I32_NE)                                                                    \
    X(I32_ADD_BR_I32_NE_IMM)                                                                       \
    X(I32_ADD_I32_AND_I32_ADD)                                                                     \
    X(I32_ADD_IMM_COPY8_JMP)                                                                       \
    X(I32_LOAD_AI_SIGMA_ADD)                                                                       \
    X(I32_MAJ_ADD)                                                                                 \
    X(I32_ROTL3_XOR_MAJ_ADD)                                                                       \
    X(I32_ADD_I32_AND_I32_ADD_ANDN_ADD)                                                            \
    X(F64_MAC_LL_F64_LOAD)                                                                         \
    X(I32_MAC_LL_I32_LOAD16_S)                                                                     \
    X(I32_ANDN)                                                                                    \
    X(I32_LOAD_I32_STORE)                                                                          \
    X(F64_MAC_LL_F64_LOAD_ADD3)                                                                    \
    X(I32_MAC_LL_I32_LOAD16_S_ADD3)                                                                \
    X(F64_MAC_LL_F64_LOAD_ADD3_BR_ADDI2_I32_NE)                                                    \
    X(I32_MAC_LL_I32_LOAD16_S_ADD3_BR_ADDI2_I32_NE)                                                \
    X(COPY_I32_LOAD_I32_STORE_COPY_BR_IF)                                                          \
    X(F64_DOT4_LL_F64_LOAD)                                                                        \
    X(I32_DOT4_LL_I32_LOAD16_S)                                                                    \
    X(F64_DOT4_LL_F64_LOAD_BR_ADDI2_I32_NE)                                                        \
    X(I32_DOT4_LL_I32_LOAD16_S_BR_ADDI2_I32_NE)                                                    \
    X(I32_LOAD_BR_IF)                                                                          \
    X(I32_LOAD16_S_BR_I32_NE)                                                                  \
    X(I32_LOAD8_U_BR_I32_EQ_IMM)                                                               \
    X(CONST32)                                                                                     \
    X(CONST64)                                                                                     \
    X(JMP)                                                                                         \
    X(BR_IF)                                                                                       \
    X(BR_UNLESS)                                                                                   \
    X(COPY_BR_IF)                                                                                  \
    X(COPY_BR_UNLESS)                                                                              \
    X(I32_ADD_IMM2_BR_IF)                                                                          \
    X(I32_ADD_IMM2_BR_UNLESS)                                                                      \
    X(BR_TABLE)                                                                                    \
    X(CALL)                                                                                        \
    X(CALL_INDIRECT)                                                                               \
    X(RETURN)                                                                                      \
    X(I32_ADD_RETURN)                                                                              \
    X(I32_ADD_IMM_RETURN)                                                                          \
    X(RETURN_INST)                                                                                 \
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
    X(CALL_LOCAL)                                                                                  \
    X(CALL_LOCAL_ADDI)                                                                             \
    X(LAZY_COMPILE)                                                                                \
    X(ZERO_LOCALS)
// clang-format on

/* Fused compare-and-branch: BR_<cmp> [a, b][off] and BR_<cmp>_IMM [a, imm][off] (compile.c), and
 * BR_ADDI_<cmp> [dst, a, add][cmp imm][off]: dst = a + add (i32), then the branch on dst cmp imm
 * (the latch of a counted loop: i32.add-immediate, local.tee, compare with a constant, br_if).
 * BR_ADDI2_<cmp> [dst1, a1, add1][dst, a, add][cmp imm][off]: an i32 add-immediate first (a second
 * induction variable: a pointer stepped with the counter; matmul's and coremark's inner loops).
 * BR_SET_ADDI2_<cmp> [cdst, a, imm][dst, a2, add][dst2, 0, 0, 0][off]: cdst = a cmp imm (0 or 1),
 * then I32_ADD_IMM2's dst = dst2 = a2 + add, then the branch when the compare held (a rotated
 * loop's latch: the condition set to a local, the counter stepped, br_if on the local; fib's);
 * BR_ADD_SET_ADDI2_<cmp> [..][dst2, d, x, y][off] runs an i32 add d = x + y first. */
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

/* Load + binary op: NAME_L_LOAD [dst, addr, offset][a, add] is dst = a NAME load(addr + add +
 * offset), the load's address wrapping at 32 bits as i32.add would (add = 0 for a plain load).
 * Picked by compile.c when a binary op's right operand was loaded by the instruction just before
 * it; the pairs are the hot ones of profiles of tests/wasm/bench (integer matrix, dot products,
 * hashes). NAME_LL_LOAD [dst, addr, offset][addr_a, add][add_a | offset_a << 32] is the same with
 * the left operand loaded too, by the instruction before (the products of a dot product). */
// clang-format off
#define WASM_LOADBIN_OPS(X)                                                                        \
    X(I32_ADD, I32_LOAD)                                                                           \
    X(I32_MUL, I32_LOAD)                                                                           \
    X(I32_MUL, I32_LOAD16_S)                                                                       \
    X(I32_MUL, I32_LOAD8_U)                                                                        \
    X(F64_ADD, F64_LOAD)                                                                           \
    X(F64_MUL, F64_LOAD)                                                                           \
    X(F32_ADD, F32_LOAD)                                                                           \
    X(F32_MUL, F32_LOAD)
// clang-format on

/* Two binary ops, the second consuming the first's result: NAME1_NAME2 [dst, a, b, c] is
 * dst = c NAME2 (a NAME1 b) (the first result on the right, as a chain of float adds leaves it; an
 * integer NAME2 that commutes also takes it on the left). From profiles of tests/wasm/bench: the
 * sums of an unrolled dot product and of hash rounds. */
// clang-format off
#define WASM_BINBIN_OPS(X)                                                                         \
    X(I32_ADD, I32_ADD)                                                                            \
    X(I32_XOR, I32_ADD)                                                                            \
    X(I32_AND, I32_ADD)                                                                            \
    X(I32_XOR, I32_XOR)                                                                            \
    X(I32_XOR, I32_AND)                                                                            \
    X(I32_AND, I32_XOR)                                                                            \
    X(I32_ANDN, I32_ADD)                                                                           \
    X(F64_ADD, F64_ADD)                                                                            \
    X(F32_ADD, F32_ADD)
// clang-format on

/* A shift or rotate by a constant, then a binary op consuming its result: NAME1_IMM_NAME2
 * [dst, a, k, c] is dst = c NAME2 (a NAME1 k), k the constant's low 5 bits (all a 32-bit shift
 * reads). From profiles of tests/wasm/bench: the sigma functions of sha256 (rotl, rotl, xor, rotl,
 * xor), an array element's address (base + i << 2: sort's partition, 6% of its ops). */
// clang-format off
#define WASM_SHIFTBIN_OPS(X)                                                                       \
    X(I32_ROTL, I32_XOR)                                                                           \
    X(I32_SHL, I32_ADD)
// clang-format on

/* ---- SIMD (0xFD prefix; the sub-opcode is the low byte). A v128 takes two adjacent frame slots
 * (low 64 bits first); see compile.h. */

/* Simple SIMD instructions: X(0xFD00 | sub, NAME, in1, in2, out), as WASM_SIMPLE_OPS. */
// clang-format off
#define WASM_SIMD_OPS(X)                                                                           \
    X(0xFD0E, I8X16_SWIZZLE, T_V128, T_V128, T_V128)                                               \
    X(0xFD0F, I8X16_SPLAT, T_I32, 0, T_V128)                                                       \
    X(0xFD10, I16X8_SPLAT, T_I32, 0, T_V128)                                                       \
    X(0xFD11, I32X4_SPLAT, T_I32, 0, T_V128)                                                       \
    X(0xFD12, I64X2_SPLAT, T_I64, 0, T_V128)                                                       \
    X(0xFD13, F32X4_SPLAT, T_F32, 0, T_V128)                                                       \
    X(0xFD14, F64X2_SPLAT, T_F64, 0, T_V128)                                                       \
    X(0xFD23, I8X16_EQ, T_V128, T_V128, T_V128)                                                    \
    X(0xFD24, I8X16_NE, T_V128, T_V128, T_V128)                                                    \
    X(0xFD25, I8X16_LT_S, T_V128, T_V128, T_V128)                                                  \
    X(0xFD26, I8X16_LT_U, T_V128, T_V128, T_V128)                                                  \
    X(0xFD27, I8X16_GT_S, T_V128, T_V128, T_V128)                                                  \
    X(0xFD28, I8X16_GT_U, T_V128, T_V128, T_V128)                                                  \
    X(0xFD29, I8X16_LE_S, T_V128, T_V128, T_V128)                                                  \
    X(0xFD2A, I8X16_LE_U, T_V128, T_V128, T_V128)                                                  \
    X(0xFD2B, I8X16_GE_S, T_V128, T_V128, T_V128)                                                  \
    X(0xFD2C, I8X16_GE_U, T_V128, T_V128, T_V128)                                                  \
    X(0xFD2D, I16X8_EQ, T_V128, T_V128, T_V128)                                                    \
    X(0xFD2E, I16X8_NE, T_V128, T_V128, T_V128)                                                    \
    X(0xFD2F, I16X8_LT_S, T_V128, T_V128, T_V128)                                                  \
    X(0xFD30, I16X8_LT_U, T_V128, T_V128, T_V128)                                                  \
    X(0xFD31, I16X8_GT_S, T_V128, T_V128, T_V128)                                                  \
    X(0xFD32, I16X8_GT_U, T_V128, T_V128, T_V128)                                                  \
    X(0xFD33, I16X8_LE_S, T_V128, T_V128, T_V128)                                                  \
    X(0xFD34, I16X8_LE_U, T_V128, T_V128, T_V128)                                                  \
    X(0xFD35, I16X8_GE_S, T_V128, T_V128, T_V128)                                                  \
    X(0xFD36, I16X8_GE_U, T_V128, T_V128, T_V128)                                                  \
    X(0xFD37, I32X4_EQ, T_V128, T_V128, T_V128)                                                    \
    X(0xFD38, I32X4_NE, T_V128, T_V128, T_V128)                                                    \
    X(0xFD39, I32X4_LT_S, T_V128, T_V128, T_V128)                                                  \
    X(0xFD3A, I32X4_LT_U, T_V128, T_V128, T_V128)                                                  \
    X(0xFD3B, I32X4_GT_S, T_V128, T_V128, T_V128)                                                  \
    X(0xFD3C, I32X4_GT_U, T_V128, T_V128, T_V128)                                                  \
    X(0xFD3D, I32X4_LE_S, T_V128, T_V128, T_V128)                                                  \
    X(0xFD3E, I32X4_LE_U, T_V128, T_V128, T_V128)                                                  \
    X(0xFD3F, I32X4_GE_S, T_V128, T_V128, T_V128)                                                  \
    X(0xFD40, I32X4_GE_U, T_V128, T_V128, T_V128)                                                  \
    X(0xFD41, F32X4_EQ, T_V128, T_V128, T_V128)                                                    \
    X(0xFD42, F32X4_NE, T_V128, T_V128, T_V128)                                                    \
    X(0xFD43, F32X4_LT, T_V128, T_V128, T_V128)                                                    \
    X(0xFD44, F32X4_GT, T_V128, T_V128, T_V128)                                                    \
    X(0xFD45, F32X4_LE, T_V128, T_V128, T_V128)                                                    \
    X(0xFD46, F32X4_GE, T_V128, T_V128, T_V128)                                                    \
    X(0xFD47, F64X2_EQ, T_V128, T_V128, T_V128)                                                    \
    X(0xFD48, F64X2_NE, T_V128, T_V128, T_V128)                                                    \
    X(0xFD49, F64X2_LT, T_V128, T_V128, T_V128)                                                    \
    X(0xFD4A, F64X2_GT, T_V128, T_V128, T_V128)                                                    \
    X(0xFD4B, F64X2_LE, T_V128, T_V128, T_V128)                                                    \
    X(0xFD4C, F64X2_GE, T_V128, T_V128, T_V128)                                                    \
    X(0xFD4D, V128_NOT, T_V128, 0, T_V128)                                                         \
    X(0xFD4E, V128_AND, T_V128, T_V128, T_V128)                                                    \
    X(0xFD4F, V128_ANDNOT, T_V128, T_V128, T_V128)                                                 \
    X(0xFD50, V128_OR, T_V128, T_V128, T_V128)                                                     \
    X(0xFD51, V128_XOR, T_V128, T_V128, T_V128)                                                    \
    X(0xFD53, V128_ANY_TRUE, T_V128, 0, T_I32)                                                     \
    X(0xFD5E, F32X4_DEMOTE_F64X2_ZERO, T_V128, 0, T_V128)                                          \
    X(0xFD5F, F64X2_PROMOTE_LOW_F32X4, T_V128, 0, T_V128)                                          \
    X(0xFD60, I8X16_ABS, T_V128, 0, T_V128)                                                        \
    X(0xFD61, I8X16_NEG, T_V128, 0, T_V128)                                                        \
    X(0xFD62, I8X16_POPCNT, T_V128, 0, T_V128)                                                     \
    X(0xFD63, I8X16_ALL_TRUE, T_V128, 0, T_I32)                                                    \
    X(0xFD64, I8X16_BITMASK, T_V128, 0, T_I32)                                                     \
    X(0xFD65, I8X16_NARROW_I16X8_S, T_V128, T_V128, T_V128)                                        \
    X(0xFD66, I8X16_NARROW_I16X8_U, T_V128, T_V128, T_V128)                                        \
    X(0xFD67, F32X4_CEIL, T_V128, 0, T_V128)                                                       \
    X(0xFD68, F32X4_FLOOR, T_V128, 0, T_V128)                                                      \
    X(0xFD69, F32X4_TRUNC, T_V128, 0, T_V128)                                                      \
    X(0xFD6A, F32X4_NEAREST, T_V128, 0, T_V128)                                                    \
    X(0xFD6B, I8X16_SHL, T_V128, T_I32, T_V128)                                                    \
    X(0xFD6C, I8X16_SHR_S, T_V128, T_I32, T_V128)                                                  \
    X(0xFD6D, I8X16_SHR_U, T_V128, T_I32, T_V128)                                                  \
    X(0xFD6E, I8X16_ADD, T_V128, T_V128, T_V128)                                                   \
    X(0xFD6F, I8X16_ADD_SAT_S, T_V128, T_V128, T_V128)                                             \
    X(0xFD70, I8X16_ADD_SAT_U, T_V128, T_V128, T_V128)                                             \
    X(0xFD71, I8X16_SUB, T_V128, T_V128, T_V128)                                                   \
    X(0xFD72, I8X16_SUB_SAT_S, T_V128, T_V128, T_V128)                                             \
    X(0xFD73, I8X16_SUB_SAT_U, T_V128, T_V128, T_V128)                                             \
    X(0xFD74, F64X2_CEIL, T_V128, 0, T_V128)                                                       \
    X(0xFD75, F64X2_FLOOR, T_V128, 0, T_V128)                                                      \
    X(0xFD76, I8X16_MIN_S, T_V128, T_V128, T_V128)                                                 \
    X(0xFD77, I8X16_MIN_U, T_V128, T_V128, T_V128)                                                 \
    X(0xFD78, I8X16_MAX_S, T_V128, T_V128, T_V128)                                                 \
    X(0xFD79, I8X16_MAX_U, T_V128, T_V128, T_V128)                                                 \
    X(0xFD7A, F64X2_TRUNC, T_V128, 0, T_V128)                                                      \
    X(0xFD7B, I8X16_AVGR_U, T_V128, T_V128, T_V128)                                                \
    X(0xFD7C, I16X8_EXTADD_PAIRWISE_I8X16_S, T_V128, 0, T_V128)                                    \
    X(0xFD7D, I16X8_EXTADD_PAIRWISE_I8X16_U, T_V128, 0, T_V128)                                    \
    X(0xFD7E, I32X4_EXTADD_PAIRWISE_I16X8_S, T_V128, 0, T_V128)                                    \
    X(0xFD7F, I32X4_EXTADD_PAIRWISE_I16X8_U, T_V128, 0, T_V128)                                    \
    X(0xFD80, I16X8_ABS, T_V128, 0, T_V128)                                                        \
    X(0xFD81, I16X8_NEG, T_V128, 0, T_V128)                                                        \
    X(0xFD82, I16X8_Q15MULR_SAT_S, T_V128, T_V128, T_V128)                                         \
    X(0xFD83, I16X8_ALL_TRUE, T_V128, 0, T_I32)                                                    \
    X(0xFD84, I16X8_BITMASK, T_V128, 0, T_I32)                                                     \
    X(0xFD85, I16X8_NARROW_I32X4_S, T_V128, T_V128, T_V128)                                        \
    X(0xFD86, I16X8_NARROW_I32X4_U, T_V128, T_V128, T_V128)                                        \
    X(0xFD87, I16X8_EXTEND_LOW_I8X16_S, T_V128, 0, T_V128)                                         \
    X(0xFD88, I16X8_EXTEND_HIGH_I8X16_S, T_V128, 0, T_V128)                                        \
    X(0xFD89, I16X8_EXTEND_LOW_I8X16_U, T_V128, 0, T_V128)                                         \
    X(0xFD8A, I16X8_EXTEND_HIGH_I8X16_U, T_V128, 0, T_V128)                                        \
    X(0xFD8B, I16X8_SHL, T_V128, T_I32, T_V128)                                                    \
    X(0xFD8C, I16X8_SHR_S, T_V128, T_I32, T_V128)                                                  \
    X(0xFD8D, I16X8_SHR_U, T_V128, T_I32, T_V128)                                                  \
    X(0xFD8E, I16X8_ADD, T_V128, T_V128, T_V128)                                                   \
    X(0xFD8F, I16X8_ADD_SAT_S, T_V128, T_V128, T_V128)                                             \
    X(0xFD90, I16X8_ADD_SAT_U, T_V128, T_V128, T_V128)                                             \
    X(0xFD91, I16X8_SUB, T_V128, T_V128, T_V128)                                                   \
    X(0xFD92, I16X8_SUB_SAT_S, T_V128, T_V128, T_V128)                                             \
    X(0xFD93, I16X8_SUB_SAT_U, T_V128, T_V128, T_V128)                                             \
    X(0xFD94, F64X2_NEAREST, T_V128, 0, T_V128)                                                    \
    X(0xFD95, I16X8_MUL, T_V128, T_V128, T_V128)                                                   \
    X(0xFD96, I16X8_MIN_S, T_V128, T_V128, T_V128)                                                 \
    X(0xFD97, I16X8_MIN_U, T_V128, T_V128, T_V128)                                                 \
    X(0xFD98, I16X8_MAX_S, T_V128, T_V128, T_V128)                                                 \
    X(0xFD99, I16X8_MAX_U, T_V128, T_V128, T_V128)                                                 \
    X(0xFD9B, I16X8_AVGR_U, T_V128, T_V128, T_V128)                                                \
    X(0xFD9C, I16X8_EXTMUL_LOW_I8X16_S, T_V128, T_V128, T_V128)                                    \
    X(0xFD9D, I16X8_EXTMUL_HIGH_I8X16_S, T_V128, T_V128, T_V128)                                   \
    X(0xFD9E, I16X8_EXTMUL_LOW_I8X16_U, T_V128, T_V128, T_V128)                                    \
    X(0xFD9F, I16X8_EXTMUL_HIGH_I8X16_U, T_V128, T_V128, T_V128)                                   \
    X(0xFDA0, I32X4_ABS, T_V128, 0, T_V128)                                                        \
    X(0xFDA1, I32X4_NEG, T_V128, 0, T_V128)                                                        \
    X(0xFDA3, I32X4_ALL_TRUE, T_V128, 0, T_I32)                                                    \
    X(0xFDA4, I32X4_BITMASK, T_V128, 0, T_I32)                                                     \
    X(0xFDA7, I32X4_EXTEND_LOW_I16X8_S, T_V128, 0, T_V128)                                         \
    X(0xFDA8, I32X4_EXTEND_HIGH_I16X8_S, T_V128, 0, T_V128)                                        \
    X(0xFDA9, I32X4_EXTEND_LOW_I16X8_U, T_V128, 0, T_V128)                                         \
    X(0xFDAA, I32X4_EXTEND_HIGH_I16X8_U, T_V128, 0, T_V128)                                        \
    X(0xFDAB, I32X4_SHL, T_V128, T_I32, T_V128)                                                    \
    X(0xFDAC, I32X4_SHR_S, T_V128, T_I32, T_V128)                                                  \
    X(0xFDAD, I32X4_SHR_U, T_V128, T_I32, T_V128)                                                  \
    X(0xFDAE, I32X4_ADD, T_V128, T_V128, T_V128)                                                   \
    X(0xFDB1, I32X4_SUB, T_V128, T_V128, T_V128)                                                   \
    X(0xFDB5, I32X4_MUL, T_V128, T_V128, T_V128)                                                   \
    X(0xFDB6, I32X4_MIN_S, T_V128, T_V128, T_V128)                                                 \
    X(0xFDB7, I32X4_MIN_U, T_V128, T_V128, T_V128)                                                 \
    X(0xFDB8, I32X4_MAX_S, T_V128, T_V128, T_V128)                                                 \
    X(0xFDB9, I32X4_MAX_U, T_V128, T_V128, T_V128)                                                 \
    X(0xFDBA, I32X4_DOT_I16X8_S, T_V128, T_V128, T_V128)                                           \
    X(0xFDBC, I32X4_EXTMUL_LOW_I16X8_S, T_V128, T_V128, T_V128)                                    \
    X(0xFDBD, I32X4_EXTMUL_HIGH_I16X8_S, T_V128, T_V128, T_V128)                                   \
    X(0xFDBE, I32X4_EXTMUL_LOW_I16X8_U, T_V128, T_V128, T_V128)                                    \
    X(0xFDBF, I32X4_EXTMUL_HIGH_I16X8_U, T_V128, T_V128, T_V128)                                   \
    X(0xFDC0, I64X2_ABS, T_V128, 0, T_V128)                                                        \
    X(0xFDC1, I64X2_NEG, T_V128, 0, T_V128)                                                        \
    X(0xFDC3, I64X2_ALL_TRUE, T_V128, 0, T_I32)                                                    \
    X(0xFDC4, I64X2_BITMASK, T_V128, 0, T_I32)                                                     \
    X(0xFDC7, I64X2_EXTEND_LOW_I32X4_S, T_V128, 0, T_V128)                                         \
    X(0xFDC8, I64X2_EXTEND_HIGH_I32X4_S, T_V128, 0, T_V128)                                        \
    X(0xFDC9, I64X2_EXTEND_LOW_I32X4_U, T_V128, 0, T_V128)                                         \
    X(0xFDCA, I64X2_EXTEND_HIGH_I32X4_U, T_V128, 0, T_V128)                                        \
    X(0xFDCB, I64X2_SHL, T_V128, T_I32, T_V128)                                                    \
    X(0xFDCC, I64X2_SHR_S, T_V128, T_I32, T_V128)                                                  \
    X(0xFDCD, I64X2_SHR_U, T_V128, T_I32, T_V128)                                                  \
    X(0xFDCE, I64X2_ADD, T_V128, T_V128, T_V128)                                                   \
    X(0xFDD1, I64X2_SUB, T_V128, T_V128, T_V128)                                                   \
    X(0xFDD5, I64X2_MUL, T_V128, T_V128, T_V128)                                                   \
    X(0xFDD6, I64X2_EQ, T_V128, T_V128, T_V128)                                                    \
    X(0xFDD7, I64X2_NE, T_V128, T_V128, T_V128)                                                    \
    X(0xFDD8, I64X2_LT_S, T_V128, T_V128, T_V128)                                                  \
    X(0xFDD9, I64X2_GT_S, T_V128, T_V128, T_V128)                                                  \
    X(0xFDDA, I64X2_LE_S, T_V128, T_V128, T_V128)                                                  \
    X(0xFDDB, I64X2_GE_S, T_V128, T_V128, T_V128)                                                  \
    X(0xFDDC, I64X2_EXTMUL_LOW_I32X4_S, T_V128, T_V128, T_V128)                                    \
    X(0xFDDD, I64X2_EXTMUL_HIGH_I32X4_S, T_V128, T_V128, T_V128)                                   \
    X(0xFDDE, I64X2_EXTMUL_LOW_I32X4_U, T_V128, T_V128, T_V128)                                    \
    X(0xFDDF, I64X2_EXTMUL_HIGH_I32X4_U, T_V128, T_V128, T_V128)                                   \
    X(0xFDE0, F32X4_ABS, T_V128, 0, T_V128)                                                        \
    X(0xFDE1, F32X4_NEG, T_V128, 0, T_V128)                                                        \
    X(0xFDE3, F32X4_SQRT, T_V128, 0, T_V128)                                                       \
    X(0xFDE4, F32X4_ADD, T_V128, T_V128, T_V128)                                                   \
    X(0xFDE5, F32X4_SUB, T_V128, T_V128, T_V128)                                                   \
    X(0xFDE6, F32X4_MUL, T_V128, T_V128, T_V128)                                                   \
    X(0xFDE7, F32X4_DIV, T_V128, T_V128, T_V128)                                                   \
    X(0xFDE8, F32X4_MIN, T_V128, T_V128, T_V128)                                                   \
    X(0xFDE9, F32X4_MAX, T_V128, T_V128, T_V128)                                                   \
    X(0xFDEA, F32X4_PMIN, T_V128, T_V128, T_V128)                                                  \
    X(0xFDEB, F32X4_PMAX, T_V128, T_V128, T_V128)                                                  \
    X(0xFDEC, F64X2_ABS, T_V128, 0, T_V128)                                                        \
    X(0xFDED, F64X2_NEG, T_V128, 0, T_V128)                                                        \
    X(0xFDEF, F64X2_SQRT, T_V128, 0, T_V128)                                                       \
    X(0xFDF0, F64X2_ADD, T_V128, T_V128, T_V128)                                                   \
    X(0xFDF1, F64X2_SUB, T_V128, T_V128, T_V128)                                                   \
    X(0xFDF2, F64X2_MUL, T_V128, T_V128, T_V128)                                                   \
    X(0xFDF3, F64X2_DIV, T_V128, T_V128, T_V128)                                                   \
    X(0xFDF4, F64X2_MIN, T_V128, T_V128, T_V128)                                                   \
    X(0xFDF5, F64X2_MAX, T_V128, T_V128, T_V128)                                                   \
    X(0xFDF6, F64X2_PMIN, T_V128, T_V128, T_V128)                                                  \
    X(0xFDF7, F64X2_PMAX, T_V128, T_V128, T_V128)                                                  \
    X(0xFDF8, I32X4_TRUNC_SAT_F32X4_S, T_V128, 0, T_V128)                                          \
    X(0xFDF9, I32X4_TRUNC_SAT_F32X4_U, T_V128, 0, T_V128)                                          \
    X(0xFDFA, F32X4_CONVERT_I32X4_S, T_V128, 0, T_V128)                                            \
    X(0xFDFB, F32X4_CONVERT_I32X4_U, T_V128, 0, T_V128)                                            \
    X(0xFDFC, I32X4_TRUNC_SAT_F64X2_S_ZERO, T_V128, 0, T_V128)                                     \
    X(0xFDFD, I32X4_TRUNC_SAT_F64X2_U_ZERO, T_V128, 0, T_V128)                                     \
    X(0xFDFE, F64X2_CONVERT_LOW_I32X4_S, T_V128, 0, T_V128)                                        \
    X(0xFDFF, F64X2_CONVERT_LOW_I32X4_U, T_V128, 0, T_V128)
// clang-format on

/* Loads and stores with a memarg: X(sub, NAME, align_log2); a load pushes a v128, the store pops
 * one. Cells: [dst or value, addr][offset]. */
// clang-format off
#define WASM_SIMD_MEM_OPS(X)                                                                       \
    X(0x00, V128_LOAD, 4)                                                                          \
    X(0x01, V128_LOAD8X8_S, 3)                                                                     \
    X(0x02, V128_LOAD8X8_U, 3)                                                                     \
    X(0x03, V128_LOAD16X4_S, 3)                                                                    \
    X(0x04, V128_LOAD16X4_U, 3)                                                                    \
    X(0x05, V128_LOAD32X2_S, 3)                                                                    \
    X(0x06, V128_LOAD32X2_U, 3)                                                                    \
    X(0x07, V128_LOAD8_SPLAT, 0)                                                                   \
    X(0x08, V128_LOAD16_SPLAT, 1)                                                                  \
    X(0x09, V128_LOAD32_SPLAT, 2)                                                                  \
    X(0x0A, V128_LOAD64_SPLAT, 3)                                                                  \
    X(0x0B, V128_STORE, 4)                                                                         \
    X(0x5C, V128_LOAD32_ZERO, 2)                                                                   \
    X(0x5D, V128_LOAD64_ZERO, 3)
// clang-format on

/* Lane loads/stores: memarg then a lane byte: X(sub, NAME, align_log2), lanes = 16 >> align.
 * Cells: [dst, addr, vec, lane][offset] (a store: [-, addr, vec, lane]). */
// clang-format off
#define WASM_SIMD_LANE_MEM_OPS(X)                                                                  \
    X(0x54, V128_LOAD8_LANE, 0)                                                                    \
    X(0x55, V128_LOAD16_LANE, 1)                                                                   \
    X(0x56, V128_LOAD32_LANE, 2)                                                                   \
    X(0x57, V128_LOAD64_LANE, 3)                                                                   \
    X(0x58, V128_STORE8_LANE, 0)                                                                   \
    X(0x59, V128_STORE16_LANE, 1)                                                                  \
    X(0x5A, V128_STORE32_LANE, 2)                                                                  \
    X(0x5B, V128_STORE64_LANE, 3)
// clang-format on

/* Lane access: X(sub, NAME, lanes, scalar type, replace). extract: [dst, vec, lane];
 * replace: [dst, vec, scalar, lane]. */
// clang-format off
#define WASM_SIMD_LANE_OPS(X)                                                                      \
    X(0x15, I8X16_EXTRACT_LANE_S, 16, T_I32, 0)                                                    \
    X(0x16, I8X16_EXTRACT_LANE_U, 16, T_I32, 0)                                                    \
    X(0x17, I8X16_REPLACE_LANE, 16, T_I32, 1)                                                      \
    X(0x18, I16X8_EXTRACT_LANE_S, 8, T_I32, 0)                                                     \
    X(0x19, I16X8_EXTRACT_LANE_U, 8, T_I32, 0)                                                     \
    X(0x1A, I16X8_REPLACE_LANE, 8, T_I32, 1)                                                       \
    X(0x1B, I32X4_EXTRACT_LANE, 4, T_I32, 0)                                                       \
    X(0x1C, I32X4_REPLACE_LANE, 4, T_I32, 1)                                                       \
    X(0x1D, I64X2_EXTRACT_LANE, 2, T_I64, 0)                                                       \
    X(0x1E, I64X2_REPLACE_LANE, 2, T_I64, 1)                                                       \
    X(0x1F, F32X4_EXTRACT_LANE, 4, T_F32, 0)                                                       \
    X(0x20, F32X4_REPLACE_LANE, 4, T_F32, 1)                                                       \
    X(0x21, F64X2_EXTRACT_LANE, 2, T_F64, 0)                                                       \
    X(0x22, F64X2_REPLACE_LANE, 2, T_F64, 1)
// clang-format on

/* The other SIMD handlers: v128.const [dst][lo][hi], i8x16.shuffle [dst, a, b][lanes 0-7][8-15],
 * v128.bitselect [dst, a, b, mask], the v128 forms of copy, select and global.get/set, and two
 * chained binary ops as WASM_BINBIN_OPS's [dst, a, b, c] (an and-masked count added: clang's
 * vectorised byte count; a product added: an f32 dot product). */
// clang-format off
#define WASM_SIMD_INTERNAL_OPS(X)                                                                  \
    X(V128_CONST)                                                                                  \
    X(I8X16_SHUFFLE)                                                                               \
    X(V128_BITSELECT)                                                                              \
    X(COPY_V128)                                                                                   \
    X(SELECT_V128)                                                                                 \
    X(GLOBAL_GET_V128)                                                                             \
    X(GLOBAL_SET_V128)                                                                             \
    X(V128_AND_I32X4_ADD)                                                                          \
    X(F32X4_MUL_F32X4_ADD)
// clang-format on

/* The internal op enum: one value per handler. */
enum wop {
#define X_SIMPLE(b, n, i1, i2, o) OP_##n,
#define X_MEM(b, n, t, a) OP_##n, OP_##n##_AI,
#define X_LD(b, n, t, a) OP_##n, OP_##n##_AI, OP_##n##_PI,
#define X_IMM(n) OP_##n##_IMM,
#define X_INT(n) OP_##n,
#define X_BR(n)                                                                                    \
    OP_BR_##n, OP_BR_##n##_IMM, OP_BR_ADDI_##n, OP_BR_ADDI2_##n, OP_BR_SET_ADDI2_##n,              \
        OP_BR_ADD_SET_ADDI2_##n, OP_BR_##n##_IMM_ADDI_RETURN, OP_BR_##n##_IMM_ADDI_RETURN_CONST,
#define X_LB(n, ld) OP_##n##_L_##ld, OP_##n##_LL_##ld,
#define X_BB(n1, n2) OP_##n1##_##n2,
#define X_SB(n1, n2) OP_##n1##_IMM_##n2,
#define X_VMEM(b, n, a) OP_##n,
#define X_VLANE(b, n, l, t, r) OP_##n,
    WASM_SIMPLE_OPS(X_SIMPLE) WASM_SAT_OPS(X_SIMPLE) WASM_LOAD_OPS(X_LD) WASM_STORE_OPS(X_MEM)
        WASM_IMM_OPS(X_IMM) WASM_INTERNAL_OPS(X_INT) WASM_BRCMP_OPS(X_BR) WASM_LOADBIN_OPS(X_LB)
            WASM_BINBIN_OPS(X_BB) WASM_SHIFTBIN_OPS(X_SB) WASM_SIMD_OPS(X_SIMPLE)
                WASM_SIMD_MEM_OPS(X_VMEM) WASM_SIMD_LANE_MEM_OPS(X_VMEM) WASM_SIMD_LANE_OPS(X_VLANE)
                    WASM_SIMD_INTERNAL_OPS(X_INT) OP_COUNT_
#undef X_SIMPLE
#undef X_MEM
#undef X_LD
#undef X_IMM
#undef X_INT
#undef X_BR
#undef X_LB
#undef X_BB
#undef X_SB
#undef X_VMEM
#undef X_VLANE
};

#endif
