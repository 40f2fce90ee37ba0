/* JSON codec helpers for the sandbox's records (pods, containers): each record is
 * one JSON object, stored as the value of a LevelDB key ("pod/<id>", "ctr/<id>").
 *
 * Readers are lenient (a missing key reads as "", 0, false or an empty array), so
 * a record written by an older wasmcri still loads; writers return -ENOMEM only.
 * Maps (labels, annotations) are NULL-terminated char ** of alternating key, value,
 * the same shape as wc_image's annotations.
 */
#ifndef WASMCRI_SANDBOX_RECORD_H
#define WASMCRI_SANDBOX_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Setters: o borrowed, value copied. Return 0 or -ENOMEM. */
int rec_set_str(json_t *o, const char *key, const char *value); /* NULL stored as "" */
int rec_set_int(json_t *o, const char *key, int64_t value);
int rec_set_bool(json_t *o, const char *key, bool value);
int rec_set_strv(json_t *o, const char *key, char *const *v); /* NULL stored as [] */

/* Getters. rec_dup_str/rec_dup_strv return malloc'd copies (never NULL unless ENOMEM). */
char *rec_dup_str(const json_t *o, const char *key);
char **rec_dup_strv(const json_t *o, const char *key);
int64_t rec_int(const json_t *o, const char *key);
bool rec_bool(const json_t *o, const char *key);

/* Who a container's worker is, for file access: decided at CreateContainer
 * (container_view.h), applied by the worker (worker.c). */
#define WC_MAX_GROUPS 32
typedef struct wc_user {
    uint32_t uid, gid;
    uint32_t n_groups;
    uint32_t groups[WC_MAX_GROUPS]; /* supplementary */
} wc_user;

/* As {"uid", "gid", "groups": [...]}; a missing or bad value reads as root. */
int rec_set_user(json_t *o, const char *key, const wc_user *u);
void rec_user(const json_t *o, const char *key, wc_user *u);

/* A 64-hex-digit random id into out (65 bytes). -EIO if the kernel gives no randomness. */
int rec_new_id(char out[65]);

/* Wall-clock time in nanoseconds since the epoch. */
int64_t rec_now_ns(void);

/* True when every key,value pair of selector is in map (both alternating k,v lists). */
bool rec_map_matches(char *const *map, char *const *selector);

#endif
