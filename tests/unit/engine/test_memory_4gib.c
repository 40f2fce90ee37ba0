/* Regression test for "a 4 GiB linear memory on a 32-bit host": a module whose memory needs 65,536
 * pages (4 GiB, more than a 32-bit host's size_t can hold) failed with "memory needs 65536 pages,
 * the limit is 65536", a message that contradicts itself. On a 32-bit host (armhf, run under
 * qemu-user by hack/cross.sh) it must fail with an error naming the host's address space, and a
 * memory.grow towards 4 GiB must return -1 and leave the instance working; on a 64-bit host both
 * succeed (the mapping costs nothing until touched). */
#include <stdint.h>
#include <string.h>

#include "../check.h"
#include "wasm_engine.h"

/* (module (memory 65536)) */
static const uint8_t mem_4gib[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                                   0x05, 0x05, 0x01, 0x00, 0x80, 0x80, 0x04};

/* (module (memory 1 65536)
 *   (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))) */
static const uint8_t mem_grow[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x03, 0x02, 0x01, 0x00, 0x05, 0x06, 0x01, 0x01, 0x01, 0x80, 0x80, 0x04, 0x07, 0x08, 0x01, 0x04,
    0x67, 0x72, 0x6f, 0x77, 0x00, 0x00, 0x0a, 0x08, 0x01, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0b};

static int32_t grow(wasm_instance *inst, int32_t delta)
{
    wasm_func *f = wasm_instance_export_func(inst, "grow");
    CHECK(f != NULL);
    wasm_val a = {.i32 = delta}, r = {0};
    CHECK(wasm_call(inst, f, &a, 1, &r, 1) == WASM_TRAP_NONE);
    return r.i32;
}

static void test_4gib_memory(void)
{
    wc_error err = {0};
    wasm_module *m;
    wasm_linker *l;
    wasm_instance *inst = NULL;
    CHECK(wasm_module_load(mem_4gib, sizeof(mem_4gib), NULL, &m, &err) == 0);
    CHECK(wasm_linker_new(&l, &err) == 0);
    int rc = wasm_instantiate(m, l, NULL, &inst, &err);
    if (sizeof(size_t) < sizeof(uint64_t)) {
        CHECK(rc == -E2BIG);
        CHECK(strstr(err.msg, "65536 pages (4 GiB)") != NULL);
        CHECK(strstr(err.msg, "32-bit host") != NULL);
    } else {
        CHECK(rc == 0);
        CHECK(wasm_memory_pages(inst) == 65536);
        wasm_instance_free(inst);
    }
    wasm_linker_free(l);
    wasm_module_free(m);
}

static void test_grow_to_4gib(void)
{
    wc_error err = {0};
    wasm_module *m;
    wasm_linker *l;
    wasm_instance *inst;
    CHECK(wasm_module_load(mem_grow, sizeof(mem_grow), NULL, &m, &err) == 0);
    CHECK(wasm_linker_new(&l, &err) == 0);
    CHECK(wasm_instantiate(m, l, NULL, &inst, &err) == 0);
    if (sizeof(size_t) < sizeof(uint64_t)) {
        CHECK(grow(inst, 65535) == -1); /* to 4 GiB: refused, not wrapped to a 0-byte size */
        CHECK(wasm_memory_pages(inst) == 1);
        CHECK(grow(inst, 1) == 1); /* the instance goes on working */
        CHECK(wasm_memory_pages(inst) == 2);
    } else {
        CHECK(grow(inst, 65535) == 1);
        CHECK(wasm_memory_pages(inst) == 65536);
        uint8_t b = 0x5a, back = 0;
        CHECK(wasm_memory_write(inst, 65536ull * 65536 - 1, &b, 1) == 0);
        CHECK(wasm_memory_read(inst, 65536ull * 65536 - 1, &back, 1) == 0 && back == 0x5a);
    }
    wasm_instance_free(inst);
    wasm_linker_free(l);
    wasm_module_free(m);
}

int main(void)
{
    test_4gib_memory();
    test_grow_to_4gib();
    return CHECK_DONE();
}
