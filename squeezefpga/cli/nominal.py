"""A Brevitas model that carries the weightless graph of its config.

``nominal_model(cfg, seed)`` builds the QuantSqueezeNet of ``cfg`` and loads
into it the values and scales of ``codegen/qonnx/config_graph`` (the graph
``budget CONFIG`` budgets): every weight and bias is the graph's code times
its scale, every activation quantizer gets the graph's exponent.  Exported
(``export CONFIG --random-weights --scales nominal``, through the usual
exactness gate) it gives that graph again, so the budget of the config and
the budget of this exported model are the same netlist's.  It lives in the
command layer because it joins the two halves: the graph generator
(codegen) and the Brevitas model (quant).
"""
from __future__ import annotations

import math

import numpy as np


def _init(model, name: str) -> np.ndarray:
    return np.asarray(model.get_initializer(name), np.float64)


def _quant_in(model, tensor: str):
    """(float values, exponent) of the Quant producing ``tensor`` from an initializer."""
    q = model.find_producer(tensor)
    return _init(model, q.input[0]), int(round(math.log2(float(_init(model, q.input[1])))))


def _act_exp(model, tensor: str) -> int:
    """Exponent of the Quant that quantizes ``tensor`` (through a Relu if there is one)."""
    node = model.find_consumer(tensor)
    if node is not None and node.op_type == "Relu":
        node = model.find_consumer(node.output[0])
    if node is None or node.op_type != "Quant":
        raise ValueError(f"config graph: no Quant after '{tensor}'")
    return int(round(math.log2(float(_init(model, node.input[1])))))


def set_exponent(act, exp: int) -> None:
    """Give a Brevitas activation quantizer (QuantReLU / QuantIdentity) the scale 2**exp."""
    import torch

    impl = act.act_quant.fused_activation_quant_proxy.tensor_quant.scaling_impl
    impl.counter = impl.collect_stats_steps + 1      # past calibration: the learned value
    with torch.no_grad():
        impl.value.fill_(0.0)
        probe = act.act_quant(torch.zeros(1))
        base = round(math.log2(float(probe.scale)))   # scale = 2**(ceil(value) - base offset)
        impl.value.fill_(float(exp - base))
    got = round(math.log2(float(act.act_quant(torch.zeros(1)).scale)))
    if got != exp:
        raise RuntimeError(f"activation scale 2^{got}, wanted 2^{exp}")


def _modules(model, preset: str):
    """(QuantConv2d, activation quantizer module or None) of a preset layer name."""
    layer, _, role = preset.partition(".")
    m = model.layers[layer]
    if not role:                                      # a stand-alone conv
        return m.conv.conv, m.act
    conv = getattr(m, "bypass_conv" if role == "bypass" else role).conv
    act = m.bypass_quant if role == "bypass" else getattr(m, f"{role}_act")
    return conv, act


def nominal_model(cfg, seed: int = 0):
    """The Brevitas model of ``cfg`` with the values and scales of its config graph."""
    import torch

    from squeezefpga.codegen.budget.estimate import config_names
    from squeezefpga.codegen.qonnx.config_graph import config_graph
    from squeezefpga.quant.model import build

    graph = config_graph(cfg, seed)
    names = config_names(cfg, graph.model)
    model = build(cfg).eval()
    with torch.no_grad():
        for node in graph.graph.node:
            if node.op_type != "Conv":
                continue
            conv, act = _modules(model, names[node.name])
            w, _ = _quant_in(graph, node.input[1])
            conv.weight.copy_(torch.from_numpy(w).to(conv.weight.dtype))
            if len(node.input) > 2:
                b, _ = _quant_in(graph, node.input[2])
                conv.bias.copy_(torch.from_numpy(b.reshape(-1)).to(conv.bias.dtype))
            if act is not None:
                set_exponent(act, _act_exp(graph, node.output[0]))
        gap = next(n for n in graph.graph.node if n.op_type == "GlobalAveragePool")
        set_exponent(model.output_quant, _act_exp(graph, gap.output[0]))
    return model
