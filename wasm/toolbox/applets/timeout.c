/* timeout [-s SIG] DURATION COMMAND [ARG]...: runs the applet COMMAND until it ends or DURATION
 * (sleep's syntax) passes. Inside one wasm instance there is no process to signal: the applet
 * gets a deadline (tb_deadline_ms) that the applets which wait (sleep, top) end at; then the
 * status is 143, as busybox's timeout gives (its child killed by SIGTERM). */
#include "applet.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int applet_timeout(tb_io *io, int argc, char **argv)
{
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "-s") == 0)
        i += 2; /* the signal: there is none to send */
    if (i + 1 >= argc) {
        tb_err(io, argv[0], "usage: timeout [-s SIG] SECS PROG ARGS");
        return 1;
    }
    char *end;
    double secs = strtod(argv[i], &end);
    double mul = *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 1;
    if (end == argv[i] || secs < 0 || (*end && (end[1] || !strchr("smhd", *end)))) {
        tb_err(io, argv[0], "invalid number '%s'", argv[i]);
        return 1;
    }
    const char *name = strrchr(argv[i + 1], '/') ? strrchr(argv[i + 1], '/') + 1 : argv[i + 1];
    if (!tb_find_applet(name)) {
        tb_err(io, argv[0], "can't execute '%s': No such file or directory", argv[i + 1]);
        return 127;
    }
    long long saved = tb_deadline_ms, deadline = tb_now_ms() + (long long)(secs * mul * 1000);
    if (secs > 0 && (saved == 0 || deadline < saved))
        tb_deadline_ms = deadline;
    int status = tb_run_applet(io, argc - i - 1, argv + i + 1);
    bool timed_out = tb_deadline_ms && tb_now_ms() >= tb_deadline_ms;
    tb_deadline_ms = saved;
    return timed_out ? 143 : status;
}
