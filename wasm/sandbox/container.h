/* A container record: what CreateContainer was asked, what wasmcri decided from
 * it and the image (argv, env, working dir, the module to run, the rootfs), and
 * the container's state. Stored as JSON under "ctr/<id>" (container.c is the
 * codec). Maps are alternating key, value lists; strings are never NULL.
 */
#ifndef WASMCRI_SANDBOX_CONTAINER_H
#define WASMCRI_SANDBOX_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "record.h"
#include "usage.h"

typedef enum wc_ctr_state { /* numbered as the CRI's ContainerState */
                            WC_CTR_CREATED = 0,
                            WC_CTR_RUNNING = 1,
                            WC_CTR_EXITED = 2,
                            WC_CTR_UNKNOWN = 3,
} wc_ctr_state;

typedef struct wc_mount {
    char *container_path, *host_path;
    bool readonly;
    bool recursive_read_only; /* asked for by kubelet (readonly too): submounts read-only */
    /* An image volume (image_volumes.c): the image as asked for and the path inside it;
     * host_path is then what the store keeps of it, held (image_key) until removal. */
    char *image, *image_sub_path, *image_key;
} wc_mount;

/* What CreateContainer asks for (all borrowed). */
typedef struct wc_container_spec {
    const char *pod_id, *name;
    uint32_t attempt;
    char *const *labels, *const *annotations;
    const char *image;
    char *const *command, *const *args; /* NULL-terminated; empty: take the image's */
    const char *working_dir;
    const char *stop_signal; /* a name (stop_signal.h), or NULL/"": the image's, else SIGTERM */
    char *const *env;        /* "KEY=VALUE" */
    const wc_mount *mounts;
    size_t n_mounts;
    const char *log_path; /* relative to the pod's log directory */
    bool readonly_rootfs;
    bool stdin, stdin_once, tty; /* a stdin pipe kept for attach (stdin_pipe.c); a terminal */
    /* security_context's user: ids -1 when not given; the image's User otherwise */
    int64_t run_as_uid, run_as_gid;
    const char *run_as_username; /* "" when not given */
    const int64_t *groups;       /* supplemental_groups */
    size_t n_groups;
    wc_resources res;
} wc_container_spec;

/* A container's user as its record keeps it (ctr_user.c): groups are the supplementary group
 * ids in decimal, space-separated, interned (common/intern.h), NULL when there are none. Read
 * it as a wc_user with wc_container_user. */
typedef struct wc_ctr_user {
    uint32_t uid, gid;
    char *groups;
} wc_ctr_user;

typedef struct wc_container {
    /* (ids, then the flags and 32-bit members, then the 8-byte ones: no padding holes but the
     * 4 bytes before user) */
    char id[WC_ID_SIZE];
    char pod_id[WC_ID_SIZE];
    bool readonly_rootfs;
    bool stdin;      /* the guest's stdin is a pipe the zygote keeps open for attach sessions */
    bool stdin_once; /* the first attach session that closes stdin closes it for good */
    bool tty;        /* the guest's stdio is a terminal: one output (stdout), a size it can read */
    bool overlay;    /* rootfs is an overlay mount owned by this container */
    bool starting;   /* runtime only, not stored: a start request is with the zygote */
    bool stopped;    /* runtime only: StopContainer came before any start, so none may follow */
    bool
        worker_created; /* runtime only: the zygote made its worker at create (container_start.c) */
    /* runtime only: removed while list walks were under way, kept until they end (record_walk.c) */
    bool buried;
    uint8_t user_file; /* runtime only: the user file this daemon wrote for it (ctr_user_file.h) */
    uint32_t attempt;
    wc_ctr_state state;
    int32_t exit_code;
    int pid;
    wc_ctr_user user; /* the worker's uid, gid and groups for file access */
    char *name;
    char **labels, **annotations;
    char *image, *image_ref; /* as requested; the image id */
    char *log_path;          /* absolute, or "" */
    char **argv, **env;
    char *working_dir;
    char *stop_signal; /* the signal a graceful stop uses ("SIGTERM"; stop_signal.h) */
    wc_mount *mounts;  /* the CRI mounts, host paths resolved */
    size_t n_mounts;
    wc_resources res;
    /* <root>/containers, interned: its directory (upper/, work/, rootfs/) is <dir_parent>/<id>
     * (wc_container_dir), not kept whole (~100 bytes a container: issue 18) */
    char *dir_parent;
    char *rootfs; /* the host directory seen as "/": wc_container_rootfs ("" for an overlay's) */
    char *module_path; /* the host file of the module */
    char *module_key;  /* the zygote's cache key for it */
    char *held;        /* the snapshot or module blob held in the store for it, or "" */
    char *cgroup;      /* its own cgroup (cgroups.h), made at start; "" if none */
    int64_t created_at, started_at, finished_at;
    char *reason, *message;
    wc_usage usage; /* runtime only: the stats sampler's last sample (stats_sampler.c) */
    struct wc_container *buried_next;
    size_t packed; /* runtime only: the length of its block once packed (wc_container_pack) */
} wc_container;

/* An empty record (every string "", every list empty) with a fresh id; NULL on ENOMEM. */
wc_container *wc_container_new(void);

char *wc_container_encode(const wc_container *c); /* NULL on ENOMEM */
int wc_container_decode(const char *json, size_t len, wc_container **ret_ctr, wc_error *err);
wc_container *wc_container_copy(const wc_container *c); /* NULL on ENOMEM */
/* The record in one allocation (record_table.h: wc_record_pack), as it is published: c is
 * freed, or on ENOMEM NULL and c unchanged. The strings all the containers of an image hold
 * alike (image, image_ref, working_dir, stop_signal, module_path, module_key, held, dir_parent,
 * and the items of argv and env) are interned (common/intern.h). Afterwards only cgroup, reason and
 * message may be set again with wc_container_set, and module_key with wc_container_set_shared; the
 * copy of a packed record is not packed. */
wc_container *wc_container_pack(wc_container *c);
/* Replaces one of c's shared strings (above), packed or not; -ENOMEM leaves it unchanged. */
int wc_container_set_shared(wc_container *c, char **field, const char *value);

/* c's directory, <dir_parent>/<id>, made into buf (n bytes; cut short when it does not fit), or
 * "" when it has none (a record made before it was set). Its stored JSON has the whole path
 * as "dir", as before. */
const char *wc_container_dir(const wc_container *c, char *buf, size_t n);

/* The host directory c's guest sees as "/": an overlay's is <dir>/rootfs, made into buf (n
 * bytes) and not kept in the record (100 bytes a container at 10,000: issue 18), though
 * its stored JSON has it as before; another's is c->rootfs. */
const char *wc_container_rootfs(const wc_container *c, char *buf, size_t n);
/* An overlay's rootfs, <dir_parent>/<id>/rootfs, made into buf (n bytes): 0, or -ENAMETOOLONG
 * (wc_path) when it does not fit. */
int wc_container_overlay_rootfs(const wc_container *c, char *buf, size_t n, wc_error *err);

/* c's user with its groups (none beyond WC_MAX_GROUPS). */
void wc_container_user(const wc_container *c, wc_user *ret_user);
/* Sets c's user, packed or not; -ENOMEM leaves it unchanged. */
int wc_container_set_user(wc_container *c, const wc_user *u);
/* The codec of a wc_ctr_user field: stored as a wc_user is (record.h: wc_user_codec). */
extern const wc_field_codec wc_ctr_user_codec;

/* Replaces a string field (frees the old value); -ENOMEM leaves it unchanged. */
int wc_container_set(char **field, const char *value);

void wc_container_free(wc_container *c);   /* NULL is fine */
void wc_container_freep(wc_container **c); /* for _cleanup_ */
void wc_container_list_free(wc_container **ctrs, size_t n);

#endif
