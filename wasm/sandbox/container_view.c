/* A container's view (see container_view.h): command, env, mounts, rootfs, the
 * module, and the worker spec built from them.
 *
 * Paths the guest names are resolved inside the view by the kernel: openat2 with
 * RESOLVE_IN_ROOT on the mount's host directory, so the image's own symlinks
 * (absolute ones included) stay inside it. To add a file every container sees
 * (like /etc/resolv.conf), add it to pod_files below.
 *
 * The working directory: WASI preview1 has no current directory, and wasi-libc
 * matches a "." preopen against absolute paths as well (it strips "/" and "."
 * alike), so it cannot be offered as a preopen. It is given to the guest as $PWD
 * (as a shell would), for programs that chdir() to it; relative paths resolve
 * from "/".
 */
#include "container_view.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "ctr_user_file.h"
#include "env_merge.h"
#include "fs.h"
#include "layer.h"
#include "sandbox_int.h"
#include "strv.h"
#include "toolbox_module.h"

#define WASM_PAGE 65536

/* ---- command ---- */

/* The entrypoint, then the command: the config's over the image's, as Docker joins them. */
static int command_argv(const wc_container_spec *s, const wc_image *img, char ***ret_argv)
{
    bool has_cmd = s->command && s->command[0];
    bool has_args = s->args && s->args[0];
    char *const *entry = has_cmd ? s->command : img->entrypoint;
    char *const *cmd = has_args ? s->args : has_cmd ? NULL : img->cmd;
    wc_strv_builder args = {0};
    if (wc_strv_builder_add_all(&args, entry) < 0 || wc_strv_builder_add_all(&args, cmd) < 0) {
        wc_strv_builder_clear(&args);
        return -ENOMEM;
    }
    *ret_argv = wc_strv_builder_take(&args);
    return *ret_argv ? 0 : -ENOMEM;
}

int cv_image_command(wc_container *c, const wc_image *img, wc_error *err)
{
    static const wc_container_spec none = {0};
    _cleanup_strv_ char **argv = NULL;
    if (command_argv(&none, img, &argv) < 0 ||
        wc_container_set(&c->working_dir, *img->working_dir ? img->working_dir : "/") < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    wc_strv_free(c->argv);
    c->argv = take_ptr(argv);
    return 0;
}

/* The image's env with PWD, HOSTNAME (as containerd's CRI sets it: WASI has no
 * gethostname) and then the config's env over it. */
static int command_env(const wc_container_spec *s, const wc_image *img, const wc_pod *pod,
                       const char *wd, char ***ret_env)
{
    char pwd[4096 + 8], host[300];
    snprintf(pwd, sizeof(pwd), "PWD=%s", wd);
    snprintf(host, sizeof(host), "HOSTNAME=%s", *pod->hostname ? pod->hostname : pod->name);
    wc_strv_builder over = {0};
    if (wc_strv_builder_add(&over, pwd) < 0 || wc_strv_builder_add(&over, host) < 0 ||
        wc_strv_builder_add_all(&over, s->env) < 0) {
        wc_strv_builder_clear(&over);
        return -ENOMEM;
    }
    _cleanup_strv_ char **overrides = wc_strv_builder_take(&over);
    *ret_env = overrides ? wc_env_merge(img->env, overrides) : NULL;
    return *ret_env ? 0 : -ENOMEM;
}

int cv_command(wc_container *c, const wc_container_spec *s, const wc_image *img, const wc_pod *pod,
               wc_error *err)
{
    const char *wd = s->working_dir && *s->working_dir ? s->working_dir
                     : *img->working_dir               ? img->working_dir
                                                       : "/";
    _cleanup_strv_ char **argv = NULL;
    _cleanup_strv_ char **env = NULL;
    if (command_argv(s, img, &argv) < 0 || command_env(s, img, pod, wd, &env) < 0 ||
        wc_container_set(&c->working_dir, wd) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    wc_strv_free(c->argv);
    wc_strv_free(c->env);
    c->argv = take_ptr(argv);
    c->env = take_ptr(env);
    return 0;
}

/* ---- mounts ---- */

/* A ".." component: the worker would refuse the path at start; refuse it at create. */
static bool has_dotdot(const char *path)
{
    for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2)
        if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
            return true;
    return false;
}

int cv_mounts(wc_container *c, const wc_container_spec *s, wc_error *err)
{
    wc_mount *m = calloc(s->n_mounts ? s->n_mounts : 1, sizeof(*m));
    if (m == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    free(c->mounts);
    c->mounts = m;
    c->n_mounts = 0;
    for (size_t i = 0; i < s->n_mounts; i++) {
        const wc_mount *in = &s->mounts[i];
        if (in->container_path[0] != '/')
            return wc_error_set(err, -EINVAL, "mount %s: the container path must be absolute",
                                in->container_path);
        if (has_dotdot(in->container_path))
            return wc_error_set(err, -EINVAL,
                                "mount %s: the container path must not contain \"..\"",
                                in->container_path);
        bool image = in->image && *in->image; /* made by cv_image_volumes */
        if (!image && access(in->host_path, F_OK) < 0 && wc_mkdirs(in->host_path, 0755, err) < 0)
            return wc_error_wrap(err, "mount %s", in->container_path);
        char *real = image ? strdup("") : realpath(in->host_path, NULL);
        if (real == NULL)
            return wc_error_set_errno(err, -errno, "mount %s: host path %s", in->container_path,
                                      in->host_path);
        m[i].host_path = real;
        m[i].container_path = strdup(in->container_path);
        m[i].readonly = in->readonly || image;
        m[i].recursive_read_only = in->recursive_read_only;
        m[i].image = strdup(image ? in->image : "");
        m[i].image_sub_path = strdup(image && in->image_sub_path ? in->image_sub_path : "");
        m[i].image_key = strdup("");
        c->n_mounts++;
        if (!m[i].container_path || !m[i].image || !m[i].image_sub_path || !m[i].image_key)
            return wc_error_set(err, -ENOMEM, "out of memory");
    }
    return 0;
}

/* ---- rootfs ---- */

int cv_rootfs(wc_store *store, wc_container *c, const wc_image *img, wc_error *err)
{
    char path[4096], dir[4096];
    wc_container_dir(c, dir, sizeof(dir));
    if (img->shape == WC_SHAPE_ROOTFS && *img->chain_id) {
        if (wc_store_snapshot_path(store, img->chain_id, path, sizeof(path)) < 0)
            return wc_error_set(err, -ENOENT, "no snapshot for %s", img->chain_id);
        if (!c->readonly_rootfs) {
            c->overlay = true;
            /* it must fit, though the record does not keep it: wc_container_rootfs */
            TRY(wc_container_overlay_rootfs(c, path, sizeof(path), err));
            path[0] = '\0';
        }
    } else {
        TRY(wc_path(path, sizeof(path), err, "%s/upper", dir));
    }
    return wc_container_set(&c->rootfs, path) < 0 ? wc_error_set(err, -ENOMEM, "out of memory") : 0;
}

int cv_layer(wc_store *store, const wc_container *c, worker_spec *spec, wc_error *err)
{
    char lower[4096] = "", dir[4096];
    wc_container_dir(c, dir, sizeof(dir));
    if (c->overlay &&
        (*c->held == '\0' || wc_store_snapshot_path(store, c->held, lower, sizeof(lower)) < 0))
        return wc_error_set(err, -ENOENT, "container %s: its image snapshot is gone", c->id);
    bool own_dir = c->overlay || strncmp(c->rootfs, dir, strlen(dir)) == 0;
    free(spec->layer_dir);
    free(spec->layer_lower);
    spec->layer_dir = strdup(own_dir ? dir : "");
    spec->layer_lower = strdup(lower);
    return spec->layer_dir && spec->layer_lower ? 0 : wc_error_set(err, -ENOMEM, "out of memory");
}

bool cv_rootfs_ready(const wc_container *c)
{
    char dir[4096];
    return !c->overlay || layer_mounted(wc_container_dir(c, dir, sizeof(dir))); /* its rootfs is
                                                                                 * <dir>/rootfs */
}

int cv_release(wc_container *c, wc_error *err)
{
    char buf[4096], dir[4096];
    const char *rootfs = wc_container_rootfs(c, buf, sizeof(buf));
    if (c->overlay && umount2(rootfs, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
        return wc_error_set_errno(err, -errno, "cannot unmount %s", rootfs);
    wc_container_dir(c, dir, sizeof(dir));
    return *dir ? sb_rmtree(dir, err) : 0;
}

/* ---- resolution inside the view ---- */

/* True when path is prefix itself or below it (component-wise). */
static bool below(const char *path, const char *prefix, size_t *ret_len)
{
    size_t n = strlen(prefix);
    while (n > 1 && prefix[n - 1] == '/')
        n--;
    if (strncmp(path, prefix, n) != 0 || (path[n] != '/' && path[n] != '\0' && n > 1))
        return false;
    *ret_len = n == 1 ? 0 : n;
    return true;
}

/* openat2 of rel beneath root with flags (O_CLOEXEC added) and RESOLVE_IN_ROOT. */
static int open_in_root(const char *root, const char *rel, uint64_t flags, int *ret_fd,
                        wc_error *err)
{
    int dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return wc_error_set_errno(err, -errno, "cannot open %s", root);
    struct open_how how = {.flags = flags | O_CLOEXEC,
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    int fd = (int)syscall(SYS_openat2, dfd, *rel ? rel : ".", &how, sizeof(how));
    int e = errno;
    close(dfd);
    if (fd < 0)
        return wc_error_set_errno(err, -e, "/%s", rel);
    *ret_fd = fd;
    return 0;
}

int cv_open_in_root(const char *root, const char *rel, int *ret_fd, wc_error *err)
{
    return open_in_root(root, rel, O_RDONLY, ret_fd, err);
}

/* The host directory that is "/" for guest in c's view with rootfs as "/" (the image
 * snapshot before the layer exists): the CRI mount holding it, else the rootfs; *ret_rel:
 * guest below it, with no leading '/'. */
static const char *view_root(const wc_container *c, const char *rootfs, const char *guest,
                             const char **ret_rel)
{
    const char *root = rootfs;
    size_t best = 0, cut = 0;
    bool found = false;
    for (size_t i = 0; i < c->n_mounts; i++) {
        size_t len;
        if (below(guest, c->mounts[i].container_path, &len) && (!found || len >= best)) {
            root = c->mounts[i].host_path;
            best = cut = len;
            found = true;
        }
    }
    const char *rel = guest + cut;
    while (*rel == '/')
        rel++;
    *ret_rel = rel;
    return root;
}

/* Opens guest in c's view with rootfs as "/" (see view_root). */
static int open_in_view(const wc_container *c, const char *rootfs, const char *guest,
                        uint64_t flags, int *ret_fd, wc_error *err)
{
    const char *rel;
    const char *root = view_root(c, rootfs, guest, &rel);
    return open_in_root(root, rel, flags, ret_fd, err);
}

/* ---- the module ---- */

static int strv_prepend(char ***v, const char *s)
{
    int rc = wc_strv_push(v, s);
    size_t n = wc_strv_len(*v);
    if (rc == 0 && n > 1) {
        char *last = (*v)[n - 1];
        memmove(*v + 1, *v, (n - 1) * sizeof(char *));
        (*v)[0] = last;
    }
    return rc;
}

static int guest_program(const wc_container *c, char *buf, size_t n)
{
    const char *a0 = c->argv[0];
    if (a0[0] == '/')
        return snprintf(buf, n, "%s", a0) < (int)n ? 0 : -ENAMETOOLONG;
    return snprintf(buf, n, "%s/%s", c->working_dir, a0) < (int)n ? 0 : -ENAMETOOLONG;
}

/* The cache key of a file from outside the store: the identity of the file actually
 * opened. ctime, which no guest can set, changes with every write. */
static void file_key(const struct stat *st, char *buf, size_t n)
{
    snprintf(buf, n, "file:%llu:%llu:%lld.%09ld:%lld", (unsigned long long)st->st_dev,
             (unsigned long long)st->st_ino, (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec,
             (long long)st->st_size);
}

/* A regular file starting with the wasm magic; its key into key (if not NULL). */
static int check_module_fd(int fd, const char *name, char *key, size_t n, wc_error *err)
{
    struct stat st;
    unsigned char magic[4];
    if (fstat(fd, &st) < 0)
        return wc_error_set_errno(err, -errno, "%s", name);
    if (!S_ISREG(st.st_mode))
        return wc_error_set(err, -ENOEXEC, "%s is not a regular file", name);
    if (pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
        memcmp(magic, "\0asm", 4) != 0)
        return wc_error_set(err, -ENOEXEC, "%s is not a WebAssembly module", name);
    if (key)
        file_key(&st, key, n);
    return 0;
}

/* O_NONBLOCK: a FIFO or device the path turns out to be must not block the open. */
#define MODULE_OPEN_FLAGS (O_RDONLY | O_NONBLOCK | O_NOCTTY)

/* The descriptor of path when it is a WebAssembly file, else -1. */
static int open_wasm_file(const char *path)
{
    int fd = open(path, MODULE_OPEN_FLAGS | O_CLOEXEC);
    if (fd >= 0 && check_module_fd(fd, path, NULL, 0, NULL) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The host path of an open file, into path (PATH_MAX bytes). */
static int fd_path(int fd, char *path, wc_error *err)
{
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(proc, path, PATH_MAX - 1);
    if (n < 0)
        return wc_error_set_errno(err, -errno, "readlink %s", proc);
    path[n] = '\0';
    return 0;
}

/* True when p ("a/b" or "/a/b") has no empty, "." or ".." component: the kernel names the
 * file it opens by p unchanged. */
static bool plain_path(const char *p)
{
    if (*p == '/')
        p++;
    for (;;) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (p[0] == '.' && (n == 1 || (n == 2 && p[1] == '.'))))
            return false;
        if (p[n] == '\0')
            return true;
        p += n + 1;
    }
}

/* Opens the module guest names in c's view (open_in_view) and puts its host path in host
 * (PATH_MAX bytes). A plain path with no symlink on the way (the common case) is opened
 * as written, and is its own host path: inside root the kernel would resolve it to the same
 * file, so the root's descriptor and a readlink of the file's are saved (issue 18). */
static int open_module_in_view(const wc_container *c, const char *rootfs, const char *guest,
                               int *ret_fd, char *host, wc_error *err)
{
    const char *rel;
    const char *root = view_root(c, rootfs, guest, &rel);
    if (plain_path(root) && plain_path(rel) &&
        snprintf(host, PATH_MAX, "%s/%s", root, rel) < PATH_MAX) {
        struct open_how how = {.flags = MODULE_OPEN_FLAGS | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS};
        int fd = (int)syscall(SYS_openat2, AT_FDCWD, host, &how, sizeof(how));
        if (fd >= 0) {
            *ret_fd = fd;
            return 0;
        }
    }
    *host = '\0'; /* a symlink, a dot or an error: resolved inside root, named by readlink */
    return open_in_root(root, rel, MODULE_OPEN_FLAGS, ret_fd, err);
}

/* The container runs toolbox.wasm (its command is absent or not wasm, and names an applet). */
static int use_toolbox(wc_container *c, wc_error *err)
{
    if (wc_container_set(&c->module_path, CV_TOOLBOX_PATH) < 0 ||
        wc_container_set(&c->module_key, toolbox_module_key()) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return 0;
}

/* The module is looked up in the image snapshot (the writable layer is made when
 * the container starts, and would be empty now anyway); with toolbox, a command that is no
 * module there and names an applet runs toolbox.wasm. */
static int module_from_rootfs(wc_store *store, wc_container *c, const wc_image *img, bool toolbox,
                              int *ret_fd, wc_error *err)
{
    char guest[4096], root[4096];
    if (!c->overlay)
        snprintf(root, sizeof(root), "%s", c->rootfs);
    else if (wc_store_snapshot_path(store, img->chain_id, root, sizeof(root)) < 0)
        return wc_error_set(err, -ENOENT, "no snapshot for %s", img->chain_id);
    if (c->argv[0] == NULL)
        return wc_error_set(err, -ENOEXEC,
                            "image %s has nothing to run: no entrypoint, no cmd and no command",
                            c->image);
    if (guest_program(c, guest, sizeof(guest)) < 0)
        return wc_error_set(err, -EINVAL, "program path too long");
    _cleanup_close_ int fd = -1;
    wc_error inner = {0};
    char key[4096 + 128], host[PATH_MAX];
    if (open_module_in_view(c, root, guest, &fd, host, &inner) < 0) {
        if (toolbox && toolbox_names_applet(c->argv[0]))
            return use_toolbox(c, err);
        return wc_error_set(err, -ENOEXEC, "image %s: cannot run %s: %s", c->image, guest,
                            inner.msg);
    }
    if (check_module_fd(fd, guest, key, sizeof(key), &inner) < 0) {
        if (toolbox && toolbox_names_applet(c->argv[0]))
            return use_toolbox(c, err);
        return wc_error_set(err, -ENOEXEC,
                            "image %s has nothing wasm to run: %s "
                            "(image shape %s, os %s, wasm entry \"%s\")",
                            c->image, inner.msg, wc_image_shape_name(img->shape), img->os,
                            img->wasm_entry);
    }
    if (*host == '\0')
        TRY(fd_path(fd, host, err));
    if (strncmp(host, root, strlen(root)) == 0)
        snprintf(key, sizeof(key), "image:%s:%s", img->id, guest);
    if (wc_container_set(&c->module_path, host) < 0 || wc_container_set(&c->module_key, key) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    *ret_fd = take_fd(fd);
    return 0;
}

int cv_open_exec_module(const wc_container *c, const char *guest, int *ret_fd, char *key,
                        size_t key_len, wc_error *err)
{
    int fd = -1;
    char rootfs[4096];
    int rc = open_in_view(c, wc_container_rootfs(c, rootfs, sizeof(rootfs)), guest,
                          MODULE_OPEN_FLAGS, &fd, err);
    if (rc < 0)
        return rc;
    rc = check_module_fd(fd, guest, key, key_len, err);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    *ret_fd = fd;
    return 0;
}

int cv_open_start_module(const wc_container *c, worker_spec *spec, int *ret_fd, wc_error *err)
{
    if (strcmp(c->module_path, CV_TOOLBOX_PATH) == 0) /* this daemon's toolbox, and its key */
        return wc_container_set(&spec->module_key, toolbox_module_key()) < 0
                   ? wc_error_set(err, -ENOMEM, "out of memory")
                   : toolbox_module_fd(ret_fd, err);
    /* a file: module lies in a CRI mount, which someone may change: the path as resolved
     * at create, with no symlink in it now */
    bool outside_store = strncmp(c->module_key, "file:", 5) == 0;
    struct open_how how = {.flags = MODULE_OPEN_FLAGS | O_CLOEXEC,
                           .resolve = outside_store ? RESOLVE_NO_SYMLINKS : RESOLVE_NO_MAGICLINKS};
    int fd = (int)syscall(SYS_openat2, AT_FDCWD, c->module_path, &how, sizeof(how));
    if (fd < 0 && errno == ELOOP)
        return wc_error_set(err, -ENOEXEC, "the module %s has a symlink in its path now",
                            spec->module_name);
    if (fd < 0)
        return wc_error_set_errno(err, -errno, "cannot open the module %s", spec->module_name);
    char key[256];
    int rc = check_module_fd(fd, spec->module_name, key, sizeof(key), err);
    if (rc == 0 && outside_store && wc_container_set(&spec->module_key, key) < 0)
        rc = wc_error_set(err, -ENOMEM, "out of memory");
    if (rc < 0) {
        close(fd);
        return rc;
    }
    *ret_fd = fd;
    return 0;
}

/* The module of cv_module, and its descriptor (-1: the toolbox) into *ret_fd. */
static int open_module(wc_store *store, wc_container *c, const wc_image *img, bool toolbox,
                       int *ret_fd, wc_error *err)
{
    *ret_fd = -1;
    if (img->shape == WC_SHAPE_ROOTFS)
        return module_from_rootfs(store, c, img, toolbox, ret_fd, err);
    char path[4096];
    _cleanup_close_ int fd = -1;
    if (*img->wasm_entry == '\0' ||
        wc_store_blob_path(store, img->wasm_entry, path, sizeof(path)) < 0 ||
        (fd = open_wasm_file(path)) < 0)
        return wc_error_set(err, -ENOEXEC, "image %s (%s) has no WebAssembly module blob (\"%s\")",
                            c->image, wc_image_shape_name(img->shape), img->wasm_entry);
    size_t len = c->argv[0] ? strlen(c->argv[0]) : 0;
    if ((len < 5 || strcmp(c->argv[0] + len - 5, ".wasm") != 0) &&
        strv_prepend(&c->argv, "module.wasm") < 0) /* argv[0] is the program's name */
        return wc_error_set(err, -ENOMEM, "out of memory");
    if (wc_container_set(&c->module_path, path) < 0 ||
        wc_container_set(&c->module_key, img->wasm_entry) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    *ret_fd = take_fd(fd);
    return 0;
}

int cv_module(wc_store *store, wc_container *c, const wc_image *img, bool toolbox, int *ret_fd,
              wc_error *err)
{
    _cleanup_close_ int fd = -1;
    TRY(open_module(store, c, img, toolbox, &fd, err));
    if (ret_fd)
        *ret_fd = take_fd(fd);
    return 0;
}

/* ---- the worker spec ---- */

static bool guest_mounted(const wc_container *c, const char *guest)
{
    for (size_t i = 0; i < c->n_mounts; i++)
        if (strcmp(c->mounts[i].container_path, guest) == 0)
            return true;
    return false;
}

static int add_mount(worker_spec *s, const char *guest, const char *host, bool ro)
{
    worker_mount *m = &s->mounts[s->n_mounts];
    m->guest = strdup(guest);
    m->host = strdup(host);
    m->readonly = ro;
    s->n_mounts++;
    return m->guest && m->host ? 0 : -ENOMEM;
}

/* The pod's files every container sees, unless a CRI mount puts its own there, and the
 * runtime's file for the toolbox under /run/wasmcri. */
static int add_pod_files(worker_spec *s, const wc_container *c, const wc_pod *pod)
{
    static const char *const pod_files[][2] = {{"/etc/resolv.conf", "resolv.conf"},
                                               {"/etc/hostname", "hostname"}};
    char host[4096 + 80], dir[4096];
    wc_pod_dir(pod, dir, sizeof(dir));
    for (size_t i = 0; i < sizeof(pod_files) / sizeof(pod_files[0]); i++) {
        snprintf(host, sizeof(host), "%s/%s", dir, pod_files[i][1]);
        if (guest_mounted(c, pod_files[i][0]) || (!pod->files_ok && access(host, F_OK) < 0))
            continue;
        if (add_mount(s, pod_files[i][0], host, c->readonly_rootfs) < 0)
            return -ENOMEM;
    }
    /* what the toolbox's id and whoami read (ctr_user_file.c), read-only: the file this daemon
     * wrote, else the shared one or the container's own, whichever is there */
    if (guest_mounted(c, "/run/wasmcri/user"))
        return 0;
    int which = c->user_file;
    if (which != SB_USER_FILE_UNKNOWN)
        which = sb_ctr_user_path(c, pod, which == SB_USER_FILE_SHARED, host, sizeof(host));
    else if (sb_ctr_user_path(c, pod, true, host, sizeof(host)) < 0 || access(host, F_OK) < 0)
        which = sb_ctr_user_path(c, pod, false, host, sizeof(host)) < 0 || access(host, F_OK) < 0
                    ? -1
                    : SB_USER_FILE_OWN;
    return which < 0 ? 0 : add_mount(s, "/run/wasmcri/user", host, true) < 0 ? -ENOMEM : 0;
}

static int fill_mounts(worker_spec *s, const wc_container *c, const wc_pod *pod)
{
    s->mounts = calloc(c->n_mounts + 4, sizeof(*s->mounts)); /* "/", the CRI's, 2 pod files, user */
    if (s->mounts == NULL)
        return -ENOMEM;
    char rootfs[4096];
    TRY(add_mount(s, "/", wc_container_rootfs(c, rootfs, sizeof(rootfs)), c->readonly_rootfs));
    for (size_t i = 0; i < c->n_mounts; i++)
        TRY(add_mount(s, c->mounts[i].container_path, c->mounts[i].host_path,
                      c->mounts[i].readonly));
    return add_pod_files(s, c, pod);
}

/* The pod's TCP container ports, once each and at most MAX_LISTENERS, pre-opened for a container
 * start (listeners.h in wasm/zygote). */
#define MAX_LISTENERS 64
static int add_listeners(worker_spec *s, const wc_pod *pod)
{
    s->listeners = calloc(pod->n_port_mappings + 1, sizeof(*s->listeners));
    if (s->listeners == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < pod->n_port_mappings && s->n_listeners < MAX_LISTENERS; i++) {
        const wc_port_mapping *pm = &pod->port_mappings[i];
        bool seen =
            pm->protocol != WC_PROTO_TCP || pm->container_port <= 0 || pm->container_port > 65535;
        for (size_t k = 0; !seen && k < s->n_listeners; k++)
            seen = s->listeners[k].port == (uint32_t)pm->container_port;
        if (!seen)
            s->listeners[s->n_listeners++].port = (uint32_t)pm->container_port;
    }
    return 0;
}

static uint32_t memory_pages(int64_t limit)
{
    if (limit <= 0)
        return 0;
    int64_t pages = limit / WASM_PAGE;
    return pages < 1 ? 1 : pages > 65536 ? 65536 : (uint32_t)pages;
}

int cv_worker_spec(const wc_container *c, const wc_pod *pod, char *const *argv, const char *id,
                   const char *log_path, worker_spec **ret_spec, wc_error *err)
{
    worker_spec *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    s->id = strdup(id);
    s->module_name = strdup(argv ? argv[0] : c->argv[0]);
    s->module_key = strdup(c->module_key);
    s->argv = wc_strv_copy(argv ? argv : c->argv);
    s->env = wc_strv_copy(c->env);
    s->log_path = strdup(log_path);
    s->netns = strdup(pod->netns_path);
    s->cgroup_procs = calloc(1, sizeof(char *));
    s->max_memory_pages = memory_pages(c->res.memory_limit);
    wc_container_user(c, &s->user);
    s->layer_dir = strdup("");
    s->layer_lower = strdup("");
    s->pod = strdup(pod->id);
    s->name = strdup(c->name);
    s->container = strdup(c->id);
    int rc = s->id && s->module_name && s->module_key && s->argv && s->env && s->log_path &&
                     s->netns && s->cgroup_procs && s->layer_dir && s->layer_lower && s->pod &&
                     s->name && s->container
                 ? fill_mounts(s, c, pod)
                 : -ENOMEM;
    if (rc == 0 && argv == NULL) /* a start, not an ExecSync */
        rc = add_listeners(s, pod);
    if (rc < 0) {
        worker_spec_free(s);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    *ret_spec = s;
    return 0;
}

static size_t strv_bytes(char *const *v)
{
    size_t n = 0;
    for (size_t i = 0; v && v[i]; i++)
        n += strlen(v[i]) + 1;
    return n;
}

void cv_explain_spec_size(const worker_spec *s, wc_error *err)
{
    size_t mounts = 0;
    for (size_t i = 0; i < s->n_mounts; i++)
        mounts += strlen(s->mounts[i].guest) + strlen(s->mounts[i].host);
    wc_error_wrap(err,
                  "its argv (a container's: the image's Entrypoint and Cmd, or the config's "
                  "command and args; an exec's: its cmd) is %zu bytes, its env %zu bytes, its "
                  "mounts %zu bytes",
                  strv_bytes(s->argv), strv_bytes(s->env), mounts);
}
