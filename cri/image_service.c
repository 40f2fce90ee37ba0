/* ImageService handlers: the table of implemented rpcs. Pull, list, status and
 * remove come with the image store; ImageFsInfo reports what the state root uses.
 * To add an rpc: write `static int rpc_x(...)` and add a line to the table.
 */
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service.h"

static int nomem(wc_error *err)
{
    return wc_error_set(err, -ENOMEM, "out of memory");
}

/* nftw has no user pointer; the walk runs under this lock with these totals. */
static pthread_mutex_t walk_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t walk_bytes, walk_inodes;

static int count_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)path;
    (void)flag;
    (void)ftw;
    walk_bytes += (uint64_t)st->st_blocks * 512;
    walk_inodes++;
    return 0;
}

static int usage_of(const char *dir, uint64_t *ret_bytes, uint64_t *ret_inodes, wc_error *err)
{
    pthread_mutex_lock(&walk_lock);
    walk_bytes = walk_inodes = 0;
    int rc = nftw(dir, count_entry, 32, FTW_PHYS | FTW_MOUNT);
    *ret_bytes = walk_bytes;
    *ret_inodes = walk_inodes;
    pthread_mutex_unlock(&walk_lock);
    if (rc != 0)
        return wc_error_set_errno(err, -errno, "cannot measure %s", dir);
    return 0;
}

static Runtime__V1__FilesystemUsage *fs_usage(const char *mountpoint, uint64_t bytes,
                                              uint64_t inodes)
{
    Runtime__V1__FilesystemUsage *u = malloc(sizeof(*u));
    if (!u)
        return NULL;
    runtime__v1__filesystem_usage__init(u);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    u->timestamp = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    u->fs_id = malloc(sizeof(*u->fs_id));
    u->used_bytes = malloc(sizeof(*u->used_bytes));
    u->inodes_used = malloc(sizeof(*u->inodes_used));
    if (u->fs_id)
        runtime__v1__filesystem_identifier__init(u->fs_id);
    if (u->used_bytes)
        runtime__v1__uint64_value__init(u->used_bytes);
    if (u->inodes_used)
        runtime__v1__uint64_value__init(u->inodes_used);
    if (!u->fs_id || !u->used_bytes || !u->inodes_used ||
        !(u->fs_id->mountpoint = strdup(mountpoint))) {
        protobuf_c_message_free_unpacked(&u->base, NULL);
        return NULL;
    }
    u->used_bytes->value = bytes;
    u->inodes_used->value = inodes;
    return u;
}

static int rpc_image_fs_info(cri_call *call, const ProtobufCMessage *req,
                             ProtobufCMessage **ret_resp, wc_error *err)
{
    (void)req;
    const char *root = cri_call_daemon(call)->cfg->root_dir;
    uint64_t bytes, inodes;
    int rc = usage_of(root, &bytes, &inodes, err);
    if (rc < 0)
        return rc;
    Runtime__V1__ImageFsInfoResponse *r = malloc(sizeof(*r));
    if (!r)
        return nomem(err);
    runtime__v1__image_fs_info_response__init(r);
    *ret_resp = &r->base;
    r->image_filesystems = calloc(1, sizeof(*r->image_filesystems));
    if (!r->image_filesystems || !(r->image_filesystems[0] = fs_usage(root, bytes, inodes)))
        return nomem(err);
    r->n_image_filesystems = 1;
    return 0;
}

const cri_method cri_image_methods[] = {
    {"ImageFsInfo", rpc_image_fs_info, true},
    {NULL, NULL, false},
};
