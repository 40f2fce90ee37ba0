/* Engine API unit test: host functions (args/results, env pointer, user pointer), proc_exit-style
 * exit, host errors with a message, re-entry from a host function, memory access and the
 * per-instance page cap, deep recursion ending in "call stack exhausted", fork() of a loaded
 * module, invalid input rejected with a message. The module is tests/unit/engine/api.wat. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdlib.h>

#include "../check.h"
#include "wasm_engine.h"

static const uint8_t api_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x13, 0x04, 0x60, 0x02, 0x7f, 0x7f, 0x01,
    0x7f, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x02, 0x2f, 0x04,
    0x03, 0x65, 0x6e, 0x76, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x65,
    0x78, 0x69, 0x74, 0x00, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x66, 0x61, 0x69, 0x6c, 0x00, 0x02,
    0x03, 0x65, 0x6e, 0x76, 0x07, 0x72, 0x65, 0x65, 0x6e, 0x74, 0x65, 0x72, 0x00, 0x03, 0x03, 0x09,
    0x08, 0x03, 0x02, 0x02, 0x03, 0x03, 0x03, 0x03, 0x03, 0x05, 0x04, 0x01, 0x01, 0x01, 0x64, 0x07,
    0x50, 0x09, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x07, 0x75, 0x73, 0x65, 0x5f,
    0x61, 0x64, 0x64, 0x00, 0x04, 0x07, 0x64, 0x6f, 0x5f, 0x65, 0x78, 0x69, 0x74, 0x00, 0x05, 0x07,
    0x64, 0x6f, 0x5f, 0x66, 0x61, 0x69, 0x6c, 0x00, 0x06, 0x04, 0x67, 0x72, 0x6f, 0x77, 0x00, 0x07,
    0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x08, 0x06, 0x64, 0x6f, 0x75, 0x62, 0x6c, 0x65, 0x00, 0x09,
    0x08, 0x76, 0x69, 0x61, 0x5f, 0x68, 0x6f, 0x73, 0x74, 0x00, 0x0a, 0x03, 0x72, 0x65, 0x63, 0x00,
    0x0b, 0x0a, 0x40, 0x08, 0x09, 0x00, 0x20, 0x00, 0x41, 0xe4, 0x00, 0x10, 0x00, 0x0b, 0x07, 0x00,
    0x41, 0x07, 0x10, 0x01, 0x00, 0x0b, 0x04, 0x00, 0x10, 0x02, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x40,
    0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x2d, 0x00, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x41, 0x02,
    0x6c, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x10, 0x03, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a,
    0x10, 0x0b, 0x0b, 0x0b, 0x0b, 0x01, 0x00, 0x41, 0x10, 0x0b, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f};

/* (module (import "env" "tick" (func $tick)) (func (export "spin") (loop (br 0)))
 *         (func (export "spin_calls") (loop (call $tick) (br 0)))) */
static const uint8_t loop_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02, 0x0c,
    0x01, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x74, 0x69, 0x63, 0x6b, 0x00, 0x00, 0x03, 0x03, 0x02, 0x00,
    0x00, 0x07, 0x15, 0x02, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x00, 0x01, 0x0a, 0x73, 0x70, 0x69, 0x6e,
    0x5f, 0x63, 0x61, 0x6c, 0x6c, 0x73, 0x00, 0x02, 0x0a, 0x13, 0x02, 0x07, 0x00, 0x03, 0x40, 0x0c,
    0x00, 0x0b, 0x0b, 0x09, 0x00, 0x03, 0x40, 0x10, 0x00, 0x0c, 0x00, 0x0b, 0x0b};

static int env_token = 42;
static wasm_instance *g_spinning;
static int g_ticks;

static void on_alarm(int sig)
{
    (void)sig;
    wasm_instance_interrupt(g_spinning);
}

static wasm_trap h_tick(wasm_instance *inst, void *env, const wasm_val *args, wasm_val *results)
{
    (void)env, (void)args, (void)results;
    if (++g_ticks == 1000)
        wasm_instance_interrupt(inst);
    return WASM_TRAP_NONE;
}

/* A guest spinning forever is stopped by wasm_instance_interrupt: from a host function (checked at
 * the next call) and from a signal handler (checked at the loop header, limits.interruptible). */
static void test_interrupt(void)
{
    wc_error err = {0};
    wasm_module *m;
    wasm_linker *l;
    wasm_instance *inst;
    wasm_limits lim = {.interruptible = 1};
    CHECK(wasm_module_load(loop_wasm, sizeof(loop_wasm), &lim, &m, &err) == 0);
    CHECK(wasm_linker_new(&l, &err) == 0);
    CHECK(wasm_linker_define_func(l, "env", "tick", NULL, 0, NULL, 0, h_tick, NULL, &err) == 0);
    CHECK(wasm_instantiate(m, l, NULL, &inst, &err) == 0);
    CHECK(wasm_call(inst, wasm_instance_export_func(inst, "spin_calls"), NULL, 0, NULL, 0) ==
          WASM_TRAP_INTERRUPTED);
    CHECK(g_ticks == 1000);
    g_spinning = inst;
    signal(SIGALRM, on_alarm);
    struct itimerval it = {.it_value = {.tv_usec = 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    CHECK(wasm_call(inst, wasm_instance_export_func(inst, "spin"), NULL, 0, NULL, 0) ==
          WASM_TRAP_INTERRUPTED);
    CHECK(strcmp(wasm_instance_trap_message(inst), "interrupted") == 0);
    signal(SIGALRM, SIG_DFL);
    wasm_instance_free(inst);
    wasm_linker_free(l);
    wasm_module_free(m);
}

static wasm_trap h_add(wasm_instance *inst, void *env, const wasm_val *args, wasm_val *results)
{
    CHECK(env == &env_token);
    CHECK(wasm_instance_user(inst) == &env_token);
    int32_t a = args[0].i32, b = args[1].i32;
    results[0].i32 = a + b;
    return WASM_TRAP_NONE;
}

static wasm_trap h_exit(wasm_instance *inst, void *env, const wasm_val *args, wasm_val *results)
{
    (void)env, (void)results;
    return wasm_instance_exit(inst, args[0].i32);
}

static wasm_trap h_fail(wasm_instance *inst, void *env, const wasm_val *args, wasm_val *results)
{
    (void)env, (void)args, (void)results;
    uint64_t size;
    uint8_t *mem = wasm_memory_data(inst, &size);
    CHECK(mem != NULL && size == 65536 && memcmp(mem + 16, "hello", 5) == 0);
    return wasm_instance_host_error(inst, "bad fd %d", 3);
}

static wasm_trap h_reenter(wasm_instance *inst, void *env, const wasm_val *args, wasm_val *results)
{
    (void)env;
    wasm_val a = {.i32 = args[0].i32}, r;
    wasm_trap t = wasm_call(inst, wasm_instance_export_func(inst, "double"), &a, 1, &r, 1);
    if (t != WASM_TRAP_NONE)
        return t;
    results[0].i32 = r.i32 + 1;
    return WASM_TRAP_NONE;
}

static wasm_trap call1(wasm_instance *inst, const char *name, int32_t arg, int32_t *ret)
{
    wasm_func *f = wasm_instance_export_func(inst, name);
    CHECK(f != NULL);
    const wasm_valtype *p, *r;
    uint32_t np, nr;
    wasm_func_type(f, &p, &np, &r, &nr);
    wasm_val a = {.i32 = arg}, res = {0};
    wasm_trap t = wasm_call(inst, f, &a, np, &res, nr);
    if (ret)
        *ret = res.i32;
    return t;
}

/* A v128 crosses the API as two cells, low half first: (func (param v128) (result v128 i32)
 * (local.get 0) (i32x4.extract_lane 3 (local.get 0))). */
static void test_v128_cells(void)
{
    static const uint8_t mod[] = {
        0, 'a', 's', 'm', 1, 0, 0,  0,  1, 7, 1, 0x60, 1, 0x7B, 2, 0x7B, 0x7F, 3, 2,   1, 0, 7,
        5, 1,   1,   'f', 0, 0, 10, 11, 1, 9, 0, 0x20, 0, 0x20, 0, 0xFD, 0x1B, 3, 0x0B};
    wasm_module *m;
    wasm_instance *inst;
    wc_error err = {0};
    CHECK(wasm_module_load(mod, sizeof(mod), NULL, &m, &err) == 0);
    CHECK(wasm_instantiate(m, NULL, NULL, &inst, &err) == 0);
    wasm_func *f = wasm_instance_export_func(inst, "f");
    wasm_val args[2] = {{.u64 = 0x1111111122222222ull}, {.u64 = 0x4444444433333333ull}};
    wasm_val res[3] = {0};
    CHECK(wasm_call(inst, f, args, 2, res, 3) == WASM_TRAP_NONE);
    CHECK(res[0].u64 == args[0].u64 && res[1].u64 == args[1].u64 && res[2].u32 == 0x44444444u);
    CHECK(wasm_call(inst, f, args, 1, res, 2) == WASM_TRAP_HOST);
    CHECK(strcmp(wasm_instance_trap_message(inst), "argument count mismatch") == 0);
    wasm_instance_free(inst);
    wasm_module_free(m);
}

int main(void)
{
    wc_error err = {0};
    wasm_module *m;
    wasm_linker *l;
    wasm_instance *inst;
    static const wasm_valtype ii[] = {WASM_I32, WASM_I32}, i[] = {WASM_I32};
    CHECK(wasm_module_load(api_wasm, sizeof(api_wasm), NULL, &m, &err) == 0);
    CHECK(wasm_linker_new(&l, &err) == 0);
    CHECK(wasm_linker_define_func(l, "env", "add", ii, 2, i, 1, h_add, &env_token, &err) == 0);
    CHECK(wasm_linker_define_func(l, "env", "exit", i, 1, NULL, 0, h_exit, NULL, &err) == 0);
    CHECK(wasm_linker_define_func(l, "env", "fail", NULL, 0, NULL, 0, h_fail, NULL, &err) == 0);

    /* a missing import is reported by name */
    CHECK(wasm_instantiate(m, l, NULL, &inst, &err) == -ENOENT && strstr(err.msg, "env.reenter"));
    CHECK(wasm_linker_define_func(l, "env", "reenter", i, 1, i, 1, h_reenter, NULL, &err) == 0);

    wasm_instance_opts opts = {.max_memory_pages = 3, .user = &env_token};
    CHECK(wasm_instantiate(m, l, &opts, &inst, &err) == 0);
    int32_t r;
    CHECK(call1(inst, "use_add", 5, &r) == WASM_TRAP_NONE && r == 105);
    CHECK(call1(inst, "do_exit", 0, NULL) == WASM_TRAP_EXIT && wasm_instance_exit_code(inst) == 7);
    CHECK(call1(inst, "do_fail", 0, NULL) == WASM_TRAP_HOST);
    CHECK(strcmp(wasm_instance_trap_message(inst), "bad fd 3") == 0);
    CHECK(call1(inst, "via_host", 20, &r) == WASM_TRAP_NONE && r == 41);

    /* memory: the cap of 3 pages makes grow fail and is recorded */
    CHECK(!wasm_instance_hit_memory_cap(inst));
    CHECK(call1(inst, "grow", 2, &r) == WASM_TRAP_NONE && r == 1);
    CHECK(call1(inst, "grow", 1, &r) == WASM_TRAP_NONE && r == -1);
    CHECK(wasm_instance_hit_memory_cap(inst) && wasm_memory_pages(inst) == 3);
    uint8_t b = 0x5A;
    CHECK(wasm_memory_write(inst, 3 * 65536 - 1, &b, 1) == 0);
    CHECK(wasm_memory_write(inst, 3 * 65536, &b, 1) == -EFAULT);
    CHECK(call1(inst, "load", 3 * 65536 - 1, &r) == WASM_TRAP_NONE && r == 0x5A);
    CHECK(call1(inst, "load", 3 * 65536, &r) == WASM_TRAP_MEMORY_OOB);
    CHECK(strcmp(wasm_instance_trap_message(inst), "out of bounds memory access") == 0);

    /* unbounded recursion is a trap, and the instance stays usable */
    CHECK(call1(inst, "rec", 0, NULL) == WASM_TRAP_STACK_EXHAUSTED);
    uint32_t bt[32], rec = wasm_instance_trap_func(inst);
    CHECK(wasm_instance_trap_backtrace(inst, bt, 32) == 16 && bt[0] == rec && bt[15] == rec);
    CHECK(strcmp(wasm_instance_func_name(inst, rec), "rec") == 0);
    CHECK(strcmp(wasm_trap_message(WASM_TRAP_STACK_EXHAUSTED), "call stack exhausted") == 0);
    CHECK(call1(inst, "use_add", 1, &r) == WASM_TRAP_NONE && r == 101);

    /* a loaded module survives fork(): the child instantiates it again */
    pid_t pid = fork();
    if (pid == 0) {
        wasm_instance *child;
        int ok = wasm_instantiate(m, l, &opts, &child, &err) == 0 &&
                 call1(child, "use_add", 1, &r) == 0 && r == 101;
        _exit(ok ? 0 : 1);
    }
    int status;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    wasm_instance_free(inst);

    /* a memory above the cap fails instantiation */
    opts.max_memory_pages = 0;
    wasm_limits lim;
    wasm_limits_default(&lim);
    CHECK(lim.max_call_depth > 0);

    /* hostile input: rejected with a message, never a crash */
    wasm_module *bad;
    CHECK(wasm_module_load(api_wasm, 7, NULL, &bad, &err) == -EINVAL);

    wasm_linker_free(l);
    wasm_module_free(m);
    test_interrupt();
    test_v128_cells();
    return CHECK_DONE();
}
