/* libFuzzer target for every parser of registry input: the first byte picks the parser
 * (reference, manifest kind, manifest, index platform choice, image config, WWW-Authenticate),
 * the rest is the input. Must never crash, leak, hang or abort.
 * Build: cmake -DWASMCRI_FUZZ=ON with CC=clang; run: fuzz_parsers -max_total_time=600 CORPUS */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "reference.h"
#include "registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse(uint8_t which, const char *s, size_t len)
{
    wc_ref ref;
    wc_manifest m;
    wc_image_config c;
    wc_descriptor d;
    wc_challenge ch;
    wc_manifest_kind kind;
    wc_platform host = {"linux", "amd64", NULL};
    char **ann = NULL;
    switch (which % 6) {
    case 0:
        if (wc_ref_parse(s, &ref, NULL) == 0) {
            free(wc_ref_string(&ref));
            wc_ref_clear(&ref);
        }
        break;
    case 1:
        wc_manifest_kind_of(NULL, s, len, &kind, NULL);
        break;
    case 2:
        if (wc_manifest_parse(s, len, &m, NULL) == 0) {
            wc_image_shape shape;
            size_t module;
            wc_manifest_shape(&m, &shape, &module, NULL);
            wc_manifest_clear(&m);
        }
        break;
    case 3:
        if (wc_index_choose(s, len, &host, &d, &ann, NULL) == 0) {
            wc_descriptor_clear(&d);
            for (char **p = ann; p && *p; p++)
                free(*p);
            free(ann);
        }
        break;
    case 4:
        if (wc_image_config_parse(s, len, &c, NULL) == 0)
            wc_image_config_clear(&c);
        break;
    default:
        if (wc_challenge_parse(s, &ch) == 0)
            wc_challenge_clear(&ch);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *s = malloc(size);
    if (s == NULL)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    parse(data[0], s, size - 1);
    free(s);
    return 0;
}
