/* The Prometheus endpoint on libmicrohttpd (see metrics_http.h): one internal polling thread
 * answers every request; a scrape builds the whole page in memory (open_memstream) and hands
 * it over to the library, which frees it.
 */
#include "metrics_http.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "net_addr.h"
#include "sandbox.h"

#define MAX_CONNECTIONS 16
#define IDLE_TIMEOUT_S 10
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct cri_metrics_http {
    struct MHD_Daemon *mhd;
    cri_server *srv;
    cri_daemon *d;
};

static void write_gauges(FILE *f, cri_daemon *d)
{
    static const char *const pod_states[] = {"ready", "notready"};
    static const char *const ctr_states[] = {"created", "running", "exited", "unknown"};
    wc_sandbox_gauges g;
    wc_sandbox_gauges_read(d->sandbox, &g);
    wc_prom_family(f, "wasmcri_pods", "gauge", "Pod sandboxes by state.");
    for (size_t i = 0; i < 2; i++)
        fprintf(f, "wasmcri_pods{state=\"%s\"} %zu\n", pod_states[i], g.pods[i]);
    wc_prom_family(f, "wasmcri_containers", "gauge", "Containers by state.");
    for (size_t i = 0; i < 4; i++)
        fprintf(f, "wasmcri_containers{state=\"%s\"} %zu\n", ctr_states[i], g.containers[i]);
    if (!g.cache_known)
        return; /* no zygote now: no figure rather than a false 0 */
    wc_prom_family(f, "wasmcri_module_cache_bytes", "gauge",
                   "Heap the zygote's compiled modules take (module_cache_mib is its budget).");
    fprintf(f, "wasmcri_module_cache_bytes %llu\n", (unsigned long long)g.cache_bytes);
    wc_prom_family(f, "wasmcri_module_cache_modules", "gauge",
                   "Compiled modules the zygote holds.");
    fprintf(f, "wasmcri_module_cache_modules %llu\n", (unsigned long long)g.cache_entries);
    wc_prom_family(f, "wasmcri_module_background_compiles_total", "counter",
                   "Modules the zygote compiled off the start path (at CreateContainer).");
    fprintf(f, "wasmcri_module_background_compiles_total %llu\n",
            (unsigned long long)g.background_compiles);
    wc_prom_family(
        f, "wasmcri_module_start_compiles_total", "counter",
        "Container starts that had to compile their module (not in the zygote's cache).");
    fprintf(f, "wasmcri_module_start_compiles_total %llu\n", (unsigned long long)g.start_compiles);
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, char *body,
                             size_t len, const char *type)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result error_page(struct MHD_Connection *conn, unsigned int status,
                                  const char *text)
{
    char *body = strdup(text);
    return body ? reply(conn, status, body, strlen(body), "text/plain; charset=utf-8") : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **state)
{
    (void)version;
    (void)upload_data;
    cri_metrics_http *h = cls;
    if (*state == NULL) { /* the headers: answer when the request is complete */
        *state = h;
        return MHD_YES;
    }
    if (*upload_size != 0) { /* a body nobody asked for: skip it */
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(url, "/metrics") != 0)
        return error_page(conn, MHD_HTTP_NOT_FOUND, "not found: the metrics are at /metrics\n");
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return error_page(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n");
    char *body = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&body, &len);
    if (f == NULL)
        return MHD_NO;
    wc_metrics_write(f);
    cri_server_write_metrics(h->srv, f);
    write_gauges(f, h->d);
    if (fclose(f) != 0) {
        free(body);
        return MHD_NO;
    }
    return reply(conn, MHD_HTTP_OK, body, len, CONTENT_TYPE);
}

int cri_metrics_http_start(const char *addr, cri_server *srv, cri_daemon *d, cri_metrics_http **ret,
                           wc_error *err)
{
    struct sockaddr_storage ss;
    socklen_t len;
    TRY(wc_parse_host_port(addr, &ss, &len, err));
    cri_metrics_http *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    h->srv = srv;
    h->d = d;
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                         (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, &ss,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)IDLE_TIMEOUT_S,
                              MHD_OPTION_END);
    if (h->mhd == NULL) {
        int e = errno ? errno : EADDRINUSE;
        free(h);
        return wc_error_set_errno(err, -e, "metrics_address %s: cannot listen", addr);
    }
    *ret = h;
    return 0;
}

void cri_metrics_http_stop(cri_metrics_http *h)
{
    if (h == NULL)
        return;
    MHD_stop_daemon(h->mhd);
    free(h);
}
