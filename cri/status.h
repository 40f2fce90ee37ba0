/* Maps the project's errors (common/error.h) to gRPC status codes. */
#ifndef WASMCRI_CRI_STATUS_H
#define WASMCRI_CRI_STATUS_H

#include <grpc/status.h>

#include "error.h"

/* The status of a handler's result rc with its error err: OK for 0; Internal when rc is a
 * host call's errno (err's kind WC_ERROR_HOST, err->code == rc); else the table of
 * common/error.h. */
grpc_status_code cri_status_from_error(int rc, const wc_error *err);

#endif
