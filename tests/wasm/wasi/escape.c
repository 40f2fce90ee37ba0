/* Tries to reach outside its mounts; every attempt must fail. The driver prepares:
 *   /data (rw) with sub/, hello.txt, abs -> <host>/outside/secret, rel -> ../outside/secret,
 *   /ro (read-only) with config; a host file outside/secret next to the mounts.
 * Each line is "attempt: ERRNO"; any "LEAK" line is a failure. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

static void try_read(const char *what, const char *path)
{
    errno = 0;
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        char buf[64] = {0};
        read(fd, buf, sizeof(buf) - 1);
        close(fd);
        printf("%s: %s\n", what, strstr(buf, "SECRET") ? "LEAK" : "opened (inside)");
        return;
    }
    printf("%s: %s\n", what, errname(errno));
}

int main(void)
{
    try_read("dotdot", "/data/../outside/secret");
    try_read("dotdot chain", "/data/sub/../../outside/secret");
    try_read("deep dotdot", "/data/sub/../../../../../../../../etc/passwd");
    try_read("no preopen", "/etc/passwd");
    try_read("absolute symlink", "/data/abs");
    try_read("relative symlink out", "/data/rel");
    try_read("symlink in dir path", "/data/abs/x");
    REPORT("stat through symlink out", stat("/data/rel", &(struct stat){0}));
    REPORT("hard link to outside", link("/data/../outside/secret", "/data/stolen"));
    REPORT("hard link via symlink",
           linkat(AT_FDCWD, "/data/rel", AT_FDCWD, "/data/stolen2", AT_SYMLINK_FOLLOW));
    REPORT("rename out of mount", rename("/data/hello.txt", "/data/../outside/moved"));
    REPORT("rename in from outside", rename("/data/../outside/secret", "/data/moved"));
    REPORT("rename ro to rw", rename("/ro/config", "/data/config"));
    REPORT("symlink absolute target", symlink("/etc/passwd", "/data/pw"));
    REPORT("mkdir outside", mkdir("/data/../outside/newdir", 0755));
    REPORT("unlink outside", unlink("/data/../outside/secret"));
    REPORT("create through symlink out", open("/data/rel", O_WRONLY | O_CREAT | O_TRUNC, 0644));
    REPORT("write ro file", open("/ro/config", O_WRONLY));
    REPORT("append ro file", open("/ro/config", O_WRONLY | O_APPEND));
    REPORT("create in ro", open("/ro/new", O_WRONLY | O_CREAT, 0644));
    REPORT("truncate ro", truncate("/ro/config", 0));
    REPORT("mkdir in ro", mkdir("/ro/dir", 0755));
    REPORT("unlink in ro", unlink("/ro/config"));
    REPORT("hard link ro into rw", link("/ro/config", "/data/alias"));
    REPORT("open dir as file", open("/data/sub", O_WRONLY));
    REPORT("open file as dir", open("/data/hello.txt", O_RDONLY | O_DIRECTORY));
    REPORT("opendir dotdot", opendir("/data/..") ? 0 : -1);
    /* the read-only file is still readable */
    int fd = open("/ro/config", O_RDONLY);
    char buf[32] = {0};
    read(fd, buf, sizeof(buf) - 1);
    printf("read ro: %s\n", buf);
    return 0;
}
