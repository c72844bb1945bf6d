"""Co-simulation: golden against other execution paths, frame by frame.

A checker is registered under a name with ``@register("name")``; it is a
callable ``checker(session) -> Outcome``.  ``Session`` gives it the model
path, the compiled golden plan, the inputs and golden's outputs, and
``golden_tensors(i)`` (every golden tensor of frame ``i``) to locate a
divergence.  Later paths (hls4ml csim, Verilator RTL) plug in the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

import numpy as np

from .compare import Divergence, compare_tensor, first_divergence
from .compile import load
from .plan import Plan, QTensor


@dataclass
class Outcome:
    """What one checker found: frames whose output differs from golden."""

    name: str
    frames: int
    mismatched_frames: list[int] = field(default_factory=list)
    first_frame: int | None = None
    first: Divergence | None = None   # the first diverging tensor in first_frame
    layer: str | None = None          # the node producing it ("name (OpType)")

    @property
    def mismatches(self) -> int:
        return len(self.mismatched_frames)

    def to_dict(self) -> dict:
        d = None
        if self.first is not None:
            where = f"layer {self.layer}: " if self.layer else ""
            d = {"frame": self.first_frame, "layer": self.layer, "tensor": self.first.tensor,
                 "index": None if self.first.index is None else list(self.first.index),
                 "golden": _plain(self.first.a), "other": _plain(self.first.b),
                 "message": where + str(self.first)}
        return {"frames": self.frames, "mismatches": self.mismatches,
                "mismatched_frames": self.mismatched_frames[:20], "first_divergence": d}


def _plain(v):
    return list(v) if isinstance(v, tuple) else v


@dataclass
class Session:
    model_path: Path
    plan: Plan
    inputs: np.ndarray            # float32 NCHW

    @cached_property
    def golden_output(self) -> QTensor:
        return self.plan.run(self.inputs)[self.plan.output_name]

    def golden_tensors(self, i: int) -> dict[str, QTensor]:
        return self.plan.run(self.inputs[i:i + 1], keep=True)

    def diverge(self, name: str, frame: int, other: dict) -> Outcome:
        """Locate the first differing tensor of ``frame`` given the other path's
        tensors by ONNX name (falls back to the output)."""
        mine = self.golden_tensors(frame)
        d = first_divergence(mine, other, self.plan.comparable())
        if d is None:
            d = compare_tensor(self.plan.output_name, mine[self.plan.output_name],
                               other[self.plan.output_name])
        return Outcome(name, 0, first_frame=frame, first=d, layer=self.producer(d.tensor))

    def producer(self, tensor: str) -> str | None:
        """"node (OpType)" of the model node that outputs ``tensor``."""
        import onnx

        if not hasattr(self, "_producers"):
            g = onnx.load(str(self.model_path), load_external_data=False).graph
            self._producers = {o: f"{n.name} ({n.op_type})" for n in g.node for o in n.output}
        return self._producers.get(tensor)


Checker = Callable[[Session], Outcome]
CHECKERS: dict[str, Checker] = {}


def register(name: str):
    def deco(fn: Checker) -> Checker:
        CHECKERS[name] = fn
        return fn
    return deco


@register("qonnx")
def check_qonnx(s: Session) -> Outcome:
    """qonnx ``execute_onnx``, one frame at a time (exported graphs have batch 1)."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes

    mw = ModelWrapper(str(s.model_path))
    for vi in (mw.graph.input[0], mw.graph.output[0]):   # a dynamic batch: frames go one by one
        dims = vi.type.tensor_type.shape.dim
        if dims and not dims[0].HasField("dim_value"):
            dims[0].dim_value = 1
            del mw.graph.value_info[:]
    mw = mw.transform(InferShapes())
    iname, oname = mw.graph.input[0].name, mw.graph.output[0].name
    gold = s.golden_output.float()
    out = Outcome("qonnx", len(s.inputs))
    for i in range(len(s.inputs)):
        ctx = execute_onnx(mw, {iname: s.inputs[i:i + 1]}, return_full_exec_context=True)
        if compare_tensor(oname, gold[i:i + 1], ctx[oname]) is None:
            continue
        out.mismatched_frames.append(i)
        if out.first is None:
            loc = s.diverge("qonnx", i, ctx)
            out.first_frame, out.first, out.layer = loc.first_frame, loc.first, loc.layer
    return out


def run_cosim(model_path, inputs: np.ndarray, checks: list[str]) -> dict:
    """Golden against every named checker; a JSON-ready report."""
    unknown = [c for c in checks if c not in CHECKERS]
    if unknown:
        raise KeyError(f"unknown checker {unknown[0]!r} (known: {', '.join(sorted(CHECKERS))})")
    plan = load(model_path)
    s = Session(Path(model_path), plan, np.asarray(inputs, np.float32))
    outcomes = {c: CHECKERS[c](s) for c in checks}
    return {"frames": len(s.inputs),
            "mismatches": {c: o.mismatches for c, o in outcomes.items()},
            "ok": all(o.mismatches == 0 for o in outcomes.values()),
            "checks": {c: o.to_dict() for c, o in outcomes.items()}}
