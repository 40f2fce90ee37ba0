/* Float matrix multiply: C = A * B on 160x160 doubles, repeated. */
#define N 160
static double a[N][N], b[N][N], c[N][N];

int run(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (double)(i * N + j) / (N * N);
            b[i][j] = (double)(j * N + i) / (N * N) - 0.5;
        }
    double sum = 0;
    for (int rep = 0; rep < 40; rep++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                double s = 0;
                for (int k = 0; k < N; k++)
                    s += a[i][k] * b[k][j];
                c[i][j] = s;
            }
        sum += c[rep % N][N - 1 - rep % N];
        a[rep % N][rep % N] += 1.0;
    }
    return (int)(sum * 1000);
}
