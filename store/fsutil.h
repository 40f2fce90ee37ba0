/* Tree operations for the store (fsutil.c); symlinks inside a tree are never followed. */
#ifndef WASMCRI_STORE_FSUTIL_H
#define WASMCRI_STORE_FSUTIL_H

#include <stdint.h>

/* rm -rf; a missing path is fine. */
int store_remove_tree(const char *path);
/* Fills the existing empty directory dst with src's tree: directories and symlinks
 * recreated, regular files hard-linked, device nodes and fifos skipped. */
int store_clone_tree(const char *src, const char *dst);
/* Allocated bytes and inodes of every tree in the NULL-terminated list, each inode once. */
void store_tree_usage(const char *const *paths, uint64_t *ret_bytes, uint64_t *ret_inodes);

#endif
