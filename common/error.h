/* The one error rule of wasmcri.
 *
 * A function that can fail returns int: 0 on success, a negative errno-style code
 * on failure, and fills a wc_error with a message a person can act on. Callers add
 * context with wc_error_wrap ("pull docker.io/x: " + the inner message) and pass
 * the code on. Only cri/ turns the code into a gRPC status:
 *   -EINVAL/-ENAMETOOLONG InvalidArgument, -ENOENT NotFound, -EEXIST AlreadyExists,
 *   -EPERM/-EACCES PermissionDenied, -ENOEXEC/-EBUSY FailedPrecondition,
 *   -EAGAIN/-ECONNREFUSED/-EHOSTUNREACH Unavailable, -ETIMEDOUT DeadlineExceeded,
 *   -ECANCELED Cancelled, -ENOSYS Unimplemented, anything else Internal.
 * That table applies to codes chosen to say what is wrong (wc_error_set). A code that
 * is only the errno of a failed host call (wc_error_set_errno: an open's ENOENT, a
 * mount's EPERM) says what broke inside, not what the request got wrong: its kind is
 * WC_ERROR_HOST, kept through wc_error_wrap, and cri/ answers it as Internal.
 * The message lives inside the struct, so setting an error never allocates and a
 * wc_error on the stack needs no cleanup.
 *
 * Stopping at the first error, one idiom: `TRY(step(...));` returns a step's negative
 * code from the calling function, and `_cleanup_*_` variables (cleanup.h) free what was
 * made so far, so a function is a flat list of TRY lines with no cleanup labels. Steps
 * that run with a mutex held, or before a release that must follow either way, go into
 * a function of their own made of TRY lines, called between the lock and the unlock.
 * hack/house-figures.sh counts what is left of the older `rc = rc ?: step(...)` chains.
 */
#ifndef WASMCRI_COMMON_ERROR_H
#define WASMCRI_COMMON_ERROR_H

#include <errno.h>

#define WC_ERROR_MSG_MAX 1024

typedef enum wc_error_kind {
    WC_ERROR_DECIDED = 0, /* the code says what is wrong, as in the table above */
    WC_ERROR_HOST,        /* the code is a failed host call's errno */
} wc_error_kind;

typedef struct wc_error {
    int code;                   /* negative errno-style code, 0 when unset */
    wc_error_kind kind;         /* how to read code */
    char msg[WC_ERROR_MSG_MAX]; /* NUL-terminated, never empty once set */
} wc_error;

/* Sets code and message; returns code (negative) so callers can `return wc_error_set(...)`.
 * code must be negative. err may be NULL (the message is then dropped). */
int wc_error_set(wc_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* For a failed host call: like wc_error_set, with ": strerror(-code)" appended, and the
 * kind WC_ERROR_HOST. */
int wc_error_set_errno(wc_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with context + ": "; keeps and returns err->code. */
int wc_error_wrap(wc_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Returns from the calling function with x's value when it is negative (an error
 * code); the calling function returns int. */
#define TRY(x)                                                                                     \
    do {                                                                                           \
        int try_rc_ = (x);                                                                         \
        if (try_rc_ < 0)                                                                           \
            return try_rc_;                                                                        \
    } while (0)

#endif
