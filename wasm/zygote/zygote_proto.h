/* The wire between the daemon and the zygote: a SOCK_SEQPACKET unix socket at
 * <state>/zygote.sock; one JSON object per packet, optionally with file
 * descriptors (SCM_RIGHTS). Packets keep their boundaries, so no framing is needed.
 *
 * daemon → zygote (each with "seq"; the zygote answers {"op":"reply","seq",...}
 * with "error" + "code" + "host" (the code is a host call's errno) on failure):
 *   start {id, spec} + 1 fd   fork a worker for container id → {pid}; the fd is the
 *                             module, opened by the daemon (the zygote opens no module path)
 *   create {id, spec}         CreateContainer: the spare becomes container id's worker, its
 *                             set-up done now, waiting for its start → {created}: false when
 *                             the zygote does not hold the module compiled (ready.h)
 *   start {id, created: true} wake the worker made at create → {pid}; {pid: 0} when there is
 *                             none (any more): the daemon then sends start with the spec
 *   exec  {id, spec} + 4 fds  fork a worker writing stdout/stderr to the first two fds and
 *                             its worker_result to the third (the status pipe, as soon as
 *                             the guest ended); the fourth is the module → {pid}; with 5
 *                             fds the fourth is the guest's stdin and the fifth the module;
 *                             keep_ms > 0: when it ends, a worker is kept ready for the
 *                             container's next exec for that long (ready.h)
 *   kill  {id}                SIGKILL the worker of id (no worker: ok)
 *   stdin {id}                → {} + 1 fd: the write end of the stdin pipe of container id
 *                             (started with spec.stdin_pipe; the zygote keeps it open until
 *                             close_stdin or the exit, so it outlives a daemon restart)
 *   close_stdin {id}          the zygote closes its write end (stdin_once) → {found}
 *   reopen {id} + 1 fd        the worker of id continues its CRI log in the fd (kept by
 *                             the zygote, SIGHUP, and the worker takes it: layer.h) → {found}
 *   list  {}                  → {workers: [{id, pid, kind}], zygote_pid}, in parts: see below;
 *                             kind "ctr", "exec" or "created" (a worker made at create)
 *   ack   {id}                the daemon recorded id's exit: forget it (no reply)
 *   quit_if_idle {}           exit when no worker runs (daemon shutdown) → {quitting}
 *   channel {}                → {} + 1 fd: a socket of its own for further requests
 *                             (the previous channel, if any, is closed)
 * A reply comes on the socket its request came on.
 * zygote → daemon, unsolicited:
 *   exit {id, kind ("ctr"|"exec"), pid, exit_code, reason, message, finished_at}
 * Container exits are also kept as <state>/exits/<id>.json until acked, and sent
 * again to every new connection: a daemon that was down learns them on reconnect.
 *
 * A reply too big for one packet (the list of thousands of workers) comes in parts,
 * consecutive packets: each but the last has "more": true, and the arrays of every
 * part after the first continue the first's arrays of the same name (zp_send_parts,
 * zp_recv_whole).
 */
#ifndef WASMCRI_SANDBOX_ZYGOTE_PROTO_H
#define WASMCRI_SANDBOX_ZYGOTE_PROTO_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* What one packet may hold: a SOCK_SEQPACKET send larger than the socket's send buffer
 * (net.core.wmem_default, 208 KiB on Debian) fails with EMSGSIZE, so the limit stays
 * below it. A request over it fails alone (E2BIG, nothing sent; the socket stays usable). */
#define ZP_MAX_PACKET (192 * 1024)
#define ZP_MAX_FDS 5

/* Sends msg (borrowed) with nfds descriptors (borrowed; the receiver gets copies).
 * -E2BIG: msg is over ZP_MAX_PACKET (nothing was sent; the socket is fine). */
int zp_send(int sock, const json_t *msg, const int *fds, size_t nfds, wc_error *err);

/* Receives one packet. *ret_msg is the caller's; received fds (O_CLOEXEC) go to
 * fds[0..*ret_nfds) (the caller closes them). -ECONNRESET when the peer closed. */
int zp_recv(int sock, json_t **ret_msg, int fds[ZP_MAX_FDS], size_t *ret_nfds, wc_error *err);

/* Sends msg (borrowed, no descriptors) in as many packets as its array msg[key] needs
 * (one when it fits); -E2BIG when a single element of it does not fit a packet. */
int zp_send_parts(int sock, const json_t *msg, const char *key, wc_error *err);

/* Receives one message, all its parts (blocking until the last), as one object: the
 * arrays of later parts appended to the first's; the parts' "more" is removed. Parts
 * carry no descriptors (they are closed). -EBADMSG: a part that is no part of it. */
int zp_recv_whole(int sock, json_t **ret_msg, int fds[ZP_MAX_FDS], size_t *ret_nfds, wc_error *err);

/* A word (or a few bytes) with at most one descriptor, between the zygote, its forker and the
 * workers: a forked spare and its socket, a layer request's answer and its file. Both are
 * async-signal-safe (a worker's SIGHUP handler takes its reopened log with them: sendmsg,
 * recvmsg and close only, no allocation).
 * zp_send_fd sends len bytes of buf with fd (none when fd < 0); flags go to sendmsg with
 * MSG_NOSIGNAL. The bytes sent, or -errno. */
ssize_t zp_send_fd(int sock, const void *buf, size_t len, int fd, int flags);

/* Receives a packet into buf (at most cap bytes; EINTR retried) and its first descriptor
 * (O_CLOEXEC) into *ret_fd, -1 when it came with none (further ones are closed). The bytes
 * received (0: the peer closed), or -errno. */
ssize_t zp_recv_fd(int sock, void *buf, size_t cap, int *ret_fd);

/* Paths under the state dir. */
#define ZP_SOCKET_NAME "zygote.sock"
#define ZP_PID_NAME "zygote.pid"
#define ZP_EXITS_DIR "exits"

#endif
