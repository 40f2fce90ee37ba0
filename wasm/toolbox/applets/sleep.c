/* sleep DURATION...: sleeps their sum; a duration is a number (decimals allowed) with an
 * optional s, m, h or d suffix, as busybox takes it. */
#include "applet.h"

#include <stdlib.h>
#include <string.h>

int applet_sleep(tb_io *io, int argc, char **argv)
{
    if (argc < 2) {
        tb_err(io, argv[0], "missing operand");
        return 1;
    }
    double total = 0;
    for (int i = 1; i < argc; i++) {
        char *end;
        double v = strtod(argv[i], &end);
        double mul = *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 1;
        if (end == argv[i] || v < 0 || (*end && (end[1] || !strchr("smhd", *end)))) {
            tb_err(io, argv[0], "invalid number '%s'", argv[i]);
            return 1;
        }
        total += v * mul;
    }
    return tb_sleep_ms((long long)(total * 1000)) ? 0 : 1; /* cut short by timeout */
}
