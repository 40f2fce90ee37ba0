/* Pod and container records and worker specs: the JSON codecs round-trip every
 * field, a damaged record is refused, ids are 64 hex digits, label selectors match, an
 * overlay container's rootfs is stored whole but not kept in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "container.h"
#include "pod.h"
#include "record.h"
#include "strv.h"
#include "worker.h"

static void test_pod_round_trip(void)
{
    char *labels[] = {"app", "web", "tier", "front", NULL};
    char *servers[] = {"10.0.0.10", NULL};
    wc_port_mapping ports[] = {{WC_PROTO_UDP, 53, 5353, "127.0.0.1"}};
    wc_pod_spec spec = {.name = "web",
                        .port_mappings = ports,
                        .n_port_mappings = 1,
                        .uid = "u1",
                        .namespace_ = "ns",
                        .attempt = 3,
                        .labels = labels,
                        .hostname = "h",
                        .log_directory = "/var/log/pods/x",
                        .dns_servers = servers,
                        .net_mode = WC_NS_NODE,
                        .pid_mode = WC_NS_CONTAINER};
    wc_pod *p = NULL;
    wc_error err = {0};
    CHECK(wc_pod_from_spec(&spec, &p, &err) == 0);
    if (p == NULL)
        return;
    CHECK(strlen(p->id) == 64 && strspn(p->id, "0123456789abcdef") == 64);
    CHECK(p->created_at > 0 && p->state == WC_POD_READY);
    char dir[200], buf[4096], key[300]; /* its dir: the record keeps the parent (issue 18) */
    CHECK_STR(wc_pod_dir(p, buf, sizeof(buf)), "");
    snprintf(dir, sizeof(dir), "/run/wasmcri/pods/%s", p->id);
    CHECK(wc_record_set_str(&p->dir_parent, "/run/wasmcri/pods") == 0);
    CHECK_STR(wc_pod_dir(p, buf, sizeof(buf)), dir);
    char *text = wc_pod_encode(p);
    snprintf(key, sizeof(key), "\"dir\":\"%s\"", dir);
    CHECK(text && strstr(text, key) != NULL);
    wc_pod *q = NULL;
    CHECK(text && wc_pod_decode(text, strlen(text), &q, &err) == 0);
    if (q) {
        CHECK_STR(q->dir_parent, "/run/wasmcri/pods");
        char *again = wc_pod_encode(q);
        CHECK(again && strcmp(text, again) == 0);
        CHECK(strcmp(q->labels[3], "front") == 0 && q->labels[4] == NULL);
        CHECK(q->attempt == 3 && q->net_mode == WC_NS_NODE && q->pid_mode == WC_NS_CONTAINER);
        CHECK(q->n_port_mappings == 1 && q->port_mappings[0].protocol == WC_PROTO_UDP &&
              q->port_mappings[0].container_port == 53 && q->port_mappings[0].host_port == 5353 &&
              strcmp(q->port_mappings[0].host_ip, "127.0.0.1") == 0);
        free(again);
    }
    wc_pod *copy = wc_pod_copy(p);
    char *copied = copy ? wc_pod_encode(copy) : NULL;
    CHECK_STR(copied, text);
    free(copied);
    wc_pod_free(copy);
    wc_pod *packed = wc_pod_pack(p); /* as published: one block */
    char *packed_text = packed ? wc_pod_encode(packed) : NULL;
    CHECK_STR(packed_text, text);
    CHECK(packed && strcmp(wc_pod_dir(packed, buf, sizeof(buf)), dir) == 0);
    char *ips[] = {"10.1.0.5", NULL};
    if (packed) /* what changes once it is published: its network */
        CHECK(wc_record_set_str(&packed->cni_state, "{}") == 0 &&
              wc_record_set_strv(&packed->ips, ips) == 0 &&
              strcmp(packed->labels[3], "front") == 0);
    free(packed_text);
    free(text);
    wc_pod_free(packed ? packed : p);
    wc_pod_free(q);
}

static void test_bad_records(void)
{
    wc_pod *p = NULL;
    wc_error err = {0};
    CHECK(wc_pod_decode("[1]", 3, &p, &err) == -EINVAL && p == NULL);
    CHECK(wc_pod_decode("{\"id\":\"abc\"}", 12, &p, &err) == -EINVAL && p == NULL);
    CHECK(wc_pod_decode("{", 1, &p, &err) == -EINVAL && p == NULL);
    wc_pod_spec nameless = {0};
    CHECK(wc_pod_from_spec(&nameless, &p, &err) == -EINVAL && p == NULL);
}

static void test_selector(void)
{
    char *map[] = {"a", "1", "b", "2", NULL};
    char *yes[] = {"b", "2", NULL};
    char *no[] = {"a", "2", NULL};
    char *missing[] = {"c", "1", NULL};
    CHECK(rec_map_matches(map, NULL));
    CHECK(rec_map_matches(map, yes));
    CHECK(!rec_map_matches(map, no));
    CHECK(!rec_map_matches(map, missing));
}

static void test_container_round_trip(void)
{
    wc_container *c = wc_container_new();
    CHECK(c != NULL);
    if (c == NULL)
        return;
    CHECK(strlen(c->id) == 64 && c->state == WC_CTR_CREATED);
    wc_container_set(&c->name, "web");
    wc_container_set(&c->held, "sha256:abc");
    wc_strv_push(&c->argv, "/app.wasm");
    wc_strv_push(&c->argv, "x y");
    wc_strv_push(&c->env, "A=1");
    free(c->mounts);
    c->mounts = calloc(1, sizeof(wc_mount));
    c->mounts[0] = (wc_mount){strdup("/data"),     strdup("/srv/data"), true,           true,
                              strdup("sha256:ab"), strdup("bin"),       strdup("chain")};
    c->n_mounts = 1;
    c->res.memory_limit = 1 << 20;
    c->state = WC_CTR_EXITED;
    c->exit_code = -3;
    c->starting = true; /* runtime only: not stored */
    char *text = wc_container_encode(c);
    wc_container *d = NULL;
    wc_error err = {0};
    CHECK(text && wc_container_decode(text, strlen(text), &d, &err) == 0);
    if (d) {
        char *again = wc_container_encode(d);
        CHECK(again && strcmp(text, again) == 0);
        CHECK(strcmp(d->argv[1], "x y") == 0 && d->n_mounts == 1 && d->mounts[0].readonly &&
              d->mounts[0].recursive_read_only && strcmp(d->mounts[0].image_sub_path, "bin") == 0);
        CHECK(d->exit_code == -3 && d->state == WC_CTR_EXITED && !d->starting);
        CHECK(strcmp(d->held, "sha256:abc") == 0 && d->res.memory_limit == 1 << 20);
        free(again);
    }
    CHECK(wc_container_decode("{\"id\":1}", 8, &d, &err) == -EINVAL);
    CHECK(strstr(err.msg, "container record without a 64-digit id") != NULL);
    CHECK(wc_container_decode("[1]", 3, &d, &err) == -EINVAL);
    CHECK(strstr(err.msg, "container record is not a JSON object") != NULL);
    wc_container *copy = wc_container_copy(c); /* field by field: no JSON round-trip */
    char *copied = copy ? wc_container_encode(copy) : NULL;
    CHECK_STR(copied, text);
    CHECK(copy && copy->mounts != c->mounts && copy->mounts[0].host_path != c->mounts[0].host_path);
    CHECK(copy && !copy->starting);
    free(copied);
    wc_container_free(copy);
    wc_container *packed = wc_container_pack(c); /* as published: one block */
    char *packed_text = packed ? wc_container_encode(packed) : NULL;
    CHECK_STR(packed_text, text);
    if (packed) /* what changes once it is published */
        CHECK(wc_container_set(&packed->reason, "Error") == 0 &&
              wc_container_set(&packed->message, "trap") == 0 &&
              wc_container_set(&packed->cgroup, "wasmcri/x") == 0 &&
              wc_container_set_shared(packed, &packed->module_key, "sha256:cd") == 0 &&
              strcmp(packed->argv[1], "x y") == 0 &&
              strcmp(packed->mounts[0].image_key, "chain") == 0);
    free(packed_text);
    free(text);
    wc_container_free(packed ? packed : c);
    wc_container_free(d);
}

/* An overlay's rootfs (<dir>/rootfs) is derived: its record keeps "", its JSON has the path as
 * records always had, decoding such JSON (or an older daemon's) keeps "" again, and copies
 * and packed records give the same path. Another container's rootfs is kept as it is. The
 * container's dir is derived too: the record keeps its parent, its JSON the whole path. The path
 * that does not fit a buffer is an error (CreateContainer's check, cv_rootfs), not a cut path. */
static void test_overlay_rootfs(void)
{
    wc_container *c = wc_container_new();
    CHECK(c != NULL);
    if (c == NULL)
        return;
    char want[200], buf[4096];
    snprintf(want, sizeof(want), "/var/lib/wasmcri/containers/%s/rootfs", c->id);
    wc_container_set(&c->dir_parent, "/var/lib/wasmcri/containers");
    c->overlay = true;
    CHECK_STR(wc_container_rootfs(c, buf, sizeof(buf)), want);
    wc_error err = {0};
    CHECK_EQ_INT(wc_container_overlay_rootfs(c, buf, strlen(want), &err), -ENAMETOOLONG);
    CHECK_EQ_INT(wc_container_overlay_rootfs(c, buf, strlen(want) + 1, &err), 0);
    CHECK_STR(buf, want);
    char *text = wc_container_encode(c);
    char key[300];
    snprintf(key, sizeof(key), "\"rootfs\":\"%s\"", want);
    CHECK(text && strstr(text, key) != NULL);
    want[strlen(want) - strlen("/rootfs")] = '\0'; /* its dir */
    CHECK_STR(wc_container_dir(c, buf, sizeof(buf)), want);
    snprintf(key, sizeof(key), "\"dir\":\"%s\"", want);
    CHECK(text && strstr(text, key) != NULL);
    strcat(want, "/rootfs");
    wc_container *d = NULL;
    CHECK(text && wc_container_decode(text, strlen(text), &d, &err) == 0);
    if (d) {
        CHECK_STR(d->rootfs, "");
        CHECK_STR(d->dir_parent, "/var/lib/wasmcri/containers");
        CHECK_STR(wc_container_rootfs(d, buf, sizeof(buf)), want);
        wc_container *copy = wc_container_copy(d);
        d = wc_container_pack(d);
        CHECK(copy && d);
        if (copy && d) {
            CHECK_STR(wc_container_rootfs(copy, buf, sizeof(buf)), want);
            CHECK_STR(wc_container_rootfs(d, buf, sizeof(buf)), want);
            char *again = wc_container_encode(d);
            CHECK_STR(again, text);
            free(again);
        }
        wc_container_free(copy);
    }
    c->overlay = false; /* a read-only rootfs: the image's snapshot, kept */
    wc_container_set(&c->rootfs, "/var/lib/wasmcri/snapshots/sha256/ab");
    CHECK_STR(wc_container_rootfs(c, buf, sizeof(buf)), "/var/lib/wasmcri/snapshots/sha256/ab");
    free(text);
    wc_container_free(c);
    wc_container_free(d);
}

static void test_worker_spec_round_trip(void)
{
    char *argv[] = {"/a.wasm", "b", NULL};
    char *env[] = {"K=V", NULL};
    char *procs[] = {"/sys/fs/cgroup/memory/wasmcri/x/cgroup.procs", NULL};
    worker_mount m[] = {{"/", "/root", false}, {"/etc/hosts", "/h", true}};
    worker_spec s = {.id = "id",
                     .module_name = "/a.wasm",
                     .module_key = "k",
                     .argv = argv,
                     .env = env,
                     .mounts = m,
                     .n_mounts = 2,
                     .log_path = "/l",
                     .netns = "",
                     .cgroup_procs = procs,
                     .max_memory_pages = 7};
    json_t *o = worker_spec_encode(&s);
    worker_spec *d = NULL;
    wc_error err = {0};
    CHECK(o && worker_spec_decode(o, &d, &err) == 0);
    if (d) {
        CHECK(strcmp(d->argv[1], "b") == 0 && d->argv[2] == NULL);
        CHECK(d->n_mounts == 2 && d->mounts[1].readonly &&
              strcmp(d->mounts[1].guest, "/etc/hosts") == 0);
        CHECK(d->max_memory_pages == 7 && strcmp(d->cgroup_procs[0], procs[0]) == 0);
    }
    json_t *bad = json_integer(3);
    worker_spec *none = NULL;
    CHECK(worker_spec_decode(bad, &none, &err) == -EINVAL && none == NULL);
    json_decref(bad);
    json_decref(o);
    worker_spec_free(d);
}

/* A container's user keeps its groups as one interned string (issue 18: 32 slots were 128
 * bytes of every container): 32 groups read back the same after an encode and decode, a copy
 * and packing; containers with the same groups share one copy; none is NULL and stored as []. */
static void test_container_user(void)
{
    wc_user u = {.uid = 1000, .gid = 1001, .n_groups = WC_MAX_GROUPS}, got;
    for (uint32_t i = 0; i < WC_MAX_GROUPS; i++)
        u.groups[i] = 4294967294u - i;
    wc_container *c = wc_container_new(), *d = NULL, *none = wc_container_new();
    CHECK(c && none && wc_container_set_user(c, &u) == 0);
    if (c == NULL || none == NULL)
        return;
    wc_container_user(c, &got);
    CHECK(memcmp(&got, &u, sizeof(u)) == 0);
    char *text = wc_container_encode(c);
    wc_error err = {0};
    CHECK(text && strstr(text, "\"groups\":[4294967294,4294967293,") != NULL);
    CHECK(text && wc_container_decode(text, strlen(text), &d, &err) == 0);
    wc_container *copy = wc_container_copy(c);
    c = wc_container_pack(c);
    CHECK(c && d && copy && d->user.groups == c->user.groups &&
          copy->user.groups == c->user.groups);
    if (c && d && copy) {
        wc_container_user(d, &got);
        CHECK(memcmp(&got, &u, sizeof(u)) == 0);
        wc_container_user(c, &got);
        CHECK(memcmp(&got, &u, sizeof(u)) == 0);
        char *again = wc_container_encode(c);
        CHECK_STR(again, text);
        free(again);
        u.n_groups = 1; /* set again once packed */
        CHECK(wc_container_set_user(copy, &u) == 0 && copy->user.groups != c->user.groups);
        wc_container_user(copy, &got);
        CHECK(got.n_groups == 1 && got.groups[0] == 4294967294u);
    }
    wc_container_user(none, &got);
    CHECK(none->user.groups == NULL && got.n_groups == 0);
    char *empty = wc_container_encode(none);
    CHECK(empty && strstr(empty, "\"groups\":[]") != NULL);
    free(empty);
    free(text);
    wc_container_free(c);
    wc_container_free(d);
    wc_container_free(copy);
    wc_container_free(none);
}

int main(void)
{
    test_container_round_trip();
    test_overlay_rootfs();
    test_container_user();
    test_worker_spec_round_trip();
    test_pod_round_trip();
    test_bad_records();
    test_selector();
    return CHECK_DONE();
}
