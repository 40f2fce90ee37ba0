/* A lazy load (limits.lazy_compile) of a module of 4,000 functions (about 4.2 MB of bodies).
 * Validation on two threads (wasm/engine/validate_split.c): the load refuses an invalid body with
 * the message a compiling load gives, the first invalid body's when there are two (one in each
 * half); its functions from both halves give the right results; and the calling thread did only
 * part of the work (the other thread validated the rest). The copy of the bodies
 * (body_copy.c): in a fresh process, the decode takes fewer page faults than half the pages of
 * the bodies (each page faulted on the copy before), where the kernel gives huge pages and
 * populates a mapping on request. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../wasm_writer.h"
#include "../check.h"
#include "wasm_engine.h"

#define NFUNCS 4000
#define ADDS 350 /* (i32.const, i32.add) pairs per body */

enum { GOOD = -1 };

/* f<i>(x) = x + i, as adds additions, except bodies bad1 (an i64 returned as i32: "type
 * mismatch") and bad2 (a call of a function that does not exist: "unknown function"); then, when
 * groups, that many blocks of 1,000 results in unreachable code, each costing the validation's
 * work budget (validate.c charge()) about 2,000 units for its 5 bytes. */
static wbuf module(int bad1, int bad2, int adds, int groups)
{
    wbuf out = {0}, s = {0}, body = {0};
    wb_put(&out, "\0asm\1\0\0\0", 8);
    wb_uleb(&s, 2), wb_put(&s, "\x60\x01\x7f\x01\x7f", 5);
    wb_byte(&s, 0x60), wb_uleb(&s, 0), wb_uleb(&s, 1000); /* type 1: [] -> [i32 x 1000] */
    for (int i = 0; i < 1000; i++)
        wb_byte(&s, 0x7f);
    wb_section(&out, 1, &s);
    wb_uleb(&s, NFUNCS);
    for (uint32_t i = 0; i < NFUNCS; i++)
        wb_uleb(&s, 0);
    wb_section(&out, 3, &s);
    wb_uleb(&s, NFUNCS);
    for (uint32_t i = 0; i < NFUNCS; i++) {
        char name[16];
        int n = snprintf(name, sizeof(name), "f%u", i);
        wb_uleb(&s, (uint64_t)n), wb_put(&s, name, (size_t)n), wb_byte(&s, 0), wb_uleb(&s, i);
    }
    wb_section(&out, 7, &s);
    wb_uleb(&s, NFUNCS);
    for (int i = 0; i < NFUNCS; i++) {
        body.n = 0;
        wb_byte(&body, 0), wb_byte(&body, 0x20), wb_byte(&body, 0); /* no locals; local.get 0 */
        for (int k = 0; k < adds; k++)
            wb_byte(&body, 0x41), wb_sleb(&body, k == 0 ? i : 0), wb_byte(&body, 0x6a);
        for (int g = 0; g < groups; g++) /* unreachable, block (type 1), unreachable, end */
            wb_put(&body, "\x00\x02\x01\x00\x0b", 5);
        if (groups)
            wb_byte(&body, 0x00);
        if (i == bad1)
            wb_put(&body, "\x1a\x42\x07", 3); /* drop, i64.const 7 */
        if (i == bad2)
            wb_put(&body, "\x10\xff\xff\x3f", 4); /* call 1048575 */
        wb_byte(&body, 0x0b);
        wb_uleb(&s, body.n), wb_put(&s, body.p, body.n);
    }
    wb_section(&out, 10, &s);
    free(s.p);
    free(body.p);
    return out;
}

/* The load's outcome, lazy (validated only, split) or compiling (one thread, in order). */
static int load(const wbuf *w, bool lazy, wasm_module **ret, wc_error *err)
{
    wasm_limits lim = {.lazy_compile = lazy};
    return wasm_module_load(w->p, w->n, &lim, ret, err);
}

static void check_outcome(const wbuf *w, int want_rc, const char *want)
{
    wasm_module *m = NULL;
    wc_error lazy_err = {0}, err = {0};
    CHECK_EQ_INT(load(w, true, &m, &lazy_err), want_rc);
    if (want_rc == 0)
        wasm_module_free(m);
    CHECK_EQ_INT(load(w, false, &m, &err), want_rc);
    if (want_rc == 0) {
        wasm_module_free(m);
        return;
    }
    CHECK_STR(lazy_err.msg, err.msg);
    CHECK_STR(lazy_err.msg, want);
}

static void check_refused(int bad1, int bad2, const char *want)
{
    wbuf w = module(bad1, bad2, ADDS, 0);
    check_outcome(&w, -EINVAL, want);
    free(w.p);
}

/* The work budget (validate.c charge(): 64 units a byte of module, and 1 Mi) spent in both
 * halves: about 0.65 of it each with 5 groups a body (4,000 bodies of 25 additions), so only
 * together they overspend, which a one-thread load finds in the second half; with 3 they fit. */
static void test_work_budget(void)
{
    wbuf w = module(GOOD, GOOD, 25, 5);
    check_outcome(&w, -E2BIG, "module too complex to validate (work limit)");
    free(w.p);
    w = module(GOOD, GOOD, 25, 3);
    check_outcome(&w, 0, NULL);
    free(w.p);
}

static double cpu_seconds(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_results_and_threads(void)
{
    wbuf w = module(GOOD, GOOD, ADDS, 0);
    wasm_module *m = NULL;
    wc_error err = {0};
    double proc = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID),
           self = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
    CHECK_EQ_INT(load(&w, true, &m, &err), 0);
    proc = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - proc;
    self = cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - self;
    /* the other thread validated the second half (~2 MB, ~5 ms of CPU): a share of the process's
     * CPU is not a sound bound, the caller's decode and copy swing with the kernel's page work */
    CHECK(proc - self > 0.0005);
    wasm_linker *l = NULL;
    wasm_instance *inst = NULL;
    CHECK(wasm_linker_new(&l, &err) == 0);
    CHECK(wasm_instantiate(m, l, NULL, &inst, &err) == 0);
    static const int which[] = {0, 1, NFUNCS / 2 - 1, NFUNCS / 2, NFUNCS / 2 + 1, NFUNCS - 1};
    for (size_t i = 0; inst && i < sizeof(which) / sizeof(which[0]); i++) {
        char name[16];
        snprintf(name, sizeof(name), "f%d", which[i]);
        wasm_func *f = wasm_instance_export_func(inst, name);
        wasm_val a = {.i32 = 1000}, r = {0};
        CHECK(f && wasm_call(inst, f, &a, 1, &r, 1) == WASM_TRAP_NONE);
        CHECK_EQ_INT(r.i32, 1000 + which[i]);
    }
    wasm_instance_free(inst);
    wasm_linker_free(l);
    wasm_module_free(m);
    free(w.p);
}

static bool huge_pages_given(void)
{
    char mode[64] = "";
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (f == NULL)
        return false;
    bool ok = fgets(mode, sizeof(mode), f) && strstr(mode, "[never]") == NULL;
    fclose(f);
    return ok;
}

/* Whether this kernel fills a mapping on request (MADV_POPULATE_WRITE, Linux 5.14): touching a
 * populated MiB then takes few faults. An emulator (qemu-user runs the arm builds' tests) or an
 * older kernel does not, and the copy faults its pages in as before: nothing to check there. */
static bool populate_honoured(void)
{
#ifdef MADV_POPULATE_WRITE
    const size_t n = 1 << 20;
    uint8_t *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return false;
    struct rusage a, b;
    bool ok = madvise(p, n, MADV_POPULATE_WRITE) == 0;
    getrusage(RUSAGE_SELF, &a);
    memset(p, 1, n);
    getrusage(RUSAGE_SELF, &b);
    munmap(p, n);
    return ok && b.ru_minflt - a.ru_minflt < (long)(n / 4096 / 2);
#else
    return false;
#endif
}

/* The child's exit status: 0 when the decode took fewer faults than half the bodies' pages. */
static int decode_faults(const wbuf *w)
{
    wasm_limits lim = {.lazy_compile = 1};
    wasm_module *m = NULL;
    wc_error err = {0};
    struct rusage a, b;
    getrusage(RUSAGE_SELF, &a);
    if (wasm_module_decode(w->p, w->n, &lim, &m, &err) < 0)
        return 2;
    getrusage(RUSAGE_SELF, &b);
    long faults = b.ru_minflt - a.ru_minflt, pages = (long)(w->n / 4096);
    wasm_module_free(m);
    if (faults < pages / 2)
        return 0;
    fprintf(stderr, "decode of %zu bytes: %ld page faults\n", w->n, faults);
    return 1;
}

static void test_copy_faults(void)
{
    if (!huge_pages_given() || !populate_honoured()) {
        fprintf(stderr, "no huge pages or no populating on request here: the fault count is not "
                        "checked\n");
        return;
    }
    wbuf w = module(GOOD, GOOD, ADDS, 0);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0)
        _exit(decode_faults(&w));
    int status = -1;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    free(w.p);
}

int main(void)
{
    test_copy_faults();
    test_results_and_threads();
    check_refused(GOOD, NFUNCS * 3 / 4, "unknown function");
    check_refused(NFUNCS / 4, GOOD, "type mismatch");
    check_refused(NFUNCS / 4, NFUNCS * 3 / 4, "type mismatch");    /* the first, by body order */
    check_refused(NFUNCS * 3 / 4, NFUNCS / 4, "unknown function"); /* the same, swapped */
    check_refused(NFUNCS - 1, NFUNCS / 2, "unknown function");
    test_work_budget();
    return CHECK_DONE();
}
