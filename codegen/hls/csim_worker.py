"""Child process of csim.run: LIB TOP N_OUT X.npy Y.npy (NHWC float32 frames in)."""
from __future__ import annotations

import ctypes
import sys

import numpy as np


def main(argv: list[str]) -> int:
    lib_path, top, n_out, xin, yout = argv
    fn = getattr(ctypes.CDLL(lib_path), f"{top}_float")
    ptr = ctypes.POINTER(ctypes.c_float)
    fn.argtypes, fn.restype = [ptr, ptr], None
    x = np.load(xin)
    y = np.zeros((len(x), int(n_out)), np.float32)
    for i in range(len(x)):
        xi = np.ascontiguousarray(x[i].reshape(-1), np.float32)
        yi = np.zeros(int(n_out), np.float32)
        fn(xi.ctypes.data_as(ptr), yi.ctypes.data_as(ptr))
        y[i] = yi
    np.save(yout, y)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
