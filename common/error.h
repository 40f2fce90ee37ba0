/* The one error rule of wasmcri.
 *
 * A function that can fail returns int: 0 on success, a negative errno-style code
 * on failure, and fills a wc_error with a message a person can act on. Callers add
 * context with wc_error_wrap ("pull docker.io/x: " + the inner message) and pass
 * the code on. Only cri/ turns the code into a gRPC status:
 *   -EINVAL InvalidArgument, -ENOENT NotFound, -EEXIST AlreadyExists,
 *   -EPERM/-EACCES PermissionDenied, -ENOEXEC/-EBUSY FailedPrecondition,
 *   -EAGAIN/-ECONNREFUSED/-EHOSTUNREACH Unavailable, -ETIMEDOUT DeadlineExceeded,
 *   -ECANCELED Cancelled, -ENOSYS Unimplemented, anything else Internal.
 * The message lives inside the struct, so setting an error never allocates and a
 * wc_error on the stack needs no cleanup.
 */
#ifndef WASMCRI_COMMON_ERROR_H
#define WASMCRI_COMMON_ERROR_H

#include <errno.h>

#define WC_ERROR_MSG_MAX 1024

typedef struct wc_error {
    int code;                   /* negative errno-style code, 0 when unset */
    char msg[WC_ERROR_MSG_MAX]; /* NUL-terminated, never empty once set */
} wc_error;

/* Sets code and message; returns code (negative) so callers can `return wc_error_set(...)`.
 * code must be negative. err may be NULL (the message is then dropped). */
int wc_error_set(wc_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like wc_error_set, with ": strerror(-code)" appended. */
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
