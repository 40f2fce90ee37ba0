/* An instance of a big module pays for the functions it uses, not for all of them (issue 14, the
 * cached start): instantiating a module of 100,000 functions used to write a 48-byte record and a
 * pointer per function (about 1,400 pages of fresh memory faulted in per start). Pinned here as the
 * minor page faults of wasm_instance_new, and that the records made on first use behave: a call,
 * a table element placed by an element segment, an export fetched twice, a trap's function and
 * backtrace; compiled at load, lazily, and into shared mappings (limits.shared_code, the zygote's
 * cache, whose code lies outside the heap and is counted apart). */
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../check.h"
#include "module_fixture.h"

#define NFUNCS 100000u
#define LAST (NFUNCS - 1)     /* exported "last": table[1]() + f5() */
#define BOOM (NFUNCS - 2)     /* exported "boom": f3(), then unreachable */
#define IN_TABLE (NFUNCS - 3) /* table[1], also exported as "in_table" */

/* Functions of type [] -> [i32]; fi returns i, but for LAST and BOOM. */
static wbuf module(void)
{
    wbuf out = {0}, s = {0};
    wb_put(&out, "\0asm\1\0\0\0", 8);
    wb_uleb(&s, 1), wb_put(&s, "\x60\x00\x01\x7f", 4);
    wb_section(&out, 1, &s);
    wb_uleb(&s, NFUNCS);
    for (uint32_t i = 0; i < NFUNCS; i++)
        wb_uleb(&s, 0);
    wb_section(&out, 3, &s);
    wb_uleb(&s, 1), wb_put(&s, "\x70\x00\x02", 3); /* a funcref table of 2 */
    wb_section(&out, 4, &s);
    static const struct {
        const char *name;
        uint32_t idx;
    } exports[] = {{"last", LAST}, {"boom", BOOM}, {"in_table", IN_TABLE}};
    wb_uleb(&s, 3);
    for (int i = 0; i < 3; i++) {
        wb_uleb(&s, strlen(exports[i].name)), wb_put(&s, exports[i].name, strlen(exports[i].name));
        wb_byte(&s, 0), wb_uleb(&s, exports[i].idx);
    }
    wb_section(&out, 7, &s);
    wb_uleb(&s, 1), wb_byte(&s, 0), wb_put(&s, "\x41\x00\x0b", 3); /* at 0: f7, IN_TABLE */
    wb_uleb(&s, 2), wb_uleb(&s, 7), wb_uleb(&s, IN_TABLE);
    wb_section(&out, 9, &s);
    wb_uleb(&s, NFUNCS);
    for (uint32_t i = 0; i < NFUNCS; i++) {
        wbuf b = {0};
        wb_byte(&b, 0); /* no locals */
        if (i == LAST)  /* i32.const 1, call_indirect 0 0, call 5, i32.add */
            wb_put(&b, "\x41\x01\x11\x00\x00\x10\x05\x6a", 8);
        else if (i == BOOM) /* call 3, drop, unreachable */
            wb_put(&b, "\x10\x03\x1a\x00", 4);
        else
            wb_byte(&b, 0x41), wb_sleb(&b, i);
        wb_byte(&b, 0x0b);
        wb_uleb(&s, b.n), wb_put(&s, b.p, b.n);
        free(b.p);
    }
    wb_section(&out, 10, &s);
    free(s.p);
    return out;
}

static long minor_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

static void test_instance_of_big_module_writes_only_used_records(wasm_limits lim)
{
    module_fixture f;
    CHECK(fixture_load(&f, module(), &lim) == 0);
    /* three cells or more per function */
    CHECK(lim.shared_code ? wasm_module_shared_code_bytes(f.m) >= NFUNCS * 24
                          : wasm_module_shared_code_bytes(f.m) == 0);
    long before = minor_faults();
    CHECK(wasm_instance_new(f.m, f.l, NULL, &f.inst, &f.err) == 0);
    wasm_instance *inst = f.inst;
    long faults = minor_faults() - before;
    /* a record and a pointer for each of 100,000 functions: 5.6 MB, about 1,370 pages */
    CHECK(faults < 200);
    if (faults >= 200)
        fprintf(stderr, "  wasm_instance_new faulted in %ld pages\n", faults);
    CHECK(wasm_instance_start(inst) == WASM_TRAP_NONE);

    wasm_val r = {0};
    wasm_func *last = wasm_instance_export_func(inst, "last");
    CHECK(last != NULL && last == wasm_instance_export_func(inst, "last"));
    CHECK(last && wasm_call(inst, last, NULL, 0, &r, 1) == WASM_TRAP_NONE);
    CHECK_EQ_INT(r.i32, IN_TABLE + 5);

    wasm_func *in_table = wasm_instance_export_func(inst, "in_table");
    CHECK(in_table && wasm_call(inst, in_table, NULL, 0, &r, 1) == WASM_TRAP_NONE);
    CHECK_EQ_INT(r.i32, IN_TABLE);

    wasm_func *boom = wasm_instance_export_func(inst, "boom");
    CHECK(boom && wasm_call(inst, boom, NULL, 0, &r, 1) == WASM_TRAP_UNREACHABLE);
    CHECK_EQ_INT(wasm_instance_trap_func(inst), BOOM);
    uint32_t bt[4];
    CHECK_EQ_INT(wasm_instance_trap_backtrace(inst, bt, 4), 1);
    CHECK_EQ_INT(bt[0], BOOM);

    fixture_free(&f);
}

/* Each case in a fresh process, as a worker starts: no heap pages left over from an earlier one. */
int main(void)
{
    const wasm_limits cases[] = {{0}, {.lazy_compile = 1}, {.shared_code = 1}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            test_instance_of_big_module_writes_only_used_records(cases[i]);
            int rc = CHECK_DONE();
            fflush(stdout);
            _exit(rc);
        }
        int st = 0;
        CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    return CHECK_DONE();
}
