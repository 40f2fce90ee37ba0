/* The daemon's side of systemd's watchdog (watchdog.h). The beat itself is sent by the
 * serving loop (cri/server.c's queue thread), never by a timer thread of its own: a
 * stuck queue thread must stop the beats so that systemd restarts the daemon. */
#include "watchdog.h"

#include <systemd/sd-daemon.h>

static void send_watchdog(void *ctx)
{
    (void)ctx;
    sd_notify(0, "WATCHDOG=1");
}

void watchdog_from_systemd(cri_heartbeat *ret_hb)
{
    uint64_t usec = 0;
    *ret_hb = (cri_heartbeat){0};
    if (sd_watchdog_enabled(1, &usec) <= 0 || usec == 0)
        return;
    *ret_hb = (cri_heartbeat){.interval_us = usec / 2 ? usec / 2 : 1, .beat = send_watchdog};
}
