/* Regression test for "the embedded toolbox is 0 bytes on arm64": toolbox_module.c's .incbin
 * labels were local, and arm64's assembler resolved both GOT references to the start of .rodata,
 * so `wasmcri run --toolbox` and every applet in a container failed with "magic header not
 * detected". The embedded bytes must be exactly the build's toolbox.wasm (argv[1]). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "toolbox_module.h"

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    FILE *f = fopen(argv[1], "rb");
    CHECK(f != NULL);
    static unsigned char want[4 << 20];
    size_t want_len = fread(want, 1, sizeof(want), f);
    fclose(f);
    CHECK(want_len > 8 && want_len < sizeof(want));

    size_t len = 0;
    const unsigned char *got = toolbox_wasm(&len);
    CHECK_EQ_INT((long long)len, (long long)want_len);
    CHECK(len == want_len && memcmp(got, want, len) == 0);
    CHECK(len >= 4 && memcmp(got, "\0asm", 4) == 0);
    return CHECK_DONE();
}
