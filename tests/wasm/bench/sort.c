/* Sort: quicksort (insertion sort for small ranges) of 300k pseudo-random integers. */
#include <stdint.h>

#define N 300000
static int32_t v[N];

static void isort(int32_t *a, int n)
{
    for (int i = 1; i < n; i++) {
        int32_t x = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > x) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = x;
    }
}

static void qsort_i32(int32_t *a, int n)
{
    while (n > 16) {
        int32_t p = a[n / 2];
        int i = 0, j = n - 1;
        while (i <= j) {
            while (a[i] < p)
                i++;
            while (a[j] > p)
                j--;
            if (i <= j) {
                int32_t t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        if (j + 1 < n - i) {
            qsort_i32(a, j + 1);
            a += i, n -= i;
        } else {
            qsort_i32(a + i, n - i);
            n = j + 1;
        }
    }
    isort(a, n);
}

int run(void)
{
    uint32_t x = 12345;
    int64_t check = 0;
    for (int rep = 0; rep < 8; rep++) {
        for (int i = 0; i < N; i++) {
            x = x * 1103515245u + 12345u;
            v[i] = (int32_t)(x >> 1);
        }
        qsort_i32(v, N);
        for (int i = 1; i < N; i++)
            if (v[i - 1] > v[i])
                return -1;
        check += v[N / 2] ^ v[N / 3];
    }
    return (int)check;
}
