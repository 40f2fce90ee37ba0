/* libFuzzer target for layer unpacking: the input is written as a layer (any compression)
 * and unpacked with small limits into BASE/a/b/root; afterwards nothing may have appeared
 * outside root (BASE holds only the layer and a/, a/ only b/, b/ only root/ and beside/,
 * beside/ nothing). Must never crash, leak or hang either.
 * Build: cmake -DWASMCRI_FUZZ=ON with CC=clang; run: fuzz_unpack -max_total_time=600 CORPUS */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int entries(const char *base, const char *sub)
{
    char path[128];
    snprintf(path, sizeof(path), "%s%s", base, sub);
    DIR *d = opendir(path);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d)
        closedir(d);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char base[] = "/tmp/wasmcri-fuzz-XXXXXX";
    if (mkdtemp(base) == NULL)
        return 0;
    static const char *const dirs[] = {"/a", "/a/b", "/a/b/root", "/a/b/beside"};
    char path[128];
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(path, sizeof(path), "%s%s", base, dirs[i]);
        mkdir(path, 0755);
    }
    snprintf(path, sizeof(path), "%s/layer", base);
    FILE *f = fopen(path, "wb");
    if (f != NULL) {
        fwrite(data, 1, size, f);
        fclose(f);
        char dest[128];
        snprintf(dest, sizeof(dest), "%s/a/b/root", base);
        wc_unpack_limits lim = {.max_bytes = 1 << 20, .max_entries = 1000};
        wc_unpack_report rep;
        wc_unpack_layer(path, dest, &lim, &rep, NULL);
        if (entries(base, "") != 2 || entries(base, "/a") != 1 || entries(base, "/a/b") != 2 ||
            entries(base, "/a/b/beside") != 0)
            abort(); /* something escaped the snapshot */
    }
    store_remove_tree(base);
    return 0;
}
