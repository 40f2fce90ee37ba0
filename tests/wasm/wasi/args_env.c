/* Prints its arguments (argv[0] by its last component) and environment, then exits with the code
 * given by "exit=N". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv)
{
    int code = 0;
    printf("argc=%d\n", argc);
    const char *prog = strrchr(argv[0], '/');
    printf("argv[0] ends with \"%s\"\n", prog != NULL ? prog + 1 : argv[0]);
    for (int i = 1; i < argc; i++) {
        printf("argv[%d]=\"%s\"\n", i, argv[i]);
        if (strncmp(argv[i], "exit=", 5) == 0)
            code = atoi(argv[i] + 5);
    }
    for (char **e = environ; *e != NULL; e++)
        printf("env %s\n", *e);
    const char *v = getenv("GREETING");
    printf("getenv GREETING=%s\n", v ? v : "(unset)");
    fflush(stdout);
    exit(code);
}
