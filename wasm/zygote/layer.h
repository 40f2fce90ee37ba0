/* A container's writable layer under its directory DIR: DIR/upper (what the container
 * wrote), DIR/work (overlayfs's own), and on DIR/rootfs the overlay of the image
 * snapshot (read-only, shared by every container of the image) and upper.
 *
 * It is made when first needed, not at start: when the guest first writes under "/"
 * (the worker asks the zygote, which mounts: see worker_run.c and zygote.c), or when
 * an ExecSync needs the container's view. A container that never writes never pays
 * for the mkdirs and the mount (~0.3 ms of a ~1 ms start on a 2-vCPU gateway). Images
 * without a rootfs get DIR/upper alone, made at start.
 */
#ifndef WASMCRI_SANDBOX_LAYER_H
#define WASMCRI_SANDBOX_LAYER_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "worker.h"

/* Makes the layer (lower "": the directories only); done already is fine. */
int layer_make(const char *dir, const char *lower, wc_error *err);

/* True when DIR/rootfs has the overlay on it. */
bool layer_mounted(const char *dir);
/* The same for the directory name under the directory dirfd. */
bool layer_mounted_at(int dirfd, const char *name);

/* The zygote's end of the workers' request socket (a SOCK_SEQPACKET pair whose other end
 * every worker holds): a worker sends {"op":"layer"} (or "ps", "kill": zygote.c) with one
 * fd, the write end of a pipe, and gets 0 or -errno back on it (then, for "ps", the table);
 * {"op":"log"} with one end of a socket pair, to take a reopened log (layer_reply_fd); and
 * its exit result just before it exits (layer_send_exit). The zygote learns which worker
 * asks from the kernel (SO_PASSCRED), so a worker can only have its own layer made, take its
 * own log, report its own exit, and see and signal its own pod only; and the zygote holds no
 * descriptor per worker (issue 18: 20,000 containers met the descriptor limit). */
int layer_socket_pair(int *ret_zygote_end, int *ret_worker_end, wc_error *err);

/* Receives one request: the sender's pid, the reply fd (-1 if none came) and the request's
 * bytes into data (NUL-terminated, at most cap - 1 bytes); returns their number or -errno
 * (-EAGAIN: none waiting). */
int layer_recv_request(int sock, pid_t *ret_pid, int *ret_reply_fd, char *data, size_t cap);

/* A worker's last message: the tag, then its worker_result as it is in memory (a trap's text
 * may be any bytes), sent just before it exits, so that it is there when the zygote reaps it.
 * -errno. */
#define LAYER_EXIT_TAG "exit"
int layer_send_exit(int sock, const worker_result *res);
/* True when the n bytes of a request are an exit message: its result into *ret. */
bool layer_parse_exit(const char *data, size_t n, worker_result *ret);

/* The answer to a "log" request on its reply socket: status, with fd (borrowed; -1: none). */
void layer_reply_fd(int reply_fd, int status, int fd);

/* Writes status, then len bytes of text (may be 0), on the reply fd, never waiting (what
 * does not fit in the pipe is cut), and closes it. */
void layer_reply(int reply_fd, int status, const char *text, size_t len);

#endif
