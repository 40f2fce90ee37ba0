/* worker_run.h for a build without the wasm engine (wasm/engine not present yet):
 * a module "load" checks the wasm magic number only, and every run ends at once
 * with exit code 126 and a message that says why. The process model, records,
 * logs and exit reporting can be exercised in full around it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "worker_run.h"

struct wr_module {
    char *path;
};

int wr_module_load(const char *path, wr_module **ret_module, wc_error *err)
{
    unsigned char magic[4];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return wc_error_set_errno(err, -errno, "cannot open the module %s", path);
    ssize_t n = read(fd, magic, sizeof(magic));
    close(fd);
    if (n != 4 || memcmp(magic, "\0asm", 4) != 0)
        return wc_error_set(err, -ENOEXEC, "%s is not a WebAssembly module", path);
    wr_module *m = calloc(1, sizeof(*m));
    if (m == NULL || (m->path = strdup(path)) == NULL) {
        free(m);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    *ret_module = m;
    return 0;
}

void wr_module_free(wr_module *m)
{
    if (m == NULL)
        return;
    free(m->path);
    free(m);
}

void wr_run(const wr_module *m, const worker_spec *spec, int stdout_fd, int stderr_fd,
            worker_result *res)
{
    (void)spec;
    (void)stdout_fd;
    (void)stderr_fd;
    res->exit_code = 126;
    snprintf(res->reason, sizeof(res->reason), "Error");
    snprintf(res->message, sizeof(res->message),
             "this wasmcri is built without the wasm engine: cannot run %s", m->path);
}
