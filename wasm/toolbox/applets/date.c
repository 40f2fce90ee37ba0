/* date [-u] [-d @SECONDS] [+FORMAT]: the time, by strftime (busybox's default format:
 * "%a %b %e %H:%M:%S %Z %Y"). WASI has no time zone database: the time is UTC. */
#include "applet.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int applet_date(tb_io *io, int argc, char **argv)
{
    const char *fmt = "%a %b %e %H:%M:%S UTC %Y";
    time_t t = time(NULL);
    tb_getopt_reset();
    int c;
    while ((c = tb_getopt(io, argc, argv, "uRd:")) != -1) {
        if (c == 'R') {
            fmt = "%a, %d %b %Y %H:%M:%S +0000";
        } else if (c == 'd') {
            char *end;
            if (optarg[0] != '@' || (t = (time_t)strtoll(optarg + 1, &end, 10), *end)) {
                tb_err(io, argv[0], "invalid date '%s'", optarg);
                return 1;
            }
        } else if (c == '?') {
            return 1;
        }
    }
    if (optind < argc && argv[optind][0] == '+')
        fmt = argv[optind] + 1;
    else if (optind < argc) {
        tb_err(io, argv[0], "setting the date is not supported");
        return 1;
    }
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[1024];
    size_t n = strftime(buf, sizeof(buf), fmt, &tm);
    fprintf(io->out, "%.*s\n", (int)n, buf);
    return 0;
}
