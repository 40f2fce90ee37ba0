/* A minimal gRPC C core client for hack/bench/rpc.py and toolbox.py: sends N sequential calls
 * to one method and prints p50/p99 in microseconds.
 *   rpc_client SOCKET METHOD N [REQUEST_FILE [GAP_MS]]
 * The request is empty, or the bytes of REQUEST_FILE (a message the caller serialised), so no
 * protobuf code is needed here. GAP_MS: a pause between the measured calls (as a kubelet's
 * probes come: what the previous call left running in the background is done). */
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grpc_unary.h"

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static grpc_slice request; /* empty, or the REQUEST_FILE's bytes */

static int one_call(grpc_channel *ch, grpc_completion_queue *cq, const char *method)
{
    grpc_byte_buffer *req = grpc_raw_byte_buffer_create(&request, 1);
    grpc_byte_buffer *resp = NULL;
    char details[256];
    grpc_status_code status = grpc_unary(ch, cq, method, req, &resp, details, sizeof(details));
    grpc_byte_buffer_destroy(req);
    if (resp)
        grpc_byte_buffer_destroy(resp);
    return status == GRPC_STATUS_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 6) {
        fprintf(stderr, "usage: rpc_client SOCKET METHOD N [REQUEST_FILE [GAP_MS]]\n");
        return 2;
    }
    int n = atoi(argv[3]);
    long gap_ms = argc == 6 ? atol(argv[5]) : 0;
    grpc_init();
    request = grpc_empty_slice();
    if (argc >= 5) {
        FILE *f = fopen(argv[4], "rb");
        static char buf[1 << 16];
        size_t len = f ? fread(buf, 1, sizeof(buf), f) : 0;
        if (f)
            fclose(f);
        request = grpc_slice_from_copied_buffer(buf, len);
    }
    char target[4200];
    snprintf(target, sizeof(target), "unix:%s", argv[1]);
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    grpc_channel *ch = grpc_channel_create(target, creds, NULL);
    grpc_channel_credentials_release(creds);
    grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
    const char *method = argv[2];
    long *samples = calloc((size_t)n, sizeof(long));
    int failures = 0;
    for (int i = 0; i < 200; i++)
        failures += one_call(ch, cq, method) != 0;
    for (int i = 0; i < n; i++) {
        struct timespec gap = {gap_ms / 1000, (gap_ms % 1000) * 1000000};
        if (gap_ms > 0)
            nanosleep(&gap, NULL);
        long t = now_ns();
        failures += one_call(ch, cq, method) != 0;
        samples[i] = now_ns() - t;
    }
    qsort(samples, (size_t)n, sizeof(long), cmp_long);
    printf("%-12s %d calls  p50 %7.1f us  p99 %7.1f us  (C client, %d failed)\n",
           strrchr(argv[2], '/') + 1, n, samples[n / 2] / 1000.0, samples[n * 99 / 100] / 1000.0,
           failures);
    free(samples);
    grpc_completion_queue_shutdown(cq);
    grpc_completion_queue_destroy(cq);
    grpc_channel_destroy(ch);
    grpc_shutdown();
    return failures ? 1 : 0;
}
