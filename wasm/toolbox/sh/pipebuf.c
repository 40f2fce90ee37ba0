/* In-memory pipes between pipeline stages: sh runs the stages one after the other in this one
 * instance, so what a stage writes is held here (up to SH_PIPE_MAX; past it the write fails with
 * EPIPE, as if the reader were gone: `yes | head` ends) and read by the next stage. */
#include "sh.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct sh_pipe {
    char *data;
    size_t len, cap, rpos;
};

sh_pipe *sh_pipe_new(void)
{
    return calloc(1, sizeof(sh_pipe));
}

static ssize_t pipe_write(void *cookie, const char *buf, size_t n)
{
    sh_pipe *p = cookie;
    if (p->len + n > SH_PIPE_MAX) {
        errno = EPIPE;
        return -1;
    }
    if (p->len + n + 1 > p->cap) {
        size_t cap = p->cap ? p->cap : 4096;
        while (cap < p->len + n + 1)
            cap *= 2;
        char *grown = realloc(p->data, cap);
        if (grown == NULL) {
            errno = ENOMEM;
            return -1;
        }
        p->data = grown;
        p->cap = cap;
    }
    memcpy(p->data + p->len, buf, n);
    p->len += n;
    p->data[p->len] = '\0';
    return (ssize_t)n;
}

static ssize_t pipe_read(void *cookie, char *buf, size_t n)
{
    sh_pipe *p = cookie;
    size_t left = p->len - p->rpos;
    if (n > left)
        n = left;
    memcpy(buf, p->data + p->rpos, n);
    p->rpos += n;
    return (ssize_t)n;
}

FILE *sh_pipe_writer(sh_pipe *p)
{
    return fopencookie(p, "w", (cookie_io_functions_t){.write = pipe_write});
}

FILE *sh_pipe_reader(sh_pipe *p)
{
    p->rpos = 0;
    return fopencookie(p, "r", (cookie_io_functions_t){.read = pipe_read});
}

const char *sh_pipe_data(sh_pipe *p, size_t *ret_len)
{
    *ret_len = p->len;
    return p->data ? p->data : "";
}

void sh_pipe_free(sh_pipe *p)
{
    if (p) {
        free(p->data);
        free(p);
    }
}
