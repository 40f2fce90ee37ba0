/* hostmark.wasm: a module that lives on the host, outside every container (the ExecSync
 * escape tests put it there); it only says that it ran. A container must never run it. */
#include <stdio.h>

int main(void)
{
    printf("HOST MODULE RAN\n");
    return 0;
}
