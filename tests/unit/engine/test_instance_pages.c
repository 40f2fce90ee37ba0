/* What an instance's start writes ahead of the guest (issue 18): the pages of a data segment
 * are populated in one call before it is copied, and a small module's shared compiled code is
 * mapped at once. The guest must still see exactly what wasm says: its segments' bytes, zeros
 * everywhere else (before, between and after the segments, on the pages they share), and code
 * that runs; compiled into the heap and into shared mappings (limits.shared_code). */
#include <stdlib.h>

#include "../check.h"
#include "module_fixture.h"

#define MEM_PAGES 2  /* 128 KiB */
#define SEG1_AT 4000 /* spans pages 0 to 3, starting and ending within a page */
#define SEG1_LEN 10000
#define SEG2_AT 70000 /* one page */
#define SEG2_LEN 100

static uint8_t seg_byte(size_t i)
{
    return (uint8_t)(i * 7 + 1) | 1; /* never zero */
}

static void data_segment(wbuf *s, uint32_t at, uint32_t len)
{
    wb_byte(s, 0), wb_byte(s, 0x41), wb_sleb(s, at), wb_byte(s, 0x0b); /* active, i32.const at */
    wb_uleb(s, len);
    for (uint32_t i = 0; i < len; i++)
        wb_byte(s, seg_byte(i));
}

/* memory 2, func "answer" [] -> [i32] returning 42, two active data segments */
static wbuf module(void)
{
    wbuf out = {0}, s = {0};
    wb_put(&out, "\0asm\1\0\0\0", 8);
    wb_uleb(&s, 1), wb_put(&s, "\x60\x00\x01\x7f", 4);
    wb_section(&out, 1, &s);
    wb_uleb(&s, 1), wb_uleb(&s, 0);
    wb_section(&out, 3, &s);
    wb_uleb(&s, 1), wb_byte(&s, 0), wb_uleb(&s, MEM_PAGES);
    wb_section(&out, 5, &s);
    wb_uleb(&s, 1), wb_uleb(&s, 6), wb_put(&s, "answer", 6), wb_byte(&s, 0), wb_uleb(&s, 0);
    wb_section(&out, 7, &s);
    wb_uleb(&s, 1), wb_uleb(&s, 4), wb_put(&s, "\x00\x41\x2a\x0b", 4); /* i32.const 42 */
    wb_section(&out, 10, &s);
    wb_uleb(&s, 2);
    data_segment(&s, SEG1_AT, SEG1_LEN);
    data_segment(&s, SEG2_AT, SEG2_LEN);
    wb_section(&out, 11, &s);
    free(s.p);
    return out;
}

static void test_start_writes_what_wasm_says(wasm_limits lim)
{
    module_fixture f;
    CHECK(fixture_load(&f, module(), &lim) == 0);
    CHECK(wasm_instantiate(f.m, f.l, NULL, &f.inst, &f.err) == 0);
    wasm_instance *inst = f.inst;
    uint64_t size = 0;
    const uint8_t *mem = inst ? wasm_memory_data(inst, &size) : NULL;
    CHECK_EQ_INT(size, MEM_PAGES * 65536);
    size_t wrong = 0;
    for (size_t i = 0; mem && i < size; i++) {
        uint8_t want = i >= SEG1_AT && i < SEG1_AT + SEG1_LEN   ? seg_byte(i - SEG1_AT)
                       : i >= SEG2_AT && i < SEG2_AT + SEG2_LEN ? seg_byte(i - SEG2_AT)
                                                                : 0;
        wrong += mem[i] != want;
    }
    CHECK_EQ_INT(wrong, 0);
    wasm_val r = {0};
    wasm_func *answer = inst ? wasm_instance_export_func(inst, "answer") : NULL;
    CHECK(answer && wasm_call(inst, answer, NULL, 0, &r, 1) == WASM_TRAP_NONE);
    CHECK_EQ_INT(r.i32, 42);
    fixture_free(&f);
}

int main(void)
{
    test_start_writes_what_wasm_says((wasm_limits){0});
    test_start_writes_what_wasm_says((wasm_limits){.shared_code = 1});
    return CHECK_DONE();
}
