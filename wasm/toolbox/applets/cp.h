/* cp.h: the copy cp does, shared with mv (a rename across mounts copies, then removes). */
#pragma once

#include <dirent.h>

#include "util.h"

typedef struct tb_copy_opts {
    bool recursive, preserve, force, no_clobber;
} tb_copy_opts;

/* Copies SRC to DST (errors printed as "NAME: ..."); returns 0 or 1. */
int tb_copy_tree(tb_io *io, const char *name, const char *src, const char *dst,
                 const tb_copy_opts *o);
/* DEST, or DEST/basename(SRC) when DEST_IS_DIR; newly allocated. */
char *tb_copy_target(const char *src, const char *dest, bool dest_is_dir);
