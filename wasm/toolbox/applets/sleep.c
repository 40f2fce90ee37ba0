/* sleep DURATION...: sleeps their sum; a duration is a number (decimals allowed) with an
 * optional s, m, h or d suffix, as busybox takes it (numbers.h). A first operand starting with
 * "inf" (inf, infinity, INF...) sleeps until the instance ends, as busybox's and GNU's do; so
 * does a sum no clock reaches. */
#include "applet.h"

#include <strings.h>

#include "numbers.h"

int applet_sleep(tb_io *io, int argc, char **argv)
{
    if (argc < 2) {
        tb_err(io, argv[0], "missing operand");
        return 1;
    }
    long long ms = 0;
    if (strncasecmp(argv[1], "inf", 3) == 0) {
        ms = TB_FOREVER_MS;
    } else {
        double total = 0;
        for (int i = 1; i < argc; i++) {
            double secs;
            if (tb_parse_duration(io, argv[0], "[N]...", argv[i], &secs))
                return 1;
            total += secs;
        }
        ms = tb_secs_to_ms(total);
    }
    return tb_sleep_ms(ms) ? 0 : 1; /* cut short by timeout */
}
