// .npy files for the host harnesses (harness.cu, nn_harness.cu): a little-endian C-order array read whole, and
// one written. Each harness defines einsum4j_test::die (its own program name in the message).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

namespace einsum4j_test {

[[noreturn]] void die(const std::string& message);

// A little-endian C-order .npy: dtype '<f4', '<f8' or '<i8', its shape and raw bytes.
struct NpyArray {
    std::string dtype;
    std::vector<int64_t> shape;
    std::vector<char> data;

    int64_t numel() const {
        return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<int64_t>());
    }

    template <typename T>
    std::vector<T> as() const {
        std::vector<T> v(data.size() / sizeof(T));
        std::memcpy(v.data(), data.data(), v.size() * sizeof(T));
        return v;
    }
};


inline NpyArray read_npy(const char* path) {
    FILE* fp = std::fopen(path, "rb");
    if (!fp) die(std::string("cannot open ") + path);
    auto fail = [&](const char* why) {
        std::fclose(fp);
        die(std::string(path) + ": " + why);
    };
    unsigned char pre[10];
    if (std::fread(pre, 1, 8, fp) != 8 || std::memcmp(pre, "\x93NUMPY", 6) != 0) fail("not a .npy file");
    uint32_t hlen = 0;
    if (pre[6] == 1) {
        if (std::fread(pre, 1, 2, fp) != 2) fail("truncated header");
        hlen = pre[0] | (pre[1] << 8);
    } else {
        if (std::fread(pre, 1, 4, fp) != 4) fail("truncated header");
        hlen = pre[0] | (pre[1] << 8) | (pre[2] << 16) | (static_cast<uint32_t>(pre[3]) << 24);
    }
    std::string header(hlen, '\0');
    if (std::fread(&header[0], 1, hlen, fp) != hlen) fail("truncated header");
    if (header.find("'fortran_order': False") == std::string::npos) fail("not C order");
    NpyArray a;
    for (const char* t : {"<f4", "<f8", "<i8"})
        if (header.find(std::string("'") + t + "'") != std::string::npos) a.dtype = t;
    if (a.dtype.empty()) fail("dtype is not <f4, <f8 or <i8");
    const size_t open = header.find('(', header.find("'shape'"));
    const size_t close = header.find(')', open);
    std::string dims = header.substr(open + 1, close - open - 1);
    for (size_t i = 0; i < dims.size();) {
        while (i < dims.size() && (dims[i] == ' ' || dims[i] == ',')) ++i;
        if (i >= dims.size()) break;
        a.shape.push_back(std::strtoll(dims.c_str() + i, nullptr, 10));
        while (i < dims.size() && dims[i] != ',') ++i;
    }
    char buf[65536];
    size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, fp)) > 0) a.data.insert(a.data.end(), buf, buf + got);
    std::fclose(fp);
    const size_t element = a.dtype == "<f4" ? 4 : 8;
    if (a.data.size() != static_cast<size_t>(a.numel()) * element) die(std::string(path) + ": data size != shape");
    return a;
}

template <typename T>
void write_npy(const char* path, const std::vector<int64_t>& shape, const std::vector<T>& values) {
    const std::string dtype = std::is_same<T, float>::value ? "<f4" : std::is_same<T, double>::value ? "<f8" : "<i8";
    std::string dims;
    for (int64_t s : shape) dims += std::to_string(s) + ", ";
    std::string header = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    FILE* fp = std::fopen(path, "wb");
    if (!fp) die(std::string("cannot write ") + path);
    const uint16_t hlen = static_cast<uint16_t>(header.size());
    const unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<unsigned char>(hlen & 0xff),
                                   static_cast<unsigned char>(hlen >> 8)};
    const size_t bytes = values.size() * sizeof(T);
    bool ok = std::fwrite(pre, 1, 10, fp) == 10 && std::fwrite(header.data(), 1, header.size(), fp) == header.size() &&
              (bytes == 0 || std::fwrite(values.data(), 1, bytes, fp) == bytes);
    if (std::fclose(fp) != 0 || !ok) die(std::string("cannot write ") + path);
}

}  // namespace einsum4j_test
