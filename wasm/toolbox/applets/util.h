/* util.h: helpers the file and text applets share beyond applet.h's: usage and formatted
 * errno messages, "-" as stdin, busybox's -h sizes, path joining and a recursive walk. Every helper
 * writes only to the tb_io it is given. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../applet.h"

/* "Usage: APPLET USAGE" on io->err; returns exit status 1. */
int tb_usage(tb_io *io, const char *applet, const char *usage);
/* "APPLET: TEXT: strerror(errno)\n": tb_perror with a printf format. */
void tb_err_errno(tb_io *io, const char *applet, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* fopen, with "-" meaning io->in; tb_fclose leaves io's streams open. */
FILE *tb_fopen(tb_io *io, const char *name, const char *mode);
void tb_fclose(tb_io *io, FILE *f);
/* ferror(F), with errno EISDIR when F is a directory (as Linux's read says). */
bool tb_read_failed(FILE *f);
/* Copies IN to OUT; returns 0, or -1 with errno from the failing read. */
int tb_copy(FILE *in, FILE *out);

/* All of F, newly allocated, its length in *RET_LEN (NULL when out of memory). */
char *tb_slurp(FILE *f, size_t *ret_len);
/* "1.5K", "12M" as busybox's -h prints them; BUF holds at least 16 bytes. */
const char *tb_human(char *buf, uint64_t bytes);
/* DIR "/" NAME, newly allocated (NULL when out of memory). */
char *tb_join(const char *dir, const char *name);
/* The part of PATH after its last '/', ignoring trailing slashes (points into PATH's copy
 * in BUF, which holds strlen(PATH) + 1 bytes). */
const char *tb_base(char *buf, const char *path);

/* Walks PATH depth-first: VISIT(path, st, depth, ctx) before a directory's entries
 * (pre-order) and POST after them, if given (not for a directory that could not be read). A visit
 * returning > 0 skips a directory's entries; < 0 stops the walk with that value. lstat is used:
 * links are not followed. */
/* Deeper trees are not entered ("APPLET: PATH: too deeply nested"): the walk recurses, and
 * the wasm stack is small. */
#define TB_WALK_MAX_DEPTH 256
typedef int tb_visit(const char *path, const struct stat *st, int depth, void *ctx);
typedef struct tb_walk {
    tb_visit *visit, *post;
    void *ctx;
    int maxdepth; /* < 0: no limit */
    bool follow;  /* stat instead of lstat for the top path */
    tb_io *io;
    const char *applet;     /* for "APPLET: PATH: error" on an unreadable directory */
    const char *open_error; /* that message's format (one %s), if not "%s" */
    int errors;             /* counted by the walk */
} tb_walk;
int tb_walk_tree(tb_walk *w, const char *path);
