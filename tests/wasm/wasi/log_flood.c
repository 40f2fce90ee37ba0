/* Floods stdout and stderr with numbered lines while the harness rotates the CRI log under it:
 * argv[1] lines per stream; every 97th line is longer than 16 KiB (P records), every line is
 * written in two pieces so partial lines are pending when a rotation happens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char big[20001];

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    memset(big, 'x', sizeof(big) - 1);
    for (int i = 0; i < n; i++) {
        for (int fd = 1; fd <= 2; fd++) {
            char line[64];
            int len = snprintf(line, sizeof(line), "%s %06d%s", fd == 1 ? "out" : "err", i,
                               i % 97 ? "" : " ");
            write(fd, line, 4);
            write(fd, line + 4, (size_t)len - 4);
            if (i % 97 == 0)
                write(fd, big, sizeof(big) - 1);
            write(fd, "\n", 1);
        }
    }
    return 0;
}
