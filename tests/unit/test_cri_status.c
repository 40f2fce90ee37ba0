/* The gRPC status each error becomes (cri/status.c): the table of common/error.h for codes
 * that say what is wrong, and Internal for a host call's errno, however it was wrapped. */
#include <errno.h>

#include "check.h"
#include "status.h"

static void test_table(void)
{
    static const struct {
        int code;
        grpc_status_code want;
    } table[] = {
        {0, GRPC_STATUS_OK},
        {-EINVAL, GRPC_STATUS_INVALID_ARGUMENT},
        {-ENAMETOOLONG, GRPC_STATUS_INVALID_ARGUMENT},
        {-ENOENT, GRPC_STATUS_NOT_FOUND},
        {-EEXIST, GRPC_STATUS_ALREADY_EXISTS},
        {-EPERM, GRPC_STATUS_PERMISSION_DENIED},
        {-EACCES, GRPC_STATUS_PERMISSION_DENIED},
        {-ENOEXEC, GRPC_STATUS_FAILED_PRECONDITION},
        {-EBUSY, GRPC_STATUS_FAILED_PRECONDITION},
        {-EAGAIN, GRPC_STATUS_UNAVAILABLE},
        {-ECONNREFUSED, GRPC_STATUS_UNAVAILABLE},
        {-EHOSTUNREACH, GRPC_STATUS_UNAVAILABLE},
        {-ETIMEDOUT, GRPC_STATUS_DEADLINE_EXCEEDED},
        {-ECANCELED, GRPC_STATUS_CANCELLED},
        {-ENOSYS, GRPC_STATUS_UNIMPLEMENTED},
        {-ENOMEM, GRPC_STATUS_INTERNAL},
        {-EIO, GRPC_STATUS_INTERNAL},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        wc_error err = {0};
        if (table[i].code < 0)
            wc_error_set(&err, table[i].code, "decided");
        CHECK_EQ_INT(cri_status_from_error(table[i].code, &err), table[i].want);
    }
}

/* Regression: an ENOENT from a failed open inside the daemon answered NOT_FOUND, which
 * tells kubelet the pod or container it named is gone. */
static void test_host_errno_is_internal(void)
{
    wc_error err = {0};
    int rc = wc_error_set_errno(&err, -ENOENT, "open blob sha256:x");
    CHECK_EQ_INT(cri_status_from_error(rc, &err), GRPC_STATUS_INTERNAL);
    rc = wc_error_wrap(&err, "create container web");
    CHECK_EQ_INT(cri_status_from_error(rc, &err), GRPC_STATUS_INTERNAL);
    rc = wc_error_set_errno(&err, -EPERM, "mount overlay");
    CHECK_EQ_INT(cri_status_from_error(rc, &err), GRPC_STATUS_INTERNAL);
    /* A code decided after a host error is read by the table again. */
    rc = wc_error_set(&err, -ENOENT, "container abc not found");
    CHECK_EQ_INT(cri_status_from_error(rc, &err), GRPC_STATUS_NOT_FOUND);
    /* A handler that returns a code other than the one its error holds: the table. */
    wc_error_set_errno(&err, -EIO, "read");
    CHECK_EQ_INT(cri_status_from_error(-EEXIST, &err), GRPC_STATUS_ALREADY_EXISTS);
}

int main(void)
{
    test_table();
    test_host_errno_is_internal();
    return CHECK_DONE();
}
