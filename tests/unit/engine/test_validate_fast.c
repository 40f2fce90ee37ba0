/* Validation without compile (wasm/engine/validate_fast.c, the path of a lazy module's load and
 * of validation ahead of a start) must say what the validating compile says, for every body: the
 * same verdict and the same message. Each case below is one function at an edge of that path: a
 * stack past the room a vstate has inline, more local groups and params than it holds, deep
 * nesting, long LEB128 immediates, operands of the wrong type, unreachable code, immutable
 * globals, bad alignment; the valid ones then run (compiled on their first call) and return
 * what they computed. */
#include <stdlib.h>

#include "../../wasm_writer.h"
#include "../check.h"
#include "wasm_engine.h"

enum { I32 = 0x7f, I64 = 0x7e };

/* A module with one mutable and one immutable i32 global, a memory, and one exported function
 * "f" of nparams i32 params returning an i32, whose locals section and code are given. */
static wbuf module(uint32_t nparams, const wbuf *locals_and_code)
{
    wbuf out = {0}, s = {0};
    wb_put(&out, "\0asm\1\0\0\0", 8);
    wb_uleb(&s, 1), wb_byte(&s, 0x60), wb_uleb(&s, nparams);
    for (uint32_t i = 0; i < nparams; i++)
        wb_byte(&s, I32);
    wb_uleb(&s, 1), wb_byte(&s, I32);
    wb_section(&out, 1, &s);
    wb_uleb(&s, 1), wb_uleb(&s, 0);
    wb_section(&out, 3, &s);
    wb_put(&s, "\x01\x00\x01", 3);
    wb_section(&out, 5, &s);
    wb_uleb(&s, 2);
    wb_put(&s, "\x7f\x01\x41\x05\x0b", 5); /* global 0: mutable, 5 */
    wb_put(&s, "\x7f\x00\x41\x07\x0b", 5); /* global 1: immutable, 7 */
    wb_section(&out, 6, &s);
    wb_uleb(&s, 1), wb_uleb(&s, 1), wb_put(&s, "f", 1), wb_byte(&s, 0), wb_uleb(&s, 0);
    wb_section(&out, 7, &s);
    wb_uleb(&s, 1), wb_uleb(&s, locals_and_code->n);
    wb_put(&s, locals_and_code->p, locals_and_code->n);
    wb_section(&out, 10, &s);
    free(s.p);
    return out;
}

/* Loads the module validated only and compiled: both verdicts must match (and name want_error
 * when set); a valid one's f(1, 2, ...) must return want. */
static void check_body(const char *what, uint32_t nparams, wbuf *body, const char *want_error,
                       int32_t want)
{
    wbuf mod = module(nparams, body);
    wasm_limits lazy = {.lazy_compile = 1}, eager = {0};
    wasm_module *lm = NULL, *em = NULL;
    wc_error lerr = {0}, eerr = {0};
    int lrc = wasm_module_load(mod.p, mod.n, &lazy, &lm, &lerr);
    int erc = wasm_module_load(mod.p, mod.n, &eager, &em, &eerr);
    CHECK_EQ_INT(lrc, erc);
    if (want_error) {
        if (lrc == 0 || strstr(lerr.msg, want_error) == NULL || strcmp(lerr.msg, eerr.msg) != 0)
            fprintf(stderr, "%s: lazy \"%s\", compiled \"%s\"\n", what, lerr.msg, eerr.msg);
        CHECK(lrc < 0 && strstr(lerr.msg, want_error) != NULL);
        CHECK_STR(lerr.msg, eerr.msg);
    } else if (lrc < 0 || erc < 0) {
        fprintf(stderr, "%s: lazy \"%s\", compiled \"%s\"\n", what, lerr.msg, eerr.msg);
        CHECK(!"a valid body was refused");
    } else {
        wasm_linker *l = NULL;
        wasm_instance *inst = NULL;
        CHECK(wasm_linker_new(&l, &lerr) == 0);
        CHECK(wasm_instantiate(lm, l, NULL, &inst, &lerr) == 0);
        wasm_val args[32], r = {0};
        for (uint32_t i = 0; i < nparams; i++)
            args[i].i32 = (int32_t)i + 1;
        wasm_func *f = inst ? wasm_instance_export_func(inst, "f") : NULL;
        CHECK(f && wasm_call(inst, f, args, nparams, &r, 1) == WASM_TRAP_NONE);
        if (r.i32 != want)
            fprintf(stderr, "%s: f returned %d\n", what, r.i32);
        CHECK_EQ_INT(r.i32, want);
        wasm_instance_free(inst);
        wasm_linker_free(l);
    }
    wasm_module_free(lm);
    wasm_module_free(em);
    free(mod.p);
    free(body->p);
    *body = (wbuf){0};
}

static void op(wbuf *b, uint8_t o)
{
    wb_byte(b, o);
}

static void op_u(wbuf *b, uint8_t o, uint32_t x)
{
    wb_byte(b, o), wb_uleb(b, x);
}

static void i32_const(wbuf *b, int32_t v)
{
    wb_byte(b, 0x41), wb_sleb(b, v);
}

int main(void)
{
    wbuf b = {0};

    /* 200 values on the stack (the room holds 64), summed */
    wb_uleb(&b, 0);
    for (int i = 1; i <= 200; i++)
        i32_const(&b, i);
    for (int i = 1; i < 200; i++)
        op(&b, 0x6a);
    op(&b, 0x0b);
    check_body("a deep stack", 0, &b, NULL, 20100);

    /* 20 params (the room holds 16): f = p19 - p0 */
    wb_uleb(&b, 0), op_u(&b, 0x20, 19), op_u(&b, 0x20, 0), op(&b, 0x6b), op(&b, 0x0b);
    check_body("many params", 20, &b, NULL, 19);

    /* 12 groups of 20 locals, i64 then i32 and so on (the room holds 8 groups); local 220 (a
     * two-byte index) is in the last group, an i32 */
    wb_uleb(&b, 12);
    for (int g = 0; g < 12; g++)
        wb_uleb(&b, 20), wb_byte(&b, g % 2 ? I32 : I64);
    i32_const(&b, 9), op_u(&b, 0x21, 220), op_u(&b, 0x20, 220), op(&b, 0x0b);
    check_body("many local groups", 0, &b, NULL, 9);
    wb_uleb(&b, 12);
    for (int g = 0; g < 12; g++)
        wb_uleb(&b, 20), wb_byte(&b, g % 2 ? I32 : I64);
    op_u(&b, 0x20, 200), op(&b, 0x0b); /* group 10: an i64 */
    check_body("a local of the wrong type", 0, &b, "type mismatch", 0);

    /* 40 nested blocks (the room holds 16 labels), a value through all of them */
    wb_uleb(&b, 0);
    for (int i = 0; i < 40; i++)
        op(&b, 0x02), wb_byte(&b, I32);
    i32_const(&b, 3);
    for (int i = 0; i < 40; i++)
        op(&b, 0x0b);
    op(&b, 0x0b);
    check_body("deep nesting", 0, &b, NULL, 3);

    /* constants: a five-byte i32 (-1 in its longest form), a ten-byte i64 wrapped */
    wb_uleb(&b, 0), wb_put(&b, "\x41\xff\xff\xff\xff\x7f", 6);
    wb_put(&b, "\x42\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00\xa7", 12); /* i64 0, wrap */
    op(&b, 0x6a), op(&b, 0x0b);
    check_body("long constants", 0, &b, NULL, -1);
    wb_uleb(&b, 0), wb_put(&b, "\x41\xff\xff\xff\xff\x0f", 6), op(&b, 0x0b);
    check_body("an i32 constant too large", 0, &b, "integer too large", 0);
    wb_uleb(&b, 0), wb_put(&b, "\x41\xff\xff", 3);
    check_body("a constant cut short", 0, &b, "unexpected end", 0);

    /* wrong operand types at each kind of instruction */
    wb_uleb(&b, 0), i32_const(&b, 1), wb_put(&b, "\x42\x01", 2), op(&b, 0x6a), op(&b, 0x0b);
    check_body("i32.add of an i64", 0, &b, "type mismatch", 0);
    wb_uleb(&b, 0), wb_put(&b, "\x42\x01", 2), op(&b, 0x45), op(&b, 0x0b);
    check_body("i32.eqz of an i64", 0, &b, "type mismatch", 0);
    wb_uleb(&b, 0), op(&b, 0x6a), op(&b, 0x0b);
    check_body("i32.add of nothing", 0, &b, "type mismatch", 0);
    wb_uleb(&b, 0), wb_put(&b, "\x42\x01\x28\x02\x00", 5), op(&b, 0x0b);
    check_body("a load from an i64 address", 0, &b, "type mismatch", 0);
    wb_uleb(&b, 0), i32_const(&b, 0), wb_put(&b, "\x42\x01\x36\x02\x00", 5), i32_const(&b, 1),
        op(&b, 0x0b);
    check_body("an i32 store of an i64", 0, &b, "type mismatch", 0);
    wb_uleb(&b, 0), i32_const(&b, 0), wb_put(&b, "\x28\x03\x00", 3), op(&b, 0x0b);
    check_body("an i32 load aligned to 8", 0, &b, "alignment", 0);
    wb_uleb(&b, 0), i32_const(&b, 1), op_u(&b, 0x24, 1), i32_const(&b, 1), op(&b, 0x0b);
    check_body("a set of an immutable global", 0, &b, "immutable", 0);
    wb_uleb(&b, 0), op_u(&b, 0x23, 2), op(&b, 0x0b);
    check_body("an unknown global", 0, &b, "unknown global", 0);
    wb_uleb(&b, 0), op_u(&b, 0x20, 3), op(&b, 0x0b);
    check_body("an unknown local", 0, &b, "unknown local", 0);
    wb_uleb(&b, 0), i32_const(&b, 1), i32_const(&b, 2), op(&b, 0x0b);
    check_body("two values left", 0, &b, "type mismatch", 0);

    /* memory and globals: store 11 at 8, add global 0 and the load, set global 0, get it */
    wb_uleb(&b, 0), i32_const(&b, 8), i32_const(&b, 11), wb_put(&b, "\x36\x02\x00", 3);
    op_u(&b, 0x23, 0), i32_const(&b, 4), wb_put(&b, "\x28\x02\x84\x80\x80\x00", 6), op(&b, 0x6a);
    op_u(&b, 0x24, 0), op_u(&b, 0x23, 0), op_u(&b, 0x23, 1), op(&b, 0x6a), op(&b, 0x0b);
    check_body("memory and globals", 0, &b, NULL, 5 + 11 + 7);

    /* unreachable code: an add of unknown operands is valid, and so is its drop */
    wb_uleb(&b, 0), op(&b, 0x02), wb_byte(&b, 0x40), op_u(&b, 0x0c, 0), op(&b, 0x6a), op(&b, 0x1a);
    op(&b, 0x0b), i32_const(&b, 4), op(&b, 0x0b);
    check_body("unreachable code", 0, &b, NULL, 4);
    wb_uleb(&b, 0), op(&b, 0x00), op(&b, 0x6a), wb_put(&b, "B", 2), op(&b, 0x6a), op(&b, 0x0b);
    check_body("unreachable code, then a wrong type", 0, &b, "type mismatch", 0);
    return CHECK_DONE();
}
