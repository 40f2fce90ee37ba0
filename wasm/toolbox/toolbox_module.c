/* toolbox.wasm embedded in the host program (.incbin of the build's toolbox.wasm: see
 * CMakeLists.txt), its cache key, the memfd the daemon hands to the zygote, and the applet names
 * read from applets.def, the same list the wasm program is built from. */
#include "toolbox_module.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Global hidden symbols, declared hidden in C too: the compiler then addresses them PC-relative.
 * Through the GOT, arm64's assembler turned a local label into its section's start, so that
 * wasmcri_toolbox_end read as wasmcri_toolbox_start and the toolbox was 0 bytes long. */
__asm__(".section .rodata\n"
        ".balign 16\n"
        ".globl wasmcri_toolbox_start\n"
        ".hidden wasmcri_toolbox_start\n"
        "wasmcri_toolbox_start:\n"
        ".incbin \"" TOOLBOX_WASM_PATH "\"\n"
        ".globl wasmcri_toolbox_end\n"
        ".hidden wasmcri_toolbox_end\n"
        "wasmcri_toolbox_end:\n"
        ".previous\n");
extern const unsigned char wasmcri_toolbox_start[] __attribute__((visibility("hidden")));
extern const unsigned char wasmcri_toolbox_end[] __attribute__((visibility("hidden")));

static const char *const applet_names[] = {
#define APPLET(name) #name,
#define APPLET_ALIAS(name, func) name,
#include "applets.def"
#undef APPLET
#undef APPLET_ALIAS
};

const unsigned char *toolbox_wasm(size_t *ret_len)
{
    *ret_len = (size_t)(wasmcri_toolbox_end - wasmcri_toolbox_start);
    return wasmcri_toolbox_start;
}

bool toolbox_names_applet(const char *cmd0)
{
    const char *slash = strrchr(cmd0, '/');
    const char *name = slash ? slash + 1 : cmd0;
    for (size_t i = 0; i < sizeof(applet_names) / sizeof(applet_names[0]); i++)
        if (strcmp(applet_names[i], name) == 0)
            return true;
    return false;
}

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static char key[32];

static void make_key(void)
{
    size_t len;
    const unsigned char *p = toolbox_wasm(&len);
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a: an identity, not a security check */
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    snprintf(key, sizeof(key), "toolbox:%016llx", (unsigned long long)h);
}

const char *toolbox_module_key(void)
{
    pthread_once(&key_once, make_key);
    return key;
}

static pthread_mutex_t memfd_mu = PTHREAD_MUTEX_INITIALIZER;
static int memfd = -1;

static int make_memfd(wc_error *err)
{
    size_t len;
    const unsigned char *p = toolbox_wasm(&len);
    int fd = memfd_create("toolbox.wasm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return wc_error_set_errno(err, -errno, "memfd for toolbox.wasm");
    for (size_t off = 0; off < len;) {
        ssize_t n = write(fd, p + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            close(fd);
            return wc_error_set_errno(err, -e, "write toolbox.wasm to its memfd");
        }
        off += (size_t)n;
    }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0) {
        int e = errno;
        close(fd);
        return wc_error_set_errno(err, -e, "seal the memfd of toolbox.wasm");
    }
    memfd = fd;
    return 0;
}

int toolbox_module_fd(int *ret_fd, wc_error *err)
{
    pthread_mutex_lock(&memfd_mu);
    int rc = memfd < 0 ? make_memfd(err) : 0;
    int fd = rc == 0 ? fcntl(memfd, F_DUPFD_CLOEXEC, 0) : -1;
    pthread_mutex_unlock(&memfd_mu);
    if (rc < 0)
        return rc;
    if (fd < 0)
        return wc_error_set_errno(err, -errno, "dup the memfd of toolbox.wasm");
    *ret_fd = fd;
    return 0;
}
