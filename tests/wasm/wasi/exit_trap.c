/* How a WASI command ends: "exit N" -> exit code N, "trap" -> an unreachable trap, "raise" ->
 * proc_raise(SIGTERM) -> 128+15, nothing -> return 0 from main. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise"))) int
w_proc_raise(unsigned sig);

int main(int argc, char **argv)
{
    printf("started\n");
    fflush(stdout);
    if (argc > 2 && strcmp(argv[1], "exit") == 0)
        exit(atoi(argv[2]));
    if (argc > 1 && strcmp(argv[1], "trap") == 0)
        __builtin_trap();
    if (argc > 1 && strcmp(argv[1], "raise") == 0)
        w_proc_raise(15);
    printf("returned normally\n");
    return 0;
}
