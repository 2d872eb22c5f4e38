// GPU smoke test of kernels.fatbin, independent of Java: loads the fatbin with the CUDA driver API exactly as the
// Java backend does (cuModuleLoadData), runs each kernel on seeded data, compares with a CPU loop, and times the
// transpose against a device-to-device copy of the same bytes (the memory-bandwidth ceiling).
//
// Build (no GPU needed, only cuda.h): g++ -O2 -std=c++17 -I/usr/local/cuda/include kernel_check.cpp -ldl -o kernel_check
// Run (on a GPU machine):            ./kernel_check path/to/kernels.fatbin
// libcuda.so.1 is opened at run time, so the binary builds where there is no driver.
#include <cuda.h>
#include <dlfcn.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
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

    check_transpose<float>(t32, 3, 67, 45, "batched_transpose_f32 3x67x45 (ragged tiles)");
    check_transpose<float>(t32, 2, 256, 512, "batched_transpose_f32 2x256x512");
    check_transpose<double>(t64, 2, 33, 100, "batched_transpose_f64 2x33x100");
    check_transpose<float>(t32, 1, 1, 1000, "batched_transpose_f32 1x1x1000");
    check_gather(g32);
    time_transpose(t32, 16, 4096, 4096);
    std::printf("%s\n", failures ? "kernel_check: FAILED" : "kernel_check: all ok");
    return failures ? 1 : 0;
}
