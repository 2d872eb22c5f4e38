/*
 * Why E02 / E09 (write-only outer products, 64 MiB) cannot reach the copy's rate with ordinary stores: the same
 * outer product in C with ordinary stores and with non-temporal (streaming) stores, beside a copy of half the bytes
 * (what CopyBenchmark times: 32 MiB read, 32 MiB written), on 1 and 2 threads, median of 40 runs into memory touched
 * beforehand (as HostAllocator's cached blocks are). An ordinary store first reads the line it writes
 * (read-for-ownership): 64 MiB written move 128 MiB, the copy 96 MiB. Java 17 has no streaming store.
 *
 *   gcc -O3 -march=native -o /tmp/write_bandwidth bench/compare/write_bandwidth.c -lpthread && /tmp/write_bandwidth
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N 4096
static float *C, *S, *D, x[N], y[N];
typedef void (*part)(int t, int nt);
static part cur;
static pthread_barrier_t b1, b2;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double u = *(const double *) a, v = *(const double *) b;
    return u < v ? -1 : u > v;
}

static void *worker(void *arg) {
    for (;;) {
        pthread_barrier_wait(&b1);
        cur((int) (long) arg, 2);
        pthread_barrier_wait(&b2);
    }
    return 0;
}

static void outer_ordinary(int t, int nt) {
    for (int i = N * t / nt; i < N * (t + 1) / nt; i++) {
        float a = x[i];
        float *c = C + (size_t) i * N;
        for (int j = 0; j < N; j++) c[j] = a * y[j];
    }
}

static void outer_streaming(int t, int nt) {
    for (int i = N * t / nt; i < N * (t + 1) / nt; i++) {
        __m256 a = _mm256_set1_ps(x[i]);
        float *c = C + (size_t) i * N;
        for (int j = 0; j < N; j += 8) _mm256_stream_ps(c + j, _mm256_mul_ps(a, _mm256_loadu_ps(y + j)));
    }
    _mm_sfence();
}

static void copy_half(int t, int nt) {
    size_t n = (size_t) N * N * 2;
    memcpy((char *) D + n * t / nt, (char *) S + n * t / nt, n / nt);
}

static double run(part f, int threads) {
    double tm[40];
    cur = f;
    for (int r = -3; r < 40; r++) {
        double s = now();
        if (threads == 1) {
            f(0, 1);
        } else {
            pthread_barrier_wait(&b1);
            f(0, 2);
            pthread_barrier_wait(&b2);
        }
        if (r >= 0) tm[r] = now() - s;
    }
    qsort(tm, 40, sizeof(double), cmp);
    return tm[20];
}

int main(void) {
    C = aligned_alloc(64, (size_t) N * N * 4);
    S = aligned_alloc(64, (size_t) N * N * 2);
    D = aligned_alloc(64, (size_t) N * N * 2);
    memset(C, 1, (size_t) N * N * 4);
    memset(S, 1, (size_t) N * N * 2);
    memset(D, 1, (size_t) N * N * 2);
    for (int i = 0; i < N; i++) {
        x[i] = (float) i;
        y[i] = 1.0f / (float) (i + 1);
    }
    pthread_barrier_init(&b1, 0, 2);
    pthread_barrier_init(&b2, 0, 2);
    pthread_t th;
    pthread_create(&th, 0, worker, (void *) 1L);
    printf("| threads | copy 32 MiB (ms) | outer 64 MiB, ordinary stores (ms) | / copy | outer, streaming stores (ms) | / copy |\n");
    printf("|---:|---:|---:|---:|---:|---:|\n");
    for (int t = 1; t <= 2; t++) {
        double cp = run(copy_half, t), o = run(outer_ordinary, t), s = run(outer_streaming, t);
        printf("| %d | %.3f | %.3f | %.0f%% | %.3f | %.0f%% |\n", t, cp, o, 100 * cp / o, s, 100 * cp / s);
    }
    fprintf(stderr, "(checksum %f)\n", C[12345] + D[777]);
    return 0;
}
