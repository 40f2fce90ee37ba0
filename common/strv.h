/* NULL-terminated arrays of malloc'd strings (char **), as wc_image uses them. Free with
 * wc_strv_free (cleanup.h). */
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

#endif
