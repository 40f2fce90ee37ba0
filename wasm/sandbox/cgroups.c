/* Container cgroups, v1 and v2 (see cgroups.h). Plain file writes; no library.
 * v1: memory (memory.limit_in_bytes, memory.oom_control's oom_kill), cpu
 * (cpu.cfs_quota_us, cpu.cfs_period_us, cpu.shares) and cpuacct for a container's
 * own group; a pod's group is joined in every hierarchy.
 * v2: memory.max, memory.events' oom_kill, cpu.max and cpu.weight; memory and cpu
 * are enabled in the parent's cgroup.subtree_control.
 */
#include "cgroups.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fs.h"
#include "strv.h"

#define CG_ROOT "/sys/fs/cgroup"
#define CGROUP2_MAGIC 0x63677270

static const char *const v1_hierarchies[] = {"memory", "cpu", "cpuacct"};

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

static int write_value(const char *dir, const char *group, const char *file, const char *val,
                       wc_error *err)
{
    char path[4096 + 128];
    TRY(wc_path(path, sizeof(path), err, "%s/%s/%s", dir, group, file));
    int rc = write_file(path, val);
    return rc < 0 ? wc_error_set_errno(err, rc, "cannot set %s to %s", path, val) : 0;
}

static int add_procs(char ***procs, const char *dir, const char *group, wc_error *err)
{
    char path[4096 + 64];
    TRY(wc_path(path, sizeof(path), err, "%s/%s/cgroup.procs", dir, group));
    return wc_strv_push(procs, path) < 0 ? wc_error_set(err, -ENOMEM, "out of memory") : 0;
}

static int make_group(const char *dir, const char *group, char ***procs, wc_error *err)
{
    char path[4096 + 64];
    TRY(wc_path(path, sizeof(path), err, "%s/%s", dir, group));
    TRY(wc_mkdirs(path, 0755, err));
    return add_procs(procs, dir, group, err);
}

static bool is_dir(const char *dir, const char *group)
{
    char path[4096 + 64];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, group);
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- v1 ---- */

static int v1_create(const char *group, char ***procs, wc_error *err)
{
    char dir[256];
    for (size_t i = 0; i < sizeof(v1_hierarchies) / sizeof(v1_hierarchies[0]); i++) {
        snprintf(dir, sizeof(dir), CG_ROOT "/%s", v1_hierarchies[i]);
        int rc = make_group(dir, group, procs, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* A worker killed a moment ago (its zygote died) may still be leaving the group:
 * EBUSY is retried for a little while. */
static void remove_group(const char *path)
{
    for (int tries = 0; rmdir(path) < 0 && errno == EBUSY && tries < 200; tries++)
        usleep(1000);
}

static void v1_remove(const char *group)
{
    char path[4096 + 64];
    for (size_t i = 0; i < sizeof(v1_hierarchies) / sizeof(v1_hierarchies[0]); i++) {
        snprintf(path, sizeof(path), CG_ROOT "/%s/%s", v1_hierarchies[i], group);
        remove_group(path);
    }
}

/* Every mounted hierarchy (cpu,cpuacct, memory, pids, ...; not the aliases that
 * are symlinks) where the pod's group exists. */
static int v1_pod_procs(const char *group, char ***procs, wc_error *err)
{
    DIR *d = opendir(CG_ROOT);
    struct dirent *e;
    int rc = 0;
    char dir[512];
    while (rc == 0 && d && (e = readdir(d))) {
        if (e->d_type != DT_DIR || e->d_name[0] == '.')
            continue;
        snprintf(dir, sizeof(dir), CG_ROOT "/%s", e->d_name);
        if (is_dir(dir, group))
            rc = add_procs(procs, dir, group, err);
    }
    if (d)
        closedir(d);
    return rc;
}

static void v1_pod_release(const char *group)
{
    (void)group; /* v1 workers join the pod's group itself */
}

static int v1_set_memory_limit(const char *group, int64_t bytes, wc_error *err)
{
    char val[32];
    snprintf(val, sizeof(val), "%lld", bytes > 0 ? (long long)bytes : -1LL);
    return write_value(CG_ROOT "/memory", group, "memory.limit_in_bytes", val, err);
}

static int v1_set_cpu(const char *group, int64_t quota, int64_t period, int64_t shares,
                      wc_error *err)
{
    char q[32], p[32], s[32];
    snprintf(q, sizeof(q), "%lld", quota > 0 ? (long long)quota : -1LL);
    snprintf(p, sizeof(p), "%lld", period > 0 ? (long long)period : 100000LL);
    snprintf(s, sizeof(s), "%lld", shares > 0 ? (long long)shares : 1024LL);
    TRY(write_value(CG_ROOT "/cpu", group, "cpu.cfs_period_us", p, err));
    TRY(write_value(CG_ROOT "/cpu", group, "cpu.cfs_quota_us", q, err));
    return write_value(CG_ROOT "/cpu", group, "cpu.shares", s, err);
}

static uint64_t v1_oom_kills(const char *group)
{
    char path[4096 + 64];
    snprintf(path, sizeof(path), CG_ROOT "/memory/%s/memory.oom_control", group);
    return read_key(path, "oom_kill");
}

static const wc_cgroup_ops v1_ops = {"v1",       v1_create,    v1_remove,    v1_set_memory_limit,
                                     v1_set_cpu, v1_oom_kills, v1_pod_procs, v1_pod_release};

/* ---- v2 ---- */

static int v2_create(const char *group, char ***procs, wc_error *err)
{
    int rc = make_group(CG_ROOT, group, procs, err);
    char parent[4096 + 64];
    snprintf(parent, sizeof(parent), CG_ROOT "/%s", group);
    char *slash = strrchr(parent, '/');
    if (rc == 0 && slash) { /* enabling twice is harmless; a controller missing is not fatal */
        snprintf(slash, sizeof(parent) - (size_t)(slash - parent), "/cgroup.subtree_control");
        write_file(parent, "+memory +cpu");
    }
    return rc;
}

static void v2_remove(const char *group)
{
    char path[4096 + 64];
    snprintf(path, sizeof(path), CG_ROOT "/%s", group);
    remove_group(path);
}

static int v2_pod_procs(const char *group, char ***procs, wc_error *err)
{
    char leaf[4096 + 16];
    if (!is_dir(CG_ROOT, group))
        return 0;
    snprintf(leaf, sizeof(leaf), "%s/wasmcri", group);
    return make_group(CG_ROOT, leaf, procs, err);
}

static void v2_pod_release(const char *group)
{
    char leaf[4096 + 16];
    snprintf(leaf, sizeof(leaf), "%s/wasmcri", group);
    v2_remove(leaf);
}

static int v2_set_memory_limit(const char *group, int64_t bytes, wc_error *err)
{
    char val[32];
    if (bytes > 0)
        snprintf(val, sizeof(val), "%lld", (long long)bytes);
    else
        snprintf(val, sizeof(val), "max");
    return write_value(CG_ROOT, group, "memory.max", val, err);
}

/* cpu.weight from cgroup v1 shares, as runc converts them (2..262144 → 1..10000). */
static int v2_set_cpu(const char *group, int64_t quota, int64_t period, int64_t shares,
                      wc_error *err)
{
    char max[64], weight[32];
    if (period <= 0)
        period = 100000;
    if (quota > 0)
        snprintf(max, sizeof(max), "%lld %lld", (long long)quota, (long long)period);
    else
        snprintf(max, sizeof(max), "max %lld", (long long)period);
    int64_t w = shares > 0 ? 1 + ((shares - 2) * 9999) / 262142 : 100;
    snprintf(weight, sizeof(weight), "%lld", (long long)(w < 1 ? 1 : w > 10000 ? 10000 : w));
    TRY(write_value(CG_ROOT, group, "cpu.max", max, err));
    return write_value(CG_ROOT, group, "cpu.weight", weight, err);
}

static uint64_t v2_oom_kills(const char *group)
{
    char path[4096 + 64];
    snprintf(path, sizeof(path), CG_ROOT "/%s/memory.events", group);
    return read_key(path, "oom_kill");
}

static const wc_cgroup_ops v2_ops = {"v2",       v2_create,    v2_remove,    v2_set_memory_limit,
                                     v2_set_cpu, v2_oom_kills, v2_pod_procs, v2_pod_release};

/* ---- cgroup_parent ---- */

static bool safe_path(const char *p)
{
    for (const char *s = p; *s; s = strchr(s, '/') ? strchr(s, '/') + 1 : s + strlen(s))
        if (strncmp(s, "..", 2) == 0 && (s[2] == '/' || s[2] == '\0'))
            return false;
    return true;
}

static int expand_slice(const char *slice, char *buf, size_t n, wc_error *err)
{
    size_t len = strlen(slice);
    if (len <= 6 || strcmp(slice + len - 6, ".slice") != 0 || strchr(slice, '/'))
        return wc_error_set(err, -EINVAL, "cgroup_parent %s is not a systemd slice name", slice);
    size_t used = 0;
    buf[0] = '\0';
    /* one parent slice per "-": a-b-c.slice → a.slice/a-b.slice/a-b-c.slice */
    for (const char *dash = strchr(slice, '-'); dash && dash < slice + len - 6;
         dash = strchr(dash + 1, '-')) {
        if (dash == slice || dash[1] == '-' || dash[1] == '.')
            return wc_error_set(err, -EINVAL, "cgroup_parent %s: a bad slice name", slice);
        used += (size_t)snprintf(buf + used, n - used, "%.*s.slice/", (int)(dash - slice), slice);
        if (used >= n)
            return wc_error_set(err, -ENAMETOOLONG, "cgroup_parent %s is too long", slice);
    }
    if (used + len + 1 > n)
        return wc_error_set(err, -ENAMETOOLONG, "cgroup_parent %s is too long", slice);
    memcpy(buf + used, slice, len + 1);
    return 0;
}

int wc_cgroup_parent_path(const char *driver, const char *parent, char *buf, size_t n,
                          wc_error *err)
{
    while (*parent == '/')
        parent++;
    if (*parent == '\0') {
        buf[0] = '\0';
        return 0;
    }
    if (!safe_path(parent))
        return wc_error_set(err, -EINVAL, "cgroup_parent %s leaves the cgroup tree", parent);
    if (strcmp(driver, "systemd") == 0)
        return expand_slice(parent, buf, n, err);
    if (snprintf(buf, n, "%s", parent) >= (int)n)
        return wc_error_set(err, -ENAMETOOLONG, "cgroup_parent %s is too long", parent);
    size_t l = strlen(buf);
    while (l > 0 && buf[l - 1] == '/')
        buf[--l] = '\0';
    return 0;
}

const wc_cgroup_ops *wc_cgroups_detect(void)
{
    struct statfs fs;
    if (statfs(CG_ROOT, &fs) == 0 && fs.f_type == CGROUP2_MAGIC &&
        access(CG_ROOT "/cgroup.controllers", F_OK) == 0)
        return &v2_ops;
    if (access(CG_ROOT "/memory/memory.limit_in_bytes", W_OK) == 0 &&
        access(CG_ROOT "/cpuacct/cpuacct.usage", R_OK) == 0 &&
        access(CG_ROOT "/cpu/cpu.cfs_quota_us", W_OK) == 0)
        return &v1_ops;
    return NULL;
}
