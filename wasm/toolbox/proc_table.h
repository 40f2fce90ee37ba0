/* What the runtime tells the toolbox about the pod: the pod's process table for ps, top and
 * pidof and signals to those processes for kill (the runtime's own imports, module "wasmcri":
 * wasm/wasi/pod.c), the container's user (the file /run/wasmcri/user) for id and whoami, the
 * terminal's size (the file /run/wasmcri/tty, wasm/sandbox/terminal.c) for stty and ls, and
 * names from the view's /etc/passwd and /etc/group. */
#ifndef WASMCRI_TOOLBOX_PROC_TABLE_H
#define WASMCRI_TOOLBOX_PROC_TABLE_H

#include <stdbool.h>

#define TB_USER_FILE "/run/wasmcri/user"
#define TB_PS_WHAT "the pod's process table" /* what a failed tb_proc_read names */
#define TB_TTY_FILE "/run/wasmcri/tty"

typedef struct tb_proc {
    int pid;
    unsigned uid;
    char state;
    long long cpu_ms, rss_kb, started;
    char kind[8], name[64];
    char command[512];
} tb_proc;

/* The table into *ret (malloc'd, the caller frees), *ret_n entries; -1 with errno when the
 * runtime gives none (ENOSYS: not in a pod, as under `wasmcri run`). */
int tb_proc_read(tb_proc **ret, int *ret_n);

/* Sends signo (a Linux number; 0: only check) to the pod's process pid; -1 with errno
 * (ESRCH: no such process in this pod). */
int tb_proc_kill(int pid, int signo);

/* The name of uid (/etc/passwd) or gid (/etc/group) into buf; false (buf = the number) when the
 * view has none. */
bool tb_user_name(unsigned uid, char *buf, int n);
bool tb_group_name(unsigned gid, char *buf, int n);

/* The container's user: uid, gid, up to 32 groups (*ret_ngroups); -1 when the runtime gives none.
 */
int tb_self_user(unsigned *uid, unsigned *gid, unsigned *groups, int *ret_ngroups);

/* The terminal's size now: /run/wasmcri/tty (the runtime rewrites it when the client's terminal
 * is resized), else $COLUMNS and $LINES (its size at the start), else 80x24. */
void tb_term_size(int *ret_cols, int *ret_rows);

#endif
