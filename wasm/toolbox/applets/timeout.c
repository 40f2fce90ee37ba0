/* timeout [-s SIG] DURATION COMMAND [ARG]...: runs the applet COMMAND until it ends or DURATION
 * (sleep's syntax) passes. Inside one wasm instance there is no process to signal: the applet
 * gets a deadline (tb_deadline_ms) that the applets which wait (sleep, top) end at; then the
 * status is 143, as busybox's timeout gives (its child killed by SIGTERM). */
#include "applet.h"

#include <stdbool.h>
#include <string.h>

#include "numbers.h"
#include "signals.h"

int applet_timeout(tb_io *io, int argc, char **argv)
{
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "-s") == 0) {
        if (wc_signal_number(argv[i + 1]) <= 0 && strcmp(argv[i + 1], "0") != 0) {
            tb_err(io, argv[0], "unknown signal '%s'", argv[i + 1]);
            return 1;
        }
        i += 2; /* the signal: there is no process to send it to */
    }
    if (i + 1 >= argc) {
        tb_err(io, argv[0], "usage: timeout [-s SIG] SECS PROG ARGS");
        return 1;
    }
    double secs;
    if (tb_parse_duration(io, argv[0], "[-s SIG] SECS PROG ARGS", argv[i], &secs))
        return 1;
    const char *name = strrchr(argv[i + 1], '/') ? strrchr(argv[i + 1], '/') + 1 : argv[i + 1];
    if (!tb_find_applet(name)) {
        tb_err(io, argv[0], "can't execute '%s': No such file or directory", argv[i + 1]);
        return 127;
    }
    long long saved = tb_deadline_ms, ms = tb_secs_to_ms(secs), now = tb_now_ms();
    if (ms > 0 && ms < TB_FOREVER_MS - now && (saved == 0 || now + ms < saved))
        tb_deadline_ms = now + ms; /* none for 0 (as busybox) and for durations no clock reaches */
    int status = tb_run_applet(io, argc - i - 1, argv + i + 1);
    bool timed_out = tb_deadline_ms && tb_now_ms() >= tb_deadline_ms;
    tb_deadline_ms = saved;
    return timed_out ? 143 : status;
}
