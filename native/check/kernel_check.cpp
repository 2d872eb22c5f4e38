// GPU smoke test of kernels.fatbin, independent of Java: loads the fatbin with the CUDA driver API exactly as the
// Java backend does (cuModuleLoadData), launches every kernel family once (FLOAT32, and FLOAT64 / 16-bit where the
// family has them) on seeded data with the grid/block rules of native/KERNELS.md, compares with a CPU loop written
// independently of the kernels' headers, and times the transpose and the fused outer product (E02/E09's
// memory-bound shapes) against a device-to-device copy (the memory-bandwidth ceiling).
//
// Build (no GPU needed, only cuda.h): g++ -O2 -std=c++17 -I/usr/local/cuda/include kernel_check.cpp -ldl -o kernel_check
// Run (on a GPU machine):            ./kernel_check path/to/kernels.fatbin
// libcuda.so.1 is opened at run time, so the binary builds where there is no driver.
#include <cuda.h>
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

namespace {

struct Driver {
    CUresult (*cuInit)(unsigned);
    CUresult (*cuDeviceGet)(CUdevice*, int);
    CUresult (*cuDeviceGetName)(char*, int, CUdevice);
    CUresult (*cuDeviceGetAttribute)(int*, CUdevice_attribute, CUdevice);
    CUresult (*cuDevicePrimaryCtxRetain)(CUcontext*, CUdevice);
    CUresult (*cuCtxSetCurrent)(CUcontext);
    CUresult (*cuCtxSynchronize)();
    CUresult (*cuModuleLoadData)(CUmodule*, const void*);
    CUresult (*cuModuleGetFunction)(CUfunction*, CUmodule, const char*);
    CUresult (*cuMemAlloc)(CUdeviceptr*, size_t);
    CUresult (*cuMemFree)(CUdeviceptr);
    CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void*, size_t);
    CUresult (*cuMemcpyDtoH)(void*, CUdeviceptr, size_t);
    CUresult (*cuMemcpyDtoD)(CUdeviceptr, CUdeviceptr, size_t);
    CUresult (*cuMemsetD8)(CUdeviceptr, unsigned char, size_t);
    CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                               CUstream, void**, void**);
    CUresult (*cuGetErrorString)(CUresult, const char**);
};

Driver drv;

template <typename F>
void load(void* lib, F& fn, const char* name) {
    fn = reinterpret_cast<F>(dlsym(lib, name));
    if (!fn) {
        std::fprintf(stderr, "kernel_check: %s not found in libcuda.so.1\n", name);
        std::exit(2);
    }
}

void check(CUresult r, const char* what) {
    if (r != CUDA_SUCCESS) {
        const char* s = "?";
        if (drv.cuGetErrorString) drv.cuGetErrorString(r, &s);
        std::fprintf(stderr, "kernel_check: %s failed: %d %s\n", what, static_cast<int>(r), s);
        std::exit(1);
    }
}

// Must match einsum4j::StridedLayout in native/index_math.cuh.
struct StridedLayout {
    int rank;
    int64_t sizes[8];
    int64_t strides[8];
};

int failures = 0;

template <typename T>
void expect_equal(const std::vector<T>& got, const std::vector<T>& want, const char* what) {
    size_t bad = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        if (got[i] != want[i]) ++bad;
    }
    std::printf("%-44s %s (%zu elements, %zu wrong)\n", what, bad ? "FAIL" : "ok", want.size(), bad);
    if (bad) ++failures;
}

template <typename T>
void check_transpose(CUfunction f, int batch, int rows, int cols, const char* what) {
    size_t n = static_cast<size_t>(batch) * rows * cols;
    std::vector<T> in(n), out(n), want(n);
    std::mt19937_64 rng(42);
    for (auto& v : in) v = static_cast<T>(static_cast<int64_t>(rng() % 2001) - 1000) / 8;
    for (int b = 0; b < batch; ++b)
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c)
                want[(static_cast<size_t>(b) * cols + c) * rows + r] = in[(static_cast<size_t>(b) * rows + r) * cols + c];
    CUdeviceptr din, dout;
    check(drv.cuMemAlloc(&din, n * sizeof(T) + 1), "cuMemAlloc");
    check(drv.cuMemAlloc(&dout, n * sizeof(T) + 1), "cuMemAlloc");
    check(drv.cuMemcpyHtoD(din, in.data(), n * sizeof(T)), "cuMemcpyHtoD");
    void* args[] = {&din, &dout, &rows, &cols};
    check(drv.cuLaunchKernel(f, (cols + 31) / 32, (rows + 31) / 32, batch, 32, 8, 1, 0, nullptr, args, nullptr),
          "cuLaunchKernel batched_transpose");
    check(drv.cuCtxSynchronize(), "cuCtxSynchronize");
    check(drv.cuMemcpyDtoH(out.data(), dout, n * sizeof(T)), "cuMemcpyDtoH");
    expect_equal(out, want, what);
    drv.cuMemFree(din);
    drv.cuMemFree(dout);
}

void check_gather(CUfunction f) {
    // out[a][b][c] = in[c][a][b] for in of shape 5x7x9: output sizes 7x9x5, input strides of those dims 9,1,63
    const int A = 7, B = 9, C = 5;
    size_t n = static_cast<size_t>(A) * B * C;
    std::vector<float> in(n), out(n), want(n);
    for (size_t i = 0; i < n; ++i) in[i] = static_cast<float>(i) * 0.5f - 7;
    for (int a = 0; a < A; ++a)
        for (int b = 0; b < B; ++b)
            for (int c = 0; c < C; ++c) want[(a * B + b) * C + c] = in[(c * A + a) * B + b];
    StridedLayout layout{};
    layout.rank = 3;
    layout.sizes[0] = A; layout.sizes[1] = B; layout.sizes[2] = C;
    layout.strides[0] = B; layout.strides[1] = 1; layout.strides[2] = static_cast<int64_t>(A) * B;
    int64_t count = static_cast<int64_t>(n);
    CUdeviceptr din, dout;
    check(drv.cuMemAlloc(&din, n * 4), "cuMemAlloc");
    check(drv.cuMemAlloc(&dout, n * 4), "cuMemAlloc");
    check(drv.cuMemcpyHtoD(din, in.data(), n * 4), "cuMemcpyHtoD");
    void* args[] = {&din, &dout, &layout, &count};
    check(drv.cuLaunchKernel(f, 2, 1, 1, 256, 1, 1, 0, nullptr, args, nullptr), "cuLaunchKernel permute_gather");
    check(drv.cuCtxSynchronize(), "cuCtxSynchronize");
    check(drv.cuMemcpyDtoH(out.data(), dout, n * 4), "cuMemcpyDtoH");
    expect_equal(out, want, "permute_gather_f32 5x7x9 -> (1,2,0)");
    drv.cuMemFree(din);
    drv.cuMemFree(dout);
}

double seconds_per_call(int reps, const std::function<void()>& call) {
    call();
    check(drv.cuCtxSynchronize(), "warm-up");
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i) call();
    check(drv.cuCtxSynchronize(), "timed loop");
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
}

void time_transpose(CUfunction f, int batch, int rows, int cols) {
    size_t bytes = static_cast<size_t>(batch) * rows * cols * 4;
    CUdeviceptr din, dout;
    check(drv.cuMemAlloc(&din, bytes), "cuMemAlloc");
    check(drv.cuMemAlloc(&dout, bytes), "cuMemAlloc");
    void* args[] = {&din, &dout, &rows, &cols};
    double t = seconds_per_call(20, [&] {
        check(drv.cuLaunchKernel(f, (cols + 31) / 32, (rows + 31) / 32, batch, 32, 8, 1, 0, nullptr, args, nullptr),
              "cuLaunchKernel");
    });
    double c = seconds_per_call(20, [&] { check(drv.cuMemcpyDtoD(dout, din, bytes), "cuMemcpyDtoD"); });
    std::printf("batched_transpose_f32 %dx%dx%d: %.3f ms, %.0f GB/s (read+write); cuMemcpyDtoD same bytes: "
                "%.3f ms, %.0f GB/s; ratio %.2f\n",
                batch, rows, cols, t * 1e3, 2 * bytes / t / 1e9, c * 1e3, 2 * bytes / c / 1e9, t / c);
    drv.cuMemFree(din);
    drv.cuMemFree(dout);
}

// ---------------------------------------------------------------- every kernel family, once, against a CPU loop

// Must match native/index_math.cuh, native/reduce.cuh and native/im2col.cuh (byte layouts in native/KERNELS.md).
struct PairLayout {
    int rank;
    int64_t sizes[8];
    int64_t strides_a[8];
    int64_t strides_b[8];
};
struct ReduceLayout {
    int kept_rank;
    int reduced_rank;
    int64_t kept_sizes[8];
    int64_t kept_strides[8];
    int64_t reduced_sizes[8];
    int64_t reduced_strides[8];
};
struct ConvGeometry {
    int64_t samples, copies, groups, channels, in[3], kernel[3], stride[3], pad[3], dilation[3], out[3];
};
static_assert(sizeof(PairLayout) == 200 && sizeof(ReduceLayout) == 264 && sizeof(ConvGeometry) == 176,
              "kernel parameter structs");

CUmodule module;

struct Dim {
    unsigned x, y, z;
};

// Device buffer, freed on scope exit.
struct Dev {
    CUdeviceptr p = 0;
    size_t bytes = 0;
    explicit Dev(size_t b) : bytes(b) { check(drv.cuMemAlloc(&p, b ? b : 1), "cuMemAlloc"); }
    ~Dev() { drv.cuMemFree(p); }
    Dev(const Dev&) = delete;
    Dev& operator=(const Dev&) = delete;
    void poison() { check(drv.cuMemsetD8(p, 0xFF, bytes), "cuMemsetD8"); }  // NaN for floats, -1 for int64
};

template <typename T>
Dev* upload(const std::vector<T>& v) {
    Dev* d = new Dev(v.size() * sizeof(T));
    if (!v.empty()) check(drv.cuMemcpyHtoD(d->p, v.data(), v.size() * sizeof(T)), "cuMemcpyHtoD");
    return d;
}

template <typename T>
std::vector<T> download(const Dev& d, size_t n) {
    std::vector<T> v(n);
    if (n) check(drv.cuMemcpyDtoH(v.data(), d.p, n * sizeof(T)), "cuMemcpyDtoH");
    return v;
}

// Launches kernel `name` with the given arguments (each passed by address, as cuLaunchKernel wants) and waits.
template <typename... A>
void launch(const char* name, Dim grid, Dim block, A... args) {
    CUfunction f;
    check(drv.cuModuleGetFunction(&f, module, name), name);
    void* params[] = {static_cast<void*>(&args)..., nullptr};
    check(drv.cuLaunchKernel(f, grid.x, grid.y, grid.z, block.x, block.y, block.z, 0, nullptr, params, nullptr), name);
    check(drv.cuCtxSynchronize(), name);
}

Dim blocks_for(int64_t n) {
    return Dim{static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>((n + 255) / 256, 1 << 20))), 1, 1};
}

constexpr Dim k256{256, 1, 1};

std::mt19937_64 rng(7);

std::vector<float> random_floats(size_t n) {
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    std::vector<float> v(n);
    for (auto& x : v) x = u(rng);
    return v;
}

std::vector<double> random_doubles(size_t n) {
    std::uniform_real_distribution<double> u(-1., 1.);
    std::vector<double> v(n);
    for (auto& x : v) x = u(rng);
    return v;
}

// max |got - want| / max |want| <= tol, NaN (an unwritten element) never passes.
template <typename T>
void expect_close(const std::vector<T>& got, const std::vector<double>& want, double tol, const char* what) {
    double num = 0, den = 1e-300;
    size_t nan = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        const double g = static_cast<double>(got[i]);
        if (std::isnan(g)) ++nan;
        num = std::max(num, std::fabs(g - want[i]));
        den = std::max(den, std::fabs(want[i]));
    }
    const bool ok = nan == 0 && num / den <= tol && got.size() == want.size();
    std::printf("%-44s %s (%zu elements, relative error %.2e, %zu NaN)\n", what, ok ? "ok" : "FAIL", want.size(),
                num / den, nan);
    if (!ok) ++failures;
}

template <typename T>
std::vector<double> as_doubles(const std::vector<T>& v) {
    return std::vector<double>(v.begin(), v.end());
}

void check_elementwise() {
    const int64_t n = 100003;
    std::vector<float> x = random_floats(n);
    std::unique_ptr<Dev> d(upload(x));
    launch("scale_f32", blocks_for(n), k256, d->p, n, 0.5f);
    std::vector<double> want(n);
    for (int64_t i = 0; i < n; ++i) want[i] = x[i] * 0.5f;
    expect_close(download<float>(*d, n), want, 0, "scale_f32");
    launch("divide_f32", blocks_for(n), k256, d->p, n, 3.0f);
    for (int64_t i = 0; i < n; ++i) want[i] = (x[i] * 0.5f) / 3.0f;
    expect_close(download<float>(*d, n), want, 0, "divide_f32 (a true division)");
    launch("fill_f32", Dim{7, 1, 1}, k256, d->p, n, 1.5f);
    expect_close(download<float>(*d, n), std::vector<double>(n, 1.5), 0, "fill_f32 (grid-stride, 7 blocks)");

    // copy_f32_f64: [5, 6, 7] source with dim 1 broadcast (stride 0) into a [7, 5, 6]-ordered destination
    std::vector<float> src = random_floats(5 * 7);
    std::unique_ptr<Dev> ds(upload(src));
    Dev dd(5 * 6 * 7 * 8);
    dd.poison();
    PairLayout l{3, {5, 6, 7}, {7, 0, 1}, {6, 1, 30}};
    launch("copy_f32_f64", blocks_for(210), k256, ds->p, dd.p, l, int64_t{210});
    std::vector<double> want_copy(210);
    for (int a = 0; a < 5; ++a)
        for (int b = 0; b < 6; ++b)
            for (int c = 0; c < 7; ++c) want_copy[a * 6 + b + c * 30] = src[a * 7 + c];
    expect_close(download<double>(dd, 210), want_copy, 0, "copy_f32_f64 transposed + broadcast");

    // f32 -> f16 -> f32 and f32 -> bf16 -> f32 round trips (contiguous)
    Dev h(n * 2), back(n * 4);
    PairLayout flat{1, {n}, {1}, {1}};
    for (const char* t : {"f16", "bf16"}) {
        back.poison();
        launch((std::string("copy_f32_") + t).c_str(), blocks_for(n), k256, d->p, h.p, flat, n);
        launch((std::string("copy_") + t + "_f32").c_str(), blocks_for(n), k256, h.p, back.p, flat, n);
        expect_close(download<float>(back, n), std::vector<double>(n, 1.5), 0,
                     (std::string("copy_f32_") + t + " / copy_" + t + "_f32 of 1.5").c_str());
    }
    std::unique_ptr<Dev> dx(upload(x));
    for (const char* t : {"f16", "bf16"}) {
        launch((std::string("copy_f32_") + t).c_str(), blocks_for(n), k256, dx->p, h.p, flat, n);
        launch((std::string("copy_") + t + "_f32").c_str(), blocks_for(n), k256, h.p, back.p, flat, n);
        expect_close(download<float>(back, n), as_doubles(x), std::strcmp(t, "f16") == 0 ? 1e-3 : 8e-3,
                     (std::string("copy f32 -> ") + t + " -> f32 round trip").c_str());
    }

    // mul_broadcast_f32: a [64, 300] * b [300] (broadcast over rows)
    std::vector<float> a = random_floats(64 * 300), b = random_floats(300);
    std::unique_ptr<Dev> da(upload(a)), db(upload(b));
    Dev out(64 * 300 * 4);
    out.poison();
    PairLayout ml{2, {64, 300}, {300, 1}, {0, 1}};
    launch("mul_broadcast_f32", blocks_for(64 * 300), k256, da->p, db->p, out.p, ml, int64_t{64 * 300});
    std::vector<double> want_mul(64 * 300);
    for (int i = 0; i < 64 * 300; ++i) want_mul[i] = a[i] * b[i % 300];
    expect_close(download<float>(out, 64 * 300), want_mul, 0, "mul_broadcast_f32 [64,300]*[300]");

    // diagonal_gather_f32: `ii->i` of a 50x50 matrix = stride 51
    std::vector<float> m = random_floats(2500);
    std::unique_ptr<Dev> dm(upload(m));
    Dev diag(50 * 4);
    StridedLayout dl{};
    dl.rank = 1;
    dl.sizes[0] = 50;
    dl.strides[0] = 51;
    launch("diagonal_gather_f32", Dim{1, 1, 1}, k256, dm->p, diag.p, dl, int64_t{50});
    std::vector<double> want_diag(50);
    for (int i = 0; i < 50; ++i) want_diag[i] = m[i * 51];
    expect_close(download<float>(diag, 50), want_diag, 0, "diagonal_gather_f32 ii->i 50x50");
}

void check_reductions() {
    // sum_axes_thread_f32: [8, 1000, 16] summed over axis 1
    std::vector<float> x = random_floats(8 * 1000 * 16);
    std::unique_ptr<Dev> dx(upload(x));
    Dev out(8 * 16 * 4);
    out.poison();
    ReduceLayout l{2, 1, {8, 16}, {16000, 1}, {1000}, {16}};
    launch("sum_axes_thread_f32", blocks_for(128), k256, dx->p, out.p, l, int64_t{128}, int64_t{1000});
    std::vector<double> want(128, 0);
    for (int a = 0; a < 8; ++a)
        for (int j = 0; j < 1000; ++j)
            for (int c = 0; c < 16; ++c) want[a * 16 + c] += x[a * 16000 + j * 16 + c];
    expect_close(download<float>(out, 128), want, 1e-6, "sum_axes_thread_f32 [8,1000,16] over axis 1");

    // sum_axes_warp_f64: [8, 1000, 16] over axes 0 and 1 into [16] (the reduced axes' strides 16000, 16)
    std::vector<double> xd(x.begin(), x.end());
    std::unique_ptr<Dev> dxd(upload(xd));
    Dev outw(16 * 8);
    outw.poison();
    ReduceLayout wl{1, 2, {16}, {1}, {8, 1000}, {16000, 16}};
    launch("sum_axes_warp_f64", blocks_for(16 * 32), k256, dxd->p, outw.p, wl, int64_t{16}, int64_t{8000});
    std::vector<double> want_w(16, 0);
    for (int64_t i = 0; i < 8 * 1000 * 16; ++i) want_w[i % 16] += xd[i];
    expect_close(download<double>(outw, 16), want_w, 1e-13, "sum_axes_warp_f64 [8,1000,16] over axes 0,1");

    // sum_axes_block_f32/f64: [3, 100000] over axis 1, one pass and two passes (chunks of 4096, then thread)
    const int64_t len = 100000, chunk = 4096, chunks = (len + chunk - 1) / chunk;
    std::vector<double> y = random_doubles(3 * len);
    std::vector<float> yf(y.begin(), y.end());
    std::vector<double> want3(3, 0), want3f(3, 0);
    for (int r = 0; r < 3; ++r)
        for (int64_t j = 0; j < len; ++j) {
            want3[r] += y[r * len + j];
            want3f[r] += yf[r * len + j];
        }
    ReduceLayout rl{1, 1, {3}, {len}, {len}, {1}};
    std::unique_ptr<Dev> dy(upload(y)), dyf(upload(yf));
    Dev o64(3 * 8), o32(3 * 4), part(3 * chunks * 4);
    o64.poison();
    o32.poison();
    launch("sum_axes_block_f64", Dim{1, 3, 1}, k256, dy->p, o64.p, rl, int64_t{3}, len, len);
    expect_close(download<double>(o64, 3), want3, 1e-13, "sum_axes_block_f64 [3,100000] one pass");
    launch("sum_axes_block_f32", Dim{static_cast<unsigned>(chunks), 3, 1}, k256, dyf->p, part.p, rl, int64_t{3}, len,
           chunk);
    ReduceLayout second{1, 1, {3}, {chunks}, {chunks}, {1}};
    launch("sum_axes_thread_f32", Dim{1, 1, 1}, k256, part.p, o32.p, second, int64_t{3}, chunks);
    expect_close(download<float>(o32, 3), want3f, 1e-6, "sum_axes_block_f32 + thread, two passes");

    // sum_axes_block_f16: the same rows in half precision (converted on the device), FP32 accumulation
    Dev h(3 * len * 2), oh(3 * 2), ohf(3 * 4);
    PairLayout flat{1, {3 * len}, {1}, {1}}, three{1, {3}, {1}, {1}};
    launch("copy_f32_f16", blocks_for(3 * len), k256, dyf->p, h.p, flat, 3 * len);
    launch("sum_axes_block_f16", Dim{1, 3, 1}, k256, h.p, oh.p, rl, int64_t{3}, len, len);
    launch("copy_f16_f32", Dim{1, 1, 1}, k256, oh.p, ohf.p, three, int64_t{3});
    expect_close(download<float>(ohf, 3), want3f, 5e-3, "sum_axes_block_f16 [3,100000]");

    // dot_rows_f32: ij,ij->i for [1000, 777]
    const int64_t rows = 1000, cols = 777;
    std::vector<float> a = random_floats(rows * cols), b = random_floats(rows * cols);
    std::unique_ptr<Dev> da(upload(a)), db(upload(b));
    Dev od(rows * 4);
    od.poison();
    PairLayout dl{1, {rows}, {cols}, {cols}};
    launch("dot_rows_f32", blocks_for(rows * 32), k256, da->p, db->p, od.p, dl, rows, cols, int64_t{1}, int64_t{1});
    std::vector<double> wd(rows, 0);
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < cols; ++j) wd[r] += static_cast<double>(a[r * cols + j]) * b[r * cols + j];
    expect_close(download<float>(od, rows), wd, 1e-6, "dot_rows_f32 ij,ij->i [1000,777]");
}

// Block (bx, 256 / bx) with bx the power of two >= min(ceil(J / W), 256); grid covering rows and groups.
void outer_launch_shape(int64_t rows, int64_t j, int width, Dim& grid, Dim& block) {
    const int64_t groups = (j + width - 1) / width;
    unsigned bx = 1;
    while (bx < 256 && bx < groups) bx *= 2;
    block = Dim{bx, 256 / bx, 1};
    grid = Dim{static_cast<unsigned>((groups + bx - 1) / bx),
               static_cast<unsigned>(std::min<int64_t>((rows + block.y - 1) / block.y, 65535)), 1};
}

// out[n, i, j] = sum_k x[n, k, i] * y[n, k, j] in float64, x and y contiguous.
template <typename T>
std::vector<double> reference_outer(const std::vector<T>& x, const std::vector<T>& y, int64_t n, int64_t k, int64_t i,
                                    int64_t j) {
    std::vector<double> want(n * i * j, 0);
    for (int64_t a = 0; a < n; ++a)
        for (int64_t p = 0; p < i; ++p)
            for (int64_t q = 0; q < j; ++q)
                for (int64_t c = 0; c < k; ++c)
                    want[(a * i + p) * j + q] += static_cast<double>(x[(a * k + c) * i + p]) * y[(a * k + c) * j + q];
    return want;
}

template <typename T>
void check_outer(const char* name, int64_t n, int64_t k, int64_t i, int64_t j, double tol) {
    std::vector<double> xd = random_doubles(n * k * i), yd = random_doubles(n * k * j);
    std::vector<T> x(xd.begin(), xd.end()), y(yd.begin(), yd.end());
    const std::vector<double> want = reference_outer(x, y, n, k, i, j);
    std::unique_ptr<Dev> dx(upload(x)), dy(upload(y));
    Dev out(n * i * j * sizeof(T));
    out.poison();
    Dim grid, block;
    outer_launch_shape(n * i, j, 16 / sizeof(T), grid, block);
    using S = typename std::conditional<sizeof(T) == 8, double, float>::type;  // beta's type
    launch(name, grid, block, dx->p, dy->p, out.p, n, int64_t{1}, k, i, j, k * i, int64_t{0}, i, int64_t{1}, k * j,
           int64_t{0}, j, int64_t{1}, S{0});
    char what[96];
    std::snprintf(what, sizeof what, "%s n%lld k%lld i%lld j%lld", name, static_cast<long long>(n),
                  static_cast<long long>(k), static_cast<long long>(i), static_cast<long long>(j));
    expect_close(download<T>(out, n * i * j), want, tol, what);
}

// outer_f32 as Backend.gemm with beta 1 and a second summed axis: out += sum_r sum_k x[n, r, k, i] y[n, r, k, j].
void check_outer_accumulate() {
    const int64_t n = 3, r = 2, k = 3, i = 10, j = 32;
    std::vector<float> x = random_floats(n * r * k * i), y = random_floats(n * r * k * j), c = random_floats(n * i * j);
    std::vector<double> want = reference_outer(x, y, n, r * k, i, j);  // (r, k) contiguous: one summed axis of r*k
    for (size_t e = 0; e < want.size(); ++e) want[e] += c[e];
    std::unique_ptr<Dev> dx(upload(x)), dy(upload(y)), dc(upload(c));
    Dim grid, block;
    outer_launch_shape(n * i, j, 4, grid, block);
    launch("outer_f32", grid, block, dx->p, dy->p, dc->p, n, r, k, i, j, r * k * i, k * i, i, int64_t{1}, r * k * j,
           k * j, j, int64_t{1}, 1.0f);
    expect_close(download<float>(*dc, n * i * j), want, 1e-6, "outer_f32 R=2 K=3 beta 1 (gemm accumulate)");
}

void check_outer_f16() {
    const int64_t n = 4, k = 3, i = 20, j = 64;
    std::vector<float> x = random_floats(n * k * i), y = random_floats(n * k * j);
    const std::vector<double> want = reference_outer(x, y, n, k, i, j);
    std::unique_ptr<Dev> dx(upload(x)), dy(upload(y));
    Dev hx(x.size() * 2), hy(y.size() * 2), ho(n * i * j * 2), of(n * i * j * 4);
    launch("copy_f32_f16", blocks_for(x.size()), k256, dx->p, hx.p, PairLayout{1, {n * k * i}, {1}, {1}}, n * k * i);
    launch("copy_f32_f16", blocks_for(y.size()), k256, dy->p, hy.p, PairLayout{1, {n * k * j}, {1}, {1}}, n * k * j);
    Dim grid, block;
    outer_launch_shape(n * i, j, 8, grid, block);
    launch("outer_f16", grid, block, hx.p, hy.p, ho.p, n, int64_t{1}, k, i, j, k * i, int64_t{0}, i, int64_t{1}, k * j,
           int64_t{0}, j, int64_t{1}, 0.0f);
    launch("copy_f16_f32", blocks_for(n * i * j), k256, ho.p, of.p, PairLayout{1, {n * i * j}, {1}, {1}}, n * i * j);
    expect_close(download<float>(of, n * i * j), want, 5e-3, "outer_f16 nki,nkj->nij (f16 storage)");
}

void check_im2col() {
    ConvGeometry g{2, 2, 2, 4, {1, 9, 8}, {1, 3, 3}, {1, 2, 1}, {0, 1, 1}, {1, 1, 2}, {}};
    for (int a = 0; a < 3; ++a)
        g.out[a] = (g.in[a] + 2 * g.pad[a] - g.dilation[a] * (g.kernel[a] - 1) - 1) / g.stride[a] + 1;
    const int64_t cpg = g.channels / g.groups, kk = 9, l = g.out[0] * g.out[1] * g.out[2];
    const int64_t rows = g.samples * g.groups * g.copies * cpg * kk;
    std::vector<float> x = random_floats(g.samples * g.copies * g.channels * 9 * 8);
    std::vector<double> want(rows * l, 0);
    for (int64_t n = 0; n < g.samples; ++n)
        for (int64_t grp = 0; grp < g.groups; ++grp)
            for (int64_t cp = 0; cp < g.copies; ++cp)
                for (int64_t ci = 0; ci < cpg; ++ci)
                    for (int64_t kh = 0; kh < 3; ++kh)
                        for (int64_t kw = 0; kw < 3; ++kw)
                            for (int64_t oh = 0; oh < g.out[1]; ++oh)
                                for (int64_t ow = 0; ow < g.out[2]; ++ow) {
                                    const int64_t ih = oh * 2 - 1 + kh, iw = ow - 1 + kw * 2;
                                    const int64_t row = (((n * g.groups + grp) * g.copies + cp) * cpg + ci) * kk + kh * 3 + kw;
                                    if (ih >= 0 && ih < 9 && iw >= 0 && iw < 8)
                                        want[row * l + oh * g.out[2] + ow] =
                                            x[(((n * g.copies + cp) * g.channels + grp * cpg + ci) * 9 + ih) * 8 + iw];
                                }
    std::unique_ptr<Dev> dx(upload(x));
    Dev cols(rows * l * 4);
    cols.poison();
    launch("im2col_f32", Dim{static_cast<unsigned>((l + 255) / 256), static_cast<unsigned>(std::min<int64_t>(rows, 65535)), 1},
           k256, dx->p, cols.p, g);
    expect_close(download<float>(cols, rows * l), want, 0, "im2col_f32 conv2d G=2 K=2 stride/pad/dilation");
}

// Mean and 1/sqrt(biased variance + eps) of len floats, two passes in float64.
std::pair<double, double> mean_rstd(const float* p, int64_t len, double eps) {
    double s = 0, sq = 0;
    for (int64_t i = 0; i < len; ++i) s += p[i];
    const double mean = s / len;
    for (int64_t i = 0; i < len; ++i) sq += (p[i] - mean) * (p[i] - mean);
    return {mean, 1 / std::sqrt(sq / len + eps)};
}

void check_norm() {
    const double eps = 1e-5;
    // layer norm: x, g [rows, inner, len]
    const int64_t rows = 4, inner = 3, len = 300;
    std::vector<float> x = random_floats(rows * inner * len), g = random_floats(rows * inner * len);
    for (auto& v : x) v = v * 3 + 1;
    std::vector<double> ww(rows * len, 0), wb(rows * len, 0);
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t m = 0; m < inner; ++m) {
            const float* p = x.data() + (r * inner + m) * len;
            const auto [mean, rstd] = mean_rstd(p, len, eps);
            for (int64_t d = 0; d < len; ++d) {
                ww[r * len + d] += (p[d] - mean) * rstd * g[(r * inner + m) * len + d];
                wb[r * len + d] += g[(r * inner + m) * len + d];
            }
        }
    std::unique_ptr<Dev> dx(upload(x)), dg(upload(g));
    Dev mean(rows * inner * 8), rstd(rows * inner * 8), w(rows * len * 4), b(rows * len * 4);
    w.poison();
    b.poison();
    launch("norm_stats_f32", Dim{static_cast<unsigned>(rows * inner), 1, 1}, k256, dx->p, mean.p, rstd.p, rows * inner,
           len, eps);
    launch("layer_norm_partials_f32", blocks_for(rows * len), k256, dx->p, dg->p, mean.p, rstd.p, w.p, b.p, rows,
           inner, len);
    expect_close(download<float>(w, rows * len), ww, 1e-6, "norm_stats + layer_norm_partials_f32 w");
    expect_close(download<float>(b, rows * len), wb, 1e-6, "layer_norm_partials_f32 b");

    // group norm: x, g [rows, groups*cpg, spatial]
    const int64_t gr = 3, groups = 2, cpg = 3, spatial = 200, glen = cpg * spatial, ch = groups * cpg;
    std::vector<float> gx = random_floats(gr * ch * spatial), gg = random_floats(gr * ch * spatial);
    std::vector<double> gw(gr * ch), gb(gr * ch);
    for (int64_t rg = 0; rg < gr * groups; ++rg) {
        const float* p = gx.data() + rg * glen;
        const auto [m, rs] = mean_rstd(p, glen, eps);
        for (int64_t c = 0; c < cpg; ++c) {
            double sw = 0, sb = 0;
            for (int64_t s2 = 0; s2 < spatial; ++s2) {
                sw += (p[c * spatial + s2] - m) * gg[rg * glen + c * spatial + s2];
                sb += gg[rg * glen + c * spatial + s2];
            }
            gw[rg * cpg + c] = sw * rs;
            gb[rg * cpg + c] = sb;
        }
    }
    std::unique_ptr<Dev> dgx(upload(gx)), dgg(upload(gg));
    Dev gm(gr * groups * 8), grs(gr * groups * 8), gwo(gr * ch * 4), gbo(gr * ch * 4);
    gwo.poison();
    gbo.poison();
    launch("norm_stats_f32", Dim{static_cast<unsigned>(gr * groups), 1, 1}, k256, dgx->p, gm.p, grs.p, gr * groups, glen,
           eps);
    launch("group_norm_partials_f32", blocks_for(gr * ch * 32), k256, dgx->p, dgg->p, gm.p, grs.p, gwo.p, gbo.p, gr,
           groups, cpg, spatial);
    expect_close(download<float>(gwo, gr * ch), gw, 1e-6, "norm_stats + group_norm_partials_f32 w");
    expect_close(download<float>(gbo, gr * ch), gb, 1e-6, "group_norm_partials_f32 b");
}

void check_embedding() {
    const int64_t samples = 6, per_sample = 2 * 9, v = 13, dim = 70, pad = 2;
    std::vector<int64_t> idx(samples * per_sample);
    for (auto& i : idx) i = static_cast<int64_t>(rng() % v);
    std::vector<float> g = random_floats(samples * per_sample * dim);
    std::unique_ptr<Dev> di(upload(idx)), dg(upload(g));

    // index_check_i64: in range -> -1; with offenders at 40 and 17 -> 17
    Dev bad(8);
    bad.poison();
    launch("index_check_i64", blocks_for(idx.size()), k256, di->p, static_cast<int64_t>(idx.size()), v, bad.p);
    const int64_t none = download<int64_t>(bad, 1)[0];
    std::vector<int64_t> wrong = idx;
    wrong[40] = v;
    wrong[17] = -3;
    std::unique_ptr<Dev> dw(upload(wrong));
    bad.poison();
    launch("index_check_i64", Dim{1, 1, 1}, Dim{32, 1, 1}, dw->p, static_cast<int64_t>(idx.size()), v, bad.p);
    const int64_t first = download<int64_t>(bad, 1)[0];
    const bool ok = none == -1 && first == 17;
    std::printf("%-44s %s (in range: %lld, offenders at 17 and 40: %lld)\n", "index_check_i64", ok ? "ok" : "FAIL",
                static_cast<long long>(none), static_cast<long long>(first));
    if (!ok) ++failures;

    // embedding_dense_f32
    std::vector<double> want(samples * v * dim, 0);
    for (int64_t n = 0; n < samples; ++n)
        for (int64_t q = 0; q < per_sample; ++q) {
            const int64_t row = idx[n * per_sample + q];
            if (row == pad) continue;
            for (int64_t d = 0; d < dim; ++d) want[(n * v + row) * dim + d] += g[(n * per_sample + q) * dim + d];
        }
    Dev out(samples * v * dim * 4);
    out.poison();
    launch("embedding_dense_f32", Dim{1, static_cast<unsigned>(samples), 1}, k256, di->p, dg->p, out.p, samples,
           per_sample, v, dim, pad);
    expect_close(download<float>(out, samples * v * dim), want, 1e-6, "embedding_dense_f32");

    // sparse: unique_count -> exclusive_scan -> (nnz) -> unique_rows -> sparse_scatter (MEAN over K = 2)
    Dev counts(samples * 8), offsets((samples + 1) * 8);
    launch("embedding_unique_count", Dim{static_cast<unsigned>(samples), 1, 1}, k256, di->p, counts.p, samples,
           per_sample, pad);
    launch("exclusive_scan_i64", Dim{1, 1, 1}, Dim{1024, 1, 1}, counts.p, offsets.p, samples);
    std::vector<int64_t> off = download<int64_t>(offsets, samples + 1);
    const int64_t nnz = off[samples];
    Dev row_ids(nnz * 8), values(nnz * dim * 4);
    values.poison();
    launch("embedding_unique_rows", Dim{static_cast<unsigned>(samples), 1, 1}, k256, di->p, offsets.p, row_ids.p,
           samples, per_sample, pad);
    launch("embedding_sparse_scatter_f32", Dim{1, static_cast<unsigned>(samples), 1}, k256, di->p, dg->p, offsets.p,
           row_ids.p, values.p, samples, per_sample, dim, pad, 2.0f);
    std::vector<int64_t> rid = download<int64_t>(row_ids, nnz);
    std::vector<double> want_values;
    std::vector<int64_t> want_rows, want_off{0};
    for (int64_t n = 0; n < samples; ++n) {
        for (int64_t row = 0; row < v; ++row) {
            if (row == pad) continue;
            bool present = false;
            for (int64_t q = 0; q < per_sample; ++q) present |= idx[n * per_sample + q] == row;
            if (!present) continue;
            want_rows.push_back(row);
            for (int64_t d = 0; d < dim; ++d) want_values.push_back(want[(n * v + row) * dim + d] / 2);
        }
        want_off.push_back(static_cast<int64_t>(want_rows.size()));
    }
    const bool idx_ok = off == want_off && rid == want_rows;
    std::printf("%-44s %s (nnz %lld, want %zu)\n", "embedding_unique_count/scan/unique_rows", idx_ok ? "ok" : "FAIL",
                static_cast<long long>(nnz), want_rows.size());
    if (!idx_ok) {
        ++failures;
        return;
    }
    expect_close(download<float>(values, nnz * dim), want_values, 1e-6, "embedding_sparse_scatter_f32 (MEAN, K=2)");

    // embedding_sparse_to_dense_f32 of that result: the dense gradient / 2
    Dev dense(samples * v * dim * 4);
    dense.poison();
    launch("embedding_sparse_to_dense_f32", Dim{1, static_cast<unsigned>(samples), 1}, k256, offsets.p, row_ids.p,
           values.p, dense.p, samples, v, dim);
    std::vector<double> half_dense(want);
    for (auto& e : half_dense) e /= 2;
    expect_close(download<float>(dense, samples * v * dim), half_dense, 1e-6, "embedding_sparse_to_dense_f32");
}

void check_families() {
    check_elementwise();
    check_reductions();
    check_outer<float>("outer_f32", 7, 3, 33, 64, 1e-6);   // float4 stores
    check_outer<float>("outer_f32", 5, 4, 9, 50, 1e-6);    // ragged j: scalar stores
    check_outer<double>("outer_f64", 5, 2, 9, 10, 1e-14);
    check_outer_accumulate();
    check_outer_f16();
    check_im2col();
    check_norm();
    check_embedding();
}

// Fused outer product at a memory-bound size vs a device-to-device copy: the output is written once, the inputs
// (n*k*(i+j) elements) read about once, so the bytes moved are ~ the output; compare with the copy's read+write.
void time_outer(int64_t n, int64_t k, int64_t i, int64_t j, const char* what) {
    const size_t out_bytes = static_cast<size_t>(n) * i * j * 4;
    Dev x(n * k * i * 4), y(n * k * j * 4), out(out_bytes), copy(out_bytes);
    check(drv.cuMemsetD8(x.p, 0x3c, x.bytes), "cuMemsetD8");  // small non-zero floats
    check(drv.cuMemsetD8(y.p, 0x3c, y.bytes), "cuMemsetD8");
    Dim grid, block;
    outer_launch_shape(n * i, j, 4, grid, block);
    CUfunction f;
    check(drv.cuModuleGetFunction(&f, module, "outer_f32"), "outer_f32");
    int64_t sx_n = k * i, sx_k = i, one = 1, zero = 0, sy_n = k * j, sy_k = j;
    float beta = 0;
    void* args[] = {&x.p, &y.p,  &out.p, &n,    &one,  &k,    &i,   &j,    &sx_n,
                    &zero, &sx_k, &one,   &sy_n, &zero, &sy_k, &one, &beta};
    const double t = seconds_per_call(10, [&] {
        check(drv.cuLaunchKernel(f, grid.x, grid.y, 1, block.x, block.y, 1, 0, nullptr, args, nullptr), "outer_f32");
    });
    const double c = seconds_per_call(10, [&] { check(drv.cuMemcpyDtoD(copy.p, out.p, out_bytes / 2), "cuMemcpyDtoD"); });
    const double moved = out_bytes + static_cast<double>(n) * k * (i + j) * 4;
    std::printf("outer_f32 %s: %.3f ms, %.0f GB/s; cuMemcpyDtoD of %.1f GB: %.0f GB/s (read+write); ratio %.2f\n", what,
                t * 1e3, moved / t / 1e9, out_bytes / 2 / 1e9, out_bytes / c / 1e9, (moved / t) / (out_bytes / c));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: kernel_check KERNELS.fatbin\n");
        return 2;
    }
    std::ifstream file(argv[1], std::ios::binary);
    std::vector<char> fatbin((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (fatbin.size() < 16) {
        std::fprintf(stderr, "kernel_check: cannot read %s\n", argv[1]);
        return 2;
    }
    void* lib = dlopen("libcuda.so.1", RTLD_NOW);
    if (!lib) {
        std::fprintf(stderr, "kernel_check: no CUDA driver: %s\n", dlerror());
        return 2;
    }
    load(lib, drv.cuInit, "cuInit");
    load(lib, drv.cuDeviceGet, "cuDeviceGet");
    load(lib, drv.cuDeviceGetName, "cuDeviceGetName");
    load(lib, drv.cuDeviceGetAttribute, "cuDeviceGetAttribute");
    load(lib, drv.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
    load(lib, drv.cuCtxSetCurrent, "cuCtxSetCurrent");
    load(lib, drv.cuCtxSynchronize, "cuCtxSynchronize");
    load(lib, drv.cuModuleLoadData, "cuModuleLoadData");
    load(lib, drv.cuModuleGetFunction, "cuModuleGetFunction");
    load(lib, drv.cuMemAlloc, "cuMemAlloc_v2");
    load(lib, drv.cuMemFree, "cuMemFree_v2");
    load(lib, drv.cuMemcpyHtoD, "cuMemcpyHtoD_v2");
    load(lib, drv.cuMemcpyDtoH, "cuMemcpyDtoH_v2");
    load(lib, drv.cuMemcpyDtoD, "cuMemcpyDtoD_v2");
    load(lib, drv.cuMemsetD8, "cuMemsetD8_v2");
    load(lib, drv.cuLaunchKernel, "cuLaunchKernel");
    load(lib, drv.cuGetErrorString, "cuGetErrorString");

    check(drv.cuInit(0), "cuInit");
    CUdevice dev;
    check(drv.cuDeviceGet(&dev, 0), "cuDeviceGet");
    char name[256];
    int major = 0, minor = 0;
    check(drv.cuDeviceGetName(name, sizeof name, dev), "cuDeviceGetName");
    drv.cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
    drv.cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
    std::printf("device: %s (sm_%d%d); fatbin %s, %zu bytes\n", name, major, minor, argv[1], fatbin.size());
    CUcontext ctx;
    check(drv.cuDevicePrimaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain");
    check(drv.cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
    CUmodule mod;
    check(drv.cuModuleLoadData(&mod, fatbin.data()), "cuModuleLoadData");

    CUfunction t32, t64, g32;
    check(drv.cuModuleGetFunction(&t32, mod, "batched_transpose_f32"), "cuModuleGetFunction batched_transpose_f32");
    check(drv.cuModuleGetFunction(&t64, mod, "batched_transpose_f64"), "cuModuleGetFunction batched_transpose_f64");
    check(drv.cuModuleGetFunction(&g32, mod, "permute_gather_f32"), "cuModuleGetFunction permute_gather_f32");
    module = mod;

    check_transpose<float>(t32, 3, 67, 45, "batched_transpose_f32 3x67x45 (ragged tiles)");
    check_transpose<float>(t32, 2, 256, 512, "batched_transpose_f32 2x256x512");
    check_transpose<double>(t64, 2, 33, 100, "batched_transpose_f64 2x33x100");
    check_transpose<float>(t32, 1, 1, 1000, "batched_transpose_f32 1x1x1000");
    check_gather(g32);
    check_families();
    time_transpose(t32, 16, 4096, 4096);
    time_outer(1024, 1, 1024, 1024, "E02 ni,nj->nij 1024x1024");
    time_outer(1, 1, 32768, 32768, "E09 i,j->ij 32768");
    time_outer(256, 8, 256, 256, "K-fold nki,nkj->nij B=256 K=8 256x256");
    std::printf("%s\n", failures ? "kernel_check: FAILED" : "kernel_check: all ok");
    return failures ? 1 : 0;
}
