/* `wasmcri run`: parses the command line into wasmcri_run_opts, loads the module, links the host
 * imports (define_imports: WASI preview1 with --dir preopens, --env, and this terminal's stdio)
 * and runs `_start` or the --invoke export. proc_exit(n) exits with n.
 * A trap prints "wasm trap: REASON" to stderr and exits 134. */
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toolbox_module.h"
#include "wasi.h"
#include "wasm_engine.h"

#define EXIT_TRAP 134

static int usage(void)
{
    fprintf(stderr, "usage: wasmcri run [--dir HOST[:GUEST]]... [--env K=V]... [--invoke NAME] "
                    "FILE.wasm [ARGS...]\n"
                    "       wasmcri run [--dir HOST[:GUEST]]... [--env K=V]... --toolbox APPLET "
                    "[ARGS...]\n");
    return 2;
}

static int parse_opts(int argc, char **argv, wasmcri_run_opts *o)
{
    int i = 1;
    o->dirs = calloc((size_t)argc, sizeof(*o->dirs));
    o->envs = calloc((size_t)argc, sizeof(*o->envs));
    if (!o->dirs || !o->envs)
        return -ENOMEM;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "--toolbox") == 0) {
            o->toolbox = true;
            continue;
        }
        if (i + 1 >= argc)
            return -EINVAL;
        if (strcmp(a, "--dir") == 0) {
            char *spec = argv[++i], *colon = strchr(spec, ':');
            if (colon)
                *colon = '\0';
            o->dirs[o->ndirs++] = (wasmcri_run_dir){spec, colon ? colon + 1 : spec};
        } else if (strcmp(a, "--env") == 0) {
            if (strchr(argv[i + 1], '=') == NULL)
                return -EINVAL;
            o->envs[o->nenvs++] = argv[++i];
        } else if (strcmp(a, "--invoke") == 0) {
            o->invoke = argv[++i];
        } else {
            return -EINVAL;
        }
    }
    if (i >= argc)
        return -EINVAL;
    o->file = o->toolbox ? "toolbox.wasm" : argv[i];
    o->args = argv + i;
    o->nargs = argc - i;
    return 0;
}

static uint8_t *read_all(const char *path, size_t *ret_len, wc_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        wc_error_set_errno(err, -errno, "open %s", path);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (nb == NULL)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    if (buf == NULL)
        wc_error_set(err, -ENOMEM, "out of memory reading %s", path);
    *ret_len = n;
    return buf;
}

/* Host imports for the module: WASI. *mounts and *ret_ctx are the caller's to free after the
 * instance (o->envs is NULL-terminated: it has room for every argv entry). */
static int define_imports(wasm_linker *l, const wasm_module *m, const wasmcri_run_opts *o,
                          wasi_mounts *mounts, wasi_ctx **ret_ctx, wc_error *err)
{
    for (size_t i = 0; i < o->ndirs; i++)
        if (wasi_mounts_add(mounts, o->dirs[i].host, o->dirs[i].guest, false, err) < 0)
            return err->code;
    wasi_options w = {.argv = (const char *const *)o->args,
                      .argc = (size_t)o->nargs,
                      .env = o->envs,
                      .mounts = mounts,
                      .stdin_fd = 0,
                      .stdout_fd = 1,
                      .stderr_fd = 2};
    int r = wasi_ctx_create(&w, ret_ctx, err);
    return r < 0 ? r : wasi_define_imports(l, *ret_ctx, m, err);
}

static int parse_arg(const char *s, wasm_valtype t, wasm_val *ret)
{
    char *end;
    errno = 0;
    ret->u64 = 0;
    switch (t) {
    case WASM_I32:
        ret->i32 = (int32_t)strtoll(s, &end, 0);
        break;
    case WASM_I64:
        ret->i64 = strtoll(s, &end, 0);
        break;
    case WASM_F32:
        ret->f32 = strtof(s, &end);
        break;
    case WASM_F64:
        ret->f64 = strtod(s, &end);
        break;
    default:
        return -EINVAL;
    }
    return *end || errno ? -EINVAL : 0;
}

static void print_val(wasm_valtype t, wasm_val v)
{
    switch (t) {
    case WASM_I32:
        printf("%" PRId32 "\n", v.i32);
        break;
    case WASM_I64:
        printf("%" PRId64 "\n", v.i64);
        break;
    case WASM_F32:
        printf("%.9g\n", (double)v.f32);
        break;
    case WASM_F64:
        printf("%.17g\n", v.f64);
        break;
    default:
        printf("%p\n", v.ref);
        break;
    }
}

static int report_trap(wasm_instance *inst, wasm_trap t)
{
    if (t == WASM_TRAP_EXIT)
        return wasm_instance_exit_code(inst);
    uint32_t fi = wasm_instance_trap_func(inst);
    const char *name = fi != UINT32_MAX ? wasm_instance_func_name(inst, fi) : NULL;
    fprintf(stderr, "wasm trap: %s", wasm_instance_trap_message(inst));
    if (fi != UINT32_MAX)
        fprintf(stderr, " (in function %u%s%s)", fi, name ? " " : "", name ? name : "");
    fprintf(stderr, "\n");
    return EXIT_TRAP;
}

static int call_export(wasm_instance *inst, const wasmcri_run_opts *o)
{
    const char *name = o->invoke ? o->invoke : "_start";
    wasm_func *f = wasm_instance_export_func(inst, name);
    if (f == NULL) {
        fprintf(stderr, "wasmcri run: %s: no exported function \"%s\"\n", o->file, name);
        return 2;
    }
    const wasm_valtype *pt, *rt;
    uint32_t np, nr;
    wasm_func_type(f, &pt, &np, &rt, &nr);
    uint32_t given = o->invoke ? (uint32_t)(o->nargs - 1) : 0;
    for (uint32_t i = 0; i < nr; i++) {
        if (rt[i] == WASM_V128) {
            fprintf(stderr, "wasmcri run: %s returns a v128, which --invoke cannot print\n", name);
            return 2;
        }
    }
    if (given != np) {
        fprintf(stderr, "wasmcri run: %s takes %u arguments, %u given\n", name, np, given);
        return 2;
    }
    wasm_val *args = calloc(np + 1, sizeof(wasm_val)), *res = calloc(nr + 1, sizeof(wasm_val));
    int status = 0;
    for (uint32_t i = 0; i < np && status == 0; i++) {
        if (parse_arg(o->args[i + 1], pt[i], &args[i]) < 0) {
            fprintf(stderr, "wasmcri run: bad argument %u: \"%s\"\n", i + 1, o->args[i + 1]);
            status = 2;
        }
    }
    if (status == 0) {
        wasm_trap t = wasm_call(inst, f, args, np, res, nr);
        if (t != WASM_TRAP_NONE)
            status = report_trap(inst, t);
        for (uint32_t i = 0; t == WASM_TRAP_NONE && o->invoke && i < nr; i++)
            print_val(rt[i], res[i]);
    }
    free(args);
    free(res);
    return status;
}

static int run(const wasmcri_run_opts *o)
{
    wc_error err = {0};
    size_t len = 0;
    wasm_module *m = NULL;
    wasm_linker *l = NULL;
    wasm_instance *inst = NULL;
    wasi_mounts mounts = {0};
    wasi_ctx *wasi = NULL;
    int status = 1;
    uint8_t *bytes = o->toolbox ? NULL : read_all(o->file, &len, &err);
    const uint8_t *code = o->toolbox ? toolbox_wasm(&len) : bytes;
    if (code && wasm_module_load(code, len, NULL, &m, &err) == 0 &&
        wasm_linker_new(&l, &err) == 0 && define_imports(l, m, o, &mounts, &wasi, &err) == 0 &&
        wasm_instance_new(m, l, NULL, &inst, &err) == 0) {
        wasm_trap t = wasm_instance_start(inst);
        status = t != WASM_TRAP_NONE ? report_trap(inst, t) : call_export(inst, o);
    } else {
        fprintf(stderr, "wasmcri run: %s: %s\n", o->file, err.msg);
    }
    wasm_instance_free(inst);
    wasm_linker_free(l);
    wasi_ctx_destroy(wasi);
    wasi_mounts_clear(&mounts);
    wasm_module_free(m);
    free(bytes);
    return status;
}

int wasmcri_run_main(int argc, char **argv)
{
    wasmcri_run_opts o = {0};
    int status = parse_opts(argc, argv, &o) < 0 ? usage() : run(&o);
    free(o.dirs);
    free(o.envs);
    return status;
}
