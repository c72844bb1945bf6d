"""The ``rtl`` cosim checker: the generated Verilog under Verilator against golden.

Importing this module registers it in ``sim.golden.cosim.CHECKERS``.  The RTL
comes from the build directory when the model is ``DIR/model.onnx`` next to
``DIR/rtl/`` (``squeezefpga build --backend rtl|all``), otherwise it is
generated (automatic fold) into ``$SQUEEZEFPGA_RTL_CACHE`` (default: a
temporary directory), keyed by the model file's content and by the
generator itself (every file of the codegen package and of hw/: a changed
RTL module or netlist rule never reuses RTL generated before the change).  Every frame streams
once with random input pauses and bursty output backpressure (all frames back
to back) and is compared exactly; then up to 4 frames stream without pauses
to measure steady-state cycles per frame and first-in to last-out latency.
On a mismatch the first mismatching frame streams once more while every
per-layer tap (the wire carrying each ONNX tensor, manifest ``taps``) is
recorded, and the report names the first layer whose tensor differs from
golden's (in graph order) and its first differing value.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from squeezefpga.sim.golden.compare import compare_tensor
from squeezefpga.sim.golden.cosim import Outcome, Session, register

TIMING_FRAMES = 4
PHASES = (("random", "bursty", None), ("none", "none", TIMING_FRAMES))


class RtlOutcome(Outcome):
    stats: dict = {}

    def to_dict(self) -> dict:
        return {**super().to_dict(), **self.stats}


@lru_cache(maxsize=1)
def generator_digest() -> str:
    """sha256 over the RTL generator's files: the codegen package and hw/."""
    import squeezefpga.codegen
    import squeezefpga.hw

    h = hashlib.sha256()
    for pkg in (squeezefpga.codegen, squeezefpga.hw):
        root = Path(pkg.__file__).parent
        for f in sorted(root.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def rtl_for(model_path: Path) -> Path:
    """The RTL directory of this model (the build's, or a cached generation)."""
    from squeezefpga.codegen.rtl.project import generate

    model_path = Path(model_path)
    beside = model_path.parent / "rtl"
    if model_path.name == "model.onnx" and (beside / "manifest.json").is_file():
        return beside
    digest = hashlib.sha256(model_path.read_bytes() + generator_digest().encode()).hexdigest()[:16]
    root = Path(os.environ.get("SQUEEZEFPGA_RTL_CACHE")
                or Path(tempfile.gettempdir()) / "squeezefpga-rtl")
    out = root / digest
    if not (out / "manifest.json").is_file():   # generated aside, published by a rename
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{digest}.", dir=root))
        try:
            generate(model_path, tmp / "rtl")
            os.rename(tmp / "rtl", out)
        except OSError:
            if not (out / "manifest.json").is_file():
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


@register("rtl")
def check_rtl(s: Session) -> Outcome:
    from squeezefpga.sim.rtl.top import simulate, trace

    rtl = rtl_for(s.model_path)
    man = json.loads((rtl / "manifest.json").read_text())
    gold = s.golden_output
    if man["output"]["exp"] != gold.exp:
        raise AssertionError(f"RTL output exponent {man['output']['exp']} != golden {gold.exp}")
    res = simulate(rtl, s.inputs, PHASES)
    out = RtlOutcome("rtl", len(s.inputs))
    name = s.plan.output_name
    for ph in res:
        for i, codes in enumerate(ph["codes"]):
            other = np.ldexp(codes.astype(np.float64), gold.exp).reshape(gold.values[i:i + 1].shape)
            d = compare_tensor(name, gold.float()[i:i + 1], other)
            if d is None or i in out.mismatched_frames:
                continue
            out.mismatched_frames.append(i)
            if out.first is None:
                out.first_frame, out.first = i, d
    if out.first is not None and man.get("taps"):
        # name the first diverging layer: rerun that frame recording every tap
        loc = s.diverge("rtl", out.first_frame, trace(rtl, s.inputs[out.first_frame:][:1]))
        out.first, out.layer = loc.first, loc.layer
        made_by = {t["tensor"]: t.get("layer") for t in man["taps"]}
        if loc.first is not None and made_by.get(loc.first.tensor):
            out.layer = made_by[loc.first.tensor]   # e.g. the Conv whose requant made it
    timing = res[-1]
    cyc = timing["cycles_per_frame"]
    mults = man["multipliers"]
    out.stats = {
        "rtl_dir": str(rtl),
        "cycles_per_frame": cyc, "latency_cycles": timing["latency_cycles"],
        "expected_cycles_per_frame": man["expected_cycles_per_frame"],
        "macs_per_frame": man["macs_per_frame"], "multipliers": mults,
        "mac_efficiency": (man["macs_per_frame"] / (cyc * mults)) if cyc and mults else None,
        "memory_bits": man["memory_bits"],
        "sim_cycles": sum(r["sim_cycles"] for r in res),
        "sim_wall_s": res[0]["wall_s"],
    }
    return out
