/* The CNI protocol pieces that read outside input or build what plugins read:
 * pod IPs from ADD results (hostile and odd ones), bandwidth quantities, CNI_ARGS,
 * runtimeConfig, and the plugin's path made from a bin dir. Plugin runs themselves are
 * tested against Debian's real plugins in tests/integration/test_cni.py. */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "cleanup.h"
#include "cni_config.h"
#include "cni_exec.h"
#include "cni_runtime.h"

/* The IPs cni_result_ips finds in a result written as JSON text, "|"-joined, or the error. */
static char *ips_of(const char *result_json)
{
    static char out[WC_ERROR_MSG_MAX + 16];
    json_t *r = json_loads(result_json, 0, NULL);
    char **ips = NULL;
    wc_error err = {0};
    if (cni_result_ips(r, &ips, &err) < 0) {
        snprintf(out, sizeof(out), "error: %s", err.msg);
    } else {
        out[0] = '\0';
        for (size_t i = 0; ips[i]; i++)
            snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? "|" : "", ips[i]);
    }
    wc_strv_free(ips);
    json_decref(r);
    return out;
}

static void test_result_ips(void)
{
    CHECK_STR(ips_of("{\"ips\":[{\"address\":\"fd00::5/64\"},{\"address\":\"10.1.2.3/24\"}]}"),
              "10.1.2.3|fd00::5");
    /* an address on the host-side interface (no "sandbox") is not the pod's */
    CHECK_STR(
        ips_of("{\"interfaces\":[{\"name\":\"veth1\"},{\"name\":\"eth0\",\"sandbox\":\"/n\"}],"
               "\"ips\":[{\"address\":\"10.0.0.9/24\",\"interface\":0},"
               "{\"address\":\"10.0.0.7/24\",\"interface\":1}]}"),
        "10.0.0.7");
    CHECK(strstr(ips_of("{\"ips\":[]}"), "no IP address") != NULL);
    CHECK(strstr(ips_of("{}"), "no IP address") != NULL);
    CHECK(strstr(ips_of("{\"ips\":[{\"address\":\"\"}]}"), "malformed") != NULL);
    CHECK(strstr(ips_of("{\"ips\":[{\"address\":\"10.0.0.300/24\"}]}"), "malformed") != NULL);
    CHECK(strstr(ips_of("{\"ips\":[{\"address\":5}]}"), "malformed") != NULL);
    CHECK(strstr(ips_of("{\"ips\":{\"address\":\"10.0.0.1/8\"}}"), "no IP address") != NULL);
    char big[4096] = "{\"ips\":[";
    for (int i = 0; i < 20; i++)
        snprintf(big + strlen(big), sizeof(big) - strlen(big), "%s{\"address\":\"10.0.0.%d/24\"}",
                 i ? "," : "", i + 1);
    strcat(big, "]}");
    CHECK(strstr(ips_of(big), "more than 16") != NULL);
}

static void test_quantity(void)
{
    int64_t v = 0;
    CHECK(cni_parse_quantity("10M", &v) == 0 && v == 10000000);
    CHECK(cni_parse_quantity("1Mi", &v) == 0 && v == 1048576);
    CHECK(cni_parse_quantity("1.5k", &v) == 0 && v == 1500);
    CHECK(cni_parse_quantity("100", &v) == 0 && v == 100);
    CHECK(cni_parse_quantity("2G", &v) == 0 && v == 2000000000);
    const char *bad[] = {"", "fast", "10X", "-1M", "0", "1e3", "0x10", "inf", "10 M", "M", NULL};
    for (size_t i = 0; bad[i]; i++)
        CHECK(cni_parse_quantity(bad[i], &v) == -EINVAL);
}

static void test_pod_args(void)
{
    char *args = NULL;
    wc_error err = {0};
    CHECK(cni_pod_args("abc", "web", "default", "u1", &args, &err) == 0);
    CHECK_STR(args, "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;"
                    "K8S_POD_INFRA_CONTAINER_ID=abc;K8S_POD_UID=u1");
    free(args);
    args = NULL;
    CHECK(cni_pod_args("abc", "web;K8S_POD_NAME=evil", "default", "u1", &args, &err) == -EINVAL);
    CHECK(args == NULL && strstr(err.msg, "web;K8S_POD_NAME=evil") != NULL);
}

static void test_runtime_config(void)
{
    wc_port_mapping ports[] = {{WC_PROTO_TCP, 80, 0, ""}, {WC_PROTO_UDP, 53, 5353, "10.0.0.1"}};
    char *ann[] = {"kubernetes.io/egress-bandwidth", "1M", NULL};
    char *none[] = {NULL};
    json_t *rt = NULL;
    wc_error err = {0};
    CHECK(cni_runtime_config(ports, 2, ann, none, none, none, &rt, &err) == 0);
    char *text = rt ? json_dumps(rt, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
    CHECK_STR(text, "{\"bandwidth\":{\"egressBurst\":2147483647,\"egressRate\":1000000},"
                    "\"portMappings\":[{\"containerPort\":53,\"hostIP\":\"10.0.0.1\","
                    "\"hostPort\":5353,\"protocol\":\"udp\"}]}");
    free(text);
    json_decref(rt);
    rt = NULL;
    CHECK(cni_runtime_config(NULL, 0, none, none, none, none, &rt, &err) == 0);
    CHECK(rt && json_object_size(rt) == 0);
    json_decref(rt);
    rt = NULL;
    char *huge[] = {"kubernetes.io/ingress-bandwidth", "2E", NULL};
    CHECK(cni_runtime_config(NULL, 0, huge, none, none, none, &rt, &err) == -EINVAL && rt == NULL);
}

/* Makes base/ddd.../ddd, len bytes long (components of at most 200 bytes), into dir, with an
 * executable br in it that touches base/ran and prints {}. */
static void bin_dir_with_br(const char *base, size_t len, char dir[4096])
{
    snprintf(dir, 4096, "%s", base);
    while (strlen(dir) < len) {
        size_t n = strlen(dir), add = len - n - 1 < 200 ? len - n - 1 : 200;
        dir[n] = '/';
        memset(dir + n + 1, 'd', add);
        dir[n + 1 + add] = '\0';
        CHECK(mkdir(dir, 0755) == 0);
    }
    char br[4096 + 8];
    snprintf(br, sizeof(br), "%s/br", dir);
    FILE *f = fopen(br, "w");
    CHECK(f != NULL);
    if (f) {
        fprintf(f, "#!/bin/sh\ntouch %s/ran\necho '{}'\n", base);
        fclose(f);
    }
    CHECK(chmod(br, 0755) == 0);
}

static void remove_dir(const char *base)
{
    char rm[128];
    snprintf(rm, sizeof(rm), "rm -rf %s", base);
    CHECK(system(rm) == 0);
}

/* A bin dir so long that "<dir>/bridge" is cut to "<dir>/br" in the daemon's 4096-byte path
 * buffer: an executable br there must not run as the bridge plugin. */
static void test_plugin_path_cut_to_another_file(void)
{
    char base[] = "/tmp/wasmcri-cni-cut-XXXXXX", dir[4096], marker[64];
    CHECK(mkdtemp(base) != NULL);
    snprintf(marker, sizeof(marker), "%s/ran", base);
    bin_dir_with_br(base, 4092, dir);
    char *bin_dirs[] = {dir, NULL};
    json_t *config =
        json_pack("{s:s, s:s, s:s}", "cniVersion", "1.0.0", "name", "cut", "type", "bridge");
    cni_exec_req req = {.type = "bridge",
                        .bin_dirs = bin_dirs,
                        .command = "VERSION",
                        .container_id = "c",
                        .netns = "",
                        .ifname = "eth0",
                        .args = "",
                        .config = config,
                        .timeout_ms = 5000};
    json_t *result = NULL;
    wc_error err = {0};
    CHECK_EQ_INT(cni_exec_plugin(&req, &result, &err), -ENAMETOOLONG);
    CHECK(access(marker, F_OK) < 0); /* br did not run */
    json_decref(result);
    json_decref(config);
    remove_dir(base);
}

/* The same cut in the Status check (a 1024-byte buffer there): a network whose bridge plugin
 * is missing was reported ready because <dir>/br exists. */
static void test_plugin_check_path_cut_to_another_file(void)
{
    char base[] = "/tmp/wasmcri-cni-cut-XXXXXX", dir[4096], conf[64];
    CHECK(mkdtemp(base) != NULL);
    bin_dir_with_br(base, 1020, dir);
    snprintf(conf, sizeof(conf), "%s/10-cut.conflist", base);
    FILE *f = fopen(conf, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("{\"cniVersion\":\"1.0.0\",\"name\":\"cut\",\"plugins\":[{\"type\":\"bridge\"}]}", f);
        fclose(f);
    }
    char *bin_dirs[] = {dir, NULL};
    cni_check chk = {0};
    cni_check_config(base, bin_dirs, 1, &chk);
    CHECK(!chk.ready);
    CHECK(strstr(chk.message, "\"bridge\"") != NULL);
    remove_dir(base);
}

int main(void)
{
    test_result_ips();
    test_quantity();
    test_pod_args();
    test_runtime_config();
    test_plugin_path_cut_to_another_file();
    test_plugin_check_path_cut_to_another_file();
    return CHECK_DONE();
}
