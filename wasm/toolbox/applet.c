/* The applet table (from applets.def) and the helpers applet.h promises: lookup by name,
 * running the applet argv[0] names, getopt reset and busybox-style error messages. */
#include "applet.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "numbers.h"

static const struct {
    const char *name;
    tb_applet *func;
} applets[] = {
#define APPLET(name) {#name, applet_##name},
#define APPLET_ALIAS(name, func) {name, applet_##func},
#include "applets.def"
#undef APPLET
#undef APPLET_ALIAS
};

tb_applet *tb_find_applet(const char *name)
{
    for (size_t i = 0; i < sizeof(applets) / sizeof(applets[0]); i++)
        if (strcmp(applets[i].name, name) == 0)
            return applets[i].func;
    return NULL;
}

int tb_run_applet(tb_io *io, int argc, char **argv)
{
    const char *slash = strrchr(argv[0], '/');
    const char *name = slash ? slash + 1 : argv[0];
    tb_applet *func = tb_find_applet(name);
    if (!func)
        return -1;
    char *saved = argv[0];
    argv[0] = (char *)name;
    int status = func(io, argc, argv);
    argv[0] = saved;
    return status;
}

void tb_getopt_reset(void)
{
    optind = 0;
}

int tb_getopt(tb_io *io, int argc, char **argv, const char *opts)
{
    opterr = 0;
    char spec[64] = ":";
    /* a leading ':' makes getopt tell a missing argument (':') from an unknown option ('?') */
    strncat(spec, opts[0] == ':' ? opts + 1 : opts, sizeof(spec) - 2);
    int c = getopt(argc, argv, spec);
    if (c == '?') {
        tb_err(io, argv[0], "invalid option -- '%c'", optopt);
    } else if (c == ':') {
        tb_err(io, argv[0], "option requires an argument -- '%c'", optopt);
        c = '?';
    }
    return c;
}

void tb_err(tb_io *io, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(io->err, "%s: ", name);
    vfprintf(io->err, fmt, ap);
    fputc('\n', io->err);
    va_end(ap);
}

void tb_perror(tb_io *io, const char *name, const char *what)
{
    const char *msg = strerror(errno);
    if (what)
        fprintf(io->err, "%s: %s: %s\n", name, what, msg);
    else
        fprintf(io->err, "%s: %s\n", name, msg);
}

long long tb_deadline_ms;

long long tb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tb_sleep_ms(long long ms)
{
    long long now = tb_now_ms();
    long long end = ms >= TB_FOREVER_MS - now ? TB_FOREVER_MS : now + ms;
    int full = 1;
    if (tb_deadline_ms && tb_deadline_ms < end) {
        end = tb_deadline_ms;
        full = 0;
    }
    /* a day at a time: no timespec or WASI timeout near its limit, and forever stays forever */
    for (; now < end; now = tb_now_ms()) {
        long long chunk = end - now < 86400000 ? end - now : 86400000;
        struct timespec ts = {(time_t)(chunk / 1000), (long)(chunk % 1000) * 1000000};
        nanosleep(&ts, NULL);
    }
    return full;
}
