/* CRI log writer: turns a container's stdout/stderr byte streams into the kubelet log format.
 *
 * Every line is written as `<RFC3339Nano UTC> stdout|stderr F <text>\n` with one write(2), so
 * lines of both streams interleave whole, in the order they completed. A line longer than
 * CRI_LOG_MAX_LINE bytes is cut into `P` records of exactly CRI_LOG_MAX_LINE bytes followed by an
 * `F` record with the rest. A line still without its newline stays buffered per stream until
 * cri_log_flush()/cri_log_close(), which write it as an `F` record.
 *
 * Thread-safe: one mutex serialises writes; cri_log_reopen() takes no lock and may be called
 * from another thread or, with err NULL, from a signal handler (the worker's SIGHUP, for the
 * daemon's ReopenContainerLog) while the guest writes. Usable alone: it knows nothing of WASI.
 */
#ifndef WASMCRI_WASI_CRI_LOG_H
#define WASMCRI_WASI_CRI_LOG_H

#include <stddef.h>

#include "error.h"

#define CRI_LOG_MAX_LINE (16 * 1024)

typedef enum cri_log_stream {
    CRI_LOG_STDOUT = 0,
    CRI_LOG_STDERR = 1,
} cri_log_stream;

typedef struct cri_log cri_log;

/* Opens (creates, mode 0640, append) the log file at path. *ret_log is owned by the caller and
 * released with cri_log_close(). */
int cri_log_open(const char *path, cri_log **ret_log, wc_error *err);

/* Appends len bytes of the stream's output; complete lines are written at once. */
int cri_log_write(cri_log *log, cri_log_stream stream, const void *data, size_t len, wc_error *err);

/* As cri_log_write, but what stays of a line without its newline is written at once as a P
 * record (a terminal's output: a prompt shows to whoever follows the log, and the next record
 * continues the line). */
int cri_log_write_through(cri_log *log, cri_log_stream stream, const void *data, size_t len,
                          wc_error *err);

/* Writes each stream's pending partial line as an F record (the process is exiting). */
int cri_log_flush(cri_log *log, wc_error *err);

/* Opens the path again (after kubelet renamed the old file) and continues there. Pending partial
 * lines stay buffered, so no line is lost or split across the two files. On failure the old file
 * stays in use. Async-signal-safe when err is NULL. */
int cri_log_reopen(cri_log *log, wc_error *err);

/* Continues in the file open at fd (taken: closed here), one that someone allowed to
 * create it opened (a worker running as the container's user may not). Pending partial
 * lines stay buffered. Async-signal-safe. */
int cri_log_replace_fd(cri_log *log, int fd);

/* Flushes and closes; accepts NULL. */
void cri_log_close(cri_log *log);

/* Formats `ts` (ns since the epoch) as RFC3339Nano UTC with 9 fraction digits into buf (>= 31
 * bytes); returns the length. Exposed for tests. */
size_t cri_log_format_time(long long ns, char *buf, size_t cap);

#endif
