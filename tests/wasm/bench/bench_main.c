/* Native driver for the benchmark programs: prints run()'s checksum like `wasmcri run --invoke
 * run`. */
#include <stdio.h>

int run(void);

int main(void)
{
    printf("%d\n", run());
    return 0;
}
