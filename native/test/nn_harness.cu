// Host harness of the nn kernels (native/nn.cuh): no GPU needed. Each mode runs one kernel's __host__ __device__
// thread function over simulated 1-D grids on .npy inputs and writes its outputs as .npy, for the JUnit comparison
// with the Java host implementation (org.einsum4j.nn.NnKernelHarnessTest against cpu/CpuNnKernels). Every launch is
// run twice, under the documented rule G1 (blocks of 256, ceil(n/256) blocks) and under a small odd grid (3 blocks
// of 64, so each thread takes several grid-stride steps), into outputs poisoned first: the two results must be
// bit-identical and no output may stay unwritten, else the harness exits 1.
//
//   nn_harness                      self-check (a few kernels on built-in inputs), prints one line
//   nn_harness MODE FILES... ARGS   one kernel (usage lines in main below)
#include "nn.cuh"
#include "test/npy_io.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

using namespace einsum4j;

namespace einsum4j_test {
[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "nn_harness: %s\n", message.c_str());
    std::exit(2);
}
}  // namespace einsum4j_test

namespace {

using einsum4j_test::NpyArray;
using einsum4j_test::die;
using einsum4j_test::read_npy;
using einsum4j_test::write_npy;


// An output buffer of any element type, poisoned before each run.
struct Out {
    std::vector<char> bytes;
    size_t element;
    Out(int64_t n, size_t element) : bytes(static_cast<size_t>(n) * element), element(element) {}
    void poison() { std::fill(bytes.begin(), bytes.end(), static_cast<char>(0xA5)); }
    bool unwritten() const {  // an element whose every byte is still the poison
        for (size_t e = 0; e < bytes.size(); e += element) {
            bool all = true;
            for (size_t b = 0; b < element && all; ++b) all = bytes[e + b] == static_cast<char>(0xA5);
            if (all) return true;
        }
        return false;
    }
    template <typename T>
    T* as() { return reinterpret_cast<T*>(bytes.data()); }
    template <typename T>
    std::vector<T> values() const {
        std::vector<T> v(bytes.size() / sizeof(T));
        std::memcpy(v.data(), bytes.data(), bytes.size());
        return v;
    }
};

// Runs body(launch) for every thread of a 1-D grid covering n items (rule G1), then again under 3 x 64 threads,
// into freshly poisoned outputs; the two results must agree bit for bit and be fully written.
void run_g1(const char* what, int64_t n, std::vector<Out*> outs, const std::function<void(const Launch&)>& body) {
    std::vector<std::vector<char>> first;
    const unsigned rule = static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(ceil_div(n, 256), 1 << 20)));
    const unsigned grids[2][2] = {{rule, 256}, {3, 64}};
    for (int pass = 0; pass < 2; ++pass) {
        for (Out* o : outs) o->poison();
        const unsigned blocks = grids[pass][0], threads = grids[pass][1];
        for (unsigned b = 0; b < blocks; ++b)
            for (unsigned t = 0; t < threads; ++t) body(Launch{b, 0, 0, t, 0, 0, blocks, 1, 1, threads, 1, 1});
        for (size_t i = 0; i < outs.size(); ++i) {
            if (outs[i]->unwritten()) die(std::string(what) + ": an output element was not written");
            if (pass == 0) first.push_back(outs[i]->bytes);
            else if (first[i] != outs[i]->bytes) die(std::string(what) + ": results depend on the grid");
        }
    }
}

int64_t arg(char** argv, int i) { return std::atoll(argv[i]); }
double argd(char** argv, int i) { return std::strtod(argv[i], nullptr); }

template <typename F>
int by_dtype(const NpyArray& a, F f) {
    if (a.dtype == "<f4") return f(float{});
    if (a.dtype == "<f8") return f(double{});
    die("expected a float32 or float64 array, got " + a.dtype);
}

void need(int argc, int n, const char* usage) {
    if (argc != n) die(std::string("usage: nn_harness ") + usage);
}

int npy_mode(int argc, char** argv) {
    const std::string m = argv[1];
    if (m == "activation" || m == "activation-backward") {
        const bool bwd = m == "activation-backward";
        need(argc, bwd ? 6 : 5, "activation X OUT KIND | activation-backward X G OUT KIND");
        const NpyArray x = read_npy(argv[2]);
        const NpyArray g = bwd ? read_npy(argv[3]) : x;
        const char* out = argv[bwd ? 4 : 3];
        const int64_t kind = arg(argv, bwd ? 5 : 4), n = x.numel();
        return by_dtype(x, [&](auto z) {
            using T = decltype(z);
            const std::vector<T> xv = x.as<T>(), gv = g.as<T>();
            Out y(n, sizeof(T));
            run_g1(m.c_str(), n, {&y}, [&](const Launch& t) {
                if (bwd) nn::activation_backward_thread<T>(t, xv.data(), gv.data(), y.as<T>(), n, kind);
                else nn::activation_thread<T>(t, xv.data(), y.as<T>(), n, kind);
            });
            write_npy(out, x.shape, y.values<T>());
            return 0;
        });
    }
    if (m == "add-along-axis") {
        need(argc, 7, "add-along-axis X BIAS OUT INNER C");
        const NpyArray x = read_npy(argv[2]), b = read_npy(argv[3]);
        const int64_t inner = arg(argv, 5), c = arg(argv, 6), n = x.numel();
        return by_dtype(x, [&](auto z) {
            using T = decltype(z);
            const std::vector<T> xv = x.as<T>(), bv = b.as<T>();
            Out y(n, sizeof(T));
            run_g1("add-along-axis", n, {&y}, [&](const Launch& t) {
                nn::add_along_axis_thread<T>(t, xv.data(), bv.data(), y.as<T>(), n, inner, c);
            });
            write_npy(argv[4], x.shape, y.values<T>());
            return 0;
        });
    }
    if (m == "axpy") {
        need(argc, 6, "axpy A B OUT ALPHA");
        const NpyArray a = read_npy(argv[2]), b = read_npy(argv[3]);
        const double alpha = argd(argv, 5);
        const int64_t n = a.numel();
        return by_dtype(a, [&](auto z) {
            using T = decltype(z);
            const std::vector<T> av = a.as<T>(), bv = b.as<T>();
            Out y(n, sizeof(T));
            run_g1("axpy", n, {&y}, [&](const Launch& t) { nn::axpy_thread<T>(t, av.data(), bv.data(), y.as<T>(), n, alpha); });
            write_npy(argv[4], a.shape, y.values<T>());
            return 0;
        });
    }
    if (m == "fold") {
        need(argc, 16, "fold COLS OUT N C H W KH KW SH SW PH PW DH DW");
        const NpyArray cols = read_npy(argv[2]);
        int64_t v[12];
        for (int i = 0; i < 12; ++i) v[i] = arg(argv, 4 + i);
        const int64_t n = v[0], c = v[1], h = v[2], w = v[3], kh = v[4], kw = v[5], sh = v[6], sw = v[7], ph = v[8],
                      pw = v[9], dh = v[10], dw = v[11];
        const int64_t oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1, ow = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        const int64_t total = n * c * h * w;
        return by_dtype(cols, [&](auto z) {
            using T = decltype(z);
            const std::vector<T> cv = cols.as<T>();
            Out x(total, sizeof(T));
            run_g1("fold", total, {&x}, [&](const Launch& t) {
                nn::fold_thread<T>(t, cv.data(), x.as<T>(), n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow);
            });
            write_npy(argv[3], {n, c, h, w}, x.values<T>());
            return 0;
        });
    }
    if (m == "max-pool" || m == "avg-pool") {
        const bool max = m == "max-pool";
        need(argc, max ? 9 : 8, "max-pool X Y ARG KH KW SH SW | avg-pool X Y KH KW SH SW");
        const NpyArray x = read_npy(argv[2]);
        const int f = max ? 5 : 4;
        nn::Pool g{x.shape[0] * x.shape[1], x.shape[2], x.shape[3], arg(argv, f), arg(argv, f + 1), arg(argv, f + 2),
                   arg(argv, f + 3), 0, 0};
        g.oh = (g.h - g.kh) / g.sh + 1;
        g.ow = (g.w - g.kw) / g.sw + 1;
        const int64_t outs = g.planes * g.oh * g.ow;
        const std::vector<int64_t> od = {x.shape[0], x.shape[1], g.oh, g.ow};
        return by_dtype(x, [&](auto z) {
            using T = decltype(z);
            const std::vector<T> xv = x.as<T>();
            Out y(outs, sizeof(T)), a(outs, 8);
            if (max) {
                run_g1("max-pool", outs, {&y, &a}, [&](const Launch& t) {
                    nn::max_pool_thread<T>(t, xv.data(), y.as<T>(), a.as<int64_t>(), g);
                });
                write_npy(argv[4], od, a.values<int64_t>());
            } else {
                run_g1("avg-pool", outs, {&y}, [&](const Launch& t) { nn::avg_pool_thread<T>(t, xv.data(), y.as<T>(), g); });
            }
            write_npy(argv[3], od, y.values<T>());
            return 0;
        });
    }
    if (m == "max-pool-backward" || m == "avg-pool-backward") {
        const bool max = m == "max-pool-backward";
        need(argc, max ? 13 : 12, "max-pool-backward G ARG OUT N C H W KH KW SH SW | avg-pool-backward G OUT N C H W KH KW SH SW");
        const NpyArray g = read_npy(argv[2]);
        const NpyArray a = max ? read_npy(argv[3]) : g;
        const int f = max ? 5 : 4;
        int64_t v[8];
        for (int i = 0; i < 8; ++i) v[i] = arg(argv, f + i);
        nn::Pool q{v[0] * v[1], v[2], v[3], v[4], v[5], v[6], v[7], (v[2] - v[4]) / v[6] + 1, (v[3] - v[5]) / v[7] + 1};
        const int64_t total = q.planes * q.h * q.w;
        return by_dtype(g, [&](auto z) {
            using T = decltype(z);
            const std::vector<T> gv = g.as<T>();
            const std::vector<int64_t> av = max ? a.as<int64_t>() : std::vector<int64_t>();
            Out dx(total, sizeof(T));
            run_g1(m.c_str(), total, {&dx}, [&](const Launch& t) {
                if (max) nn::max_pool_backward_thread<T>(t, gv.data(), av.data(), dx.as<T>(), q);
                else nn::avg_pool_backward_thread<T>(t, gv.data(), dx.as<T>(), q);
            });
            write_npy(argv[f - 1], {v[0], v[1], v[2], v[3]}, dx.values<T>());
            return 0;
        });
    }
    if (m == "normalize") {
        need(argc, 7, "normalize X XHAT STATS SIZE EPS");
        const NpyArray x = read_npy(argv[2]);
        const int64_t size = arg(argv, 5), groups = x.numel() / size;
        const double eps = argd(argv, 6);
        return by_dtype(x, [&](auto z) {
            using T = decltype(z);
            const std::vector<T> xv = x.as<T>();
            Out xh(x.numel(), sizeof(T)), st(2 * groups, 8);
            run_g1("normalize", groups, {&xh, &st}, [&](const Launch& t) {
                nn::normalize_thread<T>(t, xv.data(), xh.as<T>(), st.as<double>(), groups, size, eps);
            });
            write_npy(argv[3], x.shape, xh.values<T>());
            write_npy(argv[4], {2, groups}, st.values<double>());
            return 0;
        });
    }
    if (m == "normalize-backward") {
        need(argc, 7, "normalize-backward G XHAT STATS OUT SIZE");
        const NpyArray g = read_npy(argv[2]), xh = read_npy(argv[3]), st = read_npy(argv[4]);
        const int64_t size = arg(argv, 6), groups = st.shape[1];
        return by_dtype(g, [&](auto z) {
            using T = decltype(z);
            const std::vector<T> gv = g.as<T>(), xv = xh.as<T>();
            const std::vector<double> sv = st.as<double>();
            Out dx(g.numel(), sizeof(T));
            run_g1("normalize-backward", groups, {&dx}, [&](const Launch& t) {
                nn::normalize_backward_thread<T>(t, gv.data(), xv.data(), sv.data(), dx.as<T>(), groups, size);
            });
            write_npy(argv[5], g.shape, dx.values<T>());
            return 0;
        });
    }
    if (m == "dropout") {
        need(argc, 7, "dropout OUT f4|f8 N SEED P");
        const int64_t n = arg(argv, 4), seed = std::strtoll(argv[5], nullptr, 10);
        const double p = argd(argv, 6), keep = 1 / (1 - p);
        auto go = [&](auto z) {
            using T = decltype(z);
            Out mask(n, sizeof(T));
            run_g1("dropout", n, {&mask}, [&](const Launch& t) { nn::dropout_mask_thread<T>(t, mask.as<T>(), n, seed, p, keep); });
            write_npy(argv[2], {n}, mask.values<T>());
            return 0;
        };
        return std::string(argv[3]) == "f4" ? go(float{}) : go(double{});
    }
    if (m == "gather-rows") {
        need(argc, 5, "gather-rows W IDX OUT");
        const NpyArray w = read_npy(argv[2]), idx = read_npy(argv[3]);
        const int64_t dim = w.shape[1], positions = idx.numel();
        std::vector<int64_t> od = idx.shape;
        od.push_back(dim);
        return by_dtype(w, [&](auto z) {
            using T = decltype(z);
            const std::vector<T> wv = w.as<T>();
            const std::vector<int64_t> iv = idx.as<int64_t>();
            Out y(positions * dim, sizeof(T));
            run_g1("gather-rows", positions * dim, {&y}, [&](const Launch& t) {
                nn::gather_rows_thread<T>(t, wv.data(), iv.data(), y.as<T>(), positions, dim);
            });
            write_npy(argv[4], od, y.values<T>());
            return 0;
        });
    }
    if (m == "softmax-xent" || m == "mse") {
        const bool xent = m == "softmax-xent";
        need(argc, 6, "softmax-xent Z LABELS LOSS GRAD | mse P T LOSS GRAD");
        const NpyArray a = read_npy(argv[2]), b = read_npy(argv[3]);
        const int64_t rows = a.shape[0], len = rows == 0 ? 0 : a.numel() / rows;
        return by_dtype(a, [&](auto z) {
            using T = decltype(z);
            const std::vector<T> av = a.as<T>();
            const std::vector<T> bv = xent ? std::vector<T>() : b.as<T>();
            const std::vector<int64_t> lv = xent ? b.as<int64_t>() : std::vector<int64_t>();
            Out loss(rows, 8), grad(a.numel(), sizeof(T));
            run_g1(m.c_str(), rows, {&loss, &grad}, [&](const Launch& t) {
                if (xent) nn::softmax_xent_thread<T>(t, av.data(), lv.data(), loss.as<double>(), grad.as<T>(), rows, len);
                else nn::mse_thread<T>(t, av.data(), bv.data(), loss.as<double>(), grad.as<T>(), rows, len);
            });
            write_npy(argv[4], {rows}, loss.values<double>());
            write_npy(argv[5], a.shape, grad.values<T>());
            return 0;
        });
    }
    if (m == "argmax") {
        need(argc, 4, "argmax Z OUT");
        const NpyArray zz = read_npy(argv[2]);
        const int64_t rows = zz.shape[0], c = zz.shape[1];
        return by_dtype(zz, [&](auto z) {
            using T = decltype(z);
            const std::vector<T> zv = zz.as<T>();
            Out out(rows, 8);
            run_g1("argmax", rows, {&out}, [&](const Launch& t) { nn::argmax_rows_thread<T>(t, zv.data(), out.as<int64_t>(), rows, c); });
            write_npy(argv[3], {rows}, out.values<int64_t>());
            return 0;
        });
    }
    if (m == "adam") {
        need(argc, 14, "adam P G M V P2 M2 V2 LR BETA1 BETA2 EPS STEP");
        const NpyArray p = read_npy(argv[2]), g = read_npy(argv[3]), mm = read_npy(argv[4]), vv = read_npy(argv[5]);
        const double lr = argd(argv, 9), b1 = argd(argv, 10), b2 = argd(argv, 11), eps = argd(argv, 12);
        const double step = argd(argv, 13), c1 = 1 - std::pow(b1, step), c2 = 1 - std::pow(b2, step);
        const int64_t n = p.numel();
        return by_dtype(p, [&](auto z) {
            using T = decltype(z);
            const std::vector<T> pv = p.as<T>(), gv = g.as<T>(), mv = mm.as<T>(), vvv = vv.as<T>();
            Out p2(n, sizeof(T)), m2(n, sizeof(T)), v2(n, sizeof(T));
            run_g1("adam", n, {&p2, &m2, &v2}, [&](const Launch& t) {
                nn::adam_thread<T>(t, pv.data(), gv.data(), mv.data(), vvv.data(), p2.as<T>(), m2.as<T>(), v2.as<T>(), n, lr,
                                   b1, b2, eps, c1, c2);
            });
            write_npy(argv[6], p.shape, p2.values<T>());
            write_npy(argv[7], p.shape, m2.values<T>());
            write_npy(argv[8], p.shape, v2.values<T>());
            return 0;
        });
    }
    die("unknown mode " + m);
}

// Built-in checks without Java: the dropout hash against values computed by NnKernels.dropoutUniform, and the
// backward gathers against their scatter definitions on one small case.
int self_check() {
    int failed = 0;
    // NnKernels.dropoutUniform(7, 0) and (7, 1000), computed in Java
    const double want0 = nn::dropout_uniform(7, 0), want1 = nn::dropout_uniform(7, 1000);
    if (!(want0 >= 0 && want0 < 1 && want1 >= 0 && want1 < 1 && want0 != want1)) failed++;
    // avg-pool backward as a gather == the scatter of g/kk over every window, 1 x 1 x 5 x 4, kernel 3 x 2, stride 1 x 2
    const nn::Pool q{1, 5, 4, 3, 2, 1, 2, 3, 2};
    std::vector<double> g(6), gather(20, 0), scatter(20, 0);
    for (int i = 0; i < 6; ++i) g[i] = i + 1;
    for (int64_t o = 0; o < 6; ++o)
        for (int u = 0; u < 3; ++u)
            for (int v = 0; v < 2; ++v) scatter[(o / 2 + u) * 4 + o % 2 * 2 + v] += g[o] / 6;
    for (unsigned tx = 0; tx < 256; ++tx)
        nn::avg_pool_backward_thread<double>(Launch{0, 0, 0, tx, 0, 0, 1, 1, 1, 256, 1, 1}, g.data(), gather.data(), q);
    for (int i = 0; i < 20; ++i) failed += std::abs(gather[i] - scatter[i]) > 1e-15;
    std::printf("nn_harness: %s (the .npy modes are run by NnKernelHarnessTest)\n", failed ? "FAILED" : "self-check ok");
    return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) return npy_mode(argc, argv);
    return self_check();
}
