/* One-time tokens of the streaming server: the Exec, Attach and PortForward rpcs
 * store what they validated under a random token; the URL they answer carries it.
 * A token is taken once (a second use, or one after STREAM_TOKEN_TTL_S, finds
 * nothing). Thread-safe: the rpcs add on the gRPC side, the HTTP thread takes.
 */
#ifndef WASMCRI_CRI_STREAM_TOKENS_H
#define WASMCRI_CRI_STREAM_TOKENS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define STREAM_TOKEN_TTL_S 60
#define STREAM_TOKEN_LEN 32    /* hex digits */
#define STREAM_TOKENS_MAX 4096 /* outstanding tokens: more fail with UNAVAILABLE */

typedef enum stream_kind { STREAM_EXEC, STREAM_ATTACH, STREAM_PORTFORWARD } stream_kind;

/* What the rpc asked for; owned by whoever holds it. */
typedef struct stream_request {
    stream_kind kind;
    char *container_id; /* exec, attach */
    char *pod_id;       /* portforward */
    char **cmd;         /* exec: NULL-terminated */
    bool in, out, err, tty;
    bool stdin_once; /* attach: the container's stdin ends with this session's */
    int32_t *ports;  /* portforward: the ports the rpc named (may be none) */
    size_t n_ports;
} stream_request;

void stream_request_free(stream_request *r); /* NULL is fine */

typedef struct stream_token {
    struct stream_token *next;
    char token[STREAM_TOKEN_LEN + 1];
    int64_t expires_ms; /* CLOCK_MONOTONIC */
    stream_request *req;
} stream_token;

typedef struct stream_tokens {
    pthread_mutex_t mu;
    stream_token *head;
    size_t n;
} stream_tokens;

void stream_tokens_init(stream_tokens *t);
void stream_tokens_clear(stream_tokens *t);

/* Stores req (taken, also on failure) under a new token, copied to ret_token. */
int stream_tokens_add(stream_tokens *t, stream_request *req, char ret_token[STREAM_TOKEN_LEN + 1],
                      wc_error *err);

/* The request stored under token, removed from the table (the caller frees it);
 * NULL when there is none or it has expired. */
stream_request *stream_tokens_take(stream_tokens *t, const char *token);

#endif
