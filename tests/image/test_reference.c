/* Reference parsing and normalisation (image/reference.c), against Docker's behaviour. */
#include <stdio.h>
#include <stdlib.h>

#include "../unit/check.h"
#include "reference.h"

static const struct {
    const char *in, *want;
} good[] = {
    {"busybox", "docker.io/library/busybox:latest"},
    {"busybox:1.36", "docker.io/library/busybox:1.36"},
    {"library/busybox", "docker.io/library/busybox:latest"},
    {"docker.io/busybox", "docker.io/library/busybox:latest"},
    {"index.docker.io/library/busybox", "docker.io/library/busybox:latest"},
    {"user/app", "docker.io/user/app:latest"},
    {"ghcr.io/org/team/app:v1.2.3", "ghcr.io/org/team/app:v1.2.3"},
    {"localhost/app", "localhost/app:latest"},
    {"localhost:5000/app:x", "localhost:5000/app:x"},
    {"127.0.0.1:5000/a/b", "127.0.0.1:5000/a/b:latest"},
    {"Registry.Example/app", "Registry.Example/app:latest"},
    {"user/a.b-c__d.e", "docker.io/user/a.b-c__d.e:latest"},
    {"a.b-c/f", "a.b-c/f:latest"},
    {"app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
     "docker.io/library/"
     "app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
    {"h:1/app:t@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
     "h:1/app:t@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
    {"app:_under", "docker.io/library/app:_under"},
};

/* Bad references and the reason the error must give (the message always quotes the input). */
static const struct {
    const char *in, *why;
} bad[] = {
    {"", "the name is empty"},
    {"UPPER", "the repository must be"},
    {"app:", "the tag must be"},
    {"app:-tag", "the tag must be"},
    {"app:.tag", "the tag must be"},
    {"app@sha256:abc", "the digest must be"},
    {"app@md5:0123456789abcdef0123456789abcdef", "the digest must be"},
    {"app@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
     "the digest must be"},
    {"-app", "the repository must be"},
    {"app-", "the repository must be"},
    {"a..b", "the repository must be"},
    {"a//b", "the repository must be"},
    {"/app", "the repository must be"},
    {"app/", "the repository must be"},
    {"host:port/app", "the registry host is not"},
    {"a_b.c/app", "the registry host is not"},
    {"host:123456/app", "the registry host is not"},
    {"a___b", "the repository must be"},
    {"app:"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "the tag must be"},
    {"app name", "the repository must be"},
};

int main(void)
{
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        wc_ref ref;
        wc_error err = {0};
        int r = wc_ref_parse(good[i].in, &ref, &err);
        CHECK(r == 0);
        if (r != 0) {
            fprintf(stderr, "  %s: %s\n", good[i].in, err.msg);
            continue;
        }
        char *s = wc_ref_string(&ref);
        CHECK_STR(s, good[i].want);
        free(s);
        wc_ref_clear(&ref);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        wc_ref ref;
        wc_error err = {0};
        int r = wc_ref_parse(bad[i].in, &ref, &err);
        CHECK(r == -EINVAL);
        if (r == 0) {
            fprintf(stderr, "  accepted \"%s\"\n", bad[i].in);
            wc_ref_clear(&ref);
            continue;
        }
        /* The message quotes the reference and says what is wrong with it. */
        char quoted[512];
        snprintf(quoted, sizeof(quoted), "\"%s\"", bad[i].in);
        CHECK(strstr(err.msg, quoted) != NULL);
        CHECK(strstr(err.msg, bad[i].why) != NULL);
        if (strstr(err.msg, bad[i].why) == NULL)
            fprintf(stderr, "  %s: want \"%s\"\n", err.msg, bad[i].why);
    }
    wc_ref ref;
    CHECK(wc_ref_parse("busybox", &ref, NULL) == 0);
    char *name = wc_ref_name(&ref);
    CHECK_STR(name, "docker.io/library/busybox");
    CHECK_STR(wc_ref_object(&ref), "latest");
    free(name);
    wc_ref_clear(&ref);
    return CHECK_DONE();
}
