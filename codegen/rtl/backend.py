"""The hls4ml backend ``SqueezefpgaRTL``: the same converted ModelGraph as the
HLS backend, written as Verilog of the hw/ library instead of C++.

hls4ml conversion runs with the Vitis backend (codegen/hls/project.py), so
precisions and layer names are exactly the HLS project's; ``retarget(hm)``
then points that ModelGraph at this backend and hls4ml's own entry points
work on the RTL: ``hm.write()`` writes ``OUTPUT_DIR/rtl/`` (emit.py) from the
QONNX model the graph was converted from (``config['OnnxModel']``), after
checking that the graph's output precision is the RTL's output stream;
``hm.compile()`` / ``hm.predict(x)`` build and run the Verilator model
(``sim/rtl/hls4ml_sim.py`` adds them: codegen never imports the simulator).
Registered through the ``hls4ml.backends`` entry point of the package.
"""
from __future__ import annotations

import json
from pathlib import Path

from hls4ml.backends.backend import Backend

from ..errors import CliError

NAME = "SqueezefpgaRTL"


class RTLBackend(Backend):
    def __init__(self, name: str = NAME):
        super().__init__(name)

    def create_initial_config(self, **kwargs) -> dict:
        return {"Backend": self.name, **kwargs}

    @staticmethod
    def rtl_dir(model) -> Path:
        return Path(model.config.get_output_dir()) / "rtl"

    def write(self, model):
        """Generate (or regenerate) OUTPUT_DIR/rtl from the graph's QONNX model."""
        import shutil

        from ..qonnx import prepare
        from .project import generate

        onnx = model.config.config.get("OnnxModel")
        if not isinstance(onnx, (str, Path)) or not Path(onnx).is_file():
            raise CliError("SqueezefpgaRTL: the ModelGraph was not converted from a QONNX file")
        out = self.rtl_dir(model)
        if out.exists():
            shutil.rmtree(out)
        man = generate(onnx, out, model=prepare(str(onnx)))
        check_output_type(model, man)
        return man

    def compile(self, model):
        raise CliError("SqueezefpgaRTL: compile needs the simulator backend "
                       "(sim.rtl.hls4ml_sim, registered by the package entry point)")


def check_output_type(model, manifest: dict) -> None:
    """The ModelGraph's output precision equals the RTL's output stream type."""
    p = model.get_output_variables()[0].type.precision
    out = manifest["output"]
    hls = (int(p.width), int(p.width) - int(p.integer), bool(p.signed))
    rtl = (out["bits"], -out["exp"], out["signed"])
    if hls != rtl:
        raise CliError(f"SqueezefpgaRTL: hls4ml output type (width, fraction bits, signed) {hls} "
                       f"!= RTL output {rtl}")


def retarget(hm, backend=None):
    """Point a converted ModelGraph at the RTL backend (hls4ml's get_backend)."""
    import hls4ml

    hm.config.backend = backend or hls4ml.backends.get_backend(NAME)
    return hm


def manifest(hm) -> dict:
    return json.loads((RTLBackend.rtl_dir(hm) / "manifest.json").read_text())
