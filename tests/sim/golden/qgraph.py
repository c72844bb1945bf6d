"""Test helpers: hand-built QONNX graphs and the exactness check against qonnx."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import squeezefpga.sim.golden as golden

QDOMAIN = "qonnx.custom_op.general"


class G:
    """A tiny QONNX graph builder (float32 initializers, Quant as in Brevitas)."""

    def __init__(self, in_shape, name="x"):
        self.in_shape = tuple(in_shape)
        self.input = name
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.n = 0

    def _name(self, op):
        self.n += 1
        return f"{op}_{self.n}"

    def const(self, value, dtype=np.float32) -> str:
        name = self._name("c")
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def node(self, op, inputs, domain="", name=None, **attrs) -> str:
        name = name or self._name(op)
        out = name + "_out"
        self.nodes.append(helper.make_node(op, list(inputs), [out], name=name, domain=domain, **attrs))
        return out

    def quant(self, x, exp, bits, signed, narrow=False, mode="ROUND", zeropt=0.0, scale=None,
              name=None) -> str:
        if not isinstance(x, str):
            x = self.const(x)
        s = self.const(2.0 ** exp if scale is None else scale)
        return self.node("Quant", [x, s, self.const(zeropt), self.const(float(bits))], QDOMAIN,
                         name=name, signed=int(signed), narrow=int(narrow), rounding_mode=mode)

    def conv(self, x, w, w_exp, w_bits=4, b=None, b_exp=None, b_bits=16, stride=1, pad=0,
             name=None) -> str:
        w = np.asarray(w, np.float64) * 2.0 ** w_exp
        ins = [x, self.quant(w, w_exp, w_bits, True, narrow=True)]
        if b is not None:
            ins.append(self.quant(np.asarray(b, np.float64) * 2.0 ** b_exp, b_exp, b_bits, True))
        k = list(np.shape(w)[2:])
        return self.node("Conv", ins, name=name, kernel_shape=k, strides=[stride] * 2,
                         pads=[pad] * 4 if np.isscalar(pad) else list(pad), group=1,
                         dilations=[1, 1])

    def model(self, out) -> onnx.ModelProto:
        g = helper.make_graph(
            self.nodes, "g",
            [helper.make_tensor_value_info(self.input, TensorProto.FLOAT, list(self.in_shape))],
            [helper.make_tensor_value_info(out, TensorProto.FLOAT, None)], self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13),
                                                helper.make_opsetid(QDOMAIN, 1)])
        return m


def wrap(model):
    """A qonnx ModelWrapper with shapes inferred (what execute_onnx needs)."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.transformation.infer_shapes import InferShapes

    return ModelWrapper(model).transform(InferShapes())


def qonnx_run(mw, x: np.ndarray, full=False):
    """qonnx execute_onnx frame by frame; the output, or a list of full contexts."""
    from qonnx.core.onnx_exec import execute_onnx

    iname, oname = mw.graph.input[0].name, mw.graph.output[0].name
    ctxs = [execute_onnx(mw, {iname: x[i:i + 1]}, return_full_exec_context=full)
            for i in range(len(x))]
    if full:
        return ctxs
    return np.concatenate([c[oname] for c in ctxs])


def assert_exact(model_or_mw, x: np.ndarray, intermediates=True):
    if isinstance(model_or_mw, (str, Path)):
        model_or_mw = onnx.load(str(model_or_mw))
    """golden == qonnx execute_onnx, output and (optionally) every shared tensor."""
    mw = model_or_mw if hasattr(model_or_mw, "graph") and hasattr(model_or_mw, "model") \
        else wrap(model_or_mw)
    plan = golden.load(mw)
    x = np.asarray(x, np.float32)
    got = plan(x)
    if intermediates:
        runs = plan.run(x, keep=True)
        ctxs = qonnx_run(mw, x, full=True)
        for i, ctx in enumerate(ctxs):
            frame = {k: golden.QTensor(v.values[i:i + 1], v.exp) for k, v in runs.items()}
            d = golden.first_divergence(frame, ctx, plan.comparable())
            assert d is None, f"frame {i}: {d}"
        want = np.concatenate([c[mw.graph.output[0].name] for c in ctxs])
    else:
        want = qonnx_run(mw, x)
    assert got.shape == want.shape
    assert np.max(np.abs(got - want)) == 0
    return plan, got


def export_brevitas(module, in_shape, path):
    """Brevitas -> QONNX as our exporter does it; a cleaned qonnx ModelWrapper."""
    import torch
    from brevitas.export import export_qonnx
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.util.cleanup import cleanup_model

    export_qonnx(module.eval(), torch.zeros(1, *in_shape), export_path=str(path), dynamo=False)
    return cleanup_model(ModelWrapper(str(path)))


def torch_run(module, x):
    import torch

    with torch.no_grad():
        return module.eval()(torch.from_numpy(np.asarray(x, np.float32))).numpy()


def assert_three_way(module, mw, x):
    """golden == qonnx (every tensor) == Brevitas torch, max abs diff 0."""
    plan, got = assert_exact(mw, x)
    ref = torch_run(module, x)
    assert got.shape == ref.shape
    bad = np.argwhere(got != ref)
    assert bad.size == 0, f"golden vs torch at {bad[0].tolist()}: {got[tuple(bad[0])]} vs {ref[tuple(bad[0])]}"
    return plan, got
