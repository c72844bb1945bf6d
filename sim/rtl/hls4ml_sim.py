"""The registered SqueezefpgaRTL hls4ml backend: codegen.rtl.backend's writer
plus hls4ml's compile / predict conventions on the Verilator model.

``hm.compile()`` writes the RTL and builds the Verilator model; hls4ml then
loads a "library": ``compile`` returns None, which ctypes opens as the running
process (nothing foreign is loaded).  ``hm.predict(x)`` takes what the HLS
backend's predict takes (channels-last NHWC float, batch first, or the
flattened frames) and returns (N, n_out) float64, like the csim.
Entry point: ``[project.entry-points."hls4ml.backends"]``, ``register``.
"""
from __future__ import annotations

import numpy as np

from codegen.rtl.backend import NAME, RTLBackend, manifest

from . import top


class VerilatorRTLBackend(RTLBackend):
    phases = (("none", "none", None),)

    def compile(self, model):
        top.build(self.rtl_dir(model))
        return None

    def predict(self, model, x, *args, **kwargs):
        man = manifest(model)
        h, w, c = man["input"]["shape_hwc"]
        x = np.asarray(x, np.float64)
        single = x.ndim in (1, 3)
        x = x.reshape(-1, h, w, c).transpose(0, 3, 1, 2)
        res = top.simulate(self.rtl_dir(model), x, self.phases)[0]
        y = np.ldexp(res["codes"].astype(np.float64), man["output"]["exp"])
        return y[0] if single else y


def register(register_backend=None, register_writer=None):
    """hls4ml plugin entry: register the backend (once)."""
    from hls4ml.backends.backend import backend_map, register_backend as reg

    if NAME.lower() not in backend_map:
        (register_backend or reg)(NAME, VerilatorRTLBackend)
