/* The terminal of an exec or container with a tty, as the guest sees it. WASI has no ioctl
 * to ask a terminal its size, so the guest gets two things: TERM, COLUMNS and LINES at its
 * start, and a file the runtime keeps in its view, /run/wasmcri/tty ("COLUMNS LINES\n", the
 * host's <pod dir>/tty-<id>), rewritten on every resize the streaming client sends (exec's
 * and attach's resize channel). The toolbox's `stty size`, `ls` and `top` read the file
 * (wasm/toolbox/term_size.c), so a size changed after the start is seen. The exec session or
 * the container's removal deletes the file. */
#include "terminal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "strv.h"

int sb_tty_path(char *buf, size_t n, const char *pod_dir, const char *id, wc_error *err)
{
    return wc_path(buf, n, err, "%s/tty-%s", pod_dir, id);
}

int sb_tty_write(const char *path, unsigned cols, unsigned rows, wc_error *err)
{
    char tmp[4096 + 8], text[32];
    snprintf(tmp, sizeof(tmp), "%s.new", path);
    int n = snprintf(text, sizeof(text), "%u %u\n", cols ? cols : 80, rows ? rows : 24);
    FILE *f = fopen(tmp, "we");
    if (f == NULL)
        return wc_error_set_errno(err, -errno, "write the terminal size file %s", tmp);
    bool ok = fwrite(text, 1, (size_t)n, f) == (size_t)n;
    ok = fclose(f) == 0 && ok;
    if (!ok || chmod(tmp, 0644) < 0 || rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        return wc_error_set_errno(err, -e, "write the terminal size file %s", path);
    }
    return 0;
}

void sb_tty_remove(const char *pod_dir, const char *id)
{
    char path[4096];
    if (sb_tty_path(path, sizeof(path), pod_dir, id, NULL) == 0)
        unlink(path);
}

/* Sets var ("NAME=value") in env, in place of one of the same name. */
static int set_env(char ***env, const char *var)
{
    size_t name = strcspn(var, "=") + 1, n = wc_strv_len(*env);
    for (size_t k = 0; k < n; k++)
        if (strncmp((*env)[k], var, name) == 0) {
            char *v = strdup(var);
            if (v == NULL)
                return -ENOMEM;
            free((*env)[k]);
            (*env)[k] = v;
            return 0;
        }
    return wc_strv_push(env, var);
}

static int add_size_file(worker_spec *spec, const char *path)
{
    worker_mount *grown = realloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*grown));
    if (grown == NULL)
        return -ENOMEM;
    spec->mounts = grown;
    worker_mount *m = &grown[spec->n_mounts];
    *m = (worker_mount){.guest = strdup(SB_TTY_GUEST_FILE), .host = strdup(path), .readonly = true};
    spec->n_mounts++; /* freed with the spec, made or not */
    return m->guest && m->host ? 0 : -ENOMEM;
}

int sb_tty_spec(worker_spec *spec, const char *path, unsigned cols, unsigned rows, wc_error *err)
{
    char c[32], l[32];
    snprintf(c, sizeof(c), "COLUMNS=%u", cols ? cols : 80);
    snprintf(l, sizeof(l), "LINES=%u", rows ? rows : 24);
    spec->terminal = true;
    TRY(sb_tty_write(path, cols, rows, err));
    if (set_env(&spec->env, "TERM=xterm") < 0 || set_env(&spec->env, c) < 0 ||
        set_env(&spec->env, l) < 0 || add_size_file(spec, path) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return 0;
}
