/* Single-precision matrix multiply, C += A * B on 128x128 floats in i-k-j order (the inner loop
 * runs along rows, which clang vectorises with -msimd128), repeated; see hack/bench/engine.sh. */
#define N 128
static float a[N][N], b[N][N], c[N][N];

int run(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (float)((i * 7 + j * 3) % 17) / 16.0f;
            b[i][j] = (float)((i * 5 + j * 11) % 13) / 12.0f - 0.5f;
        }
    double sum = 0;
    for (int rep = 0; rep < 30; rep++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                c[i][j] = 0;
        for (int i = 0; i < N; i++)
            for (int k = 0; k < N; k++) {
                float x = a[i][k];
                for (int j = 0; j < N; j++)
                    c[i][j] += x * b[k][j];
            }
        sum += c[rep % N][N - 1 - rep % N];
        a[rep % N][rep % N] += 1.0f;
    }
    return (int)(sum * 1000);
}
