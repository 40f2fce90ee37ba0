/* Unit tests for common/config.c and common/error.c: defaults, key validation with
 * the key's path in the message, overrides, printing, and error wrapping. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"

static void test_defaults(void)
{
    wc_config cfg;
    CHECK(wc_config_init(&cfg) == 0);
    CHECK(strcmp(cfg.socket_path, "/run/wasmcri/wasmcri.sock") == 0);
    CHECK(strcmp(cfg.root_dir, "/var/lib/wasmcri") == 0);
    CHECK(strcmp(cfg.state_dir, "/run/wasmcri") == 0);
    CHECK(strcmp(cfg.cgroup_driver, "cgroupfs") == 0);
    CHECK(cfg.log_level == WC_LOG_INFO);
    CHECK(cfg.n_cni_bin_dirs == 2);
    CHECK(cfg.cni_plugin_timeout_s == 30);
    CHECK(cfg.n_registries == 0);
    CHECK(cfg.module_cache_mib == 32);
    CHECK(cfg.toolbox);
    CHECK(cfg.exec_ready_ms == 60000);
    wc_config_free(&cfg);
}

static void test_registries(void)
{
    wc_config cfg;
    wc_error err = {0};
    wc_config_init(&cfg);
    const char *json = "{\"registries\": [{\"host\": \"127.0.0.1:5000\", \"insecure\": true,"
                       " \"mirrors\": [\"m1:5001\", \"m2\"], \"auth\": {\"username\": \"u\","
                       " \"password\": \"p\"}}], \"log_level\": \"debug\"}";
    CHECK(wc_config_load_string(&cfg, json, "test", &err) == 0);
    CHECK(cfg.n_registries == 1);
    const wc_registry *r = wc_config_find_registry(&cfg, "127.0.0.1:5000");
    CHECK(r != NULL);
    if (r) {
        CHECK(r->insecure);
        CHECK(r->n_mirrors == 2 && strcmp(r->mirrors[1], "m2") == 0);
        CHECK(strcmp(r->username, "u") == 0 && strcmp(r->password, "p") == 0);
        CHECK(r->ca_file == NULL);
    }
    CHECK(wc_config_find_registry(&cfg, "docker.io") == NULL);
    CHECK(cfg.log_level == WC_LOG_DEBUG);
    wc_config_free(&cfg);
}

static void expect_error(const char *json, const char *needle)
{
    wc_config cfg;
    wc_error err = {0};
    wc_config_init(&cfg);
    int rc = wc_config_load_string(&cfg, json, "cfg.json", &err);
    CHECK(rc == -EINVAL);
    CHECK(strstr(err.msg, needle) != NULL);
    CHECK(strstr(err.msg, "cfg.json") != NULL);
    if (!strstr(err.msg, needle))
        fprintf(stderr, "  message was: %s\n", err.msg);
    wc_config_free(&cfg);
}

static void test_errors(void)
{
    expect_error("{\"x\": 1}", "\"x\"");
    expect_error("[]", "top level");
    expect_error("{\"socket\": 5}", "\"socket\"");
    expect_error("{\"registries\": [{}]}", "registries[0].host");
    expect_error("{\"registries\": [{\"host\": \"a\", \"auth\": {\"user\": \"u\"}}]}",
                 "registries[0].auth.user");
    expect_error("{\"cni\": {\"bin_dirs\": [1]}}", "cni.bin_dirs");
    expect_error("{\"cni\": {\"bin_dirs\": [\"/a\", 1]}}",
                 "key \"cni.bin_dirs\"[1] is a number, not a string");
    expect_error("{\"socket\": 5}", "key \"socket\" is a number, not a string");
    expect_error("{\"registries\": [{\"host\": \"a\", \"insecure\": \"yes\"}]}",
                 "key \"registries[0].insecure\" is a string, not a boolean");
    expect_error("{\"cni\": {\"plugin_timeout_s\": 0}}", "cni.plugin_timeout_s");
    expect_error("{\"module_cache_mib\": -1}", "\"module_cache_mib\": must be an integer");
    expect_error("{\"module_cache_mib\": \"32\"}", "\"module_cache_mib\"");
    expect_error("{\"toolbox\": \"yes\"}", "\"toolbox\"");
    expect_error("{\"exec_ready_ms\": -1}", "\"exec_ready_ms\"");
    expect_error("{\"socket\": \"a\", \"socket\": \"b\"}", "duplicate");
    expect_error("{", "line 1");
}

static void test_print_round_trip(void)
{
    wc_config a, b;
    wc_error err = {0};
    wc_config_init(&a);
    CHECK(wc_config_load_string(&a,
                                "{\"registries\": [{\"host\": \"h\", \"ca_file\": \"/ca\"}],"
                                " \"cgroup_driver\": \"systemd\", \"module_cache_mib\": 5,"
                                " \"toolbox\": false}",
                                "a", &err) == 0);
    char *json = wc_config_to_json(&a);
    CHECK(json != NULL);
    wc_config_init(&b);
    CHECK(json && wc_config_load_string(&b, json, "printed", &err) == 0);
    CHECK(strcmp(b.cgroup_driver, "systemd") == 0);
    CHECK(b.module_cache_mib == 5);
    CHECK(!b.toolbox);
    CHECK(b.n_registries == 1 && strcmp(b.registries[0].ca_file, "/ca") == 0);
    free(json);
    wc_config_free(&a);
    wc_config_free(&b);
}

static void test_unpack_limits_are_config_keys(void)
{
    wc_config cfg;
    wc_error err = {0};
    wc_config_init(&cfg);
    CHECK(cfg.unpack.max_layer_bytes == 16ull << 30);
    CHECK(cfg.unpack.max_layer_entries == 1000000);
    CHECK(cfg.unpack.max_ratio == 100);
    char *json = wc_config_to_json(&cfg);
    CHECK(json && strstr(json, "\"max_ratio\": 100") != NULL);
    free(json);
    CHECK(wc_config_load_string(&cfg,
                                "{\"unpack\": {\"max_ratio\": 2000, \"max_layer_entries\": 5}}",
                                "test", &err) == 0);
    CHECK(cfg.unpack.max_ratio == 2000 && cfg.unpack.max_layer_entries == 5);
    CHECK(cfg.unpack.max_layer_bytes == 16ull << 30);
    CHECK(wc_config_load_string(&cfg, "{\"unpack\": {\"max_ratio\": 0}}", "test", &err) == -EINVAL);
    CHECK(strstr(err.msg, "unpack.max_ratio") && strstr(err.msg, "positive integer"));
    CHECK(wc_config_load_string(&cfg, "{\"unpack\": {\"max_layer_bytes\": \"1G\"}}", "test",
                                &err) == -EINVAL);
    CHECK(strstr(err.msg, "unpack.max_layer_bytes") != NULL);
    CHECK(wc_config_load_string(&cfg, "{\"unpack\": {\"max_files\": 1}}", "test", &err) == -EINVAL);
    CHECK(strstr(err.msg, "unpack.max_files") != NULL);
    wc_config_free(&cfg);
}

static void test_error_wrap(void)
{
    wc_error err = {0};
    CHECK(wc_error_set(&err, -ENOENT, "blob %s", "sha256:ab") == -ENOENT);
    CHECK(wc_error_wrap(&err, "pull %s", "busybox") == -ENOENT);
    CHECK(strcmp(err.msg, "pull busybox: blob sha256:ab") == 0);
    char big[2 * WC_ERROR_MSG_MAX];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    wc_error_wrap(&err, "%s", big); /* must truncate, never overflow */
    CHECK(strlen(err.msg) == WC_ERROR_MSG_MAX - 1);
    wc_error_set_errno(&err, -EACCES, "open %s", "/x");
    CHECK(strstr(err.msg, "open /x: ") == err.msg && strlen(err.msg) > 9);
}

int main(void)
{
    test_defaults();
    test_registries();
    test_errors();
    test_print_round_trip();
    test_unpack_limits_are_config_keys();
    test_error_wrap();
    return CHECK_DONE();
}
