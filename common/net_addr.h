/* Listen addresses written as the configuration file gives them: "127.0.0.1:9464",
 * "[::1]:9464", "0.0.0.0:9464" (numeric hosts only: a listener is not put behind a name
 * lookup at start-up). */
#ifndef WASMCRI_COMMON_NET_ADDR_H
#define WASMCRI_COMMON_NET_ADDR_H

#include <sys/socket.h>

#include "error.h"

/* -EINVAL naming what is wrong with text. */
int wc_parse_host_port(const char *text, struct sockaddr_storage *ret, socklen_t *ret_len,
                       wc_error *err);

#endif
