/* Manifest/index/config parsing, the platform choice, image shapes, WWW-Authenticate
 * (image/manifest.c, platform.c, auth.c). */
#include <stdlib.h>

#include "../unit/check.h"
#include "cleanup.h"
#include "manifest.h"
#include "registry.h"

#define D(c)                                                                                       \
    "sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c  \
        c c c c c c c c c c c c c c c c c c c c c c
#define ENTRY(dig, os, arch, variant)                                                              \
    "{\"mediaType\":\"" WC_MT_OCI_MANIFEST "\",\"digest\":\"" dig "\",\"size\":10,"                \
    "\"platform\":{\"os\":\"" os "\",\"architecture\":\"" arch "\"" variant "}}"

static const char *choose(const char *index, const wc_platform *host, int *ret_rc, char *msg)
{
    static char digest[128];
    wc_descriptor d = {0};
    wc_error err = {0};
    *ret_rc = wc_index_choose(index, strlen(index), host, &d, NULL, &err);
    if (msg)
        strcpy(msg, err.msg);
    if (*ret_rc < 0)
        return "";
    snprintf(digest, sizeof(digest), "%s", d.digest);
    wc_descriptor_clear(&d);
    return digest;
}

static void test_platforms(void)
{
    wc_platform amd64 = {"linux", "amd64", NULL}, arm64 = {"linux", "arm64", "v8"};
    int rc;
    char msg[1024];
    const char *multi = "{\"manifests\":[" ENTRY(D("1"), "linux", "amd64", "") "," ENTRY(
        D("2"), "linux", "arm64", ",\"variant\":\"v8\"") "," ENTRY(D("3"), "wasip1", "wasm",
                                                                   "") "]}";
    CHECK_STR(choose(multi, &amd64, &rc, NULL), D("3"));
    const char *linux_only = "{\"manifests\":[" ENTRY(D("1"), "linux", "amd64", "") "," ENTRY(
        D("2"), "linux", "arm64", "") "]}";
    CHECK_STR(choose(linux_only, &amd64, &rc, NULL), D("1"));
    CHECK_STR(choose(linux_only, &arm64, &rc, NULL), D("2"));
    const char *variants =
        "{\"manifests\":[" ENTRY(D("1"), "linux", "arm64", ",\"variant\":\"v7\"") "," ENTRY(
            D("2"), "linux", "arm64", "") "," ENTRY(D("3"), "linux", "arm64",
                                                    ",\"variant\":\"v8\"") "]}";
    CHECK_STR(choose(variants, &arm64, &rc, NULL), D("3"));
    const char *wasi_only = "{\"manifests\":[" ENTRY(D("4"), "wasi", "wasm32", "") "]}";
    CHECK_STR(choose(wasi_only, &arm64, &rc, NULL), D("4"));
    const char *wasip2 = "{\"manifests\":[" ENTRY(D("1"), "linux", "amd64",
                                                  "") "," ENTRY(D("5"), "wasip2", "wasm", "") "]}";
    CHECK_STR(choose(wasip2, &amd64, &rc, NULL), D("5"));
    const char *none = "{\"manifests\":[" ENTRY(D("1"), "linux", "s390x",
                                                "") "," ENTRY(D("2"), "windows", "amd64", "") "]}";
    choose(none, &amd64, &rc, msg);
    CHECK(rc == -ENOENT);
    CHECK(strstr(msg, "linux/s390x") && strstr(msg, "windows/amd64"));
    choose("{\"nope\":1}", &amd64, &rc, NULL);
    CHECK(rc == -EINVAL);
}

static void test_shapes(void)
{
    static const struct {
        const char *config_mt, *layer_mt;
        int rc;
        wc_image_shape shape;
    } cases[] = {
        {"application/vnd.oci.image.config.v1+json", "application/vnd.oci.image.layer.v1.tar+gzip",
         0, WC_SHAPE_ROOTFS},
        {"application/vnd.oci.image.config.v1+json", "application/vnd.oci.image.layer.v1.tar+zstd",
         0, WC_SHAPE_ROOTFS},
        {"application/vnd.docker.container.image.v1+json",
         "application/vnd.docker.image.rootfs.diff.tar.gzip", 0, WC_SHAPE_ROOTFS},
        {WC_MT_WASM_CONFIG, WC_MT_WASM_LAYER, 0, WC_SHAPE_WASM_ARTIFACT},
        {"application/vnd.oci.image.config.v1+json", WC_MT_WASM_COMPONENT_LAYER, 0,
         WC_SHAPE_WASM_LAYERS},
        {WC_MT_WASM_CONFIG, "application/octet-stream", -ENOEXEC, 0},
        {"application/vnd.oci.image.config.v1+json", "application/x-unknown", -ENOEXEC, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char body[1024];
        snprintf(
            body, sizeof(body),
            "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"%s\",\"digest\":\"" D(
                "a") "\",\"size\":2},\"layers\":[{\"mediaType\":\"%s\",\"digest\":\"" D("b") "\","
                                                                                             "\"siz"
                                                                                             "e\":"
                                                                                             "3}],"
                                                                                             "\"ann"
                                                                                             "otati"
                                                                                             "ons\""
                                                                                             ":{"
                                                                                             "\"k\""
                                                                                             ":\"v"
                                                                                             "\"}}",
            cases[i].config_mt, cases[i].layer_mt);
        wc_manifest m;
        wc_error err = {0};
        CHECK(wc_manifest_parse(body, strlen(body), &m, &err) == 0);
        CHECK(m.n_layers == 1 && m.layers[0].size == 3);
        CHECK_STR(m.annotations[0], "k");
        wc_image_shape shape;
        size_t module = 9;
        int rc = wc_manifest_shape(&m, &shape, &module, &err);
        CHECK(rc == cases[i].rc);
        if (rc == 0)
            CHECK(shape == cases[i].shape && module == 0);
        wc_manifest_clear(&m);
    }
    wc_manifest m;
    const char *badsize = "{\"config\":{\"digest\":\"" D("a") "\",\"size\":-1},\"layers\":[]}";
    CHECK(wc_manifest_parse(badsize, strlen(badsize), &m, NULL) == -EINVAL);
    const char *baddigest = "{\"config\":{\"digest\":\"sha256:zz\",\"size\":1},\"layers\":[]}";
    CHECK(wc_manifest_parse(baddigest, strlen(baddigest), &m, NULL) == -EINVAL);
}

static void test_kinds(void)
{
    wc_manifest_kind k;
    const char *idx = "{\"mediaType\":\"" WC_MT_DOCKER_LIST "\",\"manifests\":[]}";
    CHECK(wc_manifest_kind_of(NULL, idx, strlen(idx), &k, NULL) == 0 && k == WC_KIND_INDEX);
    const char *bare = "{\"schemaVersion\":2,\"layers\":[]}";
    CHECK(wc_manifest_kind_of(NULL, bare, strlen(bare), &k, NULL) == 0 && k == WC_KIND_MANIFEST);
    const char *v1 = "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v1+json\"}";
    CHECK(wc_manifest_kind_of(NULL, v1, strlen(v1), &k, NULL) == -EINVAL);
    CHECK(wc_manifest_kind_of(NULL, "not json", 8, &k, NULL) == -EINVAL);
}

static void test_config_and_user(void)
{
    const char *cfg = "{\"os\":\"wasip1\",\"architecture\":\"wasm\",\"config\":{\"User\":\"app\","
                      "\"Entrypoint\":[\"/a.wasm\",\"x\"],\"Env\":[\"A=1\"],\"WorkingDir\":\"/w\"},"
                      "\"rootfs\":{\"diff_ids\":[\"" D("c") "\"]}}";
    wc_image_config c;
    CHECK(wc_image_config_parse(cfg, strlen(cfg), &c, NULL) == 0);
    CHECK_STR(c.entrypoint[1], "x");
    CHECK(c.cmd[0] == NULL);
    CHECK_STR(c.working_dir, "/w");
    CHECK_STR(c.diff_ids[0], D("c"));
    wc_image_config_clear(&c);
    const char *bad = "{\"rootfs\":{\"diff_ids\":[\"sha256:nothex\"]}}";
    CHECK(wc_image_config_parse(bad, strlen(bad), &c, NULL) == -EINVAL);
    static const struct {
        const char *user;
        long long uid;
        const char *name;
    } users[] = {{"", -1, ""},           {"1000", 1000, ""},
                 {"1000:50", 1000, ""},  {"nobody", -1, "nobody"},
                 {"app:grp", -1, "app"}, {"99999999999", -1, "99999999999"}};
    for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
        int64_t uid;
        char *name = NULL;
        wc_user_split(users[i].user, &uid, &name);
        CHECK(uid == users[i].uid);
        CHECK_STR(name, users[i].name);
        free(name);
    }
}

static void test_wrong_typed_config_fields_are_named(void)
{
    static const struct {
        const char *json, *named;
    } cases[] = {
        {"{\"config\":{\"Cmd\":\"serve --port 80\"}}", "config.Cmd is a string, not an array"},
        {"{\"config\":{\"Entrypoint\":[\"/a.wasm\",7]}}", "config.Entrypoint[1] is a number"},
        {"{\"config\":{\"Env\":{\"A\":\"1\"}}}", "config.Env is an object"},
        {"{\"config\":{\"User\":1000}}", "config.User is a number, not a string"},
        {"{\"config\":{\"WorkingDir\":[\"/w\"]}}", "config.WorkingDir is an array"},
        {"{\"config\":[]}", "config is an array, not an object"},
        {"{\"os\":true}", "os is a boolean"},
        {"{\"rootfs\":{\"diff_ids\":\"" D("c") "\"}}", "rootfs.diff_ids is a string"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        wc_image_config c;
        wc_error err = {0};
        CHECK(wc_image_config_parse(cases[i].json, strlen(cases[i].json), &c, &err) == -EINVAL);
        CHECK(strstr(err.msg, cases[i].named) != NULL);
        if (strstr(err.msg, cases[i].named) == NULL)
            fprintf(stderr, "  %s: \"%s\"\n", cases[i].json, err.msg);
    }
    /* Docker writes null for what a Dockerfile did not set. */
    const char *nulls = "{\"config\":{\"Cmd\":null,\"Entrypoint\":null,\"User\":null}}";
    wc_image_config c;
    CHECK(wc_image_config_parse(nulls, strlen(nulls), &c, NULL) == 0);
    wc_image_config_clear(&c);
}

static void test_challenge(void)
{
    wc_challenge c;
    CHECK(wc_challenge_parse("Bearer realm=\"https://auth.example/token\",service=\"reg\","
                             "scope=\"repository:a/b:pull,push\"",
                             &c) == 0);
    CHECK_STR(c.scheme, "Bearer");
    CHECK_STR(c.realm, "https://auth.example/token");
    CHECK_STR(c.service, "reg");
    CHECK_STR(c.scope, "repository:a/b:pull,push");
    wc_challenge_clear(&c);
    CHECK(wc_challenge_parse("Basic realm=basic-realm", &c) == 0);
    CHECK_STR(c.scheme, "Basic");
    CHECK_STR(c.realm, "basic-realm");
    CHECK(c.service == NULL);
    wc_challenge_clear(&c);
    CHECK(wc_challenge_parse("", &c) == -EINVAL);
}

int main(void)
{
    test_platforms();
    test_shapes();
    test_kinds();
    test_config_and_user();
    test_wrong_typed_config_fields_are_named();
    test_challenge();
    return CHECK_DONE();
}
