/* What a CRI rpc handler sees: the contract between cri/server.c and the service files.
 *
 * Each service file (runtime_service.c, image_service.c, ...) exports a
 * NULL-terminated table of cri_method {rpc name, handler, slow}; server.c lists
 * the tables of each service. The server registers every rpc that the proto's
 * service descriptor lists; an rpc without a table entry answers UNIMPLEMENTED
 * naming it. To add an rpc: write the handler, add one table line. To add a
 * service file: export its table here and list it in server.c.
 *
 * A handler gets the decoded request (borrowed; freed by the server after the
 * handler returns) and either returns 0 with *ret_resp set to a response built
 * entirely from malloc'd memory (the server packs it and frees it with
 * protobuf_c_message_free_unpacked), or returns a negative errno-style code with
 * err filled (common/error.h); cri/status.c maps the code to a gRPC status. A big
 * list may be packed by the handler itself (packer.h) and handed over with
 * cri_reply_packed; the handler then returns 0 with *ret_resp NULL.
 * Fast handlers run on the completion-queue threads and must not block; a handler
 * marked slow (pulls, stops with timeouts), or found slow for this request by a
 * cri_slow_rule, runs on its own thread and should poll cri_call_cancelled().
 *
 * Server-streaming rpcs (those the proto marks `returns (stream ...)`, e.g.
 * GetContainerEvents) always run on their own thread: the handler sends each
 * message with cri_stream_send (which blocks until gRPC has taken it) and returns
 * 0 with *ret_resp NULL to end the stream with OK (or a last message to send), or
 * an error code to end it with that status.
 */
#ifndef WASMCRI_CRI_SERVICE_H
#define WASMCRI_CRI_SERVICE_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>

#include "api.pb-c.h"
#include "daemon.h"
#include "error.h"
#include "packer.h"

typedef struct cri_call cri_call;

typedef int (*cri_handler_fn)(cri_call *call, const ProtobufCMessage *req,
                              ProtobufCMessage **ret_resp, wc_error *err);

typedef struct cri_method {
    const char *name; /* rpc name as in the proto, e.g. "Version" */
    cri_handler_fn fn;
    bool slow; /* true: runs on its own thread, not a completion-queue thread */
} cri_method;

/* An rpc that is slow for some requests only (RunPodSandbox when CNI plugins will
 * run): is_slow decides per decoded request, on the queue thread, so quickly. */
typedef struct cri_slow_rule {
    const char *name;
    bool (*is_slow)(cri_call *call, const ProtobufCMessage *req);
} cri_slow_rule;

extern const cri_method cri_runtime_methods[];
extern const cri_method cri_image_methods[];
extern const cri_method cri_pod_methods[];
extern const cri_method cri_container_methods[];
extern const cri_method cri_stats_methods[];
extern const cri_method cri_event_methods[];
extern const cri_method cri_metrics_methods[];
extern const cri_method cri_stream_methods[];
extern const cri_slow_rule cri_pod_slow_rules[];

/* The daemon state the handler works on (borrowed). */
cri_daemon *cri_call_daemon(const cri_call *call);

/* True once the client cancelled the call or its deadline passed (slow handlers only). */
bool cri_call_cancelled(const cri_call *call);

/* Sends one message of a server stream (borrowed; the caller still frees it). Blocks
 * until the message is handed to gRPC. -ECANCELED once the client has gone. */
int cri_stream_send(cri_call *call, const ProtobufCMessage *msg, wc_error *err);

/* Takes p's bytes (p is left empty) as the call's response: -ENOMEM when p ran out of
 * memory, -E2BIG over the send limit. */
int cri_reply_packed(cri_call *call, cri_packer *p, wc_error *err);

/* strdup for response fields: NULL stays the proto's empty string. NULL on ENOMEM. */
char *cri_strdup(const char *s);

#endif
