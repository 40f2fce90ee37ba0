/* Byte search: counts the occurrences of a byte in a 256 KiB buffer, for 200 bytes (what
 * memchr/strlen-style scanning costs). hack/bench/engine.sh builds it with and without -msimd128.
 */
#include <stddef.h>
#include <stdint.h>
#define LEN (256 * 1024)
static uint8_t buf[LEN];

static uint32_t count(const uint8_t *p, size_t n, uint8_t c)
{
    uint32_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += p[i] == c;
    return k;
}

int run(void)
{
    uint32_t x = 12345;
    for (size_t i = 0; i < LEN; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    uint32_t total = 0;
    for (int rep = 0; rep < 200; rep++)
        total += count(buf, LEN, (uint8_t)rep);
    return (int)total;
}
