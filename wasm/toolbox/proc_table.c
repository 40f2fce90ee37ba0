/* Readers of the runtime's files for ps, top, id and whoami (proc_table.h). */
#include "proc_table.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numbers.h"

#define TABLE_MAX 65536 /* the runtime's table is at most one pipe's worth */

__attribute__((import_module("wasmcri"), import_name("pod_ps"))) uint16_t
wasmcri_pod_ps(char *buf, size_t cap, size_t *ret_len);
__attribute__((import_module("wasmcri"), import_name("pod_kill"))) uint16_t
wasmcri_pod_kill(int pid, int signo);

static int parse_table(FILE *f, tb_proc **ret, int *ret_n)
{
    char line[1024];
    int n = 0, cap = 0;
    tb_proc *v = NULL;
    if (fgets(line, sizeof(line), f) == NULL) { /* the header */
        *ret = NULL;
        *ret_n = 0;
        return 0;
    }
    while (fgets(line, sizeof(line), f)) {
        tb_proc p = {0};
        int used = 0;
        line[strcspn(line, "\n")] = '\0';
        if (sscanf(line, "%d %u %c %lld %lld %lld %7s %63s %n", &p.pid, &p.uid, &p.state, &p.cpu_ms,
                   &p.rss_kb, &p.started, p.kind, p.name, &used) < 8)
            continue;
        snprintf(p.command, sizeof(p.command), "%s", line + used);
        if (n == cap) {
            tb_proc *grown = realloc(v, (size_t)(cap = cap ? 2 * cap : 16) * sizeof(*v));
            if (grown == NULL)
                break;
            v = grown;
        }
        v[n++] = p;
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

int tb_proc_read(tb_proc **ret, int *ret_n)
{
    char *text = malloc(TABLE_MAX);
    size_t len = 0;
    if (text == NULL)
        return -1;
    uint16_t e = wasmcri_pod_ps(text, TABLE_MAX, &len);
    if (e != 0) {
        free(text);
        errno = e;
        return -1;
    }
    FILE *f = fmemopen(text, len < TABLE_MAX ? len : TABLE_MAX, "r");
    int rc = f ? parse_table(f, ret, ret_n) : -1;
    if (f)
        fclose(f);
    free(text);
    return rc;
}

int tb_proc_kill(int pid, int signo)
{
    uint16_t e = wasmcri_pod_kill(pid, signo);
    if (e != 0) {
        errno = e;
        return -1;
    }
    return 0;
}

/* The name of the entry with id in an /etc/passwd or /etc/group style file. */
static bool name_of(const char *path, unsigned id, char *buf, int n)
{
    snprintf(buf, (size_t)n, "%u", id);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    char line[1024];
    bool found = false;
    while (!found && fgets(line, sizeof(line), f)) {
        char *name = strtok(line, ":"), *pw = strtok(NULL, ":"), *num = strtok(NULL, ":");
        (void)pw;
        if (name && num && strtoul(num, NULL, 10) == id && *num >= '0' && *num <= '9') {
            snprintf(buf, (size_t)n, "%s", name);
            found = true;
        }
    }
    fclose(f);
    return found;
}

bool tb_user_name(unsigned uid, char *buf, int n)
{
    return name_of("/etc/passwd", uid, buf, n);
}

bool tb_group_name(unsigned gid, char *buf, int n)
{
    return name_of("/etc/group", gid, buf, n);
}

int tb_self_user(unsigned *uid, unsigned *gid, unsigned *groups, int *ret_ngroups)
{
    FILE *f = fopen(TB_USER_FILE, "r");
    if (f == NULL)
        return -1;
    int rc = fscanf(f, "%u %u", uid, gid) == 2 ? 0 : -1;
    int n = 0;
    while (rc == 0 && n < 32 && fscanf(f, "%u", &groups[n]) == 1)
        n++;
    fclose(f);
    *ret_ngroups = n;
    return rc;
}

static int env_int(const char *name, int fallback)
{
    const char *v = getenv(name);
    int n = v ? tb_atoi_clamp(v, 0, INT_MAX) : 0;
    return n > 0 ? n : fallback;
}

void tb_term_size(int *ret_cols, int *ret_rows)
{
    int cols = 0, rows = 0;
    FILE *f = fopen(TB_TTY_FILE, "r");
    if (f == NULL || fscanf(f, "%d %d", &cols, &rows) != 2 || cols <= 0 || rows <= 0)
        cols = env_int("COLUMNS", 80), rows = env_int("LINES", 24);
    if (f)
        fclose(f);
    *ret_cols = cols;
    *ret_rows = rows;
}
