/* CRI maps and repeated strings to the sandbox's lists and back (cri/convert.c), through
 * protobuf-c's wire encoding as a kubelet would send and read them. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cleanup.h"
#include "convert.h"
#include "service.h"
#include "strv.h"

/* A PodSandboxConfig with labels and DNS servers from kv lists, packed and unpacked. */
static Runtime__V1__PodSandboxConfig *through_the_wire(char *const *labels, char *const *servers)
{
    Runtime__V1__PodSandboxConfig *cfg = cri_new(&runtime__v1__pod_sandbox_config__descriptor);
    Runtime__V1__DNSConfig *dns = cri_new(&runtime__v1__dnsconfig__descriptor);
    if (cfg == NULL || dns == NULL)
        return NULL;
    cfg->dns_config = dns;
    CHECK(cri_kv_to_map(labels, &runtime__v1__pod_sandbox_config__labels_entry__descriptor,
                        (void ***)&cfg->labels, &cfg->n_labels) == 0);
    CHECK(cri_strv_to_repeated(servers, &dns->servers, &dns->n_servers) == 0);
    size_t len = protobuf_c_message_get_packed_size(&cfg->base);
    uint8_t *buf = malloc(len ? len : 1);
    protobuf_c_message_pack(&cfg->base, buf);
    protobuf_c_message_free_unpacked(&cfg->base, NULL);
    Runtime__V1__PodSandboxConfig *back = runtime__v1__pod_sandbox_config__unpack(NULL, len, buf);
    free(buf);
    return back;
}

static void test_round_trip(void)
{
    char *labels[] = {"app", "web", "tier", "", NULL};
    char *servers[] = {"10.0.0.10", "10.0.0.11", NULL};
    Runtime__V1__PodSandboxConfig *cfg = through_the_wire(labels, servers);
    CHECK(cfg != NULL && cfg->n_labels == 2 && cfg->dns_config && cfg->dns_config->n_servers == 2);
    if (cfg == NULL || cfg->dns_config == NULL)
        return;
    _cleanup_strv_ char **kv = cri_map_to_kv((void *const *)cfg->labels, cfg->n_labels);
    CHECK(kv != NULL && wc_strv_len(kv) == 4);
    for (size_t i = 0; kv && i < 4; i += 2) { /* protobuf maps keep no order */
        size_t j = strcmp(kv[i], "app") == 0 ? 0 : 2;
        CHECK_STR(kv[i], labels[j]);
        CHECK_STR(kv[i + 1], labels[j + 1]);
    }
    _cleanup_strv_ char **v =
        cri_repeated_to_strv(cfg->dns_config->servers, cfg->dns_config->n_servers);
    CHECK(v != NULL && wc_strv_len(v) == 2);
    CHECK_STR(v ? v[1] : NULL, "10.0.0.11");
    protobuf_c_message_free_unpacked(&cfg->base, NULL);
}

static void test_empty(void)
{
    void **entries = (void **)1;
    size_t n = 7;
    CHECK(cri_kv_to_map(NULL, &runtime__v1__pod_sandbox_config__labels_entry__descriptor, &entries,
                        &n) == 0);
    CHECK(entries == NULL && n == 0);
    char *odd[] = {"key-without-value", NULL}; /* half a pair is no entry */
    CHECK(cri_kv_to_map(odd, &runtime__v1__pod_sandbox_config__labels_entry__descriptor, &entries,
                        &n) == 0);
    CHECK(n == 0);
    _cleanup_strv_ char **kv = cri_map_to_kv(NULL, 0);
    CHECK(kv != NULL && kv[0] == NULL);
    _cleanup_strv_ char **v = cri_repeated_to_strv(NULL, 0);
    CHECK(v != NULL && v[0] == NULL);
    char **items = (char **)1;
    CHECK(cri_strv_to_repeated(NULL, &items, &n) == 0 && items == NULL && n == 0);
}

int main(void)
{
    test_round_trip();
    test_empty();
    return CHECK_DONE();
}
