/* NULL-terminated arrays of malloc'd strings (char **), as wc_image uses them. Free with
 * wc_strv_free (cleanup.h). wc_strv_push counts the array first: to build an array of a
 * length that comes from outside, size it once (as wc_strv_copy and wc_json_dup_strv do) or
 * append through a wc_strv_builder, so that the work stays linear in the input. */
#ifndef WASMCRI_COMMON_STRV_H
#define WASMCRI_COMMON_STRV_H

#include <stdbool.h>
#include <stddef.h>

size_t wc_strv_len(char *const *v);
bool wc_strv_contains(char *const *v, const char *s);
/* Appends a copy of s to *v (which may be NULL); -ENOMEM leaves *v as it was. */
int wc_strv_push(char ***v, const char *s);
/* Appends a copy of s unless it is already there. */
int wc_strv_push_unique(char ***v, const char *s);
/* Removes every element equal to s; returns how many. */
size_t wc_strv_remove(char **v, const char *s);
/* A deep copy (NULL → an empty array); NULL when out of memory. */
char **wc_strv_copy(char *const *v);

/* An array being appended to, in amortised constant time per string. */
typedef struct wc_strv_builder {
    char **v; /* NULL-terminated once anything was added */
    size_t len, cap;
} wc_strv_builder;

/* Appends a copy of s; -ENOMEM leaves b as it was. */
int wc_strv_builder_add(wc_strv_builder *b, const char *s);
/* Appends a copy of each string of v (NULL: none); -ENOMEM may leave some added. */
int wc_strv_builder_add_all(wc_strv_builder *b, char *const *v);
/* Hands over the array (an empty one when nothing was added; NULL when out of memory) and
 * resets b. */
char **wc_strv_builder_take(wc_strv_builder *b);
/* Frees what b holds; b can be used again. */
void wc_strv_builder_clear(wc_strv_builder *b);

#endif
