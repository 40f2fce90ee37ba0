/* wc-pull: drives the store and image libraries from a shell, without the daemon, for
 * debugging pulls and for tests that need no gRPC.
 *   wc-pull ROOT pull REF [--insecure] [--ca FILE] [--creds USER:PASS] [--mirror HOST]
 *   wc-pull ROOT list | inspect NAME | rm NAME | usage
 * The registry options apply to REF's registry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "reference.h"

static void progress(void *ctx, const wc_pull_progress *p)
{
    (void)ctx;
    fprintf(stderr, "%s: %llu/%llu bytes, %.1f MB/s%s\n", p->ref, (unsigned long long)p->done,
            (unsigned long long)p->total, p->rate / 1e6, p->finished ? " done" : "");
}

static void notice(void *ctx, const char *ref, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "%s: %s\n", ref, msg);
}

static int do_pull(wc_store *s, int argc, char **argv, wc_error *err)
{
    wc_ref ref;
    int r = wc_ref_parse(argv[0], &ref, err);
    if (r < 0)
        return r;
    const char *mirrors[8] = {0};
    int n_mirrors = 0;
    wc_registry_conf conf = {.host = ref.domain, .mirrors = mirrors};
    wc_pull_opts o = {
        .registries = &conf, .n_registries = 1, .progress = progress, .notice = notice};
    char *creds = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--insecure") == 0)
            conf.insecure = true;
        else if (strcmp(argv[i], "--ca") == 0 && i + 1 < argc)
            conf.ca_file = argv[++i];
        else if (strcmp(argv[i], "--mirror") == 0 && i + 1 < argc && n_mirrors < 7)
            mirrors[n_mirrors++] = argv[++i];
        else if (strcmp(argv[i], "--creds") == 0 && i + 1 < argc && !creds) {
            creds = strdup(argv[++i]);
            char *colon = creds ? strchr(creds, ':') : NULL;
            if (colon)
                *colon = '\0';
            o.creds.username = creds;
            o.creds.password = colon ? colon + 1 : "";
        }
    }
    char *id = NULL;
    r = wc_image_pull(s, argv[0], &o, &id, err);
    if (r == 0)
        printf("%s\n", id);
    free(id);
    free(creds);
    wc_ref_clear(&ref);
    return r;
}

static void print_image(const wc_image *img)
{
    printf("%s shape=%s entry=%s variant=%s os=%s/%s size=%llu uid=%lld user=%s\n", img->id,
           wc_image_shape_name(img->shape), img->wasm_entry, img->variant, img->os, img->arch,
           (unsigned long long)img->size, (long long)img->uid, img->username);
    for (char **t = img->repo_tags; *t; t++)
        printf("  tag %s\n", *t);
    for (char **t = img->repo_digests; *t; t++)
        printf("  digest %s\n", *t);
    if (img->chain_id[0])
        printf("  rootfs %s\n", img->chain_id);
}

static int run(wc_store *s, int argc, char **argv, wc_error *err)
{
    const char *cmd = argv[0];
    wc_image *img = NULL;
    int r;
    if (strcmp(cmd, "pull") == 0 && argc >= 2)
        return do_pull(s, argc - 1, argv + 1, err);
    if (strcmp(cmd, "list") == 0) {
        wc_image **imgs = NULL;
        r = wc_store_image_list(s, &imgs, err);
        for (wc_image **p = imgs; r == 0 && *p; p++)
            print_image(*p);
        wc_image_list_free(imgs);
        return r;
    }
    if (strcmp(cmd, "inspect") == 0 && argc >= 2) {
        r = wc_image_lookup(s, argv[1], &img, err);
        if (r == 0)
            print_image(img);
        wc_image_free(img);
        return r;
    }
    if (strcmp(cmd, "rm") == 0 && argc >= 2) {
        r = wc_image_lookup(s, argv[1], &img, err);
        if (r == 0)
            r = wc_store_image_remove(s, img->id, err);
        wc_image_free(img);
        return r;
    }
    if (strcmp(cmd, "usage") == 0) {
        uint64_t bytes, inodes;
        r = wc_store_usage(s, &bytes, &inodes, err);
        printf("%llu bytes %llu inodes\n", (unsigned long long)bytes, (unsigned long long)inodes);
        return r;
    }
    return wc_error_set(err, -EINVAL, "unknown command %s", cmd);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr,
                "usage: wc-pull ROOT pull REF [opts] | list | inspect NAME | rm NAME | usage\n");
        return 2;
    }
    wc_error err = {0};
    wc_store *s = NULL;
    int r = wc_store_open(argv[1], &s, &err);
    if (r == 0)
        r = run(s, argc - 2, argv + 2, &err);
    wc_store_close(s);
    if (r < 0) {
        fprintf(stderr, "error (%d): %s\n", r, err.msg);
        return 1;
    }
    return 0;
}
