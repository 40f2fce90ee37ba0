/* One unary call with the gRPC C core API, shared by the benchmark clients
 * (rpc_client.c, startup_client.c); header-only since the scripts compile each client
 * as one file. Also their clock. */
#ifndef WASMCRI_BENCH_GRPC_UNARY_H
#define WASMCRI_BENCH_GRPC_UNARY_H

#include <grpc/grpc.h>
#include <grpc/slice.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* Sends req (borrowed) to method and waits. Returns the status; *ret_resp gets the
 * reply (the caller destroys it; NULL if none) and details the status message. */
static grpc_status_code grpc_unary(grpc_channel *ch, grpc_completion_queue *cq, const char *method,
                                   grpc_byte_buffer *req, grpc_byte_buffer **ret_resp,
                                   char *details, size_t details_size)
{
    grpc_slice m = grpc_slice_from_static_string(method);
    grpc_call *call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq, m, NULL,
                                               gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    grpc_metadata_array initial, trailing;
    grpc_metadata_array_init(&initial);
    grpc_metadata_array_init(&trailing);
    grpc_status_code status = GRPC_STATUS_UNKNOWN;
    grpc_slice status_details;
    grpc_op ops[6];
    memset(ops, 0, sizeof(ops));
    *ret_resp = NULL;
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = req;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = ret_resp;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &trailing;
    ops[5].data.recv_status_on_client.status = &status;
    ops[5].data.recv_status_on_client.status_details = &status_details;
    int tag;
    grpc_call_start_batch(call, ops, 6, &tag, NULL);
    grpc_completion_queue_pluck(cq, &tag, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    snprintf(details, details_size, "%.*s", (int)GRPC_SLICE_LENGTH(status_details),
             (const char *)GRPC_SLICE_START_PTR(status_details));
    grpc_slice_unref(status_details);
    grpc_metadata_array_destroy(&initial);
    grpc_metadata_array_destroy(&trailing);
    grpc_call_unref(call);
    return status;
}

#endif
