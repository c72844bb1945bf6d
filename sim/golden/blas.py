"""Single-threaded BLAS while the fast engine runs (OpenBLAS via ctypes).

The fast engine runs the batch in small chunks; OpenBLAS's own threads only
add synchronisation to GEMMs that small (measured: 2-3x slower on a busy
2-core machine).  ``single_thread()`` sets OpenBLAS to one thread and restores
the previous count afterwards; without an OpenBLAS it does nothing.
"""
from __future__ import annotations

import ctypes
import threading
from contextlib import contextmanager

_NAMES = [(p + "get_num_threads" + s, p + "set_num_threads" + s)
          for p in ("scipy_openblas_", "openblas_") for s in ("64_", "")]
_lock = threading.Lock()
_api = []  # (get, set) pairs, found once


def _find():
    if _api:
        return _api[0]
    found = None
    try:
        with open("/proc/self/maps") as f:
            paths = {ln.split()[-1] for ln in f if "openblas" in ln.lower() and "/" in ln}
        for path in sorted(paths):
            lib = ctypes.CDLL(path)
            for g, s in _NAMES:
                if hasattr(lib, g) and hasattr(lib, s):
                    found = (getattr(lib, g), getattr(lib, s))
                    break
            if found:
                break
    except OSError:
        found = None
    _api.append(found)
    return found


@contextmanager
def single_thread():
    api = _find()
    if api is None:
        yield
        return
    get, set_ = api
    with _lock:
        before = get()
        set_(1)
    try:
        yield
    finally:
        with _lock:
            set_(before)
