/* gRPC core logs to stderr by itself; this hands its lines to wc_log so that the
 * daemon's log has one format. */
#include "grpc_log.h"

#include <grpc/support/log.h>

#include "log.h"

static void grpc_log_line(gpr_log_func_args *args)
{
    wc_log_level level = WC_LOG_DEBUG;
    if (args->severity == GPR_LOG_SEVERITY_ERROR)
        level = WC_LOG_ERROR;
    else if (args->severity == GPR_LOG_SEVERITY_INFO)
        level = WC_LOG_INFO;
    wc_log(level, "grpc", "%s (%s:%d)", args->message, args->file, args->line);
}

void cri_grpc_log_route(void)
{
    gpr_set_log_function(grpc_log_line);
    gpr_set_log_verbosity(wc_log_get_level() == WC_LOG_DEBUG ? GPR_LOG_SEVERITY_DEBUG
                                                             : GPR_LOG_SEVERITY_ERROR);
}
