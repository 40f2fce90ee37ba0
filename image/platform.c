/* The platform choice from an OCI index or Docker manifest list. Each entry gets a rank:
 * wasi/wasm first, then linux on the host's architecture (an exact variant before a missing
 * one); entries of any other platform (and attestation manifests) are never chosen. To accept
 * another platform, give it a rank in platform_rank.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "cleanup.h"
#include "json_util.h"
#include "manifest.h"

enum { RANK_WASI = 0, RANK_LINUX_EXACT = 1, RANK_LINUX = 2, RANK_NONE = 99 };

wc_platform wc_platform_host(void)
{
    struct utsname u;
    if (uname(&u) < 0)
        return (wc_platform){"linux", "amd64", NULL};
    if (strcmp(u.machine, "x86_64") == 0)
        return (wc_platform){"linux", "amd64", NULL};
    if (strcmp(u.machine, "aarch64") == 0 || strcmp(u.machine, "arm64") == 0)
        return (wc_platform){"linux", "arm64", "v8"};
    if (strncmp(u.machine, "armv7", 5) == 0)
        return (wc_platform){"linux", "arm", "v7"};
    if (strncmp(u.machine, "armv6", 5) == 0)
        return (wc_platform){"linux", "arm", "v6"};
    if (strcmp(u.machine, "i686") == 0 || strcmp(u.machine, "i386") == 0)
        return (wc_platform){"linux", "386", NULL};
    if (strcmp(u.machine, "riscv64") == 0)
        return (wc_platform){"linux", "riscv64", NULL};
    if (strcmp(u.machine, "ppc64le") == 0)
        return (wc_platform){"linux", "ppc64le", NULL};
    if (strcmp(u.machine, "s390x") == 0)
        return (wc_platform){"linux", "s390x", NULL};
    return (wc_platform){"linux", "unknown", NULL};
}

static bool str_in(const char *s, const char *const *set)
{
    for (; s != NULL && *set != NULL; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

static int platform_rank(json_t *entry, const wc_platform *host)
{
    static const char *const wasi_os[] = {"wasi", "wasip1", "wasip2", NULL};
    static const char *const wasm_arch[] = {"wasm", "wasm32", NULL};
    json_t *p = json_object_get(entry, "platform");
    const char *os = json_string_value(json_object_get(p, "os"));
    const char *arch = json_string_value(json_object_get(p, "architecture"));
    const char *variant = json_string_value(json_object_get(p, "variant"));
    if (str_in(os, wasi_os) && str_in(arch, wasm_arch))
        return RANK_WASI;
    if (os == NULL || arch == NULL || strcmp(os, host->os) != 0 || strcmp(arch, host->arch) != 0)
        return RANK_NONE;
    if (variant == NULL || host->variant == NULL)
        return RANK_LINUX;
    return strcmp(variant, host->variant) == 0 ? RANK_LINUX_EXACT : RANK_NONE;
}

/* "os/arch[/variant]" of every entry, for the error message. */
static void list_platforms(json_t *manifests, char *buf, size_t size)
{
    size_t i, len = 0;
    json_t *e;
    buf[0] = '\0';
    json_array_foreach(manifests, i, e)
    {
        json_t *p = json_object_get(e, "platform");
        const char *os = json_string_value(json_object_get(p, "os"));
        const char *arch = json_string_value(json_object_get(p, "architecture"));
        const char *variant = json_string_value(json_object_get(p, "variant"));
        int n = snprintf(buf + len, size - len, "%s%s/%s%s%s", i ? ", " : "", os ? os : "?",
                         arch ? arch : "?", variant ? "/" : "", variant ? variant : "");
        if (n < 0 || (size_t)n >= size - len)
            break;
        len += (size_t)n;
    }
}

int wc_index_choose(const char *body, size_t len, const wc_platform *host, wc_descriptor *ret,
                    char ***ret_annotations, wc_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    json_t *manifests = json_object_get(root, "manifests");
    if (!json_is_array(manifests)) {
        json_decref(root);
        return wc_error_set(err, -EINVAL, "invalid image index: no manifests array (%s)",
                            jerr.text);
    }
    json_t *best = NULL;
    int best_rank = RANK_NONE;
    size_t i;
    json_t *e;
    json_array_foreach(manifests, i, e)
    {
        int rank = platform_rank(e, host);
        if (rank < best_rank) {
            best = e;
            best_rank = rank;
        }
    }
    int r = 0;
    if (best == NULL) {
        char found[512];
        list_platforms(manifests, found, sizeof(found));
        r = wc_error_set(err, -ENOENT,
                         "the image index has no manifest for wasi/wasm or %s/%s (it has: %s)",
                         host->os, host->arch, found[0] ? found : "nothing");
    } else {
        wc_descriptor d = {
            .media_type = wc_json_dup_str(best, "mediaType", WC_MT_OCI_MANIFEST),
            .digest = wc_json_dup_str(best, "digest", ""),
            .size = (uint64_t)json_integer_value(json_object_get(best, "size")),
        };
        if (d.media_type == NULL || d.digest == NULL)
            r = wc_error_set(err, -ENOMEM, "read image index: out of memory");
        else if (ret_annotations != NULL &&
                 (*ret_annotations = wc_json_dup_map(best, "annotations")) == NULL)
            r = wc_error_set(err, -ENOMEM, "read image index: out of memory");
        if (r < 0)
            wc_descriptor_clear(&d);
        else
            *ret = d;
    }
    json_decref(root);
    return r;
}
