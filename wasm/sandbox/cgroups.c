/* Container cgroups, v1 and v2 (see cgroups.h). Plain file writes; no library.
 * v1: memory (memory.limit_in_bytes, memory.oom_control's oom_kill) and cpuacct.
 * v2: memory.max and memory.events' oom_kill; memory and cpu are enabled in
 * wasmcri/cgroup.subtree_control once.
 */
#include "cgroups.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "strv.h"

#define CG_ROOT "/sys/fs/cgroup"
#define CGROUP2_MAGIC 0x63677270

static const char *const v1_hierarchies[] = {"memory", "cpuacct"};

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -e;
}

/* The value after `key ` in a "key value" lines file; 0 when absent. */
static uint64_t read_key(const char *path, const char *key)
{
    FILE *f = fopen(path, "re");
    char line[256];
    uint64_t v = 0;
    size_t klen = strlen(key);
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
            v = strtoull(line + klen + 1, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

static int make_group(const char *dir, const char *id, char ***procs, wc_error *err)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/wasmcri", dir);
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return wc_error_set_errno(err, -errno, "cannot create cgroup %s", path);
    snprintf(path, sizeof(path), "%s/wasmcri/%s", dir, id);
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return wc_error_set_errno(err, -errno, "cannot create cgroup %s", path);
    snprintf(path, sizeof(path), "%s/wasmcri/%s/cgroup.procs", dir, id);
    return wc_strv_push(procs, path) < 0 ? wc_error_set(err, -ENOMEM, "out of memory") : 0;
}

/* ---- v1 ---- */

static int v1_create(const char *id, char ***procs, wc_error *err)
{
    char dir[256];
    for (size_t i = 0; i < sizeof(v1_hierarchies) / sizeof(v1_hierarchies[0]); i++) {
        snprintf(dir, sizeof(dir), CG_ROOT "/%s", v1_hierarchies[i]);
        int rc = make_group(dir, id, procs, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static void v1_remove(const char *id)
{
    char path[512];
    for (size_t i = 0; i < sizeof(v1_hierarchies) / sizeof(v1_hierarchies[0]); i++) {
        snprintf(path, sizeof(path), CG_ROOT "/%s/wasmcri/%s", v1_hierarchies[i], id);
        rmdir(path);
    }
}

static int v1_set_memory_limit(const char *id, int64_t bytes, wc_error *err)
{
    char path[512], val[32];
    snprintf(path, sizeof(path), CG_ROOT "/memory/wasmcri/%s/memory.limit_in_bytes", id);
    snprintf(val, sizeof(val), "%lld", bytes > 0 ? (long long)bytes : -1LL);
    int rc = write_file(path, val);
    return rc < 0 ? wc_error_set_errno(err, rc, "cannot set %s", path) : 0;
}

static uint64_t v1_oom_kills(const char *id)
{
    char path[512];
    snprintf(path, sizeof(path), CG_ROOT "/memory/wasmcri/%s/memory.oom_control", id);
    return read_key(path, "oom_kill");
}

static const wc_cgroup_ops v1_ops = {"v1", v1_create, v1_remove, v1_set_memory_limit,
                                     v1_oom_kills};

/* ---- v2 ---- */

static int v2_create(const char *id, char ***procs, wc_error *err)
{
    int rc = make_group(CG_ROOT, id, procs, err);
    if (rc == 0) /* enabling twice is harmless; a controller the host lacks is not fatal */
        write_file(CG_ROOT "/wasmcri/cgroup.subtree_control", "+memory +cpu");
    return rc;
}

static void v2_remove(const char *id)
{
    char path[512];
    snprintf(path, sizeof(path), CG_ROOT "/wasmcri/%s", id);
    rmdir(path);
}

static int v2_set_memory_limit(const char *id, int64_t bytes, wc_error *err)
{
    char path[512], val[32];
    snprintf(path, sizeof(path), CG_ROOT "/wasmcri/%s/memory.max", id);
    if (bytes > 0)
        snprintf(val, sizeof(val), "%lld", (long long)bytes);
    else
        snprintf(val, sizeof(val), "max");
    int rc = write_file(path, val);
    return rc < 0 ? wc_error_set_errno(err, rc, "cannot set %s", path) : 0;
}

static uint64_t v2_oom_kills(const char *id)
{
    char path[512];
    snprintf(path, sizeof(path), CG_ROOT "/wasmcri/%s/memory.events", id);
    return read_key(path, "oom_kill");
}

static const wc_cgroup_ops v2_ops = {"v2", v2_create, v2_remove, v2_set_memory_limit,
                                     v2_oom_kills};

const wc_cgroup_ops *wc_cgroups_detect(void)
{
    struct statfs fs;
    if (statfs(CG_ROOT, &fs) == 0 && fs.f_type == CGROUP2_MAGIC &&
        access(CG_ROOT "/cgroup.controllers", F_OK) == 0)
        return &v2_ops;
    if (access(CG_ROOT "/memory/memory.limit_in_bytes", W_OK) == 0 &&
        access(CG_ROOT "/cpuacct/cpuacct.usage", R_OK) == 0)
        return &v1_ops;
    return NULL;
}
