/* wget [-q] [-O FILE|-] [-T SEC] [--spider] URL: an HTTP/1.1 GET (plain http:// only: the toolbox
 * has no TLS), redirects followed (5 at most), a Content-Length, chunked or until-close body
 * saved to FILE (default: the URL's last path part, or index.html; `-` is stdout). --spider only
 * checks that the server answers 2xx. -T bounds the connect and each wait for data (default
 * 900 s, as busybox). Exit 1 with busybox's messages on failure; without -q it says where it
 * connects and what it saves, without busybox's progress bar. */
#include "applet.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "numbers.h"
#include "tcp.h"

#define HEAD_MAX 16384
#define REDIRECTS 5

typedef struct opts {
    bool quiet, spider;
    const char *out; /* NULL: from the URL */
    int timeout_ms;
} opts;

typedef struct url {
    char host[256], path[2048];
    uint16_t port;
} url;

/* A socket read through a buffer, each wait bounded by timeout_ms. */
typedef struct conn {
    int fd, timeout_ms;
    char buf[16384];
    size_t pos, len;
} conn;

static int parse_url(tb_io *io, const char *text, url *u)
{
    if (strncasecmp(text, "https://", 8) == 0) {
        tb_err(io, "wget", "https is not supported (the toolbox has no TLS): %s", text);
        return -1;
    }
    if (strncasecmp(text, "http://", 7) != 0) {
        tb_err(io, "wget", "not an http or ftp url: %s", text);
        return -1;
    }
    const char *h = text + 7, *slash = h + strcspn(h, "/?#");
    const char *colon = *h == '[' ? strchr(h, ']') : memchr(h, ':', (size_t)(slash - h));
    const char *host_end = colon && colon < slash ? colon : slash;
    if (*h == '[' && colon) { /* [v6]:port */
        h++;
        host_end = colon;
        colon = colon[1] == ':' ? colon + 1 : NULL;
    }
    u->port = 80;
    if (colon && colon < slash) {
        char port[8];
        snprintf(port, sizeof(port), "%.*s", (int)(slash - colon - 1), colon + 1);
        u->port = tb_port(port);
    }
    if (host_end == h || (size_t)(host_end - h) >= sizeof(u->host) || u->port == 0) {
        tb_err(io, "wget", "bad address '%s'", text);
        return -1;
    }
    snprintf(u->host, sizeof(u->host), "%.*s", (int)(host_end - h), h);
    snprintf(u->path, sizeof(u->path), "%s%s", *slash == '/' ? "" : "/", slash);
    u->path[strcspn(u->path, "#")] = '\0';
    return 0;
}

/* More bytes into c->buf; 0 at EOF, -1 with errno. */
static ssize_t fill(conn *c)
{
    if (c->pos > 0) {
        memmove(c->buf, c->buf + c->pos, c->len - c->pos);
        c->len -= c->pos;
        c->pos = 0;
    }
    if (c->len == sizeof(c->buf)) {
        errno = E2BIG; /* a header line longer than the buffer */
        return -1;
    }
    if (tb_wait_fd(c->fd, POLLIN, c->timeout_ms) < 0)
        return -1;
    ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
    if (n > 0)
        c->len += (size_t)n;
    return n;
}

/* One line (CRLF or LF cut) into line; -1 at EOF or error. */
static int get_line(conn *c, char *line, size_t cap)
{
    for (;;) {
        char *nl = memchr(c->buf + c->pos, '\n', c->len - c->pos);
        if (nl) {
            size_t n = (size_t)(nl - (c->buf + c->pos));
            size_t keep = n > 0 && nl[-1] == '\r' ? n - 1 : n;
            snprintf(line, cap, "%.*s", (int)keep, c->buf + c->pos);
            c->pos += n + 1;
            return 0;
        }
        if (fill(c) <= 0)
            return -1;
    }
}

/* Up to want bytes (SIZE_MAX: until EOF) to out; -1 on a read error. */
static int copy_body(conn *c, FILE *out, size_t want)
{
    while (want > 0) {
        if (c->pos == c->len) {
            ssize_t n = fill(c);
            if (n == 0 && want == SIZE_MAX)
                return 0;
            if (n <= 0)
                return -1;
        }
        size_t n = c->len - c->pos < want ? c->len - c->pos : want;
        fwrite(c->buf + c->pos, 1, n, out);
        c->pos += n;
        if (want != SIZE_MAX)
            want -= n;
    }
    return 0;
}

static int copy_chunked(conn *c, FILE *out)
{
    char line[128];
    for (;;) {
        if (get_line(c, line, sizeof(line)) < 0)
            return -1;
        size_t size = strtoul(line, NULL, 16);
        if (size == 0)
            return 0;
        if (copy_body(c, out, size) < 0 || get_line(c, line, sizeof(line)) < 0)
            return -1;
    }
}

typedef struct response {
    char status_line[256];
    int status;
    long long length; /* -1: none given */
    bool chunked;
    char location[2048];
} response;

static int read_head(conn *c, response *r)
{
    char line[HEAD_MAX];
    *r = (response){.length = -1};
    if (get_line(c, r->status_line, sizeof(r->status_line)) < 0 ||
        sscanf(r->status_line, "HTTP/%*d.%*d %d", &r->status) != 1)
        return -1;
    while (get_line(c, line, sizeof(line)) == 0 && *line) {
        char *v = strchr(line, ':');
        if (v == NULL)
            continue;
        *v++ = '\0';
        v += strspn(v, " \t");
        if (strcasecmp(line, "Content-Length") == 0)
            r->length = strtoll(v, NULL, 10);
        else if (strcasecmp(line, "Transfer-Encoding") == 0)
            r->chunked = strcasecmp(v, "chunked") == 0;
        else if (strcasecmp(line, "Location") == 0)
            snprintf(r->location, sizeof(r->location), "%s", v);
    }
    return 0;
}

/* Connects to u and sends the GET; the socket, or -1 (said). */
static int request(tb_io *io, const opts *o, const url *u)
{
    tb_addr a;
    if (tb_tcp_resolve(u->host, u->port, &a) < 0) {
        tb_err(io, "wget", "bad address '%s'", u->host);
        return -1;
    }
    if (!o->quiet)
        fprintf(io->err, "Connecting to %s:%u (%s:%u)\n", u->host, u->port, a.text, u->port);
    int fd = tb_tcp_connect(&a, o->timeout_ms);
    if (fd < 0) {
        tb_err(io, "wget", "can't connect to remote host (%s): %s", a.text, strerror(errno));
        return -1;
    }
    char req[4096];
    int n = snprintf(req, sizeof(req),
                     "GET %s HTTP/1.1\r\nHost: %s:%u\r\nUser-Agent: Wget\r\n"
                     "Connection: close\r\n\r\n",
                     u->path, u->host, u->port);
    if (n >= (int)sizeof(req) || send(fd, req, (size_t)n, 0) != n) {
        tb_err(io, "wget", "error sending request: %s", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* The file a URL saves to without -O: its last path part, or index.html. */
static void default_name(const url *u, char *buf, size_t n)
{
    const char *path = u->path, *q = path + strcspn(path, "?");
    const char *last = path;
    for (const char *p = path; p < q; p++)
        if (*p == '/')
            last = p + 1;
    snprintf(buf, n, "%.*s", (int)(q - last), last);
    if (*buf == '\0')
        snprintf(buf, n, "index.html");
}

static int save_body(tb_io *io, const opts *o, const url *u, conn *c, const response *r)
{
    char name[512];
    default_name(u, name, sizeof(name));
    const char *path = o->out ? o->out : name;
    bool to_stdout = strcmp(path, "-") == 0;
    FILE *out = to_stdout ? io->out : fopen(path, "w");
    if (out == NULL) {
        tb_err(io, "wget", "can't open '%s': %s", path, strerror(errno));
        return 1;
    }
    if (!o->quiet)
        fprintf(io->err, to_stdout ? "writing to stdout\n" : "saving to '%s'\n", path);
    int rc = r->chunked       ? copy_chunked(c, out)
             : r->length >= 0 ? copy_body(c, out, (size_t)r->length)
                              : copy_body(c, out, SIZE_MAX);
    int e = errno;
    if (to_stdout)
        fflush(out);
    else if (fclose(out) != 0 && rc == 0)
        rc = -1, e = errno;
    if (rc < 0) {
        tb_err(io, "wget", "error getting response: %s", strerror(e));
        return 1;
    }
    if (!o->quiet)
        fprintf(io->err, to_stdout ? "written to stdout\n" : "'%s' saved\n", path);
    return 0;
}

static int fetch(tb_io *io, const opts *o, const char *text)
{
    url u;
    char next[2048];
    if (parse_url(io, text, &u) < 0)
        return 1;
    for (int hops = 0;; hops++) {
        conn *c = calloc(1, sizeof(*c));
        if (c == NULL || (c->fd = request(io, o, &u)) < 0) {
            free(c);
            return 1;
        }
        c->timeout_ms = o->timeout_ms;
        response r;
        int rc = 1;
        errno = 0;
        if (read_head(c, &r) < 0)
            tb_err(io, "wget", "error getting response: %s",
                   errno ? strerror(errno) : "no HTTP status line");
        else if (r.status >= 300 && r.status < 400 && *r.location && hops < REDIRECTS)
            rc = -1;
        else if (r.status < 200 || r.status > 299)
            tb_err(io, "wget", "server returned error: %s", r.status_line);
        else if (o->spider && !o->quiet)
            rc = fputs("remote file exists\n", io->err) < 0;
        else if (o->spider)
            rc = 0;
        else
            rc = save_body(io, o, &u, c, &r);
        close(c->fd);
        free(c);
        if (rc >= 0)
            return rc;
        if (r.location[0] == '/') /* a path on the same server */
            snprintf(next, sizeof(next), "http://%s:%u%s", u.host, u.port, r.location);
        else
            snprintf(next, sizeof(next), "%s", r.location);
        if (parse_url(io, next, &u) < 0)
            return 1;
    }
}

int applet_wget(tb_io *io, int argc, char **argv)
{
    opts o = {.timeout_ms = 900 * 1000};
    char **args = calloc((size_t)argc + 1, sizeof(char *)),
         **urls = calloc((size_t)argc + 1, sizeof(char *));
    int n = 0, c;
    if (args == NULL || urls == NULL) {
        free(args);
        free(urls);
        return 1;
    }
    for (int i = 0; i < argc; i++) { /* long options first: getopt knows short ones only */
        if (strcmp(argv[i], "--spider") == 0)
            o.spider = true;
        else if (strcmp(argv[i], "--quiet") == 0)
            o.quiet = true;
        else
            args[n++] = argv[i];
    }
    int nurls = 0, status = 0; /* options may come after a URL (`wget URL -O f`) */
    tb_getopt_reset();
    while (optind < n && status == 0) {
        c = tb_getopt(io, n, args, "qsO:T:");
        if (c == -1 && optind < n)
            urls[nurls++] = args[optind++];
        else if (c == 'q')
            o.quiet = true;
        else if (c == 's')
            o.spider = true;
        else if (c == 'O')
            o.out = optarg;
        else if (c == 'T')
            o.timeout_ms = tb_secs_to_ms_int(strtod(optarg, NULL));
        else if (c != -1)
            status = 1;
    }
    if (status == 0 && nurls == 0) {
        fputs("Usage: wget [-q] [-O FILE|-] [-T SEC] [--spider] URL...\n", io->err);
        status = 1;
    }
    for (int i = 0; i < nurls && status == 0; i++)
        status = fetch(io, &o, urls[i]);
    free(urls);
    free(args);
    return status;
}
