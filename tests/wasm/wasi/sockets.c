/* An echo server on a preopened listening socket (fd 3): accepts one connection, reads a line,
 * answers it upper-cased with sock_send, shuts the socket down. Uses wasi-libc's accept/recv/
 * send/shutdown, which are the preview1 sock_* calls. Then reads /data/greeting.txt: the
 * directory preopens after the socket must still be found by wasi-libc's preopen scan. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

int main(void)
{
    int c = accept(3, NULL, NULL);
    if (c < 0) {
        printf("accept: %s\n", errname(errno));
        return 1;
    }
    printf("accepted\n");
    char buf[256] = {0};
    ssize_t n = recv(c, buf, sizeof(buf) - 1, 0);
    printf("received %zd: %s", n, buf);
    for (ssize_t i = 0; i < n; i++)
        buf[i] = (char)toupper((unsigned char)buf[i]);
    printf("sent %zd\n", send(c, buf, (size_t)n, 0));
    REPORT("shutdown", shutdown(c, SHUT_RDWR));
    REPORT("close", close(c));
    REPORT("accept on stdout", accept(1, NULL, NULL));
    FILE *f = fopen("/data/greeting.txt", "r");
    char line[64] = {0};
    printf("mount after the socket: %s", f && fgets(line, sizeof(line), f) ? line : "missing\n");
    return 0;
}
