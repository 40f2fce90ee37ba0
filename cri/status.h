/* Maps the project's negative errno-style codes (common/error.h) to gRPC status codes. */
#ifndef WASMCRI_CRI_STATUS_H
#define WASMCRI_CRI_STATUS_H

#include <grpc/status.h>

grpc_status_code cri_status_from_errno(int code);

#endif
