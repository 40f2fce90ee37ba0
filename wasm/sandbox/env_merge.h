/* The container's environment (env_merge.c): the image's Env with the container's own
 * variables laid over it. */
#ifndef WASMCRI_SANDBOX_ENV_MERGE_H
#define WASMCRI_SANDBOX_ENV_MERGE_H

/* A new NULL-terminated copy of base ("NAME=value" strings) with each override applied in
 * order: one whose NAME is already there replaces that entry in place (the first, if base
 * repeats a name), the others are appended. Linear in both lists, however long they are.
 * Both borrowed; NULL on ENOMEM. */
char **wc_env_merge(char *const *base, char *const *overrides);

#endif
