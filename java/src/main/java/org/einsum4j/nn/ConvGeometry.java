package org.einsum4j.nn;

/**
 * A 2-d convolution window over {@code [N, C, H, W]} (Conv1d: {@code H = 1}, kernel height 1): kernel, stride,
 * symmetric zero padding and dilation per axis, and the output size they give.
 */
record ConvGeometry(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
    int oh() {
        return (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
    }

    int ow() {
        return (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
    }

    boolean fits() {
        return h + 2 * ph - dh * (kh - 1) - 1 >= 0 && w + 2 * pw - dw * (kw - 1) - 1 >= 0;
    }
}
