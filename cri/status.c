/* The one place where errors become gRPC status codes (the rule in common/error.h). */
#include "status.h"

#include <errno.h>

static grpc_status_code status_from_code(int code)
{
    switch (-code) {
    case 0:
        return GRPC_STATUS_OK;
    case EINVAL:
    case ENAMETOOLONG:
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

grpc_status_code cri_status_from_error(int rc, const wc_error *err)
{
    if (rc < 0 && err->code == rc && err->kind == WC_ERROR_HOST)
        return GRPC_STATUS_INTERNAL;
    return status_from_code(rc);
}
