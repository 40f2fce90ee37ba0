/* The one set of jansson helpers: lenient readers that copy strings, string lists and
 * string maps out of parsed JSON (a missing or mistyped value reads as the default,
 * so a record written by an older wasmcri still loads), and writers that report
 * -ENOMEM instead of dropping a value; and the strict type check for what a person
 * or an image's author wrote (the configuration file, an image config), whose message
 * names the value, what it is and what it should be.
 * Maps are NULL-terminated char ** of alternating key, value.
 */
#ifndef WASMCRI_COMMON_JSON_UTIL_H
#define WASMCRI_COMMON_JSON_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* Setters: o borrowed, value copied. Return 0 or -ENOMEM. */
int wc_json_set_new(json_t *o, const char *key, json_t *v);         /* takes v; NULL v is -ENOMEM */
int wc_json_set_str(json_t *o, const char *key, const char *value); /* NULL stored as "" */
int wc_json_set_int(json_t *o, const char *key, int64_t value);
int wc_json_set_bool(json_t *o, const char *key, bool value);
int wc_json_set_strv(json_t *o, const char *key, char *const *v); /* NULL stored as [] */

/* A copy of o[key] if it is a string, else of def (NULL def → NULL). */
char *wc_json_dup_str(const json_t *o, const char *key, const char *def);
/* A NULL-terminated copy of the strings of the array o[key] (others skipped; empty
 * when absent). NULL only on ENOMEM. */
char **wc_json_dup_strv(const json_t *o, const char *key);
/* The string pairs of the object o[key] as key, value, key, value, ... (NULL on ENOMEM). */
char **wc_json_dup_map(const json_t *o, const char *key);

/* o[key] as an integer, or def when it is missing or not an integer. */
int64_t wc_json_int(const json_t *o, const char *key, int64_t def);
bool wc_json_bool(const json_t *o, const char *key); /* true only for JSON true */

typedef enum wc_json_type {
    WC_JSON_OBJECT,
    WC_JSON_ARRAY,
    WC_JSON_STRING,
    WC_JSON_STRINGS, /* an array of strings */
    WC_JSON_BOOL,
    WC_JSON_INTEGER,
} wc_json_type;

/* What v is, for a message: "an object", "a string", "a number", ... "null". */
const char *wc_json_type_name(const json_t *v);
/* v (not NULL) is of type want, else -EINVAL "<path> is a number, not a string" (for
 * WC_JSON_STRINGS also "<path>[2] is ..."); the caller wraps it with what it read. */
int wc_json_check_type(const json_t *v, wc_json_type want, const char *path, wc_error *err);

#endif
