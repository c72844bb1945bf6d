"""The ``hls`` cosim checker: hls4ml C simulation against golden.

Importing this module registers it in ``sim.golden.cosim.CHECKERS``.  It
builds the hls4ml project for the model (cached per model file content in
``$SQUEEZEFPGA_HLS_CACHE`` or a temporary directory), compiles and runs the
csim in a subprocess (codegen.hls.csim), and compares every frame's output
exactly.  On a mismatch the first mismatching frame runs once more through a
traced copy of the csim (codegen.hls.csim.trace: hls4ml's ``save_layer_output``
after every layer), each hls4ml layer's output is mapped back to the ONNX tensor
its node makes (codegen.hls.precision.hls_name, channels last -> NCHW), and the
report names the first layer whose tensor differs from golden's.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from squeezefpga.sim.golden.compare import compare_tensor
from squeezefpga.sim.golden.cosim import Outcome, Session, register


def project_for(model_path: Path) -> Path:
    """A built hls4ml project for this model file (reused when the bytes match)."""
    from squeezefpga.codegen.hls.project import build

    from squeezefpga.codegen.hls.csim import META

    model_path = Path(model_path)
    if model_path.name == "model.onnx" and (model_path.parent / META).is_file():
        return model_path.parent        # a `squeezefpga build --backend hls|all` directory
    digest = hashlib.sha256(Path(model_path).read_bytes()).hexdigest()[:16]
    root = Path(os.environ.get("SQUEEZEFPGA_HLS_CACHE") or Path(tempfile.gettempdir()) / "squeezefpga-hls")
    prj = root / digest
    if not prj.is_dir():
        try:
            build(model_path, prj)
        except OSError:
            if not prj.is_dir():        # not another process that built it first
                raise
    return prj


@register("hls")
def check_hls(s: Session) -> Outcome:
    from squeezefpga.codegen.hls import csim

    y = csim.run(project_for(s.model_path), s.inputs)
    gold = s.golden_output.float()
    out = Outcome("hls", len(s.inputs))
    name = s.plan.output_name
    for i in range(len(s.inputs)):
        other = y[i].reshape(gold[i:i + 1].shape)
        d = compare_tensor(name, gold[i:i + 1], other)
        if d is None:
            continue
        out.mismatched_frames.append(i)
        if out.first is None:
            out.first_frame, out.first = i, d
    if out.first is not None:
        try:
            other = traced(project_for(s.model_path), s.inputs[out.first_frame:][:1])
        except csim.CsimError:          # the traced copy failed: keep the output's divergence
            return out
        loc = s.diverge("hls", out.first_frame, other)
        out.first, out.layer = loc.first, loc.layer
    return out


def traced(prj: Path, x_frame) -> dict:
    """One frame's per-layer csim outputs by ONNX tensor name, NCHW (batch 1)."""
    from qonnx.core.modelwrapper import ModelWrapper

    from squeezefpga.codegen.hls import csim
    from squeezefpga.codegen.hls.precision import hls_name

    mw = ModelWrapper(str(Path(prj) / "model_prepared.onnx"))
    nodes = [n for n in mw.graph.node
             if not (n.op_type == "Quant" and mw.get_initializer(n.input[0]) is not None)]
    tensors = {hls_name(n): n.output[0] for n in nodes}
    # hls4ml's optimizers make Conv2D_* and *_act from the ONNX nodes' layers,
    # which pass on their Trace: name both
    got = csim.trace(prj, x_frame, set(tensors) | {n.name for n in nodes})
    out = {}
    for layer, flat in got.items():
        if layer not in tensors:
            continue
        shape = mw.get_tensor_shape(tensors[layer])
        v = flat.reshape(shape)
        out[tensors[layer]] = v.transpose(0, 3, 1, 2) if v.ndim == 4 else v   # NHWC -> NCHW
    return out
