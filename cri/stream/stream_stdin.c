/* stdin_pump and the resize message (stream_stdin.h), shared by exec and attach. */
#include "stream_stdin.h"

#include <errno.h>
#include <jansson.h>
#include <unistd.h>

int stdin_pump_add(stdin_pump *p, const unsigned char *buf, size_t n)
{
    return stream_backlog_add(&p->q, buf, n, STDIN_MAX);
}

bool stdin_pump_backlog(const stdin_pump *p)
{
    return stream_backlog_len(&p->q) > 0;
}

static long write_fd(int fd, const void *buf, size_t n)
{
    return write(fd, buf, n);
}

bool stdin_pump_feed(stdin_pump *p)
{
    if (p->fd < 0)
        return false;
    int e = stream_backlog_send(&p->q, p->fd, write_fd);
    if (e == EAGAIN)
        return false;
    if (e) /* the guest is gone or closed stdin: what waits is dropped */
        stream_backlog_free(&p->q);
    if (!p->eof)
        return false;
    close(p->fd);
    p->fd = -1;
    return true;
}

void stdin_pump_free(stdin_pump *p)
{
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
    stream_backlog_free(&p->q);
}

bool stream_parse_resize(const unsigned char *buf, size_t n, unsigned *ret_cols, unsigned *ret_rows)
{
    json_auto_t *j = json_loadb((const char *)buf, n, 0, NULL);
    json_int_t w = json_integer_value(json_object_get(j, "Width"));
    json_int_t h = json_integer_value(json_object_get(j, "Height"));
    if (w <= 0 || w >= 10000 || h <= 0 || h >= 10000)
        return false;
    *ret_cols = (unsigned)w;
    *ret_rows = (unsigned)h;
    return true;
}
