/* validate_simd.c: type rules and code emission of Wasm 2.0's simd128 instructions (the 0xFD
 * prefix), stages 2 + 3 as in validate.c, whose operand stack and helpers it uses (compile.h).
 *
 * Simple instructions (fixed operand types, no immediate) come from WASM_SIMD_OPS in opcodes.h;
 * the others have a case here: loads and stores (memarg), lane loads and stores (memarg + lane),
 * lane extract/replace (lane), v128.const (16 bytes), i8x16.shuffle (16 lane bytes) and
 * v128.bitselect (three operands). Code layout of each is written at its table in opcodes.h.
 * Adding an instruction: a line in opcodes.h, a handler in interp_simd.h, and a case here only if
 * it has immediates.
 */
#include "compile.h"

static const simple_op simd_table[256] = {
#define X_SIMPLE(b, n, i1, i2, o) [(b)&0xFF] = {i1, i2, o, 1, OP_##n},
    WASM_SIMD_OPS(X_SIMPLE)
#undef X_SIMPLE
};

/* Reads n immediate bytes. */
static int imm_bytes(vstate *s, void *ret, size_t n)
{
    if ((size_t)(s->end - s->p) < n)
        return vfail(s, "unexpected end");
    memcpy(ret, s->p, n);
    s->p += n;
    return 0;
}

static int lane_idx(vstate *s, uint32_t lanes, uint8_t *ret)
{
    TRY(vbyte(s, ret));
    return *ret < lanes ? 0 : vfail(s, "invalid lane index");
}

/* Pushes a v128 result and emits `op [dst, b, c, d]`, then the immediate cells in imm. */
static int emit_v128(vstate *s, enum wop op, uint16_t b, uint16_t c, uint16_t d,
                     const uint64_t *imm, size_t nimm)
{
    size_t at = s->n;
    TRY(vpush(s, WASM_V128));
    cs_op(s, op);
    cs_s(s, cs_slot(s, s->h - 1), b, c, d);
    for (size_t i = 0; i < nimm; i++)
        cs_u64(s, imm[i]);
    cs_def(s, at);
    return 0;
}

static int mem_op(vstate *s, enum wop op, uint32_t align)
{
    uint32_t off;
    uint16_t addr, v;
    TRY(vmemarg(s, align, &off));
    if (op == OP_V128_STORE) {
        TRY(vpop(s, WASM_V128, &v));
        TRY(vpop(s, WASM_I32, &addr));
        cs_op(s, op);
        cs_m(s, v, addr, off);
        return 0;
    }
    TRY(vpop(s, WASM_I32, &addr));
    size_t at = s->n;
    TRY(vpush(s, WASM_V128));
    cs_op(s, op);
    cs_m(s, cs_slot(s, s->h - 1), addr, off);
    cs_def(s, at);
    return 0;
}

static int lane_mem_op(vstate *s, enum wop op, uint32_t align, bool store)
{
    uint32_t off;
    uint16_t addr, v;
    uint8_t lane;
    TRY(vmemarg(s, align, &off));
    TRY(lane_idx(s, 16u >> align, &lane));
    TRY(vpop(s, WASM_V128, &v));
    TRY(vpop(s, WASM_I32, &addr));
    uint64_t imm = off;
    if (!store)
        return emit_v128(s, op, addr, v, lane, &imm, 1);
    cs_op(s, op);
    cs_s(s, 0, addr, v, lane);
    cs_u64(s, imm);
    return 0;
}

static int lane_op(vstate *s, enum wop op, uint32_t lanes, wasm_valtype t, bool replace)
{
    uint8_t lane;
    uint16_t v, x;
    TRY(lane_idx(s, lanes, &lane));
    if (!replace) {
        TRY(vpop(s, WASM_V128, &v));
        return vemit_def(s, op, t, v, lane, 0);
    }
    TRY(vpop(s, t, &x));
    TRY(vpop(s, WASM_V128, &v));
    return emit_v128(s, op, v, x, lane, NULL, 0);
}

static int v128_const(vstate *s)
{
    uint64_t bits[2];
    TRY(imm_bytes(s, bits, 16));
    return emit_v128(s, OP_V128_CONST, 0, 0, 0, bits, 2);
}

static int shuffle(vstate *s)
{
    uint8_t lanes[16];
    uint16_t a, b;
    TRY(imm_bytes(s, lanes, 16));
    for (int i = 0; i < 16; i++)
        if (lanes[i] >= 32)
            return vfail(s, "invalid lane index");
    TRY(vpop(s, WASM_V128, &b));
    TRY(vpop(s, WASM_V128, &a));
    uint64_t imm[2];
    memcpy(imm, lanes, 16);
    return emit_v128(s, OP_I8X16_SHUFFLE, a, b, 0, imm, 2);
}

static int bitselect(vstate *s)
{
    uint16_t a, b, mask;
    TRY(vpop(s, WASM_V128, &mask));
    TRY(vpop(s, WASM_V128, &b));
    TRY(vpop(s, WASM_V128, &a));
    return emit_v128(s, OP_V128_BITSELECT, a, b, mask, NULL, 0);
}

int op_simd(vstate *s)
{
    uint64_t sub;
    const char *msg = wasm_leb(&s->p, s->end, 32, false, &sub);
    if (msg)
        return vfail(s, msg);
    if (sub < 256 && simd_table[sub].valid)
        return vsimple(s, &simd_table[sub]);
    switch (sub) {
#define X_VMEM(b, n, al)                                                                           \
    case b:                                                                                        \
        return mem_op(s, OP_##n, al);
        WASM_SIMD_MEM_OPS(X_VMEM)
#undef X_VMEM
#define X_VLMEM(b, n, al)                                                                          \
    case b:                                                                                        \
        return lane_mem_op(s, OP_##n, al, b >= 0x58);
        WASM_SIMD_LANE_MEM_OPS(X_VLMEM)
#undef X_VLMEM
#define X_VLANE(b, n, l, t, r)                                                                     \
    case b:                                                                                        \
        return lane_op(s, OP_##n, l, (wasm_valtype)t, r);
        WASM_SIMD_LANE_OPS(X_VLANE)
#undef X_VLANE
    case 0x0C:
        return v128_const(s);
    case 0x0D:
        return shuffle(s);
    case 0x52:
        return bitselect(s);
    }
    return vfail(s, "illegal opcode");
}
