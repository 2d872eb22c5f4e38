// Host test harness of the einsum4j kernels: no GPU needed. For each kernel family it runs the kernels' own
// __host__ __device__ thread functions (native/*.cuh) over a simulated grid -- a loop over blockIdx/threadIdx on the
// host, barrier-separated phases run for every thread of a block before the next phase, warp and block sums through
// their host models -- on seeded random inputs, and compares with a plain reference loop (for im2col, norm partials
// and embedding: ports of SampleKernels' Java loops). Outputs are poisoned first, so an element a kernel fails to
// write shows up. Prints one line per family; exits 1 on any mismatch.
//
//   kernel_harness [SEED]      all families
//   kernel_harness MODE ...    one kernel family on .npy inputs (little-endian <f4/<f8, indices <i8), outputs
//                              as .npy, under the documented launch rule, for the JUnit comparison with the Java
//                              reference (org.einsum4j.gradsample.KernelHarnessTest):
//     im2col IN OUT S K G C D H W KD KH KW SD SH SW PD PH PW DD DH DW OD OH OW    (SampleKernels.unfold)
//     sum IN OUT AXES...                 permute IN OUT PERM...
//     embedding-dense IDX G OUT K V PAD  embedding-sparse IDX G OFFSETS ROWS VALUES DENSE K V PAD DIVISOR
//     layer-norm X G W B ROWS INNER LEN EPS                  group-norm X G W B ROWS GROUPS CPG SPATIAL EPS
#include "elementwise.cuh"
#include "embedding.cuh"
#include "im2col.cuh"
#include "norm.cuh"
#include "outer.cuh"
#include "permute.cuh"
#include "reduce.cuh"
#include "test/npy_io.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cctype>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

using namespace einsum4j;

namespace einsum4j_test {
[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "kernel_harness: %s\n", message.c_str());
    std::exit(2);
}
}  // namespace einsum4j_test

namespace {

using einsum4j_test::NpyArray;
using einsum4j_test::die;
using einsum4j_test::read_npy;
using einsum4j_test::write_npy;

std::mt19937_64 rng;

struct Dim3 {
    unsigned x, y, z;
};

// Calls f(Launch) for every thread of a grid, block by block; `reverse` walks blocks and threads last to first, so
// that a result which depends on the order threads run in (a race on the GPU) differs between the two walks.
void simulate(Dim3 grid, Dim3 block, const std::function<void(const Launch&)>& f, bool reverse = false) {
    const unsigned threads = block.x * block.y * block.z;
    const unsigned blocks = grid.x * grid.y * grid.z;
    for (unsigned bi = 0; bi < blocks; ++bi) {
        const unsigned b = reverse ? blocks - 1 - bi : bi;
        for (unsigned ti = 0; ti < threads; ++ti) {
            const unsigned th = reverse ? threads - 1 - ti : ti;
            f(Launch{b % grid.x, b / grid.x % grid.y, b / grid.x / grid.y, th % block.x, th / block.x % block.y,
                     th / block.x / block.y, grid.x, grid.y, grid.z, block.x, block.y, block.z});
        }
    }
}

Launch thread_at(unsigned bx, unsigned by, unsigned tx, Dim3 grid, Dim3 block) {
    return Launch{bx, by, 0, tx, 0, 0, grid.x, grid.y, 1, block.x, 1, 1};
}

// 1-D grids to run every 1-D kernel under: the documented rule (256-thread blocks covering n) and a small odd grid
// that makes every thread take several grid-stride steps.
std::vector<std::pair<Dim3, Dim3>> grids_1d(int64_t n) {
    unsigned blocks = static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(ceil_div(n, 256), 4096)));
    return {{{blocks, 1, 1}, {256, 1, 1}}, {{3, 1, 1}, {64, 1, 1}}};
}

double uniform() {
    return std::uniform_real_distribution<double>(-1.0, 1.0)(rng);
}

int64_t rand_int(int64_t lo, int64_t hi) {  // inclusive
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

template <typename T>
std::vector<T> random_vector(size_t n) {
    std::vector<T> v(n);
    for (auto& x : v) x = narrow<T>(uniform());
    return v;
}

template <typename T>
T poison() {
    return narrow<T>(std::numeric_limits<double>::quiet_NaN());
}

// One family's tally.
struct Family {
    const char* name;
    int checks = 0;
    int failures = 0;
    std::string first_failure;
    double worst = 0;  // worst relative error seen where a tolerance applies

    void expect(bool ok, const std::string& what) {
        ++checks;
        if (!ok) {
            if (failures == 0) first_failure = what;
            ++failures;
        }
    }
};

template <typename T>
bool same_bits(T a, T b) {
    return std::memcmp(&a, &b, sizeof(T)) == 0;
}

// Exact comparison (bit for bit; NaN poison left anywhere fails).
template <typename T>
void expect_exact(Family& f, const std::vector<T>& got, const std::vector<T>& want, const std::string& what) {
    size_t bad = 0;
    size_t at = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        if (!same_bits(got[i], want[i])) {
            if (bad == 0) at = i;
            ++bad;
        }
    }
    f.expect(bad == 0 && got.size() == want.size(),
             what + ": " + std::to_string(bad) + " of " + std::to_string(want.size()) + " differ, first at " +
                 std::to_string(at));
}

// ‖got − want‖∞ / max(‖want‖∞, tiny) ≤ tol, NaN never passes.
template <typename T>
void expect_close(Family& f, const std::vector<T>& got, const std::vector<double>& want, double tol,
                  const std::string& what) {
    double num = 0;
    double den = 1e-300;
    bool nan = false;
    for (size_t i = 0; i < want.size(); ++i) {
        const double g = widen(got[i]);
        if (std::isnan(g)) nan = true;
        num = std::max(num, std::fabs(g - want[i]));
        den = std::max(den, std::fabs(want[i]));
    }
    const double rel = num / den;
    f.worst = std::max(f.worst, nan ? INFINITY : rel);
    f.expect(!nan && rel <= tol, what + ": relative error " + std::to_string(rel) + (nan ? " (NaN)" : "") +
                                     " > " + std::to_string(tol));
}

int report(const Family& f) {
    if (f.failures == 0) {
        std::printf("%-12s ok    %4d checks%s\n", f.name, f.checks,
                    f.worst > 0 ? (", worst relative error " + std::to_string(f.worst)).c_str() : "");
    } else {
        std::printf("%-12s FAIL  %d of %d checks; first: %s\n", f.name, f.failures, f.checks,
                    f.first_failure.c_str());
    }
    return f.failures == 0 ? 0 : 1;
}

// A random shape of `rank` dims (sizes lo..hi), contiguous row-major strides, and a random permutation of them.
struct Shape {
    std::vector<int64_t> sizes;
    std::vector<int64_t> strides;
    int64_t numel() const {
        return std::accumulate(sizes.begin(), sizes.end(), int64_t{1}, std::multiplies<int64_t>());
    }
};

Shape contiguous(const std::vector<int64_t>& sizes) {
    Shape s{sizes, std::vector<int64_t>(sizes.size())};
    int64_t st = 1;
    for (int d = static_cast<int>(sizes.size()) - 1; d >= 0; --d) {
        s.strides[d] = st;
        st *= sizes[d];
    }
    return s;
}

// Visits every multi-index of sizes in row-major order.
void for_each_index(const std::vector<int64_t>& sizes, const std::function<void(const std::vector<int64_t>&)>& f) {
    std::vector<int64_t> ix(sizes.size(), 0);
    for (int64_t s : sizes)
        if (s == 0) return;
    while (true) {
        f(ix);
        int d = static_cast<int>(sizes.size()) - 1;
        while (d >= 0 && ++ix[d] == sizes[d]) ix[d--] = 0;
        if (d < 0) return;
    }
}

int64_t dot(const std::vector<int64_t>& ix, const std::vector<int64_t>& strides) {
    int64_t o = 0;
    for (size_t d = 0; d < ix.size(); ++d) o += ix[d] * strides[d];
    return o;
}

StridedLayout strided_layout(const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides) {
    StridedLayout l{};
    l.rank = static_cast<int>(sizes.size());
    for (size_t d = 0; d < sizes.size(); ++d) {
        l.sizes[d] = sizes[d];
        l.strides[d] = strides[d];
    }
    return l;
}

PairLayout pair_layout(const std::vector<int64_t>& sizes, const std::vector<int64_t>& a,
                       const std::vector<int64_t>& b) {
    PairLayout l{};
    l.rank = static_cast<int>(sizes.size());
    for (size_t d = 0; d < sizes.size(); ++d) {
        l.sizes[d] = sizes[d];
        l.strides_a[d] = a[d];
        l.strides_b[d] = b[d];
    }
    return l;
}

std::vector<int64_t> random_sizes(int rank, int64_t lo, int64_t hi) {
    std::vector<int64_t> s(rank);
    for (auto& x : s) x = rand_int(lo, hi);
    return s;
}

std::vector<int> random_permutation(int n) {
    std::vector<int> p(n);
    std::iota(p.begin(), p.end(), 0);
    std::shuffle(p.begin(), p.end(), rng);
    return p;
}

// ================================================================ permute

template <typename T>
void check_transpose(Family& f, int batch, int rows, int cols) {
    std::vector<T> in = random_vector<T>(static_cast<size_t>(batch) * rows * cols);
    std::vector<T> out(in.size(), poison<T>()), want(in.size());
    for (int b = 0; b < batch; ++b)
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c)
                want[(static_cast<size_t>(b) * cols + c) * rows + r] = in[(static_cast<size_t>(b) * rows + r) * cols + c];
    const Dim3 grid{static_cast<unsigned>(ceil_div(cols, 32)), static_cast<unsigned>(ceil_div(rows, 32)),
                    static_cast<unsigned>(batch)};
    const Dim3 block{32, 8, 1};
    for (unsigned bz = 0; bz < grid.z; ++bz)
        for (unsigned by = 0; by < grid.y; ++by)
            for (unsigned bx = 0; bx < grid.x; ++bx) {
                T tile[permute::kTile][permute::kTile + 1];
                auto at = [&](unsigned tx, unsigned ty) {
                    return Launch{bx, by, bz, tx, ty, 0, grid.x, grid.y, grid.z, block.x, block.y, block.z};
                };
                for (unsigned ty = 0; ty < block.y; ++ty)  // phase 1 for every thread, then the barrier
                    for (unsigned tx = 0; tx < block.x; ++tx) permute::transpose_load(at(tx, ty), in.data(), tile, rows, cols);
                for (unsigned ty = 0; ty < block.y; ++ty)
                    for (unsigned tx = 0; tx < block.x; ++tx) permute::transpose_store(at(tx, ty), out.data(), tile, rows, cols);
            }
    expect_exact(f, out, want,
                 "batched_transpose " + std::to_string(batch) + "x" + std::to_string(rows) + "x" + std::to_string(cols));
}

template <typename T>
void check_gather(Family& f, int rank) {
    Shape in = contiguous(random_sizes(rank, 1, 7));
    std::vector<int> perm = random_permutation(rank);
    std::vector<int64_t> sizes(rank), strides(rank);
    for (int d = 0; d < rank; ++d) {
        sizes[d] = in.sizes[perm[d]];
        strides[d] = in.strides[perm[d]];
    }
    std::vector<T> x = random_vector<T>(in.numel());
    std::vector<T> want;
    for_each_index(sizes, [&](const std::vector<int64_t>& ix) { want.push_back(x[dot(ix, strides)]); });
    const StridedLayout l = strided_layout(sizes, strides);
    for (auto [grid, block] : grids_1d(in.numel())) {
        std::vector<T> out(want.size(), poison<T>());
        simulate(grid, block, [&](const Launch& t) { permute::gather_thread(t, x.data(), out.data(), l, in.numel()); },
                 grid.x == 3);
        expect_exact(f, out, want, "permute_gather rank " + std::to_string(rank));
    }
}

// `ijj->ij` style diagonals through diagonal_layout: a random rank-4 input whose dims carry labels 0..out_rank-1.
void check_diagonal(Family& f) {
    const std::vector<std::vector<int>> cases = {{0, 0}, {0, 1, 1}, {1, 0, 1, 0}, {0, 1, 0, 2}};
    for (const auto& labels : cases) {
        const int out_rank = *std::max_element(labels.begin(), labels.end()) + 1;
        std::vector<int64_t> label_size(out_rank);
        for (auto& s : label_size) s = rand_int(1, 6);
        std::vector<int64_t> in_sizes;
        for (int lab : labels) in_sizes.push_back(label_size[lab]);
        Shape in = contiguous(in_sizes);
        std::vector<float> x = random_vector<float>(in.numel());
        StridedLayout l{};
        bool ok = permute::diagonal_layout(static_cast<int>(labels.size()), in.sizes.data(), in.strides.data(),
                                           labels.data(), out_rank, &l);
        std::vector<float> want;
        for_each_index(label_size, [&](const std::vector<int64_t>& ix) {
            int64_t off = 0;
            for (size_t d = 0; d < labels.size(); ++d) off += ix[labels[d]] * in.strides[d];
            want.push_back(x[off]);
        });
        std::vector<float> out(want.size(), poison<float>());
        const int64_t n = static_cast<int64_t>(want.size());
        simulate({2, 1, 1}, {32, 1, 1}, [&](const Launch& t) { permute::gather_thread(t, x.data(), out.data(), l, n); });
        f.expect(ok, "diagonal_layout rejected valid labels");
        expect_exact(f, out, want, "diagonal_gather labels of rank " + std::to_string(labels.size()));
    }
    StridedLayout l{};
    const int64_t sz[2] = {3, 3}, st[2] = {3, 1};
    const int bad[2] = {0, 2};
    f.expect(!permute::diagonal_layout(2, sz, st, bad, 2, &l), "diagonal_layout accepted a label out of range");
}

int test_permute() {
    Family f{"permute"};
    check_transpose<float>(f, 3, 67, 45);
    check_transpose<float>(f, 1, 1, 100);
    check_transpose<double>(f, 2, 33, 64);
    check_transpose<__half>(f, 2, 40, 31);
    for (int rank = 1; rank <= kMaxRank; ++rank) check_gather<float>(f, rank);
    check_gather<double>(f, 5);
    check_gather<__nv_bfloat16>(f, 4);
    check_diagonal(f);
    return report(f);
}

// ================================================================ fill / scale / divide / copy / multiply

template <typename S, typename D>
void check_copy(Family& f, const char* what) {
    const int rank = static_cast<int>(rand_int(1, 5));
    const std::vector<int64_t> sizes = random_sizes(rank, 1, 6);
    Shape src = contiguous(sizes);
    // destination: a permuted contiguous layout (so writes scatter); source: some dims broadcast (stride 0)
    std::vector<int> perm = random_permutation(rank);
    std::vector<int64_t> psizes(rank);
    for (int d = 0; d < rank; ++d) psizes[d] = sizes[perm[d]];
    Shape dst_p = contiguous(psizes);
    std::vector<int64_t> dst_strides(rank), src_strides = src.strides;
    for (int d = 0; d < rank; ++d) dst_strides[perm[d]] = dst_p.strides[d];
    for (int d = 0; d < rank; ++d)
        if (rand_int(0, 3) == 0) src_strides[d] = 0;
    std::vector<S> x = random_vector<S>(src.numel());
    std::vector<D> want(src.numel());
    for_each_index(sizes, [&](const std::vector<int64_t>& ix) {
        want[dot(ix, dst_strides)] = narrow<D>(widen(x[dot(ix, src_strides)]));
    });
    const PairLayout l = pair_layout(sizes, src_strides, dst_strides);
    for (auto [grid, block] : grids_1d(src.numel())) {
        std::vector<D> out(want.size(), poison<D>());
        simulate(grid, block, [&](const Launch& t) { elementwise::copy_thread(t, x.data(), out.data(), l, src.numel()); },
                 grid.x == 3);
        expect_exact(f, out, want, what);
    }
}

template <typename T, typename S>
void check_fill_scale(Family& f, int64_t n) {
    std::vector<T> x = random_vector<T>(n);
    const S alpha = static_cast<S>(uniform() * 3);
    const S divisor = static_cast<S>(rand_int(2, 9));
    const T value = narrow<T>(uniform());
    std::vector<T> want_fill(n, value), want_scale(n), want_div(n);
    for (int64_t i = 0; i < n; ++i) {
        want_scale[i] = narrow<T>(widen(x[i]) * alpha);
        want_div[i] = narrow<T>(widen(x[i]) / divisor);
    }
    for (auto [grid, block] : grids_1d(n)) {
        std::vector<T> out(n, poison<T>());
        simulate(grid, block, [&](const Launch& t) { elementwise::fill_thread(t, out.data(), n, value); });
        expect_exact(f, out, want_fill, "fill");
        std::vector<T> s = x, d = x;
        simulate(grid, block, [&](const Launch& t) { elementwise::scale_thread(t, s.data(), n, alpha); });
        simulate(grid, block, [&](const Launch& t) { elementwise::divide_thread(t, d.data(), n, divisor); });
        expect_exact(f, s, want_scale, "scale");
        expect_exact(f, d, want_div, "divide");
    }
}

// MEAN K-reduction: the division must equal the CPU backend's float division (not a multiply by 1/k).
void check_divide_is_division(Family& f) {
    std::vector<float> x = random_vector<float>(4096);
    std::vector<float> want(x.size());
    for (size_t i = 0; i < x.size(); ++i) want[i] = x[i] / 3.0f;
    std::vector<float> d = x;
    simulate({4, 1, 1}, {256, 1, 1}, [&](const Launch& t) { elementwise::divide_thread(t, d.data(), 4096, 3.0f); });
    expect_exact(f, d, want, "divide by 3 equals x / 3.0f");
}

template <typename T>
void check_mul(Family& f) {
    const int rank = static_cast<int>(rand_int(1, 4));
    const std::vector<int64_t> sizes = random_sizes(rank, 1, 7);
    Shape s = contiguous(sizes);
    std::vector<int64_t> sa = s.strides, sb = s.strides;
    for (int d = 0; d < rank; ++d) {
        const int64_t r = rand_int(0, 3);
        if (r == 0) sa[d] = 0;
        if (r == 1) sb[d] = 0;
    }
    std::vector<T> a = random_vector<T>(s.numel()), b = random_vector<T>(s.numel());
    std::vector<T> want;
    for_each_index(sizes, [&](const std::vector<int64_t>& ix) {
        want.push_back(narrow<T>(widen(a[dot(ix, sa)]) * widen(b[dot(ix, sb)])));
    });
    const PairLayout l = pair_layout(sizes, sa, sb);
    for (auto [grid, block] : grids_1d(s.numel())) {
        std::vector<T> out(want.size(), poison<T>());
        simulate(grid, block, [&](const Launch& t) {
            elementwise::mul_thread(t, a.data(), b.data(), out.data(), l, s.numel());
        });
        expect_exact(f, out, want, "mul_broadcast");
    }
}

int test_elementwise() {
    Family f{"elementwise"};
    for (int rep = 0; rep < 4; ++rep) {
        check_copy<float, float>(f, "copy_f32_f32");
        check_copy<double, double>(f, "copy_f64_f64");
        check_copy<float, double>(f, "copy_f32_f64");
        check_copy<double, float>(f, "copy_f64_f32");
        check_copy<float, __half>(f, "copy_f32_f16");
        check_copy<__half, float>(f, "copy_f16_f32");
        check_copy<double, __half>(f, "copy_f64_f16");
        check_copy<float, __nv_bfloat16>(f, "copy_f32_bf16");
        check_copy<__nv_bfloat16, double>(f, "copy_bf16_f64");
        check_mul<float>(f);
        check_mul<double>(f);
        check_mul<__half>(f);
    }
    check_fill_scale<float, float>(f, 1000);
    check_fill_scale<double, double>(f, 777);
    check_fill_scale<__half, float>(f, 300);
    check_fill_scale<__nv_bfloat16, float>(f, 300);
    check_divide_is_division(f);
    return report(f);
}

// ================================================================ reductions

struct ReduceCase {
    reduce::ReduceLayout layout;
    std::vector<int64_t> kept_sizes, kept_strides, red_sizes, red_strides;
    int64_t kept = 1, reduced = 1, numel = 1;
};

// A random rank-r tensor stored in a permuted order (so strides are not row-major), a random subset of axes reduced.
ReduceCase random_reduce_case(int rank, int64_t hi) {
    ReduceCase c;
    const std::vector<int64_t> sizes = random_sizes(rank, 1, hi);
    std::vector<int> perm = random_permutation(rank);
    std::vector<int64_t> psizes(rank);
    for (int d = 0; d < rank; ++d) psizes[d] = sizes[perm[d]];
    Shape storage = contiguous(psizes);
    std::vector<int64_t> strides(rank);
    for (int d = 0; d < rank; ++d) strides[perm[d]] = storage.strides[d];
    c.numel = storage.numel();
    c.layout = reduce::ReduceLayout{};
    for (int d = 0; d < rank; ++d) {
        if (rand_int(0, 1) == 0) {
            c.kept_sizes.push_back(sizes[d]);
            c.kept_strides.push_back(strides[d]);
            c.kept *= sizes[d];
        } else {
            c.red_sizes.push_back(sizes[d]);
            c.red_strides.push_back(strides[d]);
            c.reduced *= sizes[d];
        }
    }
    c.layout.kept_rank = static_cast<int>(c.kept_sizes.size());
    c.layout.reduced_rank = static_cast<int>(c.red_sizes.size());
    for (size_t d = 0; d < c.kept_sizes.size(); ++d) {
        c.layout.kept_sizes[d] = c.kept_sizes[d];
        c.layout.kept_strides[d] = c.kept_strides[d];
    }
    for (size_t d = 0; d < c.red_sizes.size(); ++d) {
        c.layout.reduced_sizes[d] = c.red_sizes[d];
        c.layout.reduced_strides[d] = c.red_strides[d];
    }
    return c;
}

template <typename T>
std::vector<double> reference_sum(const ReduceCase& c, const std::vector<T>& x) {
    std::vector<double> want;
    for_each_index(c.kept_sizes, [&](const std::vector<int64_t>& k) {
        double s = 0;
        for_each_index(c.red_sizes, [&](const std::vector<int64_t>& r) {
            s += widen(x[dot(k, c.kept_strides) + dot(r, c.red_strides)]);
        });
        want.push_back(s);
    });
    return want;
}

// sum_axes_block under a simulated grid (chunks, gy) of `threads`-thread blocks: per block, every thread's partial,
// then the host model of block_sum.
template <typename T>
std::vector<T> run_sum_block(const ReduceCase& c, const std::vector<T>& x, int64_t chunk, unsigned gy,
                             unsigned threads) {
    const unsigned chunks = static_cast<unsigned>(ceil_div(c.reduced, chunk));
    const Dim3 grid{chunks, gy, 1}, block{threads, 1, 1};
    std::vector<T> out(c.kept * chunks, poison<T>());
    using A = typename SumAcc<T>::type;
    std::vector<A> partials(threads);
    for (unsigned by = 0; by < gy; ++by)
        for (unsigned bx = 0; bx < chunks; ++bx)
            for (int64_t o = by; o < c.kept; o += gy) {
                for (unsigned tx = 0; tx < threads; ++tx) {
                    partials[tx] = reduce::block_partial(thread_at(bx, by, tx, grid, block), x.data(), c.layout,
                                                         c.reduced, chunk, o);
                }
                out[reduce::block_output_index(thread_at(bx, by, 0, grid, block), o)] =
                    narrow<T>(host_block_sum(partials.data(), threads));
            }
    return out;
}

template <typename T>
void check_sums(Family& f, double tol, const char* type) {
    for (int rep = 0; rep < 6; ++rep) {
        ReduceCase c = random_reduce_case(static_cast<int>(rand_int(1, 5)), 9);
        std::vector<T> x = random_vector<T>(c.numel);
        const std::vector<double> want = reference_sum(c, x);
        const std::string what = std::string(type) + " kept " + std::to_string(c.kept) + " reduced " +
                                 std::to_string(c.reduced);
        for (auto [grid, block] : grids_1d(c.kept)) {
            std::vector<T> out(c.kept, poison<T>());
            simulate(grid, block, [&](const Launch& t) {
                reduce::sum_thread(t, x.data(), out.data(), c.layout, c.kept, c.reduced);
            });
            expect_close(f, out, want, tol, "sum_axes_thread " + what);
        }
        {  // sum_axes_warp: 3 warps, grid-stride over outputs
            std::vector<T> out(c.kept, poison<T>());
            using A = typename SumAcc<T>::type;
            const int64_t warps = 3;
            for (int64_t w = 0; w < warps; ++w)
                for (int64_t o = w; o < c.kept; o += warps) {
                    A lanes[kWarp];
                    for (int lane = 0; lane < kWarp; ++lane)
                        lanes[lane] = reduce::warp_partial(x.data(), c.layout, c.reduced, o, lane);
                    out[o] = narrow<T>(host_warp_sum(lanes));
                }
            expect_close(f, out, want, tol, "sum_axes_warp " + what);
        }
        // one pass (one chunk per output), and two passes (chunks of 7, then sum_axes_thread over [kept, chunks])
        expect_close(f, run_sum_block(c, x, std::max<int64_t>(c.reduced, 1), 5, 64), want, tol,
                     "sum_axes_block " + what);
        const int64_t chunk = 7;
        const int64_t chunks = ceil_div(c.reduced, chunk);
        std::vector<T> partial = run_sum_block(c, x, chunk, 3, 32);
        reduce::ReduceLayout second{};
        second.kept_rank = 1;
        second.kept_sizes[0] = c.kept;
        second.kept_strides[0] = chunks;
        second.reduced_rank = 1;
        second.reduced_sizes[0] = chunks;
        second.reduced_strides[0] = 1;
        std::vector<T> out(c.kept, poison<T>());
        simulate({2, 1, 1}, {32, 1, 1}, [&](const Launch& t) {
            reduce::sum_thread(t, partial.data(), out.data(), second, c.kept, chunks);
        });
        expect_close(f, out, want, tol * 4, "two-pass sum " + what);
    }
}

template <typename T>
void check_dot_rows(Family& f, double tol) {
    // `ij,ij->i` on a transposed a and a broadcast b row: rows over (i0, i1), j summed
    const int64_t r0 = rand_int(1, 5), r1 = rand_int(1, 9), len = rand_int(1, 200);
    std::vector<T> a = random_vector<T>(r0 * r1 * len), b = random_vector<T>(r1 * len);
    // a stored [len, r0, r1]: strides of (r0, r1) are (r1, 1), j step r0*r1; b [r1, len] broadcast over r0
    const PairLayout l = pair_layout({r0, r1}, {r1, 1}, {0, len});
    std::vector<double> want;
    for (int64_t i0 = 0; i0 < r0; ++i0)
        for (int64_t i1 = 0; i1 < r1; ++i1) {
            double s = 0;
            for (int64_t j = 0; j < len; ++j)
                s += static_cast<double>(widen(a[j * r0 * r1 + i0 * r1 + i1])) * widen(b[i1 * len + j]);
            want.push_back(s);
        }
    const int64_t rows = r0 * r1;
    std::vector<T> out(rows, poison<T>());
    using A = typename SumAcc<T>::type;
    // warps of a grid of 2 blocks x 64 threads = 4 warps, grid-stride over rows
    const Dim3 grid{2, 1, 1}, block{64, 1, 1};
    const int64_t warps = grid.x * block.x / kWarp;
    for (int64_t w = 0; w < warps; ++w)
        for (int64_t r = w; r < rows; r += warps) {
            A lanes[kWarp];
            for (int lane = 0; lane < kWarp; ++lane)
                lanes[lane] = reduce::dot_lane(a.data(), b.data(), l, len, r0 * r1, 1, r, lane);
            out[r] = narrow<T>(host_warp_sum(lanes));
        }
    expect_close(f, out, want, tol, "dot_rows len " + std::to_string(len));
}

int test_reduce() {
    Family f{"reduce"};
    check_sums<float>(f, 1e-6, "f32");
    check_sums<double>(f, 1e-13, "f64");
    check_sums<__half>(f, 2e-3, "f16");
    check_sums<__nv_bfloat16>(f, 1e-2, "bf16");
    for (int rep = 0; rep < 4; ++rep) {
        check_dot_rows<float>(f, 1e-6);
        check_dot_rows<double>(f, 1e-13);
    }
    return report(f);
}

// ================================================================ outer products

// x [n, r, k, i] (or stored [n, r, i, k] when transposed_x), y [n, r, k, j] contiguous; beta 0 leaves the poisoned
// (NaN) output unread, beta 1 accumulates onto random values.
template <typename T>
void check_outer(Family& f, int64_t n, int64_t r, int64_t k, int64_t i, int64_t j, bool transposed_x, double beta,
                 double tol, const char* type) {
    using A = typename MulAcc<T>::type;
    std::vector<T> x = random_vector<T>(n * r * k * i), y = random_vector<T>(n * r * k * j);
    outer::OuterShape s{n, r, k, i, j, r * k * i, k * i, transposed_x ? 1 : i, transposed_x ? k : 1,
                        r * k * j, k * j, j, 1};
    std::vector<T> before = beta == 0 ? std::vector<T>(n * i * j, poison<T>()) : random_vector<T>(n * i * j);
    std::vector<double> want(n * i * j);
    for (int64_t a = 0; a < n; ++a)
        for (int64_t p = 0; p < i; ++p)
            for (int64_t q = 0; q < j; ++q) {
                double acc = 0;
                for (int64_t b = 0; b < r; ++b)
                    for (int64_t c = 0; c < k; ++c)
                        acc += static_cast<double>(widen(x[a * s.x_n + b * s.x_r + c * s.x_k + p * s.x_i])) *
                               widen(y[a * s.y_n + b * s.y_r + c * s.y_k + q]);
                const int64_t o = (a * i + p) * j + q;
                want[o] = beta == 0 ? acc : acc + beta * widen(before[o]);
            }
    constexpr int W = outer::Vec<T>::kWidth;
    const int64_t groups = ceil_div(j, W);
    unsigned bx = 1;
    while (bx < 256 && bx < groups) bx *= 2;
    const Dim3 block{bx, 256 / bx, 1};
    const std::vector<Dim3> grids = {
        {static_cast<unsigned>(ceil_div(groups, bx)), static_cast<unsigned>(ceil_div(n * i, block.y)), 1}, {1, 2, 1}};
    for (bool reverse : {false, true})
    for (const Dim3& grid : grids) {
        // std::vector storage is 16-byte aligned, so the vector path runs; W guard elements after the end must stay
        // poisoned (a store past a ragged row end lands there or in the next row)
        std::vector<T> out = before;
        out.resize(n * i * j + W, poison<T>());
        simulate(grid, block, [&](const Launch& t) {
            outer::outer_thread(t, x.data(), y.data(), out.data(), s, static_cast<A>(beta));
        }, reverse);
        bool guard = true;
        for (int w = 0; w < W; ++w) guard &= same_bits(out[n * i * j + w], poison<T>());
        f.expect(guard, "outer wrote past its output");
        out.resize(n * i * j);
        expect_close(f, out, want, tol,
                     std::string("outer_") + type + " n" + std::to_string(n) + " r" + std::to_string(r) + " k" +
                         std::to_string(k) + " i" + std::to_string(i) + " j" + std::to_string(j) + " beta " +
                         std::to_string(beta));
    }
}

int test_outer() {
    Family f{"outer"};
    check_outer<float>(f, 3, 1, 1, 5, 8, false, 0, 1e-6, "f32");     // ni,nj->nij, vector stores
    check_outer<float>(f, 4, 1, 6, 7, 13, false, 0, 1e-5, "f32");    // K-folded, ragged j (scalar path)
    check_outer<float>(f, 2, 1, 3, 9, 64, true, 0, 1e-5, "f32");     // x strided in i
    check_outer<float>(f, 1, 1, 1, 37, 300, false, 0, 1e-6, "f32");  // i,j->ij
    check_outer<float>(f, 3, 2, 3, 5, 16, false, 1, 1e-5, "f32");    // R and K, accumulate (vector path)
    check_outer<float>(f, 2, 3, 2, 4, 7, true, 1, 1e-5, "f32");      // R and K, accumulate (scalar path)
    check_outer<double>(f, 3, 1, 4, 5, 6, false, 0, 1e-14, "f64");
    check_outer<double>(f, 2, 1, 1, 3, 7, true, 0, 1e-14, "f64");
    check_outer<double>(f, 2, 2, 2, 3, 8, false, 1, 1e-14, "f64");
    check_outer<__half>(f, 2, 1, 4, 5, 16, false, 0, 4e-3, "f16");
    check_outer<__nv_bfloat16>(f, 2, 1, 2, 3, 11, false, 1, 2e-2, "bf16");
    return report(f);
}

// ================================================================ im2col

// SampleKernels.unfold's loops, transcribed: rows of x by (r, c), kernel offsets, output positions inside the
// input; everything else zero.
template <typename T>
std::vector<T> reference_unfold(const std::vector<T>& x, const im2col::ConvGeometry& g) {
    const int64_t cpg = g.channels / g.groups;
    const int64_t kk = g.kernel[0] * g.kernel[1] * g.kernel[2];
    const int64_t l = g.out[0] * g.out[1] * g.out[2];
    const int64_t in_vol = g.in[0] * g.in[1] * g.in[2];
    std::vector<T> cols(g.samples * g.groups * g.copies * cpg * kk * l, narrow<T>(0.0));
    for (int64_t rc = 0; rc < g.samples * g.copies * g.channels; ++rc) {
        const int64_t r = rc / g.channels, c = rc % g.channels;
        const int64_t n = r / g.copies, copy = r % g.copies, grp = c / cpg;
        const int64_t block = ((n * g.groups + grp) * g.copies + copy) * cpg + c % cpg;
        int64_t kidx = 0;
        for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
            for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
                for (int64_t kw = 0; kw < g.kernel[2]; ++kw, ++kidx)
                    for (int64_t od = 0; od < g.out[0]; ++od)
                        for (int64_t oh = 0; oh < g.out[1]; ++oh)
                            for (int64_t ow = 0; ow < g.out[2]; ++ow) {
                                const int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dilation[0];
                                const int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dilation[1];
                                const int64_t iw = ow * g.stride[2] - g.pad[2] + kw * g.dilation[2];
                                if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1] || iw < 0 || iw >= g.in[2])
                                    continue;
                                cols[(block * kk + kidx) * l + (od * g.out[1] + oh) * g.out[2] + ow] =
                                    x[rc * in_vol + (id * g.in[1] + ih) * g.in[2] + iw];
                            }
    }
    return cols;
}

template <typename T>
std::vector<T> run_im2col(const std::vector<T>& x, const im2col::ConvGeometry& g, Dim3 grid, Dim3 block) {
    std::vector<T> cols(im2col::rows(g) * im2col::positions(g), poison<T>());
    simulate(grid, block, [&](const Launch& t) { im2col::im2col_thread(t, x.data(), cols.data(), g); }, grid.x == 2);
    return cols;
}

im2col::ConvGeometry conv(int64_t samples, int64_t copies, int64_t groups, int64_t channels,
                          std::array<int64_t, 3> in, std::array<int64_t, 3> k, std::array<int64_t, 3> s,
                          std::array<int64_t, 3> p, std::array<int64_t, 3> d) {
    im2col::ConvGeometry g{samples, copies, groups, channels};
    for (int a = 0; a < 3; ++a) {
        g.in[a] = in[a];
        g.kernel[a] = k[a];
        g.stride[a] = s[a];
        g.pad[a] = p[a];
        g.dilation[a] = d[a];
        g.out[a] = (in[a] + 2 * p[a] - d[a] * (k[a] - 1) - 1) / s[a] + 1;
    }
    return g;
}

template <typename T>
void check_im2col(Family& f, const im2col::ConvGeometry& g, const char* what) {
    const std::vector<T> x = random_vector<T>(g.samples * g.copies * g.channels * g.in[0] * g.in[1] * g.in[2]);
    const std::vector<T> want = reference_unfold(x, g);
    const int64_t rows = im2col::rows(g), len = im2col::positions(g);
    const std::vector<std::pair<Dim3, Dim3>> launches = {
        {{static_cast<unsigned>(ceil_div(len, 256)), static_cast<unsigned>(std::min<int64_t>(rows, 65535)), 1},
         {256, 1, 1}},
        {{2, 3, 1}, {32, 1, 1}}};
    for (auto [grid, block] : launches) expect_exact(f, run_im2col(x, g, grid, block), want, what);
}

int test_im2col() {
    Family f{"im2col"};
    check_im2col<float>(f, conv(2, 1, 1, 3, {1, 1, 17}, {1, 1, 3}, {1, 1, 1}, {0, 0, 1}, {1, 1, 1}), "conv1d pad 1");
    check_im2col<float>(f, conv(2, 3, 1, 2, {1, 1, 20}, {1, 1, 4}, {1, 1, 3}, {0, 0, 2}, {1, 1, 2}),
                        "conv1d K=3 stride 3 dilation 2");
    check_im2col<float>(f, conv(2, 2, 2, 4, {1, 9, 8}, {1, 3, 3}, {1, 2, 1}, {0, 1, 1}, {1, 1, 2}),
                        "conv2d groups 2 K=2 stride (2,1) dilation (1,2)");
    check_im2col<double>(f, conv(1, 1, 3, 6, {1, 7, 7}, {1, 3, 2}, {1, 1, 2}, {0, 0, 1}, {1, 2, 1}),
                         "conv2d f64 groups 3");
    check_im2col<float>(f, conv(2, 2, 1, 2, {4, 5, 6}, {2, 3, 2}, {1, 2, 2}, {1, 1, 0}, {2, 1, 1}), "conv3d");
    check_im2col<double>(f, conv(1, 1, 2, 2, {5, 4, 4}, {3, 1, 2}, {2, 1, 1}, {1, 0, 1}, {1, 1, 3}),
                         "conv3d f64 depthwise");
    check_im2col<__half>(f, conv(1, 2, 1, 3, {1, 6, 6}, {1, 2, 2}, {1, 1, 1}, {0, 1, 1}, {1, 1, 1}), "conv2d f16");
    for (int rep = 0; rep < 10; ++rep) {  // random geometries
        const int64_t groups = rand_int(1, 3);
        std::array<int64_t, 3> in{}, k{}, s{}, p{}, d{};
        const int dims = static_cast<int>(rand_int(1, 3));
        for (int a = 0; a < 3; ++a) {
            const bool used = a >= 3 - dims;
            k[a] = used ? rand_int(1, 3) : 1;
            d[a] = used ? rand_int(1, 2) : 1;
            p[a] = used ? rand_int(0, 2) : 0;
            s[a] = used ? rand_int(1, 3) : 1;
            in[a] = used ? rand_int(d[a] * (k[a] - 1) + 1, 9) : 1;
        }
        check_im2col<float>(f, conv(rand_int(1, 3), rand_int(1, 3), groups, groups * rand_int(1, 3), in, k, s, p, d),
                            ("random conv" + std::to_string(dims) + "d #" + std::to_string(rep)).c_str());
    }
    return report(f);
}

// ================================================================ norm partials

template <typename T>
void run_stats(const std::vector<T>& x, int64_t vectors, int64_t len, double eps, std::vector<double>& mean,
               std::vector<double>& rstd, unsigned blocks, unsigned threads) {
    const Dim3 grid{blocks, 1, 1}, block{threads, 1, 1};
    std::vector<double> partials(threads);
    for (unsigned bx = 0; bx < blocks; ++bx)
        for (int64_t v = bx; v < vectors; v += blocks) {
            for (unsigned tx = 0; tx < threads; ++tx)
                partials[tx] = norm::sum_partial(thread_at(bx, 0, tx, grid, block), x.data(), v, len);
            const double m = norm::mean_of(host_block_sum(partials.data(), threads), len);
            for (unsigned tx = 0; tx < threads; ++tx)
                partials[tx] = norm::square_partial(thread_at(bx, 0, tx, grid, block), x.data(), v, len, m);
            mean[v] = m;
            rstd[v] = norm::rstd_of(host_block_sum(partials.data(), threads), len, eps);
        }
}

// SampleKernels.meanRstd
template <typename T>
std::pair<double, double> reference_stats(const T* p, int64_t len, double eps) {
    if (len == 0) return {0, 0};
    double sum = 0;
    for (int64_t i = 0; i < len; ++i) sum += widen(p[i]);
    const double mean = sum / len;
    double sq = 0;
    for (int64_t i = 0; i < len; ++i) {
        const double v = widen(p[i]) - mean;
        sq += v * v;
    }
    return {mean, 1.0 / std::sqrt(sq / len + eps)};
}

// group_norm_partials with `warps` warps (grid-stride over outputs): each warp's lanes, then the host warp sum.
template <typename T>
void run_group_norm(const std::vector<T>& x, const std::vector<T>& g, const std::vector<double>& mean,
                    const std::vector<double>& rstd, std::vector<T>& w, std::vector<T>& b, int64_t outputs,
                    int64_t cpg, int64_t spatial, int64_t warps) {
    for (int64_t wp = 0; wp < warps; ++wp)
        for (int64_t o = wp; o < outputs; o += warps) {
            double lw[kWarp], lb[kWarp];
            for (int lane = 0; lane < kWarp; ++lane) {
                const norm::Pair p = norm::group_norm_lane(x.data(), g.data(), mean.data(), cpg, spatial, o, lane);
                lw[lane] = p.w;
                lb[lane] = p.b;
            }
            norm::group_norm_write(w.data(), b.data(), rstd.data(), cpg, o,
                                   norm::Pair{host_warp_sum(lw), host_warp_sum(lb)});
        }
}

template <typename T>
void check_layer_norm(Family& f, int64_t rows, int64_t inner, int64_t len, double tol) {
    const double eps = 1e-5;
    std::vector<T> x = random_vector<T>(rows * inner * len), g = random_vector<T>(rows * inner * len);
    for (auto& v : x) v = narrow<T>(widen(v) * 3 + 1);  // a non-zero mean
    std::vector<double> want_w(rows * len, 0), want_b(rows * len, 0);
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t m = 0; m < inner; ++m) {
            const int64_t off = (r * inner + m) * len;
            auto [mean, rstd] = reference_stats(x.data() + off, len, eps);
            for (int64_t d = 0; d < len; ++d) {
                want_w[r * len + d] += (widen(x[off + d]) - mean) * rstd * widen(g[off + d]);
                want_b[r * len + d] += widen(g[off + d]);
            }
        }
    std::vector<double> mean(rows * inner, NAN), rstd(rows * inner, NAN);
    run_stats(x, rows * inner, len, eps, mean, rstd, 3, 64);
    for (auto [grid, block] : grids_1d(rows * len)) {
        std::vector<T> w(rows * len, poison<T>()), b(rows * len, poison<T>());
        simulate(grid, block, [&](const Launch& t) {
            norm::layer_norm_thread(t, x.data(), g.data(), mean.data(), rstd.data(), w.data(), b.data(), rows, inner,
                                    len);
        });
        expect_close(f, w, want_w, tol, "layer_norm_partials w");
        expect_close(f, b, want_b, tol, "layer_norm_partials b");
    }
}

template <typename T>
void check_group_norm(Family& f, int64_t rows, int64_t groups, int64_t cpg, int64_t spatial, double tol) {
    const double eps = 1e-5;
    const int64_t channels = groups * cpg, len = cpg * spatial;
    std::vector<T> x = random_vector<T>(rows * channels * spatial), g = random_vector<T>(rows * channels * spatial);
    for (auto& v : x) v = narrow<T>(widen(v) * 2 - 0.5);
    std::vector<double> want_w(rows * channels), want_b(rows * channels);
    for (int64_t rg = 0; rg < rows * groups; ++rg) {
        const int64_t off = rg * len;
        auto [mean, rstd] = reference_stats(x.data() + off, len, eps);
        for (int64_t c = 0; c < cpg; ++c) {
            double sw = 0, sb = 0;
            for (int64_t s = 0; s < spatial; ++s) {
                const double gv = widen(g[off + c * spatial + s]);
                sw += (widen(x[off + c * spatial + s]) - mean) * gv;
                sb += gv;
            }
            want_w[rg * cpg + c] = sw * rstd;
            want_b[rg * cpg + c] = sb;
        }
    }
    std::vector<double> mean(rows * groups, NAN), rstd(rows * groups, NAN);
    run_stats(x, rows * groups, len, eps, mean, rstd, 2, 128);
    std::vector<T> w(rows * channels, poison<T>()), b(rows * channels, poison<T>());
    run_group_norm(x, g, mean, rstd, w, b, rows * channels, cpg, spatial, 3);  // grid-stride with 3 warps
    expect_close(f, w, want_w, tol, "group_norm_partials w");
    expect_close(f, b, want_b, tol, "group_norm_partials b");
}

int test_norm() {
    Family f{"norm"};
    check_layer_norm<float>(f, 3, 4, 37, 1e-6);
    check_layer_norm<double>(f, 2, 5, 300, 1e-12);
    check_layer_norm<float>(f, 2, 1, 1, 1e-6);  // len 1: x̂ = 0
    check_group_norm<float>(f, 3, 2, 3, 50, 1e-6);
    check_group_norm<double>(f, 2, 4, 2, 70, 1e-12);
    check_group_norm<double>(f, 2, 6, 1, 33, 1e-12);  // InstanceNorm: groups = channels
    check_group_norm<float>(f, 2, 2, 2, 0, 1e-6);     // empty spatial: zeros, never NaN
    return report(f);
}

// ================================================================ embedding

std::vector<int64_t> random_indices(int64_t n, int64_t v) {
    std::vector<int64_t> idx(n);
    for (auto& i : idx) i = rand_int(0, v - 1);
    return idx;
}

// SampleKernels.embeddingDense
template <typename T>
std::vector<T> reference_dense(const std::vector<int64_t>& idx, const std::vector<T>& g, int64_t samples,
                               int64_t per_sample, int64_t v, int64_t dim, int64_t pad) {
    std::vector<T> out(samples * v * dim, narrow<T>(0.0));
    for (int64_t n = 0; n < samples; ++n)
        for (int64_t q = 0; q < per_sample; ++q) {
            const int64_t pos = n * per_sample + q, row = idx[pos];
            if (row == pad) continue;
            for (int64_t j = 0; j < dim; ++j)
                out[(n * v + row) * dim + j] = out[(n * v + row) * dim + j] + g[pos * dim + j];
        }
    return out;
}

template <typename T>
void check_dense(Family& f, int64_t samples, int64_t copies, int64_t positions, int64_t v, int64_t dim,
                 int64_t pad) {
    const int64_t per_sample = copies * positions;
    std::vector<int64_t> idx = random_indices(samples * per_sample, v);
    std::vector<T> g = random_vector<T>(samples * per_sample * dim);
    const std::vector<T> want = reference_dense(idx, g, samples, per_sample, v, dim, pad);
    const std::vector<std::pair<Dim3, Dim3>> launches = {
        {{static_cast<unsigned>(ceil_div(dim, 256)), static_cast<unsigned>(samples), 1}, {256, 1, 1}},
        {{2, 2, 1}, {32, 1, 1}}};
    for (auto [grid, block] : launches) {
        std::vector<T> out(samples * v * dim, poison<T>());
        simulate(grid, block, [&](const Launch& t) {
            embedding::dense_thread(t, idx.data(), g.data(), out.data(), samples, per_sample, v, dim, pad);
        }, grid.x == 2);
        expect_exact(f, out, want, "embedding_dense V " + std::to_string(v) + " D " + std::to_string(dim));
    }
}

void check_index_check(Family& f) {
    for (int rep = 0; rep < 6; ++rep) {
        const int64_t n = rand_int(1, 3000), v = rand_int(1, 50);
        std::vector<int64_t> idx = random_indices(n, v);
        int64_t want = -1;
        if (rep > 0) {  // plant offenders after the first; rep 0 stays in range
            for (int bad = 0; bad < rep; ++bad) idx[rand_int(0, n - 1)] = bad % 2 ? v : -1 - bad;
            for (int64_t i = 0; i < n; ++i)
                if (idx[i] < 0 || idx[i] >= v) {
                    want = i;
                    break;
                }
        }
        for (auto [grid, block] : grids_1d(n)) {
            int64_t first_bad = -1;  // what the host presets before the launch
            simulate(grid, block, [&](const Launch& t) { embedding::index_check_thread(t, idx.data(), n, v, &first_bad); });
            f.expect(first_bad == want, "index_check: got " + std::to_string(first_bad) + ", want " + std::to_string(want));
        }
    }
}

// The sparse pipeline as the four launches run it: unique_count, exclusive_scan, unique_rows, sparse_scatter.
template <typename T>
void check_sparse(Family& f, int64_t samples, int64_t per_sample, int64_t v, int64_t dim, int64_t pad,
                  int64_t divisor) {
    std::vector<int64_t> idx = random_indices(samples * per_sample, v);
    std::vector<T> g = random_vector<T>(samples * per_sample * dim);
    // reference: SampleKernels.embeddingSparse (sort (row, q) per sample, sum in that order, then divide)
    std::vector<int64_t> want_offsets(samples + 1, 0), want_rows;
    std::vector<T> want_values;
    for (int64_t n = 0; n < samples; ++n) {
        std::vector<std::pair<int64_t, int64_t>> keys;
        for (int64_t q = 0; q < per_sample; ++q)
            if (idx[n * per_sample + q] != pad) keys.push_back({idx[n * per_sample + q], q});
        std::sort(keys.begin(), keys.end());
        int64_t prev = -1;
        for (auto [row, q] : keys) {
            if (row != prev) {
                want_rows.push_back(row);
                want_values.resize(want_values.size() + dim, narrow<T>(0.0));
                prev = row;
            }
            T* o = want_values.data() + want_values.size() - dim;
            for (int64_t j = 0; j < dim; ++j) o[j] = o[j] + g[(n * per_sample + q) * dim + j];
        }
        want_offsets[n + 1] = static_cast<int64_t>(want_rows.size());
    }
    if (divisor != 1)
        for (auto& x : want_values) x = x / static_cast<T>(divisor);

    // 1. unique_count: block per sample
    const unsigned threads = 64;
    const Dim3 g1{2, 1, 1}, b1{threads, 1, 1};
    std::vector<int64_t> counts(samples, -7), partials(threads);
    for (unsigned bx = 0; bx < g1.x; ++bx)
        for (int64_t n = bx; n < samples; n += g1.x) {
            for (unsigned tx = 0; tx < threads; ++tx)
                partials[tx] = embedding::unique_count_partial(thread_at(bx, 0, tx, g1, b1), idx.data(), n,
                                                               per_sample, pad);
            counts[n] = host_block_sum(partials.data(), threads);
        }
    // 2. exclusive_scan: one block, three phases (a small block here, so that chunks hold several counts)
    const Dim3 g2{1, 1, 1}, b2{4, 1, 1};
    std::vector<int64_t> offsets(samples + 1, -7), chunk_sums(b2.x);
    for (unsigned tx = 0; tx < b2.x; ++tx)
        chunk_sums[tx] = embedding::scan_phase1(thread_at(0, 0, tx, g2, b2), counts.data(), samples);
    embedding::scan_phase2(chunk_sums.data(), b2.x);
    for (unsigned tx = 0; tx < b2.x; ++tx)
        embedding::scan_phase3(thread_at(0, 0, tx, g2, b2), counts.data(), offsets.data(), samples, chunk_sums[tx]);
    f.expect(offsets == want_offsets, "embedding offsets (unique_count + exclusive_scan)");
    if (offsets != want_offsets) return;
    // 3. unique_rows
    std::vector<int64_t> rows(offsets[samples], -7);
    simulate({3, 1, 1}, {32, 1, 1}, [&](const Launch& t) {
        embedding::unique_rows_thread(t, idx.data(), offsets.data(), rows.data(), samples, per_sample, pad);
    });
    f.expect(rows == want_rows, "embedding_unique_rows");
    // 4. sparse_scatter
    for (Dim3 grid : {Dim3{1, static_cast<unsigned>(samples), 1}, Dim3{2, 2, 1}}) {
        std::vector<T> values(offsets[samples] * dim, poison<T>());
        simulate(grid, {32, 1, 1}, [&](const Launch& t) {
            embedding::sparse_scatter_thread(t, idx.data(), g.data(), offsets.data(), want_rows.data(), values.data(),
                                             samples, per_sample, dim, pad, static_cast<T>(divisor));
        });
        expect_exact(f, values, want_values, "embedding_sparse_scatter divisor " + std::to_string(divisor));
    }
    // sparse_to_dense: the reference's rows and values back into [B, V, D]
    std::vector<T> want_dense(samples * v * dim, narrow<T>(0.0));
    for (int64_t n = 0; n < samples; ++n)
        for (int64_t e = want_offsets[n]; e < want_offsets[n + 1]; ++e)
            for (int64_t d = 0; d < dim; ++d) want_dense[(n * v + want_rows[e]) * dim + d] = want_values[e * dim + d];
    for (Dim3 grid : {Dim3{1, static_cast<unsigned>(samples), 1}, Dim3{2, 2, 1}}) {
        std::vector<T> dense(samples * v * dim, poison<T>());
        simulate(grid, {32, 1, 1}, [&](const Launch& t) {
            embedding::sparse_to_dense_thread(t, want_offsets.data(), want_rows.data(), want_values.data(), dense.data(),
                                              samples, v, dim);
        }, grid.x == 2);
        expect_exact(f, dense, want_dense, "embedding_sparse_to_dense");
    }
}

int test_embedding() {
    Family f{"embedding"};
    check_dense<float>(f, 3, 2, 5, 11, 40, 3);
    check_dense<double>(f, 2, 1, 7, 5, 9, -1);
    check_dense<float>(f, 2, 3, 4, 6, 300, 0);
    check_index_check(f);
    check_sparse<float>(f, 5, 9, 7, 33, 2, 1);
    check_sparse<double>(f, 4, 12, 20, 5, -1, 3);
    check_sparse<float>(f, 7, 3, 4, 8, 0, 2);
    return report(f);
}

// ================================================================ .npy modes for the JUnit comparison

std::vector<int64_t> int_args(int argc, char** argv, int first, int count, const char* usage) {
    if (argc != first + count) die(std::string("usage: kernel_harness ") + usage);
    std::vector<int64_t> v;
    for (int i = first; i < argc; ++i) v.push_back(std::atoll(argv[i]));
    return v;
}

Dim3 grid_1d(int64_t n) {
    return Dim3{static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(ceil_div(n, 256), 1 << 20))), 1, 1};
}

// im2col IN OUT + the 22 ConvGeometry values: launch rule (256; ceil(L/256), min(rows, 65535)).
template <typename T>
int im2col_npy(const NpyArray& in, const im2col::ConvGeometry& g, const char* out_path) {
    const std::vector<T> x = in.as<T>();
    if (in.numel() != g.samples * g.copies * g.channels * g.in[0] * g.in[1] * g.in[2]) die("im2col: input size");
    const int64_t rows = im2col::rows(g), len = im2col::positions(g);
    const Dim3 grid{static_cast<unsigned>(std::max<int64_t>(1, ceil_div(len, 256))),
                    static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(rows, 65535))), 1};
    const int64_t cpg = g.channels / g.groups;
    write_npy(out_path, {g.samples, g.groups, g.copies, cpg * g.kernel[0] * g.kernel[1] * g.kernel[2], len},
              run_im2col(x, g, grid, {256, 1, 1}));
    return 0;
}

// sum X OUT AXES...: X summed over the listed axes (any order) into the kept axes; sum_axes_warp when the innermost
// axis is reduced and 32 or longer, else sum_axes_thread (the backend's choice; both simulated exactly).
template <typename T>
int sum_npy(const NpyArray& in, const std::vector<int64_t>& axes, const char* out_path) {
    const std::vector<T> x = in.as<T>();
    const int rank = static_cast<int>(in.shape.size());
    Shape s = contiguous(in.shape);
    reduce::ReduceLayout l{};
    std::vector<int64_t> kept_shape;
    int64_t kept = 1, reduced = 1;
    for (int d = 0; d < rank; ++d) {
        if (std::find(axes.begin(), axes.end(), d) != axes.end()) {
            l.reduced_sizes[l.reduced_rank] = s.sizes[d];
            l.reduced_strides[l.reduced_rank++] = s.strides[d];
            reduced *= s.sizes[d];
        } else {
            l.kept_sizes[l.kept_rank] = s.sizes[d];
            l.kept_strides[l.kept_rank++] = s.strides[d];
            kept_shape.push_back(s.sizes[d]);
            kept *= s.sizes[d];
        }
    }
    std::vector<T> out(kept, poison<T>());
    const bool warp = rank > 0 && std::find(axes.begin(), axes.end(), rank - 1) != axes.end() && s.sizes[rank - 1] >= 32;
    if (warp) {
        using A = typename SumAcc<T>::type;
        const int64_t warps = std::min<int64_t>(ceil_div(kept * kWarp, 256), 1 << 20) * 256 / kWarp;
        for (int64_t w = 0; w < warps; ++w)
            for (int64_t o = w; o < kept; o += warps) {
                A lanes[kWarp];
                for (int lane = 0; lane < kWarp; ++lane) lanes[lane] = reduce::warp_partial(x.data(), l, reduced, o, lane);
                out[o] = narrow<T>(host_warp_sum(lanes));
            }
    } else {
        simulate(grid_1d(kept), {256, 1, 1},
                 [&](const Launch& t) { reduce::sum_thread(t, x.data(), out.data(), l, kept, reduced); });
    }
    write_npy(out_path, kept_shape, out);
    return 0;
}

// permute X OUT PERM...: out = X permuted (out dim d = X dim perm[d]), through permute_gather.
template <typename T>
int permute_npy(const NpyArray& in, const std::vector<int64_t>& perm, const char* out_path) {
    const std::vector<T> x = in.as<T>();
    Shape s = contiguous(in.shape);
    std::vector<int64_t> sizes, strides;
    for (int64_t p : perm) {
        sizes.push_back(s.sizes[p]);
        strides.push_back(s.strides[p]);
    }
    const StridedLayout l = strided_layout(sizes, strides);
    std::vector<T> out(x.size(), poison<T>());
    const int64_t n = static_cast<int64_t>(x.size());
    simulate(grid_1d(n), {256, 1, 1}, [&](const Launch& t) { permute::gather_thread(t, x.data(), out.data(), l, n); });
    write_npy(out_path, sizes, out);
    return 0;
}

// embedding-dense IDX G OUT K V PAD: idx [B*K, P] int64, g [B*K, P, D] -> out [B, V, D].
template <typename T>
int embedding_dense_npy(const NpyArray& idx_npy, const NpyArray& g_npy, int64_t copies, int64_t v, int64_t pad,
                        const char* out_path) {
    const std::vector<int64_t> idx = idx_npy.as<int64_t>();
    const std::vector<T> g = g_npy.as<T>();
    const int64_t rows = idx_npy.shape.at(0), samples = rows / copies;
    const int64_t per_sample = rows == 0 ? 0 : copies * (idx_npy.numel() / rows);
    const int64_t dim = g_npy.shape.back();
    std::vector<T> out(samples * v * dim, poison<T>());
    const Dim3 grid{static_cast<unsigned>(std::max<int64_t>(1, ceil_div(dim, 256))),
                    static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(samples, 65535))), 1};
    simulate(grid, {256, 1, 1}, [&](const Launch& t) {
        embedding::dense_thread(t, idx.data(), g.data(), out.data(), samples, per_sample, v, dim, pad);
    });
    write_npy(out_path, {samples, v, dim}, out);
    return 0;
}

// embedding-sparse IDX G OFFSETS ROWS VALUES DENSE K V PAD DIVISOR: the four launches of the sparse path, then
// embedding_sparse_to_dense of the result into DENSE [B, V, D].
template <typename T>
int embedding_sparse_npy(const NpyArray& idx_npy, const NpyArray& g_npy, int64_t copies, int64_t v, int64_t pad,
                         int64_t divisor, const char* offsets_path, const char* rows_path, const char* values_path,
                         const char* dense_path) {
    const std::vector<int64_t> idx = idx_npy.as<int64_t>();
    const std::vector<T> g = g_npy.as<T>();
    const int64_t rows = idx_npy.shape.at(0), samples = rows / copies;
    const int64_t per_sample = rows == 0 ? 0 : copies * (idx_npy.numel() / rows);
    const int64_t dim = g_npy.shape.back();
    const unsigned threads = 256;
    const Dim3 gs{static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(samples, 65535))), 1, 1};
    const Dim3 bs{threads, 1, 1};
    std::vector<int64_t> counts(samples, -7), partials(threads);
    for (unsigned bx = 0; bx < gs.x; ++bx)
        for (int64_t n = bx; n < samples; n += gs.x) {
            for (unsigned tx = 0; tx < threads; ++tx)
                partials[tx] = embedding::unique_count_partial(thread_at(bx, 0, tx, gs, bs), idx.data(), n, per_sample, pad);
            counts[n] = host_block_sum(partials.data(), threads);
        }
    const Dim3 g1{1, 1, 1}, b1024{1024, 1, 1};
    std::vector<int64_t> offsets(samples + 1, -7), chunk(1024);
    for (unsigned tx = 0; tx < 1024; ++tx) chunk[tx] = embedding::scan_phase1(thread_at(0, 0, tx, g1, b1024), counts.data(), samples);
    embedding::scan_phase2(chunk.data(), 1024);
    for (unsigned tx = 0; tx < 1024; ++tx)
        embedding::scan_phase3(thread_at(0, 0, tx, g1, b1024), counts.data(), offsets.data(), samples, chunk[tx]);
    const int64_t nnz = offsets[samples];
    std::vector<int64_t> row_ids(nnz, -7);
    simulate(gs, bs, [&](const Launch& t) {
        embedding::unique_rows_thread(t, idx.data(), offsets.data(), row_ids.data(), samples, per_sample, pad);
    });
    std::vector<T> values(nnz * dim, poison<T>());
    const Dim3 grid{static_cast<unsigned>(std::max<int64_t>(1, ceil_div(dim, 256))), gs.x, 1};
    simulate(grid, bs, [&](const Launch& t) {
        embedding::sparse_scatter_thread(t, idx.data(), g.data(), offsets.data(), row_ids.data(), values.data(), samples,
                                         per_sample, dim, pad, static_cast<T>(divisor));
    });
    std::vector<T> dense(samples * v * dim, poison<T>());
    simulate(grid, bs, [&](const Launch& t) {
        embedding::sparse_to_dense_thread(t, offsets.data(), row_ids.data(), values.data(), dense.data(), samples, v, dim);
    });
    write_npy(offsets_path, {samples + 1}, offsets);
    write_npy(rows_path, {nnz}, row_ids);
    write_npy(values_path, {nnz, dim}, values);
    write_npy(dense_path, {samples, v, dim}, dense);
    return 0;
}

// layer-norm X G W B ROWS INNER LEN EPS / group-norm X G W B ROWS GROUPS CPG SPATIAL EPS: norm_stats (block per
// vector of 256 threads) then the partials kernel under its launch rule.
template <typename T>
int norm_npy(bool layer, const NpyArray& x_npy, const NpyArray& g_npy, const std::vector<int64_t>& v, double eps,
             const char* w_path, const char* b_path) {
    const std::vector<T> x = x_npy.as<T>(), g = g_npy.as<T>();
    const int64_t rows = v[0];
    const int64_t vectors = rows * v[1];  // (rows, inner) or (rows, groups) vectors
    const int64_t len = layer ? v[2] : v[2] * v[3];
    const int64_t outputs_per_row = layer ? v[2] : v[1] * v[2];
    std::vector<double> mean(vectors), rstd(vectors);
    run_stats(x, vectors, len, eps, mean, rstd, static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(vectors, 65535))), 256);
    std::vector<T> w(rows * outputs_per_row, poison<T>()), b(rows * outputs_per_row, poison<T>());
    if (layer) {
        simulate(grid_1d(rows * len), {256, 1, 1}, [&](const Launch& t) {
            norm::layer_norm_thread(t, x.data(), g.data(), mean.data(), rstd.data(), w.data(), b.data(), rows, v[1], v[2]);
        });
    } else {
        const int64_t outputs = rows * outputs_per_row;
        run_group_norm(x, g, mean, rstd, w, b, outputs, v[2], v[3],
                       std::min<int64_t>(ceil_div(outputs * kWarp, 256), 1 << 20) * 256 / kWarp);
    }
    write_npy(w_path, {rows, outputs_per_row}, w);
    write_npy(b_path, {rows, outputs_per_row}, b);
    return 0;
}

template <typename F>
int by_dtype(const NpyArray& a, F f) {
    if (a.dtype == "<f4") return f(float{});
    if (a.dtype == "<f8") return f(double{});
    die("expected a float32 or float64 array, got " + a.dtype);
}

// round IN OUT f16|bf16: IN float32 or float64 [n] -> OUT float32 [n], each value converted to the 16-bit type and
// back by the copy kernels' thread functions (copy_S_f16 then copy_f16_f32, or bf16) over simulated grids: the host
// path of narrow<T> (__float2half_rn, __double2half, __float2bfloat16_rn, __double2bfloat16) and widen, which
// HalfConversionHarnessTest compares bit for bit with the Java conversions.
template <typename S, typename H>
int round_npy(const NpyArray& in, const char* out_path) {
    const std::vector<S> x = in.as<S>();
    const int64_t n = static_cast<int64_t>(x.size());
    const PairLayout l = pair_layout({n}, {1}, {1});
    std::vector<H> h(x.size());
    std::vector<float> out(x.size(), poison<float>());
    simulate(grid_1d(n), {256, 1, 1}, [&](const Launch& t) { elementwise::copy_thread(t, x.data(), h.data(), l, n); });
    simulate(grid_1d(n), {256, 1, 1}, [&](const Launch& t) { elementwise::copy_thread(t, h.data(), out.data(), l, n); });
    write_npy(out_path, {n}, out);
    return 0;
}

int npy_mode(int argc, char** argv) {
    const std::string mode = argv[1];
    if (mode == "round") {
        if (argc != 5) die("usage: kernel_harness round IN OUT f16|bf16");
        const std::string type = argv[4];
        const NpyArray x = read_npy(argv[2]);
        if (type != "f16" && type != "bf16") die("round: type must be f16 or bf16, got " + type);
        return by_dtype(x, [&](auto t) {
            return type == "f16" ? round_npy<decltype(t), __half>(x, argv[3])
                                 : round_npy<decltype(t), __nv_bfloat16>(x, argv[3]);
        });
    }
    if (mode == "im2col") {
        const std::vector<int64_t> v = int_args(argc, argv, 4, 22, "im2col IN OUT S K G C D H W KD KH KW SD SH SW PD PH PW DD DH DW OD OH OW");
        im2col::ConvGeometry g;
        std::memcpy(&g, v.data(), sizeof g);  // the 22 values in ConvGeometry's order
        const NpyArray x = read_npy(argv[2]);
        return by_dtype(x, [&](auto t) { return im2col_npy<decltype(t)>(x, g, argv[3]); });
    }
    if (mode == "sum" || mode == "permute") {
        if (argc < 4) die("usage: kernel_harness " + mode + " IN OUT AXES...");
        const std::vector<int64_t> axes = int_args(argc, argv, 4, argc - 4, "sum|permute IN OUT AXES...");
        const NpyArray x = read_npy(argv[2]);
        return by_dtype(x, [&](auto t) {
            return mode == "sum" ? sum_npy<decltype(t)>(x, axes, argv[3]) : permute_npy<decltype(t)>(x, axes, argv[3]);
        });
    }
    if (mode == "embedding-dense") {
        const std::vector<int64_t> v = int_args(argc, argv, 5, 3, "embedding-dense IDX G OUT K V PAD");
        const NpyArray idx = read_npy(argv[2]), g = read_npy(argv[3]);
        return by_dtype(g, [&](auto t) { return embedding_dense_npy<decltype(t)>(idx, g, v[0], v[1], v[2], argv[4]); });
    }
    if (mode == "embedding-sparse") {
        const std::vector<int64_t> v =
            int_args(argc, argv, 8, 4, "embedding-sparse IDX G OFFSETS ROWS VALUES DENSE K V PAD DIVISOR");
        const NpyArray idx = read_npy(argv[2]), g = read_npy(argv[3]);
        return by_dtype(g, [&](auto t) {
            return embedding_sparse_npy<decltype(t)>(idx, g, v[0], v[1], v[2], v[3], argv[4], argv[5], argv[6], argv[7]);
        });
    }
    if (mode == "layer-norm" || mode == "group-norm") {
        const bool layer = mode == "layer-norm";
        const int n = layer ? 3 : 4;
        if (argc != 6 + n + 1) die("usage: kernel_harness layer-norm X G W B ROWS INNER LEN EPS | group-norm X G W B ROWS GROUPS CPG SPATIAL EPS");
        const std::vector<int64_t> v = int_args(argc - 1, argv, 6, n, "");
        const double eps = std::strtod(argv[argc - 1], nullptr);
        const NpyArray x = read_npy(argv[2]), g = read_npy(argv[3]);
        return by_dtype(x, [&](auto t) { return norm_npy<decltype(t)>(layer, x, g, v, eps, argv[4], argv[5]); });
    }
    die("unknown mode " + mode);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1 && !std::isdigit(static_cast<unsigned char>(argv[1][0]))) return npy_mode(argc, argv);
    const unsigned long long seed = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20261130ULL;
    rng.seed(seed);
    std::printf("kernel_harness: seed %llu (simulated grids on the host, no GPU)\n", seed);
    int failed = 0;
    failed += test_permute();
    failed += test_elementwise();
    failed += test_reduce();
    failed += test_outer();
    failed += test_im2col();
    failed += test_norm();
    failed += test_embedding();
    std::printf("kernel_harness: %s\n", failed ? "FAILED" : "all families ok");
    return failed ? 1 : 0;
}
