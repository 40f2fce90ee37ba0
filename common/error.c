/* wc_error: fixed-size error messages with context wrapping (see error.h for the rule). */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int error_vset(wc_error *err, int code, const char *fmt, va_list ap)
{
    if (err == NULL)
        return code;
    err->code = code;
    err->kind = WC_ERROR_DECIDED;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    return code;
}

int wc_error_set(wc_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int wc_error_set_errno(wc_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(err, code, fmt, ap);
    va_end(ap);
    if (err != NULL) {
        err->kind = WC_ERROR_HOST;
        size_t len = strlen(err->msg);
        snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(-code));
    }
    return code;
}

int wc_error_wrap(wc_error *err, const char *fmt, ...)
{
    if (err == NULL)
        return -EIO;
    char prefix[WC_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
    va_end(ap);
    if (n < 0)
        return err->code;
    size_t plen = strlen(prefix);
    memcpy(prefix + plen, ": ", 3);
    plen += 2;
    /* Shift the inner message right (cut at the end if it no longer fits), then prefix it. */
    size_t keep = strnlen(err->msg, sizeof(err->msg) - 1);
    if (plen + keep > sizeof(err->msg) - 1)
        keep = plen >= sizeof(err->msg) - 1 ? 0 : sizeof(err->msg) - 1 - plen;
    if (plen > sizeof(err->msg) - 1)
        plen = sizeof(err->msg) - 1;
    memmove(err->msg + plen, err->msg, keep);
    memcpy(err->msg, prefix, plen);
    err->msg[plen + keep] = '\0';
    return err->code;
}
