/* Writes to stdout and stderr in ways that exercise the CRI log writer: plain lines, an empty
 * line, a line cut across writes, a line longer than 16 KiB, interleaved streams, and a last
 * line without its newline. Output is unbuffered so the order of writes is the program's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void out(int fd, const char *s)
{
    write(fd, s, strlen(s));
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    out(1, "first line\n");
    out(2, "error line\n");
    out(1, "\n");
    out(1, "split ");
    out(1, "across ");
    out(1, "writes\n");
    size_t big = 40000;
    char *line = malloc(big + 2);
    for (size_t i = 0; i < big; i++)
        line[i] = (char)('a' + i % 26);
    line[big] = '\n';
    line[big + 1] = '\0';
    write(1, line, big + 1);
    out(2, "stderr before ");
    out(1, "stdout in between\n");
    out(2, "stderr after\n");
    out(1, "no newline at exit");
    free(line);
    return 0;
}
