"""Hand-built QONNX graphs for the codegen tests (a few nodes each)."""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from qonnx.core.modelwrapper import ModelWrapper

Q = "qonnx.custom_op.general"


class Net:
    def __init__(self, shape=(1, 1, 5, 5)):
        self.shape, self.nodes, self.inits, self.k = tuple(shape), [], [], 0

    def _c(self, v) -> str:
        self.k += 1
        name = f"c{self.k}"
        self.inits.append(numpy_helper.from_array(np.asarray(v, np.float32), name))
        return name

    def op(self, op, ins, domain="", name=None, **a) -> str:
        self.k += 1
        name = name or f"{op}_{self.k}"
        self.nodes.append(helper.make_node(op, list(ins), [name + "_out"], name=name, domain=domain, **a))
        return name + "_out"

    def quant(self, x, exp, bits, signed=False, narrow=False, mode="ROUND", scale=None, name=None):
        if not isinstance(x, str):
            x = self._c(x)
        s = self._c(2.0 ** exp if scale is None else scale)
        return self.op("Quant", [x, s, self._c(0.0), self._c(float(bits))], Q, name=name,
                       signed=int(signed), narrow=int(narrow), rounding_mode=mode)

    def conv(self, x, cin, cout, k=1, pad=0, stride=1, seed=0, w_exp=-2, b_exp=-4, name=None):
        rng = np.random.default_rng(seed)
        w = rng.integers(-7, 8, (cout, cin, k, k)) * 2.0 ** w_exp
        b = rng.integers(-100, 100, cout) * 2.0 ** b_exp
        ins = [x, self.quant(w, w_exp, 4, True, True), self.quant(b, b_exp, 8, True)]
        return self.op("Conv", ins, name=name, kernel_shape=[k, k], pads=[pad] * 4,
                       strides=[stride] * 2, group=1, dilations=[1, 1])

    def act(self, x, exp, bits=4):
        return self.quant(self.op("Relu", [x]), exp, bits)

    def model(self, out, out_shape=None) -> ModelWrapper:
        from qonnx.transformation.infer_shapes import InferShapes

        g = helper.make_graph(self.nodes, "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(self.shape))],
                              [helper.make_tensor_value_info(out, TensorProto.FLOAT, out_shape)],
                              self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 11)])
        return ModelWrapper(m).transform(InferShapes())

    def input(self, bits=8):
        return self.quant("x", 0, bits)


def run(model: ModelWrapper, x: np.ndarray, nhwc=False) -> np.ndarray:
    from qonnx.core.onnx_exec import execute_onnx

    if nhwc:
        x = x.transpose(0, 2, 3, 1)
    return execute_onnx(model, {model.graph.input[0].name: x})[model.graph.output[0].name]


def frames(shape, n=1, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, *shape[1:])).astype(np.float32)


def save(model: ModelWrapper, path) -> str:
    onnx.save(model.model, str(path))
    return str(path)
