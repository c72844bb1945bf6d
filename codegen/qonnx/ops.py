"""Our two exact ops, registered with qonnx so ``execute_onnx`` runs them.

``StreamMaxPool``: ONNX/torch MaxPool semantics (kernel, strides, pads,
ceil_mode; padding never wins), on NCHW or NHWC (``data_layout``).
``QuantGlobalAveragePool``: a GlobalAveragePool fused with the Quant it
feeds: ``clip(round(sum_hw(x) / (H*W) / scale))`` computed exactly (rational
arithmetic), so the mean never exists as a rounded float.  The quantizer is
in attributes (scale = 2**exp, bits, signed, narrow, rounding_mode).
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from onnx import TensorProto, helper
from qonnx.custom_op.base import CustomOp
from qonnx.custom_op.registry import add_op_to_domain

from .graph import DOMAIN


def pool_out(size: int, k: int, s: int, p0: int, p1: int, ceil_mode: bool) -> int:
    span = size + p0 + p1 - k
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p0:
        out -= 1
    return out


def _const_node(node, shape):
    return helper.make_node("Constant", [], [node.output[0]], value=helper.make_tensor(
        "c", TensorProto.FLOAT, shape, np.zeros(shape, np.float32).reshape(-1)))


class StreamMaxPool(CustomOp):
    def get_nodeattr_types(self):
        return {"kernel_shape": ("ints", True, []), "strides": ("ints", True, []),
                "pads": ("ints", False, [0, 0, 0, 0]), "ceil_mode": ("i", False, 0),
                "data_layout": ("s", False, "NHWC")}

    def _dims(self, shape):
        nhwc = self.get_nodeattr("data_layout") == "NHWC"
        h, w = (shape[1], shape[2]) if nhwc else (shape[2], shape[3])
        k, s, p = (self.get_nodeattr(a) for a in ("kernel_shape", "strides", "pads"))
        c = bool(self.get_nodeattr("ceil_mode"))
        return nhwc, pool_out(h, k[0], s[0], p[0], p[2], c), pool_out(w, k[1], s[1], p[1], p[3], c)

    def make_shape_compatible_op(self, model):
        shape = model.get_tensor_shape(self.onnx_node.input[0])
        nhwc, ho, wo = self._dims(shape)
        out = [shape[0], ho, wo, shape[3]] if nhwc else [shape[0], shape[1], ho, wo]
        return _const_node(self.onnx_node, out)

    def infer_node_datatype(self, model):
        model.set_tensor_datatype(self.onnx_node.output[0],
                                  model.get_tensor_datatype(self.onnx_node.input[0]))

    def execute_node(self, context, graph):
        x = context[self.onnx_node.input[0]]
        nhwc, ho, wo = self._dims(x.shape)
        if not nhwc:
            x = x.transpose(0, 2, 3, 1)
        k, s, p = (self.get_nodeattr(a) for a in ("kernel_shape", "strides", "pads"))
        h, w = x.shape[1:3]
        y = np.empty((x.shape[0], ho, wo, x.shape[3]), x.dtype)
        for i in range(ho):
            r0, r1 = max(i * s[0] - p[0], 0), min(i * s[0] - p[0] + k[0], h)
            for j in range(wo):
                c0, c1 = max(j * s[1] - p[1], 0), min(j * s[1] - p[1] + k[1], w)
                y[:, i, j, :] = x[:, r0:r1, c0:c1, :].max(axis=(1, 2))
        context[self.onnx_node.output[0]] = y if nhwc else y.transpose(0, 3, 1, 2)

    def verify_node(self):
        return []


class QuantGlobalAveragePool(CustomOp):
    def get_nodeattr_types(self):
        return {"exp": ("i", True, 0), "bits": ("i", True, 8),
                "signed": ("i", True, 1), "narrow": ("i", False, 0),
                "rounding_mode": ("s", False, "ROUND"), "data_layout": ("s", False, "NHWC")}

    def make_shape_compatible_op(self, model):
        shape = model.get_tensor_shape(self.onnx_node.input[0])
        nhwc = self.get_nodeattr("data_layout") == "NHWC"
        out = [shape[0], 1, 1, shape[3]] if nhwc else [shape[0], shape[1], 1, 1]
        return _const_node(self.onnx_node, out)

    def infer_node_datatype(self, model):
        pass

    def execute_node(self, context, graph):
        n = self.onnx_node
        x = np.asarray(context[n.input[0]], np.float64)
        scale, bits = 2.0 ** self.get_nodeattr("exp"), self.get_nodeattr("bits")
        nhwc = self.get_nodeattr("data_layout") == "NHWC"
        sums = x.sum(axis=(1, 2) if nhwc else (2, 3))      # exact: dyadic values, few bits
        hw = x.shape[1] * x.shape[2] if nhwc else x.shape[2] * x.shape[3]
        signed, narrow = self.get_nodeattr("signed"), self.get_nodeattr("narrow")
        lo = -(1 << (bits - 1)) + narrow if signed else 0
        hi = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1 - narrow
        floor = self.get_nodeattr("rounding_mode").upper() == "FLOOR"
        q = np.empty(sums.shape, np.float64)
        for idx, v in np.ndenumerate(sums):
            r = Fraction(v) / hw / Fraction(scale)
            q[idx] = min(max(math.floor(r) if floor else round(r), lo), hi) * scale
        shape = (x.shape[0], 1, 1, x.shape[3]) if nhwc else (x.shape[0], x.shape[1], 1, 1)
        context[n.output[0]] = q.reshape(shape).astype(np.float32)

    def verify_node(self):
        return []


for _op in (StreamMaxPool, QuantGlobalAveragePool):
    add_op_to_domain(DOMAIN, _op)

# qonnx also discovers ops through the domain module's ``custom_op`` dict.
custom_op = {"StreamMaxPool": StreamMaxPool, "QuantGlobalAveragePool": QuantGlobalAveragePool}
