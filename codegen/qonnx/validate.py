"""Refuse, with one line naming the node, anything outside the supported op set.

Supported: Quant (power-of-two per-tensor scale, zero point 0, ROUND/FLOOR),
Conv (group 1, dilation 1, Quant-ed constant weights and bias), Relu,
MaxPool, Concat on the channel axis of two inputs, Add of two inputs,
GlobalAveragePool feeding exactly one Quant, and a Flatten at the end.
Never changes the model.
"""
from __future__ import annotations

from ..errors import ModelError
from .graph import QUANT_DOMAINS, attr, consumers, is_quant, producer, quant_params

SUPPORTED = ("Quant", "Conv", "Relu", "MaxPool", "Concat", "Add", "GlobalAveragePool", "Flatten")


def apply(model):
    g = model.graph
    if len(g.input) != 1 or len(g.output) != 1:
        raise ModelError(g.name or "graph", "the model must have one input and one output")
    for n in g.node:
        if n.op_type not in SUPPORTED:
            raise ModelError(n, "op is not supported (supported: " + ", ".join(SUPPORTED) + ")")
        check = _CHECKS.get(n.op_type)
        if check is not None:
            check(model, n)
    return model, False


def _quant(model, n):
    if n.domain not in QUANT_DOMAINS:
        raise ModelError(n, f"Quant from unknown domain '{n.domain}'")
    quant_params(model, n)


def _conv(model, n):
    if int(attr(n, "group", 1)) != 1:
        raise ModelError(n, "grouped convolution is not supported")
    if any(d != 1 for d in attr(n, "dilations", [1, 1])):
        raise ModelError(n, "dilated convolution is not supported")
    if attr(n, "auto_pad", "NOTSET") not in ("NOTSET", b"NOTSET"):
        raise ModelError(n, "auto_pad is not supported (use explicit pads)")
    for i, what in ((1, "weight"), (2, "bias")):
        if i >= len(n.input):
            continue
        p = producer(model, n.input[i])
        if not is_quant(p) or model.get_initializer(p.input[0]) is None:
            raise ModelError(n, f"{what} must be a Quant of a constant (float weights are not exact)")
    shape = model.get_tensor_shape(n.input[0])
    if shape is None or len(shape) != 4:
        raise ModelError(n, "only 2D convolution on NCHW input is supported")


def _maxpool(model, n):
    if any(d != 1 for d in attr(n, "dilations", [1, 1])):
        raise ModelError(n, "dilated max-pool is not supported")
    if attr(n, "storage_order", 0) != 0 or len(n.output) != 1:
        raise ModelError(n, "max-pool indices output is not supported")
    k, p = attr(n, "kernel_shape"), attr(n, "pads", [0, 0, 0, 0])
    if any(p[i] >= k[i % 2] for i in range(4)):
        raise ModelError(n, f"pads {list(p)} must be smaller than the kernel {list(k)}")


def _concat(model, n):
    rank = len(model.get_tensor_shape(n.output[0]) or [])
    if len(n.input) != 2 or int(attr(n, "axis")) not in (1, 1 - rank):
        raise ModelError(n, "only a Concat of two tensors on the channel axis is supported")
    _quantized_inputs(model, n)


def _add(model, n):
    if len(n.input) != 2 or any(model.get_initializer(i) is not None for i in n.input):
        raise ModelError(n, "only an Add of two computed tensors is supported")
    if model.get_tensor_shape(n.input[0]) != model.get_tensor_shape(n.input[1]):
        raise ModelError(n, "broadcasting Add is not supported")
    _quantized_inputs(model, n)


def _quantized_inputs(model, n):
    for t in n.input:
        if producer(model, t) is None and t not in [i.name for i in model.graph.input]:
            raise ModelError(n, f"input '{t}' is a constant; only computed tensors are supported")


def _gap(model, n):
    cs = consumers(model, n.output[0])
    if len(cs) != 1 or cs[0].op_type != "Quant":
        raise ModelError(n, "GlobalAveragePool must feed exactly one Quant (the mean is not "
                            "representable otherwise)")


def _flatten(model, n):
    if n.output[0] != model.graph.output[0].name or int(attr(n, "axis", 1)) != 1:
        raise ModelError(n, "only a final Flatten (axis 1) is supported")
    shape = model.get_tensor_shape(n.input[0])
    if shape is None or any(d != 1 for d in shape[2:]):
        raise ModelError(n, "Flatten of a tensor with spatial size > 1 is not supported")


def _relu(model, n):
    pass


_CHECKS = {"Quant": _quant, "Conv": _conv, "MaxPool": _maxpool, "Concat": _concat, "Add": _add,
           "GlobalAveragePool": _gap, "Flatten": _flatten, "Relu": _relu}
