"""The registered SqueezefpgaRTL hls4ml backend: codegen.rtl.backend's writer
plus hls4ml's compile / predict conventions on the Verilator model.

``hm.compile()`` writes the RTL and builds the Verilator model; hls4ml then
loads a "library": ``compile`` returns None, which ctypes opens as the running
process (nothing foreign is loaded).  ``hm.predict(x)`` takes what the HLS
backend's predict takes (channels-last NHWC float, batch first, or the
flattened frames) and returns (N, n_out) float64, like the csim.
Entry point: ``[project.entry-points."hls4ml.backends"]``, ``register``.
hls4ml loads plugins while it is being imported (possibly from inside
codegen.rtl.backend's own import), so this module imports codegen lazily.
"""
from __future__ import annotations

import numpy as np
from hls4ml.backends.backend import Backend

NAME = "SqueezefpgaRTL"


class VerilatorRTLBackend(Backend):
    phases = (("none", "none", None),)

    def __init__(self):
        super().__init__(NAME)

    def create_initial_config(self, **kwargs) -> dict:
        return {"Backend": self.name, **kwargs}

    def write(self, model):
        from squeezefpga.codegen.rtl.backend import write_rtl

        return write_rtl(model)

    def compile(self, model):
        from squeezefpga.codegen.rtl.backend import rtl_dir

        from squeezefpga.sim.rtl import top

        top.build(rtl_dir(model))
        return None

    def predict(self, model, x, *args, **kwargs):
        from squeezefpga.codegen.rtl.backend import manifest, rtl_dir

        from squeezefpga.sim.rtl import top

        man = manifest(model)
        h, w, c = man["input"]["shape_hwc"]
        x = np.asarray(x, np.float64)
        single = x.ndim in (1, 3)
        x = x.reshape(-1, h, w, c).transpose(0, 3, 1, 2)
        res = top.simulate(rtl_dir(model), x, self.phases)[0]
        y = np.ldexp(res["codes"].astype(np.float64), man["output"]["exp"])
        return y[0] if single else y


def register(register_backend=None, register_writer=None):
    """hls4ml plugin entry: register the backend (once)."""
    from hls4ml.backends.backend import backend_map, register_backend as reg

    if NAME.lower() not in backend_map:
        (register_backend or reg)(NAME, VerilatorRTLBackend)
