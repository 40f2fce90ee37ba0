/* One-time tokens of the streaming server (stream_tokens.h). */
#include "stream_tokens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "cleanup.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void stream_request_free(stream_request *r)
{
    if (r == NULL)
        return;
    free(r->container_id);
    free(r->pod_id);
    wc_strv_free(r->cmd);
    free(r->ports);
    free(r);
}

void stream_tokens_init(stream_tokens *t)
{
    memset(t, 0, sizeof(*t));
    pthread_mutex_init(&t->mu, NULL);
}

static void drop(stream_token *k)
{
    stream_request_free(k->req);
    free(k);
}

void stream_tokens_clear(stream_tokens *t)
{
    while (t->head) {
        stream_token *k = t->head;
        t->head = k->next;
        drop(k);
    }
    t->n = 0;
    pthread_mutex_destroy(&t->mu);
}

/* Drops expired tokens; mu held. */
static void expire(stream_tokens *t, int64_t now)
{
    for (stream_token **p = &t->head; *p;) {
        stream_token *k = *p;
        if (k->expires_ms > now) {
            p = &k->next;
            continue;
        }
        *p = k->next;
        drop(k);
        t->n--;
    }
}

int stream_tokens_add(stream_tokens *t, stream_request *req, char ret_token[STREAM_TOKEN_LEN + 1],
                      wc_error *err)
{
    unsigned char raw[STREAM_TOKEN_LEN / 2];
    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
        stream_request_free(req);
        return wc_error_set_errno(err, -errno, "no randomness for a stream token");
    }
    stream_token *k = calloc(1, sizeof(*k));
    if (k == NULL) {
        stream_request_free(req);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(k->token + 2 * i, 3, "%02x", raw[i]);
    k->req = req;
    int64_t now = now_ms();
    k->expires_ms = now + STREAM_TOKEN_TTL_S * 1000;
    pthread_mutex_lock(&t->mu);
    expire(t, now);
    bool full = t->n >= STREAM_TOKENS_MAX;
    if (!full) {
        k->next = t->head;
        t->head = k;
        t->n++;
        memcpy(ret_token, k->token, sizeof(k->token));
    }
    pthread_mutex_unlock(&t->mu);
    if (full) {
        drop(k);
        return wc_error_set(err, -EAGAIN,
                            "%d stream URLs are waiting for their client: try again later",
                            STREAM_TOKENS_MAX);
    }
    return 0;
}

stream_request *stream_tokens_take(stream_tokens *t, const char *token)
{
    stream_request *req = NULL;
    pthread_mutex_lock(&t->mu);
    expire(t, now_ms());
    for (stream_token **p = &t->head; *p; p = &(*p)->next)
        if (strcmp((*p)->token, token) == 0) {
            stream_token *k = *p;
            *p = k->next;
            req = k->req;
            k->req = NULL;
            drop(k);
            t->n--;
            break;
        }
    pthread_mutex_unlock(&t->mu);
    return req;
}
