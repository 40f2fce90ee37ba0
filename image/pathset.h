/* A growable hash set of strings (the paths one layer has created so far). */
#ifndef WASMCRI_IMAGE_PATHSET_H
#define WASMCRI_IMAGE_PATHSET_H

#include <stdbool.h>
#include <stddef.h>

typedef struct pathset {
    char **slots;
    size_t cap, len;
} pathset;

/* Adds a copy of s; -ENOMEM. */
int pathset_add(pathset *set, const char *s);
bool pathset_has(const pathset *set, const char *s);
void pathset_clear(pathset *set);

#endif
