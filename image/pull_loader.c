/* wc_image_pull (image.h) as the daemon links it: the pull code itself (the registry
 * client, manifests and unpacking: libcurl, libarchive and the thirty-odd libraries
 * they bring, Kerberos, LDAP, gnutls, ICU...) is built a second time as the module
 * wasmcri-pull.so, which the first pull loads; so a daemon that has not pulled maps
 * none of it (hack/bench/footprint.py). The module's references to the store and to
 * common/ (the pull metrics among them) resolve to the daemon's own, which exports
 * them (cmd/CMakeLists.txt); the module binds its own functions first (-Bsymbolic), so
 * its wc_image_pull is never this one. Tests and tools link the pull code in instead
 * (the wasmcri_image library), and have no loader.
 */
#include "pull_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "image.h"

typedef int pull_fn(wc_store *s, const char *ref, const wc_pull_opts *opts, char **ret_id,
                    wc_error *err);

static char module_path[4096];
static void (*after_load)(void);
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static pull_fn *module_pull;
static char load_error[512];

void wc_image_set_pull_module(const char *path, void (*loaded)(void))
{
    snprintf(module_path, sizeof(module_path), "%s", path);
    after_load = loaded;
}

static void load_module(void)
{
    if (module_path[0] == '\0') {
        snprintf(load_error, sizeof(load_error), "no pull module was set");
        return;
    }
    void *h = dlopen(module_path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        snprintf(load_error, sizeof(load_error), "%s", dlerror());
        return;
    }
    module_pull = (pull_fn *)dlsym(h, "wc_image_pull");
    if (module_pull == NULL)
        snprintf(load_error, sizeof(load_error), "the module has no wc_image_pull");
    else if (after_load)
        after_load();
}

int wc_image_pull(wc_store *s, const char *ref, const wc_pull_opts *opts, char **ret_id,
                  wc_error *err)
{
    pthread_once(&load_once, load_module);
    if (module_pull == NULL)
        return wc_error_set(err, -ELIBACC, "cannot load the pull module %s: %s", module_path,
                            load_error);
    return module_pull(s, ref, opts, ret_id, err);
}
