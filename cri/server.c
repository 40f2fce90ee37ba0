/* The CRI gRPC server on the gRPC C core API (see ../shared/NOTES-grpc-core.md).
 *
 * Shape: one completion queue per worker thread. Every tag posted to a queue is a
 * cq_event whose done() runs on the queue's thread. For each queue and each rpc a
 * few request slots are kept posted (grpc_server_request_registered_call), plus
 * slots for unknown methods (grpc_server_request_call), because gRPC core does not
 * answer those by itself. A slot that receives a call re-posts itself, then hands
 * the call to a cri_call, which decodes the request, runs the handler (on this
 * thread, or for slow handlers on a thread of handler_pool.h) and sends the reply in one
 * batch. A cri_call is reference-counted: the handler holds one reference and
 * every batch in flight holds one. A streaming handler runs on its own thread and
 * sends one message at a time (cri_stream_send waits for each send to complete,
 * so at most one SEND_MESSAGE is in flight); the status goes in the final batch.
 * A Stream* rpc (StreamImages, StreamContainers, ...) with no handler of its own is
 * served by its List* twin, whose request and response are the same on the wire:
 * the list is computed once and sent in batches (stream_adapter below).
 *
 * Shutdown: `outstanding` counts every tag in flight and every call held by a
 * slow handler. cri_server_stop asks gRPC to shut down, cancels open calls
 * after a grace period, waits for `outstanding` to reach zero, and only then shuts
 * the queues down (gRPC asserts otherwise).
 */
#include "server.h"

#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "api_streams.h"
#include "cleanup.h"
#include "convert.h"
#include "grpc_log.h"
#include "handler_pool.h"
#include "heartbeat.h"
#include "log.h"
#include "rpc_metrics.h"
#include "service.h"
#include "status.h"

#define SLOTS_PER_METHOD 2
#define UNKNOWN_SLOTS 2
#define MAX_MESSAGE_BYTES (16 * 1024 * 1024) /* kubelet's limit */

typedef struct cq_event cq_event;
struct cq_event {
    void (*done)(cq_event *ev, bool ok);
};

typedef struct queue_thread {
    cri_server *srv;
    size_t index;
} queue_thread;

typedef struct method_entry method_entry;
struct method_entry {
    char path[128]; /* "/runtime.v1.RuntimeService/Version" */
    const ProtobufCMethodDescriptor *desc;
    const cri_method *impl;         /* NULL: not implemented yet */
    const cri_slow_rule *slow_rule; /* NULL: impl->slow decides alone */
    const method_entry *list;       /* Stream* rpcs without impl: the List* rpc that serves them */
    bool streaming;                 /* the proto says `returns (stream ...)` */
    void *handle;                   /* from grpc_server_register_method */
    cri_rpc_stats *stats;           /* calls by status code and latency (rpc_metrics.h) */
};

struct cri_server {
    grpc_server *server;
    size_t n_cqs;
    grpc_completion_queue **cqs;
    pthread_t *threads;
    queue_thread *thread_args;
    size_t n_threads_started;
    cri_pulse *pulse; /* the watchdog's heartbeat, from the queue threads */
    method_entry *methods;
    cri_rpc_stats *stats; /* one per method */
    size_t n_methods;
    cri_daemon *daemon;
    bool started;
    atomic_bool stopping;
    atomic_long outstanding;
    atomic_bool shutdown_notified;
    cq_event shutdown_ev;
    handler_pool *pool; /* the threads slow handlers run on */
};

typedef struct request_slot {
    cq_event ev;
    cri_server *srv;
    method_entry *m; /* NULL: the slot for unknown methods */
    grpc_completion_queue *cq;
    grpc_call *call;
    gpr_timespec deadline;
    grpc_metadata_array md;
    grpc_byte_buffer *payload;
    grpc_call_details details;
} request_slot;

struct cri_call {
    cq_event reply_ev;
    cq_event close_ev;
    cq_event send_ev; /* one streamed message sent */
    atomic_int refs;
    cri_server *srv;
    const method_entry *m; /* NULL: unknown method */
    uint64_t started_ns;   /* CLOCK_MONOTONIC at its arrival */
    char unknown_method[256];
    grpc_call *call;
    grpc_byte_buffer *payload;
    ProtobufCMessage *req; /* decoded early when the method's slow_if looks at it */
    grpc_byte_buffer *reply;
    grpc_byte_buffer *packed; /* the handler's reply as it packed it (cri_reply_packed) */
    grpc_slice details;
    bool has_details;
    bool close_posted;
    int close_cancelled;
    atomic_bool close_done;
    bool metadata_sent; /* streams: initial metadata went with the first message */
    pthread_mutex_t send_mu;
    pthread_cond_t send_cv;
    bool send_done, send_ok;
};

/* Each service's rpcs may come from several tables (one per service file). */
static const cri_method *const runtime_tables[] = {
    cri_runtime_methods, cri_pod_methods,     cri_container_methods, cri_stats_methods,
    cri_event_methods,   cri_metrics_methods, cri_stream_methods,    NULL};
static const cri_method *const image_tables[] = {cri_image_methods, NULL};

static const struct {
    const ProtobufCServiceDescriptor *desc;
    const cri_method *const *tables;
    const cri_slow_rule *slow_rules; /* NULL or a NULL-terminated list */
} services[] = {
    {&runtime__v1__runtime_service__descriptor, runtime_tables, cri_pod_slow_rules},
    {&runtime__v1__image_service__descriptor, image_tables, NULL},
};

/* ---- accessors for handlers (service.h) ---- */

cri_daemon *cri_call_daemon(const cri_call *call)
{
    return call->srv->daemon;
}

bool cri_call_cancelled(const cri_call *call)
{
    if (atomic_load(&call->srv->stopping))
        return true;
    return atomic_load(&call->close_done) && call->close_cancelled;
}

char *cri_strdup(const char *s)
{
    if (s == NULL)
        return (char *)protobuf_c_empty_string;
    return strdup(s);
}

/* ---- calls ---- */

static void call_unref(cri_call *c)
{
    if (atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    if (c->payload)
        grpc_byte_buffer_destroy(c->payload);
    if (c->reply)
        grpc_byte_buffer_destroy(c->reply);
    if (c->packed)
        grpc_byte_buffer_destroy(c->packed);
    if (c->has_details)
        grpc_slice_unref(c->details);
    grpc_call_unref(c->call);
    pthread_mutex_destroy(&c->send_mu);
    pthread_cond_destroy(&c->send_cv);
    free(c);
}

static void reply_done(cq_event *ev, bool ok)
{
    cri_call *c = (cri_call *)((char *)ev - offsetof(cri_call, reply_ev));
    cri_server *srv = c->srv;
    (void)ok; /* a failed send means the client went away; nothing to do */
    call_unref(c);
    atomic_fetch_sub(&srv->outstanding, 1);
}

static void close_done(cq_event *ev, bool ok)
{
    cri_call *c = (cri_call *)((char *)ev - offsetof(cri_call, close_ev));
    cri_server *srv = c->srv;
    (void)ok;
    atomic_store(&c->close_done, true);
    call_unref(c);
    atomic_fetch_sub(&srv->outstanding, 1);
}

/* Sends status (+ message when reply is set) in one batch; drops the handler's reference. */
static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void send_reply(cri_call *c, grpc_status_code status, const char *msg,
                       grpc_byte_buffer *reply)
{
    if (c->m)
        cri_rpc_stats_record(c->m->stats, (int)status, now_ns() - c->started_ns);
    grpc_op ops[4];
    size_t n = 0;
    memset(ops, 0, sizeof(ops));
    if (!c->metadata_sent)
        ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
    if (reply) {
        c->reply = reply;
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n++].data.send_message.send_message = reply;
    }
    ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[n].data.send_status_from_server.status = status;
    if (status != GRPC_STATUS_OK && msg) {
        c->details = grpc_slice_from_copied_string(msg);
        c->has_details = true;
        ops[n].data.send_status_from_server.status_details = &c->details;
    }
    n++;
    if (!c->close_posted) {
        ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
        ops[n++].data.recv_close_on_server.cancelled = &c->close_cancelled;
    }
    atomic_fetch_add(&c->refs, 1);
    atomic_fetch_add(&c->srv->outstanding, 1);
    grpc_call_error e = grpc_call_start_batch(c->call, ops, n, &c->reply_ev, NULL);
    if (e != GRPC_CALL_OK) {
        wc_err("cri", "cannot send reply: grpc_call_start_batch error %d", (int)e);
        atomic_fetch_sub(&c->srv->outstanding, 1);
        atomic_fetch_sub(&c->refs, 1);
    }
    call_unref(c);
}

static ProtobufCMessage *decode_request(cri_call *c, wc_error *err)
{
    const ProtobufCMessageDescriptor *in = c->m->list ? c->m->list->desc->input : c->m->desc->input;
    if (c->payload == NULL) {
        wc_error_set(err, -EINVAL, "%s: the request carries no %s message", c->m->path, in->name);
        return NULL;
    }
    grpc_byte_buffer_reader reader;
    if (!grpc_byte_buffer_reader_init(&reader, c->payload)) {
        wc_error_set(err, -EINVAL, "%s: cannot read the request payload", c->m->path);
        return NULL;
    }
    grpc_slice s = grpc_byte_buffer_reader_readall(&reader);
    grpc_byte_buffer_reader_destroy(&reader);
    ProtobufCMessage *req =
        protobuf_c_message_unpack(in, NULL, GRPC_SLICE_LENGTH(s), GRPC_SLICE_START_PTR(s));
    grpc_slice_unref(s);
    if (req == NULL)
        wc_error_set(err, -EINVAL, "%s: the payload is not a valid %s message", c->m->path,
                     in->name);
    return req;
}

static int too_big(const cri_call *c, size_t size, wc_error *err)
{
    return wc_error_set(err, -E2BIG, "%s: the response is %zu bytes, over the %d-byte limit",
                        c->m->path, size, MAX_MESSAGE_BYTES);
}

static grpc_byte_buffer *encode_response(const cri_call *c, const ProtobufCMessage *resp,
                                         wc_error *err)
{
    size_t size = protobuf_c_message_get_packed_size(resp);
    if (size > MAX_MESSAGE_BYTES)
        return too_big(c, size, err), NULL;
    grpc_slice s = grpc_slice_malloc(size);
    protobuf_c_message_pack(resp, GRPC_SLICE_START_PTR(s));
    grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&s, 1);
    grpc_slice_unref(s);
    return bb;
}

int cri_reply_packed(cri_call *c, cri_packer *p, wc_error *err)
{
    if (p->failed) {
        cri_packer_clear(p);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    if (p->len > MAX_MESSAGE_BYTES) {
        int rc = too_big(c, p->len, err);
        cri_packer_clear(p);
        return rc;
    }
    bool empty = p->len == 0;
    size_t len = 0;
    void *bytes = cri_packer_take(p, &len);
    if (bytes == NULL && !empty)
        return wc_error_set(err, -ENOMEM, "out of memory");
    grpc_slice s =
        bytes ? grpc_slice_new_with_len(bytes, len, cri_packer_bytes_free) : grpc_empty_slice();
    grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&s, 1);
    grpc_slice_unref(s);
    if (c->packed)
        grpc_byte_buffer_destroy(c->packed);
    c->packed = bb;
    return 0;
}

/* The packed reply the handler left, now the caller's (NULL if none). */
static grpc_byte_buffer *take_packed(cri_call *c)
{
    grpc_byte_buffer *bb = c->packed;
    c->packed = NULL;
    return bb;
}

static void send_done(cq_event *ev, bool ok)
{
    cri_call *c = (cri_call *)((char *)ev - offsetof(cri_call, send_ev));
    cri_server *srv = c->srv;
    pthread_mutex_lock(&c->send_mu);
    c->send_done = true;
    c->send_ok = ok;
    pthread_cond_signal(&c->send_cv);
    pthread_mutex_unlock(&c->send_mu);
    atomic_fetch_sub(&srv->outstanding, 1);
}

/* Sends bb (taken) as the stream's next message and waits until gRPC has taken it. */
static int stream_send_buffer(cri_call *c, grpc_byte_buffer *bb, wc_error *err)
{
    grpc_op ops[2];
    size_t n = 0;
    memset(ops, 0, sizeof(ops));
    if (!c->metadata_sent)
        ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[n].op = GRPC_OP_SEND_MESSAGE;
    ops[n++].data.send_message.send_message = bb;
    c->send_done = false;
    atomic_fetch_add(&c->srv->outstanding, 1);
    if (grpc_call_start_batch(c->call, ops, n, &c->send_ev, NULL) != GRPC_CALL_OK) {
        atomic_fetch_sub(&c->srv->outstanding, 1);
        grpc_byte_buffer_destroy(bb);
        return wc_error_set(err, -ECANCELED, "%s: the stream is closed", c->m->path);
    }
    c->metadata_sent = true;
    pthread_mutex_lock(&c->send_mu);
    while (!c->send_done)
        pthread_cond_wait(&c->send_cv, &c->send_mu);
    bool ok = c->send_ok;
    pthread_mutex_unlock(&c->send_mu);
    grpc_byte_buffer_destroy(bb);
    if (!ok)
        return wc_error_set(err, -ECANCELED, "%s: the client has gone", c->m->path);
    return 0;
}

int cri_stream_send(cri_call *c, const ProtobufCMessage *msg, wc_error *err)
{
    if (cri_call_cancelled(c))
        return wc_error_set(err, -ECANCELED, "%s: the client has gone", c->m->path);
    grpc_byte_buffer *bb = encode_response(c, msg, err);
    return bb ? stream_send_buffer(c, bb, err) : err->code;
}

#define STREAM_BATCH_ITEMS 256

/* Sends the repeated field 1 of a List* response as Stream* messages of up to
 * STREAM_BATCH_ITEMS items each (at least one message, even when empty). */
static int stream_in_batches(cri_call *c, ProtobufCMessage *resp, wc_error *err)
{
    const ProtobufCFieldDescriptor *f = &resp->descriptor->fields[0];
    size_t *count = (size_t *)((char *)resp + f->quantifier_offset);
    void ***items = (void ***)((char *)resp + f->offset);
    size_t total = *count;
    void **all = *items;
    int rc = 0;
    for (size_t i = 0; rc == 0 && (i < total || i == 0); i += STREAM_BATCH_ITEMS) {
        *count = total - i < STREAM_BATCH_ITEMS ? total - i : STREAM_BATCH_ITEMS;
        *items = all + i;
        rc = cri_stream_send(c, resp, err);
    }
    *count = total;
    *items = all;
    return rc;
}

/* A List rpc's response sent as the items of a stream, in batches; a list the handler
 * packed itself goes as one message. */
static int list_in_batches(cri_call *c, const ProtobufCMessage *req, wc_error *err)
{
    _cleanup_(cri_message_freep) ProtobufCMessage *resp = NULL;
    TRY(c->m->list->impl->fn(c, req, &resp, err));
    grpc_byte_buffer *packed = take_packed(c);
    if (packed)
        return stream_send_buffer(c, packed, err);
    return resp != NULL ? stream_in_batches(c, resp, err) : 0;
}

static void run_list_as_stream(cri_call *c, const ProtobufCMessage *req)
{
    wc_error err = {0};
    int rc = list_in_batches(c, req, &err);
    if (rc == 0) {
        send_reply(c, GRPC_STATUS_OK, NULL, NULL);
        return;
    }
    wc_info("cri", "%s: %s", c->m->path, err.msg);
    send_reply(c, cri_status_from_error(rc, &err), err.msg, NULL);
}

static void run_handler(cri_call *c)
{
    wc_error err = {0};
    ProtobufCMessage *req = c->req ? c->req : decode_request(c, &err);
    c->req = NULL;
    if (req == NULL) {
        wc_warn("cri", "%s", err.msg);
        send_reply(c, GRPC_STATUS_INVALID_ARGUMENT, err.msg, NULL);
        return;
    }
    if (c->m->list) {
        run_list_as_stream(c, req);
        protobuf_c_message_free_unpacked(req, NULL);
        return;
    }
    ProtobufCMessage *resp = NULL;
    int rc = c->m->impl->fn(c, req, &resp, &err);
    protobuf_c_message_free_unpacked(req, NULL);
    grpc_byte_buffer *packed = take_packed(c);
    if (rc == 0 && resp == NULL && (c->m->streaming || packed)) {
        send_reply(c, GRPC_STATUS_OK, NULL, packed);
        return;
    }
    if (packed)
        grpc_byte_buffer_destroy(packed);
    if (rc == 0 && resp == NULL)
        rc = wc_error_set(&err, -EIO, "%s: the handler returned no response", c->m->path);
    grpc_byte_buffer *reply = NULL;
    if (rc == 0) {
        reply = encode_response(c, resp, &err);
        protobuf_c_message_free_unpacked(resp, NULL);
        if (reply == NULL) {
            wc_err("cri", "%s", err.msg);
            send_reply(c, GRPC_STATUS_RESOURCE_EXHAUSTED, err.msg, NULL);
            return;
        }
        wc_debug("cri", "%s ok", c->m->path);
        send_reply(c, GRPC_STATUS_OK, NULL, reply);
        return;
    }
    if (resp)
        protobuf_c_message_free_unpacked(resp, NULL);
    grpc_status_code status = cri_status_from_error(rc, &err);
    wc_log(status == GRPC_STATUS_INTERNAL ? WC_LOG_ERROR : WC_LOG_INFO, "cri", "%s: %s", c->m->path,
           err.msg);
    send_reply(c, status, err.msg, NULL);
}

static void run_slow_handler(void *arg)
{
    cri_call *c = arg;
    cri_server *srv = c->srv;
    run_handler(c);
    atomic_fetch_sub(&srv->outstanding, 1);
}

/* Posts RECV_CLOSE_ON_SERVER now, so that a slow handler learns of cancellation. */
static void post_early_close(cri_call *c)
{
    grpc_op op;
    memset(&op, 0, sizeof(op));
    op.op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    op.data.recv_close_on_server.cancelled = &c->close_cancelled;
    atomic_fetch_add(&c->refs, 1);
    atomic_fetch_add(&c->srv->outstanding, 1);
    if (grpc_call_start_batch(c->call, &op, 1, &c->close_ev, NULL) == GRPC_CALL_OK) {
        c->close_posted = true;
        return;
    }
    atomic_fetch_sub(&c->srv->outstanding, 1);
    atomic_fetch_sub(&c->refs, 1);
}

/* Asks the method's slow_if, decoding the request for it; an undecodable request
 * is left for run_handler to reject. */
static bool slow_for_request(cri_call *c)
{
    if (c->m->slow_rule == NULL)
        return false;
    c->req = decode_request(c, NULL);
    return c->req && c->m->slow_rule->is_slow(c, c->req);
}

static void handle_call(cri_call *c)
{
    char msg[512];
    if (c->m == NULL) {
        snprintf(msg, sizeof(msg), "unknown method %s", c->unknown_method);
        wc_info("cri", "%s", msg);
        send_reply(c, GRPC_STATUS_UNIMPLEMENTED, msg, NULL);
        return;
    }
    if (c->m->impl == NULL && c->m->list == NULL) {
        snprintf(msg, sizeof(msg), "%s is not implemented by wasmcri yet", c->m->path);
        wc_info("cri", "%s", msg);
        send_reply(c, GRPC_STATUS_UNIMPLEMENTED, msg, NULL);
        return;
    }
    if (c->m->impl && !c->m->impl->slow && !c->m->streaming && !slow_for_request(c)) {
        cri_rpc_stats *stats = c->m->stats; /* c may be gone when run_handler returns */
        uint64_t t0 = now_ns();
        run_handler(c);
        cri_rpc_stats_hold(stats, now_ns() - t0);
        return;
    }
    post_early_close(c);
    atomic_fetch_add(&c->srv->outstanding, 1);
    if (handler_pool_run(c->srv->pool, run_slow_handler, c) < 0) {
        wc_warn("cri", "%s: no thread for a slow handler; running it inline", c->m->path);
        run_slow_handler(c);
    }
}

/* ---- request slots ---- */

static void slot_done(cq_event *ev, bool ok);

static void slot_free(request_slot *slot)
{
    grpc_metadata_array_destroy(&slot->md);
    grpc_call_details_destroy(&slot->details);
    free(slot);
}

static void slot_post(request_slot *slot)
{
    cri_server *srv = slot->srv;
    slot->call = NULL;
    slot->payload = NULL;
    grpc_metadata_array_init(&slot->md);
    grpc_call_details_init(&slot->details);
    atomic_fetch_add(&srv->outstanding, 1);
    grpc_call_error e;
    if (slot->m)
        e = grpc_server_request_registered_call(srv->server, slot->m->handle, &slot->call,
                                                &slot->deadline, &slot->md, &slot->payload,
                                                slot->cq, slot->cq, slot);
    else
        e = grpc_server_request_call(srv->server, &slot->call, &slot->details, &slot->md, slot->cq,
                                     slot->cq, slot);
    if (e != GRPC_CALL_OK) {
        wc_err("cri", "cannot post a request slot: error %d", (int)e);
        atomic_fetch_sub(&srv->outstanding, 1);
        slot_free(slot);
    }
}

static request_slot *slot_new(cri_server *srv, method_entry *m, grpc_completion_queue *cq)
{
    request_slot *slot = calloc(1, sizeof(*slot));
    if (slot == NULL)
        return NULL;
    slot->ev.done = slot_done;
    slot->srv = srv;
    slot->m = m;
    slot->cq = cq;
    return slot;
}

static void slot_done(cq_event *ev, bool ok)
{
    request_slot *slot = (request_slot *)ev;
    cri_server *srv = slot->srv;
    if (!ok) { /* the server is shutting down */
        slot_free(slot);
        atomic_fetch_sub(&srv->outstanding, 1);
        return;
    }
    cri_call *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        grpc_call_cancel_with_status(slot->call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory",
                                     NULL);
        grpc_call_unref(slot->call);
        if (slot->payload)
            grpc_byte_buffer_destroy(slot->payload);
    } else {
        c->reply_ev.done = reply_done;
        c->close_ev.done = close_done;
        c->send_ev.done = send_done;
        pthread_mutex_init(&c->send_mu, NULL);
        pthread_cond_init(&c->send_cv, NULL);
        atomic_init(&c->refs, 1);
        c->srv = srv;
        c->m = slot->m;
        c->started_ns = now_ns();
        c->call = slot->call;
        c->payload = slot->payload;
        if (slot->m == NULL)
            snprintf(c->unknown_method, sizeof(c->unknown_method), "%.*s",
                     (int)GRPC_SLICE_LENGTH(slot->details.method),
                     (const char *)GRPC_SLICE_START_PTR(slot->details.method));
    }
    grpc_metadata_array_destroy(&slot->md);
    grpc_call_details_destroy(&slot->details);
    if (atomic_load(&srv->stopping))
        free(slot);
    else
        slot_post(slot);
    if (c)
        handle_call(c);
    atomic_fetch_sub(&srv->outstanding, 1);
}

/* ---- server lifetime ---- */

/* The time to wait until, for gRPC: infinite, or deadline_ns on CLOCK_MONOTONIC. */
static gpr_timespec queue_deadline(uint64_t deadline_ns, uint64_t now)
{
    if (deadline_ns == UINT64_MAX)
        return gpr_inf_future(GPR_CLOCK_REALTIME);
    return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                        gpr_time_from_nanos((int64_t)(deadline_ns - now), GPR_TIMESPAN));
}

/* The serving loop: runs each completion, and beats the heartbeat between them. */
static void *cq_thread(void *arg)
{
    queue_thread *qt = arg;
    grpc_completion_queue *cq = qt->srv->cqs[qt->index];
    for (;;) {
        uint64_t now = now_ns();
        uint64_t until = cri_pulse_tick(qt->srv->pulse, qt->index, now);
        grpc_event ev = grpc_completion_queue_next(cq, queue_deadline(until, now), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN)
            return NULL;
        if (ev.type == GRPC_OP_COMPLETE)
            ((cq_event *)ev.tag)->done(ev.tag, ev.success != 0);
    }
}

static void shutdown_done(cq_event *ev, bool ok)
{
    cri_server *srv = (cri_server *)((char *)ev - offsetof(cri_server, shutdown_ev));
    (void)ok;
    atomic_store(&srv->shutdown_notified, true);
    atomic_fetch_sub(&srv->outstanding, 1);
}

static const cri_method *find_impl(const cri_method *const *tables, const char *name)
{
    for (size_t t = 0; tables[t]; t++)
        for (size_t i = 0; tables[t][i].name; i++)
            if (strcmp(tables[t][i].name, name) == 0)
                return &tables[t][i];
    return NULL;
}

static bool is_server_streaming(const char *rpc)
{
    for (size_t i = 0; cri_api_server_streaming_rpcs[i]; i++)
        if (strcmp(cri_api_server_streaming_rpcs[i], rpc) == 0)
            return true;
    return false;
}

static bool service_has_rpc(const ProtobufCServiceDescriptor *desc, const char *name)
{
    for (size_t j = 0; j < desc->n_methods; j++)
        if (strcmp(desc->methods[j].name, name) == 0)
            return true;
    return false;
}

/* True when two messages are the same on the wire: same field numbers, labels and types. */
static bool same_wire_shape(const ProtobufCMessageDescriptor *a,
                            const ProtobufCMessageDescriptor *b)
{
    if (a->n_fields != b->n_fields)
        return false;
    for (unsigned i = 0; i < a->n_fields; i++) {
        const ProtobufCFieldDescriptor *x = &a->fields[i], *y = &b->fields[i];
        if (x->id != y->id || x->label != y->label || x->type != y->type ||
            x->descriptor != y->descriptor)
            return false;
    }
    return true;
}

static const method_entry *find_entry(const cri_server *srv, const char *service_path,
                                      const char *rpc)
{
    char path[128];
    snprintf(path, sizeof(path), "/%s/%s", service_path, rpc);
    for (size_t i = 0; i < srv->n_methods; i++)
        if (strcmp(srv->methods[i].path, path) == 0)
            return &srv->methods[i];
    return NULL;
}

/* Points each Stream* rpc without a handler at its implemented, wire-compatible List* twin. */
static void link_streams_to_lists(cri_server *srv)
{
    static const char *const twins[][3] = {
        {"runtime.v1.RuntimeService", "StreamPodSandboxes", "ListPodSandbox"},
        {"runtime.v1.RuntimeService", "StreamContainers", "ListContainers"},
        {"runtime.v1.RuntimeService", "StreamContainerStats", "ListContainerStats"},
        {"runtime.v1.RuntimeService", "StreamPodSandboxStats", "ListPodSandboxStats"},
        {"runtime.v1.RuntimeService", "StreamPodSandboxMetrics", "ListPodSandboxMetrics"},
        {"runtime.v1.ImageService", "StreamImages", "ListImages"},
    };
    for (size_t i = 0; i < sizeof(twins) / sizeof(twins[0]); i++) {
        method_entry *stream = (method_entry *)find_entry(srv, twins[i][0], twins[i][1]);
        const method_entry *list = find_entry(srv, twins[i][0], twins[i][2]);
        if (stream && list && !stream->impl && list->impl && list->impl->fn &&
            same_wire_shape(stream->desc->input, list->desc->input) &&
            same_wire_shape(stream->desc->output, list->desc->output))
            stream->list = list;
    }
}

static const cri_slow_rule *find_slow_rule(const cri_slow_rule *rules, const char *name)
{
    for (size_t i = 0; rules && rules[i].name; i++)
        if (strcmp(rules[i].name, name) == 0)
            return &rules[i];
    return NULL;
}

/* Fills srv->methods from the proto's service descriptors and checks the handler tables. */
static int build_method_table(cri_server *srv, wc_error *err)
{
    size_t n = 0;
    for (size_t s = 0; s < sizeof(services) / sizeof(services[0]); s++) {
        n += services[s].desc->n_methods;
        for (size_t t = 0; services[s].tables[t]; t++)
            for (size_t i = 0; services[s].tables[t][i].name; i++)
                if (!service_has_rpc(services[s].desc, services[s].tables[t][i].name))
                    return wc_error_set(err, -EINVAL, "handler table names rpc %s, which %s lacks",
                                        services[s].tables[t][i].name, services[s].desc->name);
    }
    srv->methods = calloc(n, sizeof(method_entry));
    srv->stats = calloc(n ? n : 1, sizeof(cri_rpc_stats));
    if (srv->methods == NULL || srv->stats == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    for (size_t s = 0; s < sizeof(services) / sizeof(services[0]); s++) {
        for (size_t j = 0; j < services[s].desc->n_methods; j++) {
            method_entry *m = &srv->methods[srv->n_methods];
            m->stats = &srv->stats[srv->n_methods++];
            m->desc = &services[s].desc->methods[j];
            m->impl = find_impl(services[s].tables, m->desc->name);
            m->slow_rule = find_slow_rule(services[s].slow_rules, m->desc->name);
            m->streaming = is_server_streaming(m->desc->name);
            snprintf(m->path, sizeof(m->path), "/%s/%s", services[s].desc->name, m->desc->name);
            m->handle = grpc_server_register_method(srv->server, m->path, NULL,
                                                    GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
            if (m->handle == NULL)
                return wc_error_set(err, -EINVAL, "cannot register %s", m->path);
        }
    }
    link_streams_to_lists(srv);
    return 0;
}

static grpc_server *create_grpc_server(void)
{
    grpc_arg args[2];
    memset(args, 0, sizeof(args));
    args[0].type = GRPC_ARG_INTEGER;
    args[0].key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
    args[0].value.integer = MAX_MESSAGE_BYTES;
    args[1].type = GRPC_ARG_INTEGER;
    args[1].key = GRPC_ARG_MAX_SEND_MESSAGE_LENGTH;
    args[1].value.integer = MAX_MESSAGE_BYTES;
    grpc_channel_args chargs = {.num_args = 2, .args = args};
    return grpc_server_create(&chargs, NULL);
}

static int listen_unix(cri_server *srv, const char *socket_path, wc_error *err)
{
    char addr[4096 + 8];
    snprintf(addr, sizeof(addr), "unix:%s", socket_path);
    grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
    int port = grpc_server_add_http2_port(srv->server, addr, creds);
    grpc_server_credentials_release(creds);
    if (port == 0)
        return wc_error_set(err, -EADDRNOTAVAIL, "cannot listen on unix socket %s", socket_path);
    return 0;
}

static int post_slots(cri_server *srv, wc_error *err)
{
    for (size_t q = 0; q < srv->n_threads_started; q++) {
        for (size_t i = 0; i < srv->n_methods * SLOTS_PER_METHOD + UNKNOWN_SLOTS; i++) {
            method_entry *m =
                i < srv->n_methods * SLOTS_PER_METHOD ? &srv->methods[i / SLOTS_PER_METHOD] : NULL;
            request_slot *slot = slot_new(srv, m, srv->cqs[q]);
            if (slot == NULL)
                return wc_error_set(err, -ENOMEM, "out of memory");
            slot_post(slot);
        }
    }
    return 0;
}

static int start_threads(cri_server *srv, const cri_heartbeat *hb, wc_error *err)
{
    TRY(cri_pulse_new(hb, srv->n_cqs, now_ns(), &srv->pulse, err));
    srv->threads = calloc(srv->n_cqs, sizeof(pthread_t));
    srv->thread_args = calloc(srv->n_cqs, sizeof(queue_thread));
    if (srv->threads == NULL || srv->thread_args == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    for (size_t q = 0; q < srv->n_cqs; q++) {
        srv->thread_args[q] = (queue_thread){.srv = srv, .index = q};
        int rc = pthread_create(&srv->threads[q], NULL, cq_thread, &srv->thread_args[q]);
        if (rc != 0)
            return wc_error_set_errno(err, -rc, "cannot start a server thread");
        char name[16]; /* the kernel's limit, with the NUL */
        snprintf(name, sizeof(name), "cri-queue-%u", (unsigned)(q % 100));
        pthread_setname_np(srv->threads[q], name);
        srv->n_threads_started++;
    }
    return 0;
}

/* The steps of cri_server_start after srv is made; on failure cri_server_stop undoes them. */
static int start_server(cri_server *srv, const char *socket_path, const cri_heartbeat *hb,
                        wc_error *err)
{
    srv->server = create_grpc_server();
    srv->cqs = calloc(srv->n_cqs, sizeof(*srv->cqs));
    srv->pool = handler_pool_new();
    if (srv->cqs == NULL || srv->pool == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    for (size_t q = 0; q < srv->n_cqs; q++) {
        srv->cqs[q] = grpc_completion_queue_create_for_next(NULL);
        grpc_server_register_completion_queue(srv->server, srv->cqs[q], NULL);
    }
    TRY(build_method_table(srv, err));
    TRY(listen_unix(srv, socket_path, err));
    grpc_server_start(srv->server);
    srv->started = true;
    if (chmod(socket_path, 0660) < 0)
        return wc_error_set_errno(err, -errno, "cannot set the mode of %s", socket_path);
    TRY(start_threads(srv, hb, err));
    return post_slots(srv, err);
}

int cri_server_start(cri_daemon *d, const char *socket_path, size_t n_threads,
                     const cri_heartbeat *hb, cri_server **ret_server, wc_error *err)
{
    cri_grpc_log_route();
    grpc_init();
    cri_server *srv = calloc(1, sizeof(*srv));
    if (srv == NULL) {
        grpc_shutdown();
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    srv->daemon = d;
    srv->shutdown_ev.done = shutdown_done;
    srv->n_cqs = n_threads ? n_threads : 1;
    int rc = start_server(srv, socket_path, hb, err);
    if (rc < 0) {
        cri_server_stop(srv, 0);
        return rc;
    }
    *ret_server = srv;
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits until cond holds, checking every millisecond; false if timeout_ms passed first. */
static bool wait_for(cri_server *srv, bool (*cond)(cri_server *), long timeout_ms)
{
    for (long waited = 0; !cond(srv); waited++) {
        if (timeout_ms >= 0 && waited >= timeout_ms)
            return false;
        sleep_ms(1);
    }
    return true;
}

static bool is_shutdown_notified(cri_server *srv)
{
    return atomic_load(&srv->shutdown_notified);
}

static bool nothing_outstanding(cri_server *srv)
{
    return atomic_load(&srv->outstanding) == 0;
}

/* Runs completions on the calling thread until nothing is outstanding (no queue thread runs). */
static void drain_inline(cri_server *srv)
{
    while (!nothing_outstanding(srv)) {
        grpc_server_cancel_all_calls(srv->server);
        grpc_event ev =
            grpc_completion_queue_next(srv->cqs[0], gpr_time_from_millis(10, GPR_TIMESPAN), NULL);
        if (ev.type == GRPC_OP_COMPLETE)
            ((cq_event *)ev.tag)->done(ev.tag, ev.success != 0);
    }
}

void cri_server_stop(cri_server *srv, int grace_ms)
{
    if (srv == NULL)
        return;
    atomic_store(&srv->stopping, true);
    if (srv->started) {
        atomic_fetch_add(&srv->outstanding, 1);
        grpc_server_shutdown_and_notify(srv->server, srv->cqs[0], &srv->shutdown_ev);
        if (srv->n_threads_started == 0) {
            drain_inline(srv);
        } else if (!wait_for(srv, is_shutdown_notified, grace_ms)) {
            wc_info("cri", "cancelling the calls still open after %d ms", grace_ms);
            grpc_server_cancel_all_calls(srv->server);
        }
        wait_for(srv, nothing_outstanding, -1);
    }
    handler_pool_free(srv->pool); /* its threads run no handler now: they end */
    for (size_t q = 0; srv->cqs && q < srv->n_cqs; q++)
        if (srv->cqs[q])
            grpc_completion_queue_shutdown(srv->cqs[q]);
    for (size_t q = 0; q < srv->n_threads_started; q++)
        pthread_join(srv->threads[q], NULL);
    /* Queues without a thread of their own are drained here. */
    for (size_t q = srv->n_threads_started; srv->cqs && q < srv->n_cqs; q++)
        while (srv->cqs[q] &&
               grpc_completion_queue_next(srv->cqs[q], gpr_inf_future(GPR_CLOCK_REALTIME), NULL)
                       .type != GRPC_QUEUE_SHUTDOWN) {
        }
    grpc_server_destroy(srv->server);
    for (size_t q = 0; srv->cqs && q < srv->n_cqs; q++)
        if (srv->cqs[q])
            grpc_completion_queue_destroy(srv->cqs[q]);
    free(srv->cqs);
    free(srv->threads);
    free(srv->thread_args);
    cri_pulse_free(srv->pulse);
    free(srv->methods);
    free(srv->stats);
    free(srv);
    grpc_shutdown();
}

void cri_server_write_metrics(cri_server *srv, FILE *f)
{
    const char **paths = calloc(srv->n_methods + 1, sizeof(char *));
    cri_rpc_stats **stats = calloc(srv->n_methods + 1, sizeof(cri_rpc_stats *));
    for (size_t i = 0; paths && stats && i < srv->n_methods; i++) {
        paths[i] = srv->methods[i].path;
        stats[i] = srv->methods[i].stats;
    }
    if (paths && stats)
        cri_rpc_metrics_write(f, paths, stats, srv->n_methods);
    free(paths);
    free(stats);
}
