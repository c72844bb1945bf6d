"""The hls4ml backend ``SqueezefpgaRTL`` (writer side): the same converted
ModelGraph as the HLS backend, written as Verilog of the hw/ library.

hls4ml conversion runs with the Vitis backend (codegen/hls/project.py), so
precisions and layer names are exactly the HLS project's; ``retarget(hm)``
then points that ModelGraph at this backend and hls4ml's own entry points
work on the RTL: ``hm.write()`` writes ``OUTPUT_DIR/rtl/`` (emit.py) from the
QONNX model the graph was converted from (``config['OnnxModel']``), after
checking that the graph's output precision is the RTL's output stream;
``hm.compile()`` / ``hm.predict(x)`` build and run the Verilator model.
Folding: the graph's per-layer ReuseFactors, mapped onto PE/SIMD by
``fold.reuse_fold`` (as many multipliers per conv as the HLS project has,
never slower), unless ``config['RTLFold']`` is ``"auto"`` (balanced) or an
explicit ``{node: {pe, simd} | {lanes}}``.
The registered backend class is ``sim/rtl/hls4ml_sim.py`` (entry point
``hls4ml.backends``): it calls ``write_rtl`` here and drives Verilator there,
so codegen never imports the simulator.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import CliError

NAME = "SqueezefpgaRTL"      # also in sim/rtl/hls4ml_sim.py (imported by hls4ml's plugin loader)


def rtl_dir(model) -> Path:
    return Path(model.config.get_output_dir()) / "rtl"


def write_rtl(model) -> dict:
    """Generate (or regenerate) OUTPUT_DIR/rtl from the graph's QONNX model."""
    import shutil

    from qonnx.core.modelwrapper import ModelWrapper

    from ..qonnx import prepare
    from ..qonnx.graph import CL_DOMAIN
    from .fold import reuse_fold
    from .project import generate

    onnx = model.config.config.get("OnnxModel")
    if not isinstance(onnx, (str, Path)) or not Path(onnx).is_file():
        raise CliError("SqueezefpgaRTL: the ModelGraph was not converted from a QONNX file")
    out = rtl_dir(model)
    if out.exists():
        shutil.rmtree(out)
    mw = ModelWrapper(str(onnx))
    if not any(n.domain == CL_DOMAIN for n in mw.graph.node):   # not yet prepared
        mw = prepare(mw)
    fold = model.config.config.get("RTLFold", "reuse")
    if fold == "reuse":
        fold = reuse_fold(mw, graph_reuse(model, mw))
    man = generate(onnx, out, fold=fold, model=mw)
    check_output_type(model, man)
    return man


def graph_reuse(model, mw) -> dict[str, int]:
    """{Conv node: the ReuseFactor of its hls4ml layer} of a converted ModelGraph."""
    from ..hls.precision import hls_name

    reuse = {}
    for n in mw.graph.node:
        layer = model.graph.get(hls_name(n)) if n.op_type == "Conv" else None
        if layer is not None:
            reuse[n.name] = int(layer.get_attr("reuse_factor", 1) or 1)
    return reuse


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
    return json.loads((rtl_dir(hm) / "manifest.json").read_text())
