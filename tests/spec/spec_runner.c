/* spec_runner: runs WebAssembly spec tests converted by wast2json against wasmcri's engine.
 *
 *   spec_runner [--lazy] [--known KNOWN_FAILURES] [--skips ALLOWED_SKIPS] FILE.json...
 *
 * --lazy loads every module with limits.lazy_compile (validated at load, compiled on first call).
 *
 * Executes every command (module, register, action, assert_return incl. nan:canonical/arithmetic,
 * assert_trap, assert_exhaustion, assert_invalid, assert_malformed, assert_unlinkable,
 * assert_uninstantiable) with the `spectest` host module, v128 values lane by lane (a v128 takes
 * two wasm_val cells, as the engine's API says), and prints per file and in total
 * "N passed, N failed, N skipped". Failures listed in KNOWN_FAILURES ("file.wast:LINE reason")
 * are reported as known failures. A command the runner cannot run is skipped only when
 * ALLOWED_SKIPS lists its file and kind with a reason ("file.wast KIND reason"; kinds:
 * text-module, the module is only in text form, as wast2json leaves assert_malformed text;
 * bad-arg and bad-result, values of a type the runner does not know; any other command type by
 * its name); an unlisted skip
 * is a failure. The exit status is 1 if any failure is not listed, any listed failure passes,
 * or any listed entry is not reached, else 0.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_engine.h"

typedef struct named {
    char *name;
    wasm_instance *inst;
} named;

/* The lines of a KNOWN_FAILURES or ALLOWED_SKIPS file, and which ones were used. */
typedef struct entries {
    char **lines;
    size_t n;
    bool *seen;
} entries;

typedef struct runner {
    const char *dir, *wast;
    wasm_linker *linker;
    wasm_instance *current;
    named *names;
    size_t nnames;
    wasm_module **mods;
    wasm_instance **insts;
    size_t nmods, ninsts;
    int passed, failed, skipped, known, unexpected;
    struct entries *known_failures, *allowed_skips;
} runner;

static int g_passed, g_failed, g_skipped, g_known, g_unexpected;
static bool g_lazy;

/* ---- spectest
 * ------------------------------------------------------------------------------------- */

static wasm_trap print_fn(wasm_instance *inst, void *env, const wasm_val *args, wasm_val *results)
{
    (void)inst, (void)env, (void)args, (void)results;
    return WASM_TRAP_NONE;
}

static int define_spectest(wasm_linker *l)
{
    static const wasm_valtype i32[] = {WASM_I32}, i64[] = {WASM_I64}, f32[] = {WASM_F32},
                              f64[] = {WASM_F64}, i32f32[] = {WASM_I32, WASM_F32},
                              f64f64[] = {WASM_F64, WASM_F64};
    static const struct {
        const char *name;
        const wasm_valtype *p;
        uint32_t n;
    } fns[] = {{"print", NULL, 0},          {"print_i32", i32, 1}, {"print_i64", i64, 1},
               {"print_f32", f32, 1},       {"print_f64", f64, 1}, {"print_i32_f32", i32f32, 2},
               {"print_f64_f64", f64f64, 2}};
    wc_error err;
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
        if (wasm_linker_define_func(l, "spectest", fns[i].name, fns[i].p, fns[i].n, NULL, 0,
                                    print_fn, NULL, &err) < 0)
            return -1;
    wasm_val v;
    v.u64 = 0, v.i32 = 666;
    wasm_linker_define_global(l, "spectest", "global_i32", WASM_I32, false, v, &err);
    v.i64 = 666;
    wasm_linker_define_global(l, "spectest", "global_i64", WASM_I64, false, v, &err);
    v.u64 = 0, v.f32 = 666.6f;
    wasm_linker_define_global(l, "spectest", "global_f32", WASM_F32, false, v, &err);
    v.f64 = 666.6;
    wasm_linker_define_global(l, "spectest", "global_f64", WASM_F64, false, v, &err);
    wasm_linker_define_table(l, "spectest", "table", WASM_FUNCREF, 10, 20, &err);
    return wasm_linker_define_memory(l, "spectest", "memory", 1, 2, &err);
}

/* ---- helpers
 * -------------------------------------------------------------------------------------- */

static void result(runner *r, int line, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Whether an entry starts with key followed by a blank or the end (marks it used). */
static bool listed(entries *e, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < e->n; i++) {
        const char *l = e->lines[i];
        if (strncmp(l, key, n) == 0 && (l[n] == ' ' || l[n] == '\0' || l[n] == '\t')) {
            e->seen[i] = true;
            return true;
        }
    }
    return false;
}

static bool is_known(runner *r, int line)
{
    char key[512];
    snprintf(key, sizeof(key), "%s:%d", r->wast, line);
    return listed(r->known_failures, key);
}

/* A command not run: a skip if ALLOWED_SKIPS lists its file and kind, else a failure. */
static void skip(runner *r, int line, const char *kind)
{
    char key[512];
    snprintf(key, sizeof(key), "%s %s", r->wast, kind);
    if (listed(r->allowed_skips, key)) {
        r->skipped++;
        return;
    }
    r->failed++;
    printf("FAIL %s:%d: skipped (%s), and the allowed skips do not list \"%s\"\n", r->wast, line,
           kind, key);
}

#include <stdarg.h>
static void result(runner *r, int line, bool ok, const char *fmt, ...)
{
    bool known = is_known(r, line);
    if (ok && !known) {
        r->passed++;
        return;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (ok && known) {
        r->passed++;
        r->unexpected++;
        printf("UNEXPECTED PASS %s:%d (listed as a known failure)\n", r->wast, line);
    } else if (known) {
        r->known++;
        printf("known failure %s:%d: %s\n", r->wast, line, msg);
    } else {
        r->failed++;
        printf("FAIL %s:%d: %s\n", r->wast, line, msg);
    }
}

static uint8_t *read_file(const char *dir, const char *name, size_t *ret_len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *ret_len = (size_t)n;
    return buf;
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static wasm_valtype type_of(const char *t)
{
    if (!strcmp(t, "i32"))
        return WASM_I32;
    if (!strcmp(t, "i64"))
        return WASM_I64;
    if (!strcmp(t, "f32"))
        return WASM_F32;
    if (!strcmp(t, "f64"))
        return WASM_F64;
    if (!strcmp(t, "funcref"))
        return WASM_FUNCREF;
    if (!strcmp(t, "externref"))
        return WASM_EXTERNREF;
    return WASM_V128;
}

/* A v128 in wast2json's form ("lane_type" and one string per lane) as two cells. */
static bool v128_of(json_t *j, wasm_val ret[2])
{
    const char *lt = jstr(j, "lane_type");
    json_t *lanes = json_object_get(j, "value");
    size_t n = json_array_size(lanes);
    if (lt == NULL || n == 0 || 16 % n != 0)
        return false;
    uint8_t bytes[16];
    size_t size = 16 / n;
    for (size_t i = 0; i < n; i++) {
        json_t *l = json_array_get(lanes, i);
        uint64_t bits = json_is_string(l) ? strtoull(json_string_value(l), NULL, 10) : 0;
        memcpy(bytes + i * size, &bits, size); /* little-endian host */
    }
    memcpy(&ret[0].u64, bytes, 8);
    memcpy(&ret[1].u64, bytes + 8, 8);
    return true;
}

/* Converts a JSON value to wasm_val cells (two for a v128); false if the type is unknown. */
static bool to_val(json_t *j, wasm_val *ret)
{
    const char *t = jstr(j, "type"), *v = jstr(j, "value");
    if (t && strcmp(t, "v128") == 0)
        return v128_of(j, ret);
    wasm_valtype vt = t ? type_of(t) : WASM_V128;
    if (vt == WASM_V128 || v == NULL)
        return false;
    ret->u64 = 0;
    if (vt == WASM_FUNCREF || vt == WASM_EXTERNREF) {
        ret->ref = strcmp(v, "null") == 0 ? NULL : (void *)(uintptr_t)(strtoull(v, NULL, 10) + 1);
        return true;
    }
    uint64_t bits = strtoull(v, NULL, 10);
    if (vt == WASM_I32 || vt == WASM_F32)
        ret->u64 = (uint32_t)bits;
    else
        ret->u64 = bits;
    return true;
}

static wasm_instance *find_instance(runner *r, const char *name)
{
    if (name == NULL)
        return r->current;
    for (size_t i = r->nnames; i-- > 0;)
        if (strcmp(r->names[i].name, name) == 0)
            return r->names[i].inst;
    return NULL;
}

static void keep_module(runner *r, wasm_module *m)
{
    r->mods = realloc(r->mods, (r->nmods + 1) * sizeof(*r->mods));
    r->mods[r->nmods++] = m;
}

static void keep_instance(runner *r, wasm_instance *i)
{
    r->insts = realloc(r->insts, (r->ninsts + 1) * sizeof(*r->insts));
    r->insts[r->ninsts++] = i;
}

/* ---- actions
 * -------------------------------------------------------------------------------------- */

/* Runs an action. Returns the trap (0 ok) or -1 if it could not be run (message in err). */
static int run_action(runner *r, json_t *action, wasm_val *results, uint32_t *ret_n,
                      wasm_instance **ret_inst, char *err, size_t errlen)
{
    const char *type = jstr(action, "type"), *field = jstr(action, "field");
    wasm_instance *inst = find_instance(r, jstr(action, "module"));
    *ret_n = 0;
    if (inst == NULL || field == NULL) {
        snprintf(err, errlen, "no module for the action");
        return -1;
    }
    *ret_inst = inst;
    wasm_extern ext;
    json_t *jfield = json_object_get(action, "field");
    if (wasm_instance_export_n(inst, field, json_string_length(jfield), &ext) < 0) {
        snprintf(err, errlen, "no export \"%s\"", field);
        return -1;
    }
    if (strcmp(type, "get") == 0) {
        if (ext.kind != WASM_EXTERN_GLOBAL) {
            snprintf(err, errlen, "\"%s\" is not a global", field);
            return -1;
        }
        if (wasm_global_type(ext.u.global) == WASM_V128) {
            wasm_global_get_v128(ext.u.global, results);
            *ret_n = 2;
        } else {
            results[0] = wasm_global_get(ext.u.global);
            *ret_n = 1;
        }
        return 0;
    }
    if (ext.kind != WASM_EXTERN_FUNC) {
        snprintf(err, errlen, "\"%s\" is not a function", field);
        return -1;
    }
    json_t *args = json_object_get(action, "args");
    size_t nargs = json_array_size(args), ncells = 0;
    wasm_val av[64];
    if (nargs > 32) {
        snprintf(err, errlen, "too many arguments");
        return -1;
    }
    for (size_t i = 0; i < nargs; i++) {
        json_t *a = json_array_get(args, i);
        if (!to_val(a, &av[ncells])) {
            snprintf(err, errlen, "unsupported argument type");
            return -2;
        }
        ncells += strcmp(jstr(a, "type"), "v128") == 0 ? 2 : 1;
    }
    const wasm_valtype *p, *res;
    uint32_t np, nr, nres = 0;
    wasm_func_type(ext.u.func, &p, &np, &res, &nr);
    for (uint32_t i = 0; i < nr; i++)
        nres += res[i] == WASM_V128 ? 2 : 1;
    if (nres > 64) {
        snprintf(err, errlen, "too many results");
        return -1;
    }
    *ret_n = nres;
    return (int)wasm_call(inst, ext.u.func, av, (uint32_t)ncells, results, nres);
}

static bool nan_match(const char *v, uint64_t bits, bool f32)
{
    if (f32) {
        uint32_t b = (uint32_t)bits;
        if ((b & 0x7F800000u) != 0x7F800000u || (b & 0x007FFFFFu) == 0)
            return false;
        return strcmp(v, "nan:canonical") == 0 ? (b & 0x7FFFFFFFu) == 0x7FC00000u
                                               : (b & 0x00400000u) != 0;
    }
    if ((bits & 0x7FF0000000000000ull) != 0x7FF0000000000000ull ||
        (bits & 0x000FFFFFFFFFFFFFull) == 0)
        return false;
    return strcmp(v, "nan:canonical") == 0 ? (bits & 0x7FFFFFFFFFFFFFFFull) == 0x7FF8000000000000ull
                                           : (bits & 0x0008000000000000ull) != 0;
}

/* A v128 result (two cells) against its lanes, which may be NaN patterns: 1 match, 0 not. */
static int v128_match(json_t *exp, const wasm_val *got)
{
    const char *lt = jstr(exp, "lane_type");
    json_t *lanes = json_object_get(exp, "value");
    size_t n = json_array_size(lanes);
    if (lt == NULL || n == 0 || 16 % n != 0)
        return -1;
    uint8_t bytes[16];
    memcpy(bytes, &got[0].u64, 8);
    memcpy(bytes + 8, &got[1].u64, 8);
    size_t size = 16 / n;
    for (size_t i = 0; i < n; i++) {
        const char *l = json_string_value(json_array_get(lanes, i));
        uint64_t bits = 0, want;
        memcpy(&bits, bytes + i * size, size);
        if (l == NULL)
            return -1;
        if (strncmp(l, "nan:", 4) == 0) {
            if (!nan_match(l, bits, size == 4))
                return 0;
            continue;
        }
        want = strtoull(l, NULL, 10);
        if (size < 8)
            want &= (1ull << (size * 8)) - 1;
        if (want != bits)
            return 0;
    }
    return 1;
}

/* 1 match, 0 mismatch, -1 unsupported */
static int value_match(json_t *exp, const wasm_val *cells)
{
    const char *t = jstr(exp, "type"), *v = jstr(exp, "value");
    wasm_val got = cells[0];
    if (t && strcmp(t, "v128") == 0)
        return v128_match(exp, cells);
    if (t == NULL)
        return -1;
    wasm_valtype vt = type_of(t);
    if (vt == WASM_V128)
        return -1;
    if (v == NULL) /* e.g. (ref.func) without index: any non-null */
        return got.ref != NULL;
    if ((vt == WASM_F32 || vt == WASM_F64) && strncmp(v, "nan:", 4) == 0)
        return nan_match(v, got.u64, vt == WASM_F32);
    wasm_val want;
    if (!to_val(exp, &want))
        return -1;
    if (vt == WASM_I32 || vt == WASM_F32)
        return (uint32_t)want.u64 == got.u32;
    if (vt == WASM_FUNCREF && strcmp(v, "null") != 0)
        return got.ref != NULL;
    return want.u64 == got.u64;
}

static void assert_return(runner *r, json_t *cmd, int line)
{
    wasm_val res[64];
    uint32_t n;
    char err[256];
    wasm_instance *inst = NULL;
    int rc = run_action(r, json_object_get(cmd, "action"), res, &n, &inst, err, sizeof(err));
    if (rc == -2)
        return skip(r, line, "bad-arg");
    if (rc < 0)
        return result(r, line, false, "%s", err);
    if (rc > 0)
        return result(r, line, false, "trapped: %s", wasm_instance_trap_message(inst));
    json_t *exp = json_object_get(cmd, "expected");
    uint32_t cell = 0;
    for (size_t i = 0; i < json_array_size(exp); i++) {
        json_t *e = json_array_get(exp, i);
        uint32_t width = jstr(e, "type") && strcmp(jstr(e, "type"), "v128") == 0 ? 2 : 1;
        if (cell + width > n)
            return result(r, line, false, "expected %zu results, got fewer", json_array_size(exp));
        int m = value_match(e, &res[cell]);
        if (m < 0)
            return skip(r, line, "bad-result");
        if (m == 0 && width == 2)
            return result(r, line, false,
                          "result %zu: v128 0x%016llx%016llx is not the one expected", i,
                          (unsigned long long)res[cell + 1].u64, (unsigned long long)res[cell].u64);
        if (m == 0)
            return result(r, line, false, "result %zu: expected %s, got 0x%llx", i,
                          jstr(e, "value"), (unsigned long long)res[cell].u64);
        cell += width;
    }
    if (cell != n)
        return result(r, line, false, "expected %zu results, got more", json_array_size(exp));
    result(r, line, true, "ok");
}

static void assert_trap_action(runner *r, json_t *cmd, int line, bool exhaustion)
{
    wasm_val res[64];
    uint32_t n;
    char err[256];
    wasm_instance *inst = NULL;
    const char *text = jstr(cmd, "text");
    int rc = run_action(r, json_object_get(cmd, "action"), res, &n, &inst, err, sizeof(err));
    if (rc == -2)
        return skip(r, line, "bad-arg");
    if (rc < 0)
        return result(r, line, false, "%s", err);
    if (rc == 0)
        return result(r, line, false, "expected trap \"%s\", returned", text ? text : "");
    if (exhaustion && rc != WASM_TRAP_STACK_EXHAUSTED)
        return result(r, line, false, "expected exhaustion, got %s",
                      wasm_instance_trap_message(inst));
    const char *msg = wasm_trap_message((wasm_trap)rc);
    if (!exhaustion && text && strncmp(text, msg, strlen(msg)) != 0)
        return result(r, line, false, "expected trap \"%s\", got \"%s\"", text, msg);
    result(r, line, true, "ok");
}

/* ---- modules
 * -------------------------------------------------------------------------------------- */

/* Loads cmd's binary module; -2 when there is only a text form. */
static int load(runner *r, json_t *cmd, wasm_module **ret, wc_error *err)
{
    const char *file = jstr(cmd, "filename"), *mt = jstr(cmd, "module_type");
    if (file == NULL || (mt && strcmp(mt, "binary") != 0))
        return -2;
    size_t len;
    uint8_t *bytes = read_file(r->dir, file, &len);
    if (bytes == NULL)
        return wc_error_set(err, -ENOENT, "cannot read %s", file);
    wasm_limits lim = {.lazy_compile = g_lazy};
    int rc = wasm_module_load(bytes, len, &lim, ret, err);
    free(bytes);
    return rc;
}

static void cmd_module(runner *r, json_t *cmd, int line)
{
    wc_error err = {0};
    wasm_module *m = NULL;
    wasm_instance *inst = NULL;
    r->current = NULL;
    int rc = load(r, cmd, &m, &err);
    if (rc == -2)
        return skip(r, line, "text-module");
    if (rc < 0)
        return result(r, line, false, "module failed to load: %s", err.msg);
    keep_module(r, m);
    rc = wasm_instance_new(m, r->linker, NULL, &inst, &err);
    if (rc < 0)
        return result(r, line, false, "module failed to link: %s", err.msg);
    keep_instance(r, inst);
    wasm_trap t = wasm_instance_start(inst);
    if (t != WASM_TRAP_NONE)
        return result(r, line, false, "module trapped at start: %s",
                      wasm_instance_trap_message(inst));
    r->current = inst;
    const char *name = jstr(cmd, "name");
    if (name) {
        r->names = realloc(r->names, (r->nnames + 1) * sizeof(*r->names));
        r->names[r->nnames++] = (named){strdup(name), inst};
    }
    result(r, line, true, "ok");
}

static void cmd_assert_module(runner *r, json_t *cmd, int line, const char *type)
{
    wc_error err = {0};
    wasm_module *m = NULL;
    wasm_instance *inst = NULL;
    int rc = load(r, cmd, &m, &err);
    if (rc == -2)
        return skip(r, line, "text-module");
    bool want_load_fail = !strcmp(type, "assert_invalid") || !strcmp(type, "assert_malformed");
    if (want_load_fail) {
        if (rc == 0)
            wasm_module_free(m);
        return result(r, line, rc < 0, "module loaded but should be rejected (%s)",
                      jstr(cmd, "text"));
    }
    if (rc < 0)
        return result(r, line, false, "module failed to load: %s", err.msg);
    keep_module(r, m);
    rc = wasm_instance_new(m, r->linker, NULL, &inst, &err);
    if (!strcmp(type, "assert_unlinkable")) {
        if (rc == 0)
            keep_instance(r, inst);
        return result(r, line, rc < 0, "module linked but should be unlinkable (%s)",
                      jstr(cmd, "text"));
    }
    if (rc < 0)
        return result(r, line, false, "module failed to link: %s", err.msg);
    keep_instance(r, inst);
    wasm_trap t = wasm_instance_start(inst);
    result(r, line, t != WASM_TRAP_NONE, "module instantiated but should trap (%s)",
           jstr(cmd, "text"));
}

static void cmd_register(runner *r, json_t *cmd, int line)
{
    wasm_instance *inst = find_instance(r, jstr(cmd, "name"));
    wc_error err = {0};
    if (inst == NULL)
        return result(r, line, false, "register: no module");
    int rc = wasm_linker_define_instance(r->linker, jstr(cmd, "as"), inst, &err);
    result(r, line, rc == 0, "register: %s", err.msg);
}

static void run_command(runner *r, json_t *cmd)
{
    const char *type = jstr(cmd, "type");
    int line = (int)json_integer_value(json_object_get(cmd, "line"));
    if (type == NULL)
        return;
    if (!strcmp(type, "module")) {
        cmd_module(r, cmd, line);
    } else if (!strcmp(type, "register")) {
        cmd_register(r, cmd, line);
    } else if (!strcmp(type, "assert_return")) {
        assert_return(r, cmd, line);
    } else if (!strcmp(type, "action")) {
        wasm_val res[64];
        uint32_t n;
        char err[256];
        wasm_instance *inst = NULL;
        int rc = run_action(r, json_object_get(cmd, "action"), res, &n, &inst, err, sizeof(err));
        result(r, line, rc == 0, "action failed: %s",
               rc < 0 ? err : wasm_instance_trap_message(inst));
    } else if (!strcmp(type, "assert_trap") && json_object_get(cmd, "filename")) {
        cmd_assert_module(r, cmd, line, "assert_uninstantiable");
    } else if (!strcmp(type, "assert_trap") || !strcmp(type, "assert_exhaustion")) {
        assert_trap_action(r, cmd, line, !strcmp(type, "assert_exhaustion"));
    } else if (!strncmp(type, "assert_", 7)) {
        cmd_assert_module(r, cmd, line, type);
    } else {
        skip(r, line, type);
    }
}

static void free_runner(runner *r)
{
    for (size_t i = r->ninsts; i-- > 0;)
        wasm_instance_free(r->insts[i]);
    for (size_t i = 0; i < r->nmods; i++)
        wasm_module_free(r->mods[i]);
    for (size_t i = 0; i < r->nnames; i++)
        free(r->names[i].name);
    free(r->names), free(r->insts), free(r->mods);
    wasm_linker_free(r->linker);
}

static void run_file(const char *path, entries *known, entries *skips)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_ALLOW_NUL, &jerr);
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    runner r = {.dir = dir, .known_failures = known, .allowed_skips = skips};
    if (root == NULL) {
        printf("FAIL %s: cannot parse: %s\n", path, jerr.text);
        g_failed++;
        return;
    }
    const char *src = jstr(root, "source_filename");
    const char *base = src ? strrchr(src, '/') : NULL;
    r.wast = base ? base + 1 : (src ? src : path);
    wc_error err;
    if (wasm_linker_new(&r.linker, &err) < 0 || define_spectest(r.linker) < 0) {
        printf("FAIL %s: cannot set up the spectest module\n", path);
        g_failed++;
        json_decref(root);
        return;
    }
    json_t *cmds = json_object_get(root, "commands");
    for (size_t i = 0; i < json_array_size(cmds); i++)
        run_command(&r, json_array_get(cmds, i));
    printf("%s: %d passed, %d failed, %d skipped%s\n", r.wast, r.passed, r.failed, r.skipped,
           r.known ? " (+ known failures)" : "");
    g_passed += r.passed, g_failed += r.failed, g_skipped += r.skipped, g_known += r.known;
    g_unexpected += r.unexpected;
    free_runner(&r);
    json_decref(root);
}

/* Reads an entries file: one entry a line, '#' comments. With min_words, an entry of fewer
 * blank-separated words (a skip without its reason) is an error. */
static int read_entries(const char *path, int min_words, entries *e)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    if (f == NULL) {
        printf("FAIL cannot read %s\n", path);
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        int words = 0;
        for (char *c = line; *c; c++)
            words += *c != ' ' && (c == line || c[-1] == ' ');
        if (words < min_words) {
            printf("FAIL %s: \"%s\" gives no reason\n", path, line);
            fclose(f);
            return -1;
        }
        e->lines = realloc(e->lines, (e->n + 1) * sizeof(*e->lines));
        e->lines[e->n++] = strdup(line);
    }
    fclose(f);
    e->seen = calloc(e->n + 1, sizeof(bool));
    return 0;
}

/* Entries never used: each one printed; returns how many. */
static int stale(const entries *e, const char *what)
{
    int n = 0;
    for (size_t k = 0; k < e->n; k++)
        if (!e->seen[k]) {
            printf("STALE %s (not reached): %s\n", what, e->lines[k]);
            n++;
        }
    return n;
}

static void free_entries(entries *e)
{
    for (size_t k = 0; k < e->n; k++)
        free(e->lines[k]);
    free(e->lines);
    free(e->seen);
}

int main(int argc, char **argv)
{
    entries known = {0}, skips = {0};
    int i = 1;
    if (i < argc && strcmp(argv[i], "--lazy") == 0) /* every module compiled on first call */
        g_lazy = true, i++;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        bool is_known = strcmp(argv[i], "--known") == 0;
        if (!is_known && strcmp(argv[i], "--skips") != 0) {
            printf("spec_runner: unknown option %s\n", argv[i]);
            return 2;
        }
        if (read_entries(argv[i + 1], is_known ? 1 : 3, is_known ? &known : &skips) < 0)
            return 1;
    }
    if (known.seen == NULL)
        known.seen = calloc(1, sizeof(bool));
    if (skips.seen == NULL)
        skips.seen = calloc(1, sizeof(bool));
    for (; i < argc; i++)
        run_file(argv[i], &known, &skips);
    int n_stale = stale(&known, "known failure") + stale(&skips, "allowed skip");
    printf("TOTAL: %d passed, %d failed, %d skipped, %d known failures, %d unexpected passes\n",
           g_passed, g_failed, g_skipped, g_known, g_unexpected);
    free_entries(&known);
    free_entries(&skips);
    return g_failed || g_unexpected || n_stale ? 1 : 0;
}
