// im2col for Conv1d/2d/3d (1-d and 2-d as 3-d with leading size-1 dims) with stride, padding, dilation and groups,
// in exactly the layout of SampleKernels.unfold (java/.../gradsample/SampleKernels.java):
//   x    contiguous [B*K, C, D, H, W] (rows sample-major: row = n*K + copy)
//   cols contiguous [B, G, K, (C/G)*kd*kh*kw, oD*oH*oW]
// within a group channel-major, then kernel offsets row-major (PyTorch's weight layout [C_out, C_in/G, k...]).
// Every element is written (taps in the zero padding get 0), so cols needs no zero fill. Kernel in im2col.cu.
#pragma once

#include "index_math.cuh"

namespace einsum4j {
namespace im2col {

// The geometry, 22 int64 values in this order (passed by value: 176 bytes, no padding). Spatial triples are
// (D, H, W); `pad` is the left padding of each dim; `out` the output sizes the caller computed.
struct ConvGeometry {
    int64_t samples, copies, groups, channels;
    int64_t in[3];
    int64_t kernel[3];
    int64_t stride[3];
    int64_t pad[3];
    int64_t dilation[3];
    int64_t out[3];
};
static_assert(sizeof(ConvGeometry) == 22 * 8, "ConvGeometry's byte layout is part of the kernel contract");

// Rows of cols: B*G*K*(C/G)*kk; row-major over (n, group, copy, channel in group, kd, kh, kw).
EINSUM4J_HD int64_t rows(const ConvGeometry& g) {
    return g.samples * g.groups * g.copies * (g.channels / g.groups) * g.kernel[0] * g.kernel[1] * g.kernel[2];
}

EINSUM4J_HD int64_t positions(const ConvGeometry& g) {
    return g.out[0] * g.out[1] * g.out[2];
}

// Source of one cols row: the x channel plane it reads (element offset of x[row, c, 0, 0, 0]) and the kernel tap.
struct RowSource {
    int64_t plane;
    int64_t kd, kh, kw;
};

EINSUM4J_HD RowSource row_source(const ConvGeometry& g, int64_t row) {
    const int64_t cpg = g.channels / g.groups;
    RowSource s;
    s.kw = row % g.kernel[2];
    row /= g.kernel[2];
    s.kh = row % g.kernel[1];
    row /= g.kernel[1];
    s.kd = row % g.kernel[0];
    row /= g.kernel[0];
    const int64_t cin = row % cpg;
    row /= cpg;
    const int64_t copy = row % g.copies;
    row /= g.copies;
    const int64_t grp = row % g.groups;
    const int64_t n = row / g.groups;
    const int64_t c = grp * cpg + cin;
    s.plane = ((n * g.copies + copy) * g.channels + c) * g.in[0] * g.in[1] * g.in[2];
    return s;
}

// Value of cols[row, l] for the row's source: x at (od*s - p + kd*dil, ...) or 0 in the padding.
template <typename T>
EINSUM4J_HD T element(const ConvGeometry& g, const T* __restrict__ x, const RowSource& s, int64_t l) {
    // 32-bit division (L < 2^32, as the Java side's int sizes guarantee): 64-bit division is a long software
    // sequence on the GPU and would make this memory-bound kernel integer-bound
    const uint32_t lu = static_cast<uint32_t>(l);
    const uint32_t w = static_cast<uint32_t>(g.out[2]);
    const uint32_t h = static_cast<uint32_t>(g.out[1]);
    const uint32_t rest = lu / w;
    const int64_t ow = lu - rest * w;
    const int64_t od = rest / h;
    const int64_t oh = rest - static_cast<uint32_t>(od) * h;
    const int64_t id = od * g.stride[0] - g.pad[0] + s.kd * g.dilation[0];
    const int64_t ih = oh * g.stride[1] - g.pad[1] + s.kh * g.dilation[1];
    const int64_t iw = ow * g.stride[2] - g.pad[2] + s.kw * g.dilation[2];
    if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1] || iw < 0 || iw >= g.in[2]) {
        return narrow<T>(0.0);
    }
    return x[s.plane + (id * g.in[1] + ih) * g.in[2] + iw];
}

// Launch: 1-D blocks of 256 in x; grid (ceil(L/256) capped at 2^31-1, min(rows, 65535)). blockIdx.y walks rows
// (grid-stride), x threads walk output positions l (grid-stride), so the writes are coalesced and the row's
// decomposition is paid once per row, not per element.
template <typename T>
EINSUM4J_HD void im2col_thread(const Launch& t, const T* __restrict__ x, T* __restrict__ cols,
                               const ConvGeometry& g) {
    const int64_t nrows = rows(g);
    const int64_t len = positions(g);
    for (int64_t row = t.block_y; row < nrows; row += t.grid_y) {
        const RowSource s = row_source(g, row);
        T* dst = cols + row * len;
        for (int64_t l = first_index(t); l < len; l += index_step(t)) {
            dst[l] = element(g, x, s, l);
        }
    }
}

}  // namespace im2col
}  // namespace einsum4j
