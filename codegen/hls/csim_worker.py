"""Child process of csim.run: LIB TOP N_OUT X.npy Y.npy (NHWC float32 frames in),
or of csim.trace: ``trace`` LIB TOP N_OUT X.npy OUT.npz SIZES.json (one frame; every
traced layer's output, as float64, into OUT.npz by layer name)."""
from __future__ import annotations

import ctypes
import json
import sys

import numpy as np


class TraceData(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("data", ctypes.c_void_p)]


def _top(lib, top: str):
    fn = getattr(lib, f"{top}_float")
    ptr = ctypes.POINTER(ctypes.c_float)
    fn.argtypes, fn.restype = [ptr, ptr], None

    def call(x: np.ndarray, n_out: int) -> np.ndarray:
        xi = np.ascontiguousarray(x.reshape(-1), np.float32)
        yi = np.zeros(n_out, np.float32)
        fn(xi.ctypes.data_as(ptr), yi.ctypes.data_as(ptr))
        return yi
    return call


def main(argv: list[str]) -> int:
    if argv and argv[0] == "trace":
        return trace(argv[1:])
    lib_path, top, n_out, xin, yout = argv
    call = _top(ctypes.CDLL(lib_path), top)
    x = np.load(xin)
    y = np.zeros((len(x), int(n_out)), np.float32)
    for i in range(len(x)):
        y[i] = call(x[i], int(n_out))
    np.save(yout, y)
    return 0


def trace(argv: list[str]) -> int:
    lib_path, top, n_out, xin, out, sizes = argv
    lib = ctypes.CDLL(lib_path)
    call = _top(lib, top)
    sizes = json.loads(open(sizes).read())
    lib.allocate_trace_storage.argtypes, lib.allocate_trace_storage.restype = [ctypes.c_size_t], None
    lib.collect_trace_output.argtypes = [ctypes.POINTER(TraceData)]
    lib.free_trace_storage.argtypes, lib.free_trace_storage.restype = [], None
    lib.allocate_trace_storage(ctypes.sizeof(ctypes.c_double))
    call(np.load(xin)[0], int(n_out))
    data = (TraceData * len(sizes))()
    lib.collect_trace_output(data)
    got = {}
    for t in data:
        name = t.name.decode()
        vals = ctypes.cast(t.data, ctypes.POINTER(ctypes.c_double))
        got[name] = np.ctypeslib.as_array(vals, shape=(sizes[name],)).copy()
    lib.free_trace_storage()
    np.savez(out, **got)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
