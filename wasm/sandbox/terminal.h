/* A terminal's size as a WASI guest reads it (terminal.c). Internal to wasm/sandbox. */
#ifndef WASMCRI_SANDBOX_TERMINAL_H
#define WASMCRI_SANDBOX_TERMINAL_H

#include "error.h"
#include "worker.h"

/* Where the guest reads its terminal's size: "COLUMNS LINES\n". */
#define SB_TTY_GUEST_FILE "/run/wasmcri/tty"

/* The host file of exec or container id's terminal: <pod_dir>/tty-<id>. */
int sb_tty_path(char *buf, size_t n, const char *pod_dir, const char *id, wc_error *err);

/* Writes cols x rows (0: 80x24) to path, a temp file renamed over it: a reader sees the old
 * size or the new one, never half of one. */
int sb_tty_write(const char *path, unsigned cols, unsigned rows, wc_error *err);

/* Removes a container's file (RemoveContainer). */
void sb_tty_remove(const char *pod_dir, const char *id);

/* Makes spec a terminal's: the guest's stdio is a terminal (isatty), TERM=xterm, COLUMNS and
 * LINES (the container's own give way), and path (written now) at SB_TTY_GUEST_FILE,
 * read-only. */
int sb_tty_spec(worker_spec *spec, const char *path, unsigned cols, unsigned rows, wc_error *err);

#endif
