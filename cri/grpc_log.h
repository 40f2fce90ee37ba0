/* Routes gRPC core's own log lines into wc_log (component "grpc"). */
#ifndef WASMCRI_CRI_GRPC_LOG_H
#define WASMCRI_CRI_GRPC_LOG_H

/* Call before grpc_init(). gRPC's verbosity follows the daemon's log level. */
void cri_grpc_log_route(void);

#endif
