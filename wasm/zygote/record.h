/* What the sandbox's records (pods, containers, worker specs) share beyond their
 * field tables (common/record_table.h): the user a worker runs as and its codec, resource
 * limits, ids, timestamps and label selectors. Maps (labels, annotations) are NULL-terminated
 * char ** of alternating key, value, the same shape as wc_image's annotations.
 */
#ifndef WASMCRI_SANDBOX_RECORD_H
#define WASMCRI_SANDBOX_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "record_table.h"

/* Who a container's worker is, for file access: decided at CreateContainer
 * (container_view.h), applied by the worker (worker.c). */
#define WC_MAX_GROUPS 32
/* CPU and memory limits as the CRI's LinuxContainerResources gives them (a container's, or a
 * pod's total and overhead). */
typedef struct wc_resources {
    int64_t cpu_period, cpu_quota, cpu_shares, memory_limit; /* 0: unset */
} wc_resources;

typedef struct wc_user {
    uint32_t uid, gid;
    uint32_t n_groups;
    uint32_t groups[WC_MAX_GROUPS]; /* supplementary */
} wc_user;

/* A wc_user field of a record table, as {"uid", "gid", "groups": [...]}; a missing
 * or bad value reads as root. */
extern const wc_field_codec wc_user_codec;

/* Parses a stored record of d named what ("pod", "container") and keyed by its "id":
 * -EINVAL when the text is not a JSON object with a 64-digit id, -ENOMEM. */
int rec_decode(const wc_record_desc *d, const char *what, const char *json, size_t len,
               void **ret_rec, wc_error *err);

/* A record's directory, <parent>/<id>, made into buf (n bytes; cut short when it does not
 * fit), or "" when parent is "". Pods and containers keep the parent alone (interned), not
 * ~100 bytes of path each (issue 18). */
const char *rec_dir(const char *parent, const char *id, char *buf, size_t n);
/* Cuts "/<id>" off the whole directory that decoding a record put in parent; another value
 * (only a record written by hand has one) reads as "". */
void rec_dir_to_parent(char *parent, const char *id);

/* A 64-hex-digit random id into out. -EIO if the kernel gives no randomness. */
int rec_new_id(char out[WC_ID_SIZE]);

/* Wall-clock time in nanoseconds since the epoch. */
int64_t rec_now_ns(void);

/* True when every key,value pair of selector is in map (both alternating k,v lists). */
bool rec_map_matches(char *const *map, char *const *selector);

#endif
