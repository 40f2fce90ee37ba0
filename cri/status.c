/* The one place where error codes become gRPC status codes (the table in common/error.h). */
#include "status.h"

#include <errno.h>

grpc_status_code cri_status_from_errno(int code)
{
    switch (-code) {
    case 0:
        return GRPC_STATUS_OK;
    case EINVAL:
        return GRPC_STATUS_INVALID_ARGUMENT;
    case ENOENT:
        return GRPC_STATUS_NOT_FOUND;
    case EEXIST:
        return GRPC_STATUS_ALREADY_EXISTS;
    case EPERM:
    case EACCES:
        return GRPC_STATUS_PERMISSION_DENIED;
    case ENOEXEC:
    case EBUSY:
        return GRPC_STATUS_FAILED_PRECONDITION;
    case EAGAIN:
    case ECONNREFUSED:
    case EHOSTUNREACH:
        return GRPC_STATUS_UNAVAILABLE;
    case ETIMEDOUT:
        return GRPC_STATUS_DEADLINE_EXCEEDED;
    case ECANCELED:
        return GRPC_STATUS_CANCELLED;
    case ENOSYS:
        return GRPC_STATUS_UNIMPLEMENTED;
    default:
        return GRPC_STATUS_INTERNAL;
    }
}
