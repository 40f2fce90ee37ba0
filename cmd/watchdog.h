/* systemd's watchdog for the daemon (WatchdogSec= in the unit): the beat the gRPC
 * server's queue thread sends (cri/heartbeat.h), WATCHDOG=1 through sd_notify. */
#ifndef WASMCRI_CMD_WATCHDOG_H
#define WASMCRI_CMD_WATCHDOG_H

#include "heartbeat.h"

/* Fills *ret_hb from systemd's WATCHDOG_USEC (half of it, as sd_watchdog_enabled(3)
 * advises); an interval of 0 when the service has no watchdog. Removes WATCHDOG_USEC
 * and WATCHDOG_PID from the environment, so the zygote and CNI plugins do not inherit
 * them: call it before starting either. */
void watchdog_from_systemd(cri_heartbeat *ret_hb);

#endif
