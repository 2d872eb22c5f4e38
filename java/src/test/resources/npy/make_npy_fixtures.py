#!/usr/bin/env python3
"""Writes the small .npy fixtures that NpyTest reads (run from this folder; needs numpy 2.x).

The tests run without Python: the .npy files are committed. Rerun this only to change the fixtures, and keep the
values in NpyTest in step.
"""
import numpy as np
from numpy.lib import format as npformat

# readable: every supported dtype, several ranks, 0-d and empty
np.save("f4_2x3.npy", (np.arange(6, dtype=np.float32) * 0.25 - 1.0).reshape(2, 3))
np.save("f8_2x3x4.npy", (np.arange(24, dtype=np.float64) * 0.5 - 3.0).reshape(2, 3, 4))
np.save("i8_5.npy", np.array([-3, 0, 7, 2**40, -2**62], dtype=np.int64))
np.save("f8_scalar.npy", np.array(3.25, dtype=np.float64))
np.save("f4_0x3.npy", np.zeros((0, 3), dtype=np.float32))
with open("f8_v2_3.npy", "wb") as f:  # format version 2.0 (4-byte header length)
    npformat.write_array(f, np.array([1.5, -2.5, 1e300], dtype=np.float64), version=(2, 0))

# rejected, each for one reason
np.save("f4_fortran_3x2.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(3, 2)))
np.save("f4_bigendian.npy", np.arange(4, dtype=">f4"))
np.save("i4_3.npy", np.arange(3, dtype=np.int32))
