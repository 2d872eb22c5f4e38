#!/usr/bin/env python3
"""Golden data for HalfFloatsTest from numpy's float16 (an independent IEEE binary16 implementation).

f16_to_f32.bin: for every binary16 bit pattern 0..65535, numpy's float32 value (uint32 bits, little-endian).
f32_to_f16.bin.gz (gzip): N float32 inputs (uint32 bits) then numpy's float16 roundings of them (uint16 bits): every
  binary16 value, the midpoints between neighbours and one float32 ulp either side (the ties-to-even cases),
  and seeded random float32 bit patterns over the whole range (NaNs included).
Regenerate: python3 make_half_golden.py (numpy 2.x); the files are committed, the tests do not run python.
"""
import gzip
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
h = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16)
with np.errstate(invalid="ignore"):
    f = h.astype(np.float32)
(f.view(np.uint32).astype("<u4")).tofile(os.path.join(here, "f16_to_f32.bin"))

finite = f[np.isfinite(f)].astype(np.float64)
vals = np.unique(finite)
mids = ((vals[:-1] + vals[1:]) / 2).astype(np.float32)  # exact in float32: 12 significant bits at most
assert np.all(mids.astype(np.float64) == (vals[:-1] + vals[1:]) / 2)
ins = [f[np.isfinite(f)], mids, np.nextafter(mids, np.float32(np.inf)), np.nextafter(mids, np.float32(-np.inf)),
       np.array([65519.99, 65520.0, 65520.004, 3.4e38, -3.4e38, 2.0**-25, 2.0**-26, 1e-45, -1e-45], np.float32)]
rng = np.random.default_rng(20261130)
ins.append(rng.integers(0, 2**32, size=40_000, dtype=np.uint64).astype(np.uint32).view(np.float32))
x = np.concatenate(ins).astype(np.float32)
with np.errstate(over="ignore", invalid="ignore"):
    y = x.astype(np.float16)
with gzip.GzipFile(os.path.join(here, "f32_to_f16.bin.gz"), "wb", mtime=0) as out:
    out.write(np.uint32(len(x)).astype("<u4").tobytes())
    out.write(x.view(np.uint32).astype("<u4").tobytes())
    out.write(y.view(np.uint16).astype("<u2").tobytes())
print(len(x), "float32 inputs")
