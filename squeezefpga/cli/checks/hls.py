"""The ``hls`` cosim checker: hls4ml C simulation against golden.

Importing this module registers it in ``sim.golden.cosim.CHECKERS``.  It
builds the hls4ml project for the model (cached per model file content in
``$SQUEEZEFPGA_HLS_CACHE`` or a temporary directory), compiles and runs the
csim in a subprocess (codegen.hls.csim), and compares every frame's output
exactly.  hls4ml exposes only the model output, so a divergence names the
output tensor.
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
    return out
