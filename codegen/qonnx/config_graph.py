"""A weightless QONNX graph straight from a NetConfig (no torch, no Brevitas).

``config_graph(cfg)`` builds the graph ``squeezefpga export CONFIG
--random-weights`` writes for ``cfg`` after its qonnx clean-up: the same op
types in the same order, the same node, tensor and initializer names, shapes
and Quant attributes (bit widths, signedness, narrow range, rounding), so the
RTL backend builds the same netlist from either.  Only the values differ:

Weights and biases are integer codes times the quantizer's scale, drawn from
a seeded generator so that every tensor holds both extreme codes and, where
it has room, every code of its range.

Scales (a config cannot know trained ones) follow one nominal rule:

- input: exponent 0 (raw bytes, as in the model);
- every activation tensor (ReLU outputs, complex-bypass outputs, the output
  after the global pool): one exponent ``E = -(quant.act_bits // 2)``, so a
  Concat or Add never aligns its inputs;
- biases: the product exponent ``e_x + e_w``, so no conv shifts its products;
- weights: ``e_w = (E + m_out) - (e_x + m_x) - (b_w - 1) - ceil(log2(fan_in) / 2) + 1``
  (``m``: magnitude bits, the bit width less the sign): a full-scale input
  times full-scale weights summed over ``sqrt(fan_in)`` random-signed terms
  lands at about twice the output's full scale, so activations spread over
  their codes (about half zero after ReLU, a few percent saturated).

The node order is the exporter's: the input Quant, every weight and bias
Quant in layer order, then the computation in first-in first-out
topological order (Kahn's algorithm over the forward order).
"""
from __future__ import annotations

import math
from collections import defaultdict, deque
from pathlib import Path

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from squeezefpga.quant.arch import FireConfig, NetConfig, PoolConfig, layer_shapes

QUANT_DOMAIN = "qonnx.custom_op.general"
OPSET = (("", 20), (QUANT_DOMAIN, 2))
IR_VERSION = 9


def act_exp(cfg: NetConfig) -> int:
    """The nominal exponent of every activation tensor."""
    return -(cfg.quant.act_bits // 2)


def weight_exp(e_x: int, m_x: int, e_out: int, m_out: int, b_w: int, fan_in: int) -> int:
    """The nominal weight exponent of a conv (see the module docstring)."""
    return (e_out + m_out) - (e_x + m_x) - (b_w - 1) - math.ceil(math.log2(fan_in) / 2) + 1


def codes(rng: np.random.Generator, shape, lo: int, hi: int) -> np.ndarray:
    """Integer codes in [lo, hi] of ``shape``: both extremes, every code when it fits."""
    size = int(np.prod(shape))
    span = np.arange(lo, hi + 1, dtype=np.int64)
    fill = np.resize(rng.permutation(span), max(size - 2, 0))
    out = rng.permutation(np.concatenate([[lo, hi], fill]))
    if size < 2:
        out = np.array([hi] * size, np.int64)
    return out.reshape(shape)


class _Builder:
    """Nodes in forward (trace) order with temporary tensor names."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.first: list = []   # the input Quant
        self.params: list = []  # weight / bias Quants, layer order
        self.compute: list = []
        self.inits: dict[str, np.ndarray] = {}
        self.n = 0

    def tensor(self) -> str:
        self.n += 1
        return f"t{self.n}"

    def const(self, value) -> str:
        name = self.tensor()
        self.inits[name] = np.asarray(value, np.float32)
        return name

    def node(self, op: str, inputs: list[str], into: list | None = None, domain: str = "",
             **attrs) -> str:
        out = self.tensor()
        (self.compute if into is None else into).append(
            helper.make_node(op, inputs, [out], domain=domain, **attrs))
        return out

    def quant(self, x: str, exp: int, bits: int, signed: bool, narrow: bool = False,
              into: list | None = None) -> str:
        ins = [x, self.const(2.0 ** exp), self.const(0.0), self.const(float(bits))]
        return self.node("Quant", ins, into, QUANT_DOMAIN, narrow=int(narrow),
                         rounding_mode="ROUND", signed=int(signed))

    def param(self, shape, exp: int, bits: int, narrow: bool) -> str:
        lo = -(1 << (bits - 1)) + int(narrow)
        value = codes(self.rng, shape, lo, (1 << (bits - 1)) - 1).astype(np.float64) * 2.0 ** exp
        return self.quant(self.const(value), exp, bits, signed=True, narrow=narrow,
                          into=self.params)


class _Tensor:
    """A computed tensor: temporary name, exponent, magnitude bits of its codes."""

    def __init__(self, name: str, exp: int, mag: int):
        self.name, self.exp, self.mag = name, exp, mag


def _conv(g: _Builder, cfg: NetConfig, x: _Tensor, lname: str, cin: int, cout: int, k: int,
          stride: int, pad: int, m_out: int, relu: bool) -> str:
    """Conv (+ ReLU) of ``x``, its weights and bias; ``m_out``: magnitude bits of
    the quantizer that requantizes the result.  Returns the conv (ReLU) output."""
    wb, _, bb = cfg.quant.for_layer(lname)
    e_w = weight_exp(x.exp, x.mag, act_exp(cfg), m_out, wb, cin * k * k)
    w = g.param((cout, cin, k, k), e_w, wb, narrow=True)
    b = g.param((cout,), x.exp + e_w, bb, narrow=False)
    y = g.node("Conv", [x.name, w, b], dilations=[1, 1], group=1, kernel_shape=[k, k],
               pads=[pad] * 4, strides=[stride, stride])
    return g.node("Relu", [y]) if relu else y


def _act(g: _Builder, cfg: NetConfig, y: str, bits: int, signed: bool) -> _Tensor:
    return _Tensor(g.quant(y, act_exp(cfg), bits, signed), act_exp(cfg), bits - int(signed))


def _relu_conv(g: _Builder, cfg: NetConfig, x: _Tensor, lname: str, cin: int, cout: int,
               k: int, stride: int = 1, pad: int = 0, bits: int | None = None) -> _Tensor:
    bits = bits or cfg.quant.for_layer(lname)[1]
    return _act(g, cfg, _conv(g, cfg, x, lname, cin, cout, k, stride, pad, bits, True), bits,
                False)


def _fire(g: _Builder, cfg: NetConfig, f: FireConfig, x: _Tensor, cin: int) -> _Tensor:
    n = f.name
    s = _relu_conv(g, cfg, x, f"{n}.squeeze", cin, f.s1x1, 1)
    e1 = _relu_conv(g, cfg, s, f"{n}.expand1x1", f.s1x1, f.e1x1, 1)
    shared = cfg.quant.for_layer(f"{n}.expand1x1")[1] if f.shared_quant else None
    e3 = _relu_conv(g, cfg, s, f"{n}.expand3x3", f.s1x1, f.e3x3, 3, pad=1, bits=shared)
    y = _Tensor(g.node("Concat", [e1.name, e3.name], axis=1), act_exp(cfg), max(e1.mag, e3.mag))
    if f.bypass == "simple":
        other = x
    elif f.bypass == "complex":
        ab = cfg.quant.for_layer(f"{n}.bypass")[1]
        c = _conv(g, cfg, x, f"{n}.bypass", cin, f.out_channels, 1, 1, 0, ab - 1, False)
        other = _act(g, cfg, c, ab, True)
    else:
        return y
    return _Tensor(g.node("Add", [y.name, other.name]), y.exp, max(y.mag, other.mag))


def _forward(g: _Builder, cfg: NetConfig) -> str:
    """Append every node of ``cfg``; returns the temporary name of the output."""
    q = cfg.quant
    x = _Tensor(g.quant("global_in", 0, q.input_bits, signed=False, into=g.first), 0,
                q.input_bits)
    for layer, (cin, _, _), _ in layer_shapes(cfg):
        if isinstance(layer, PoolConfig):
            p = layer.padding
            x = _Tensor(g.node("MaxPool", [x.name], ceil_mode=int(layer.ceil_mode),
                               dilations=[1, 1], kernel_shape=[layer.kernel] * 2,
                               pads=[p] * 4, strides=[layer.stride] * 2), x.exp, x.mag)
        elif isinstance(layer, FireConfig):
            x = _fire(g, cfg, layer, x, cin)
        elif layer.relu:
            x = _relu_conv(g, cfg, x, layer.name, cin, layer.out_channels, layer.kernel,
                           layer.stride, layer.padding)
        else:  # the logits go to the global pool and the signed output quantizer
            x = _Tensor(_conv(g, cfg, x, layer.name, cin, layer.out_channels, layer.kernel,
                              layer.stride, layer.padding, q.out_bits - 1, False), x.exp, x.mag)
    pooled = g.node("GlobalAveragePool", [x.name])
    return g.node("Flatten", [g.quant(pooled, act_exp(cfg), q.out_bits, signed=True)], axis=1)


def fifo_topological(nodes: list) -> list:
    """Kahn's algorithm with a first-in first-out queue; ties in list order."""
    made = {o: i for i, n in enumerate(nodes) for o in n.output}
    users: dict[int, list[int]] = defaultdict(list)
    waiting = []
    for i, n in enumerate(nodes):
        deps = sorted({made[t] for t in n.input if t in made})
        for d in deps:
            users[d].append(i)
        waiting.append(len(deps))
    queue = deque(i for i, w in enumerate(waiting) if w == 0)
    order = []
    while queue:
        i = queue.popleft()
        order.append(i)
        for j in users[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                queue.append(j)
    if len(order) != len(nodes):
        raise ValueError("the graph has a cycle")
    return [nodes[i] for i in order]


def _rename(nodes: list, inits: dict[str, np.ndarray], out: str):
    """qonnx's GiveUniqueNodeNames + GiveReadableTensorNames naming, done directly."""
    names = {"global_in": "global_in", out: "global_out"}
    count: dict[str, int] = defaultdict(int)
    renamed, initializers = [], []
    for n in nodes:
        n.name = f"{n.op_type}_{count[n.op_type]}"
        count[n.op_type] += 1
        names.setdefault(n.output[0], f"{n.name}_out0")
        params = [t for t in n.input if t in inits]
        for i, t in enumerate(params):
            names[t] = f"{n.name}_param{i}"
            initializers.append(numpy_helper.from_array(inits[t], names[t]))
        n.input[:] = [names[t] for t in n.input]
        n.output[:] = [names[t] for t in n.output]
        renamed.append(n)
    return renamed, initializers


def config_graph(cfg: NetConfig, seed: int = 0):
    """The weightless QONNX ModelWrapper of ``cfg`` (see the module docstring)."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.transformation.infer_shapes import InferShapes

    cfg.validate()
    g = _Builder(seed)
    out = _forward(g, cfg)
    nodes, initializers = _rename(fifo_topological(g.first + g.params + g.compute), g.inits, out)
    x = helper.make_tensor_value_info("global_in", TensorProto.FLOAT, [1, *cfg.input_shape])
    y = helper.make_tensor_value_info("global_out", TensorProto.FLOAT, [1, cfg.num_classes])
    graph = helper.make_graph(nodes, "main_graph", [x], [y], initializers)
    model = helper.make_model(graph, producer_name="squeezefpga.config_graph",
                              ir_version=IR_VERSION,
                              opset_imports=[helper.make_opsetid(d, v) for d, v in OPSET])
    return ModelWrapper(model).transform(InferShapes())


def save_config_graph(cfg: NetConfig, path: str | Path, seed: int = 0) -> Path:
    """Write ``config_graph(cfg, seed)`` to ``path``; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    config_graph(cfg, seed).save(str(path))
    return path
