/* Who a container runs as (cv_user in container_view.h), by the CRI's rules as
 * containerd applies them: security_context's run_as_user (or run_as_username),
 * else the image config's User ("uid", "name", "uid:gid", "name:group"); a name is
 * looked up in the image's /etc/passwd (a group name in /etc/group), and a user
 * without a group takes the one /etc/passwd gives it, else 0; run_as_group
 * replaces the group; supplemental_groups are added. Nothing else of the image's
 * /etc is read, and nothing is read outside the snapshot (cv_open_in_root).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container_view.h"

#define MAX_ID 4294967294LL /* (uid_t)-1 means "unchanged" to the kernel */

/* The image's etc/<name>, opened inside root; NULL if there is none. */
static FILE *open_etc(const char *root, const char *name)
{
    char rel[64];
    int fd = -1;
    snprintf(rel, sizeof(rel), "etc/%s", name);
    if (*root == '\0' || cv_open_in_root(root, rel, &fd, NULL) < 0)
        return NULL;
    FILE *f = fdopen(fd, "re");
    if (f == NULL)
        close(fd);
    return f;
}

/* A line of passwd or group whose name (or, with name NULL, whose id field 2) matches:
 * the numbers in fields 2 and 3. */
static bool etc_lookup(const char *root, const char *file, const char *name, int64_t id,
                       int64_t *ret_id, int64_t *ret_gid)
{
    FILE *f = open_etc(root, file);
    char line[1024];
    bool found = false;
    while (f && !found && fgets(line, sizeof(line), f)) {
        char *fields[4] = {0};
        char *p = line;
        for (int i = 0; i < 4; i++) /* name:password:id:gid (group: name:password:gid:) */
            fields[i] = strsep(&p, ":\n");
        if (!fields[0] || !fields[2] || !*fields[2])
            continue;
        int64_t v = strtoll(fields[2], NULL, 10);
        if (name ? strcmp(fields[0], name) == 0 : v == id) {
            *ret_id = v;
            *ret_gid = fields[3] && *fields[3] ? strtoll(fields[3], NULL, 10) : -1;
            found = true;
        }
    }
    if (f)
        fclose(f);
    return found;
}

static bool numeric(const char *s)
{
    return *s && strspn(s, "0123456789") == strlen(s) && strlen(s) <= 10;
}

/* user ("1000" or "app") → uid, and the group /etc/passwd gives (-1: none). */
static int resolve_user(const char *root, const char *user, const char *image, int64_t *ret_uid,
                        int64_t *ret_gid, wc_error *err)
{
    int64_t uid = -1, gid = -1;
    if (numeric(user)) {
        uid = strtoll(user, NULL, 10);
        int64_t same;
        if (!etc_lookup(root, "passwd", NULL, uid, &same, &gid))
            gid = -1;
    } else if (!etc_lookup(root, "passwd", user, -1, &uid, &gid)) {
        return wc_error_set(err, -ENOEXEC, "image %s: no user \"%s\" in its /etc/passwd", image,
                            user);
    }
    *ret_uid = uid;
    *ret_gid = gid;
    return 0;
}

static int resolve_group(const char *root, const char *group, const char *image, int64_t *ret_gid,
                         wc_error *err)
{
    int64_t unused;
    if (numeric(group))
        *ret_gid = strtoll(group, NULL, 10);
    else if (!etc_lookup(root, "group", group, -1, ret_gid, &unused))
        return wc_error_set(err, -ENOEXEC, "image %s: no group \"%s\" in its /etc/group", image,
                            group);
    return 0;
}

/* The image's User as the config wrote it (older records: uid or username). */
static const char *image_user(const wc_image *img, char *buf, size_t n)
{
    if (*img->user)
        return img->user;
    if (img->uid >= 0)
        snprintf(buf, n, "%lld", (long long)img->uid);
    else
        snprintf(buf, n, "%s", img->username);
    return buf;
}

int cv_user(wc_store *store, wc_container *c, const wc_container_spec *s, const wc_image *img,
            wc_error *err)
{
    char root[4096] = "", buf[256];
    if (img->shape == WC_SHAPE_ROOTFS && *img->chain_id)
        wc_store_snapshot_path(store, img->chain_id, root, sizeof(root));
    int64_t uid = 0, gid = -1;
    int rc = 0;
    if (s->run_as_uid >= 0) {
        uid = s->run_as_uid;
        int64_t same;
        if (!etc_lookup(root, "passwd", NULL, uid, &same, &gid))
            gid = -1;
    } else if (*s->run_as_username) {
        rc = resolve_user(root, s->run_as_username, c->image, &uid, &gid, err);
    } else {
        char *user = strdup(image_user(img, buf, sizeof(buf)));
        char *group = user ? strchr(user, ':') : NULL;
        if (group)
            *group++ = '\0';
        if (user == NULL)
            rc = wc_error_set(err, -ENOMEM, "out of memory");
        else if (*user)
            rc = resolve_user(root, user, c->image, &uid, &gid, err);
        if (rc == 0 && group && *group)
            rc = resolve_group(root, group, c->image, &gid, err);
        free(user);
    }
    if (rc < 0)
        return rc;
    if (s->run_as_gid >= 0)
        gid = s->run_as_gid;
    if (gid < 0)
        gid = 0;
    if (uid > MAX_ID || gid > MAX_ID)
        return wc_error_set(err, -EINVAL, "run as %lld:%lld: not a valid uid:gid", (long long)uid,
                            (long long)gid);
    if (s->n_groups > WC_MAX_GROUPS)
        return wc_error_set(err, -EINVAL, "%zu supplemental groups: at most %d", s->n_groups,
                            WC_MAX_GROUPS);
    wc_user u = {.uid = (uint32_t)uid, .gid = (uint32_t)gid};
    for (size_t i = 0; i < s->n_groups; i++) {
        if (s->groups[i] < 0 || s->groups[i] > MAX_ID)
            return wc_error_set(err, -EINVAL, "supplemental group %lld is not a valid gid",
                                (long long)s->groups[i]);
        u.groups[u.n_groups++] = (uint32_t)s->groups[i];
    }
    return wc_container_set_user(c, &u) < 0 ? wc_error_set(err, -ENOMEM, "out of memory") : 0;
}
