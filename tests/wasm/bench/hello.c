/* The process-start benchmark: a WASI hello world (needs the WASI layer in wasmcri). */
#include <stdio.h>

int main(void)
{
    puts("hello");
    return 0;
}
