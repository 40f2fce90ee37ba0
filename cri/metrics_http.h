/* The daemon's Prometheus endpoint: GET http://ADDR/metrics (config key metrics_address;
 * off when it is ""). It serves the process counters (common/metrics.h), the per-rpc figures
 * (rpc_metrics.h) and gauges read at each scrape (pods and containers by state, the zygote's
 * module cache) in the text exposition format 0.0.4. Any other path is 404, any other
 * method 405. At most 16 connections at once, each closed after 10 s idle.
 */
#ifndef WASMCRI_CRI_METRICS_HTTP_H
#define WASMCRI_CRI_METRICS_HTTP_H

#include "daemon.h"
#include "error.h"
#include "server.h"

typedef struct cri_metrics_http cri_metrics_http;

/* Listens on addr (HOST:PORT, net_addr.h) with a thread of its own. srv and d are borrowed
 * until cri_metrics_http_stop. -EINVAL for a bad address, the bind's errno otherwise. */
int cri_metrics_http_start(const char *addr, cri_server *srv, cri_daemon *d, cri_metrics_http **ret,
                           wc_error *err);
void cri_metrics_http_stop(cri_metrics_http *h); /* NULL is fine */

#endif
