"""A QONNX SqueezeNet (as ``squeezefpga export`` writes it) -> NetConfig.

Shapes come from the Conv weight initializers and node attributes, bit widths
from the Quant nodes: the quantizer of a Conv's weight / bias input, the
activation quantizer after each Relu (or after a complex bypass conv), the
input quantizer and the one after the global pool.  A Fire is recognised as a
1x1 conv whose activation feeds two convs that meet in a Concat; an Add after
the Concat is its bypass (simple when its other input is the Fire's input,
complex when that is a conv of it).  Layers are named conv1, conv2, ..,
maxpool1, .., fire2, .. in graph order; ``node_layers`` gives, for every
Conv / MaxPool / Concat / Add / pool node, the layer it belongs to (the RTL
netlist names its instances' layers by ONNX node); for any other graph
(not SqueezeNet-shaped) both are empty and reports fall back to one row per
ONNX node.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import onnx
from onnx import numpy_helper

from squeezefpga.quant.arch import ConfigError, ConvConfig, FireConfig, LayerQuant, NetConfig, PoolConfig, QuantSpec


class _Graph:
    def __init__(self, model: onnx.ModelProto):
        g = model.graph
        self.init = {i.name: i for i in g.initializer}
        self.prod = {o: n for n in g.node for o in n.output}
        self.cons = defaultdict(list)
        for n in g.node:
            for i in n.input:
                self.cons[i].append(n)
        self.g = g

    def const(self, name):
        return numpy_helper.to_array(self.init[name])

    def quant_bits(self, tensor: str) -> int:
        n = self.prod.get(tensor)
        if n is None or n.op_type != "Quant":
            raise ConfigError(f"model: tensor '{tensor}' is not produced by a Quant node")
        return int(self.const(n.input[3]))

    def attr(self, n, name, default=None):
        for a in n.attribute:
            if a.name == name:
                return onnx.helper.get_attribute_value(a)
        return default

    def only(self, tensor: str, op: str):
        c = [n for n in self.cons[tensor] if n.op_type == op]
        return c[0] if len(c) == 1 else None

    def act(self, conv, optional: bool = False) -> tuple[str, int | None]:
        """(output tensor, bits) of the conv's Relu -> Quant (or Quant) chain.
        With ``optional``, a conv feeding the global pool directly (a classifier
        without ReLU) gives (its output, None)."""
        t = conv.output[0]
        r = self.only(t, "Relu")
        if r is not None:
            t = r.output[0]
        q = self.only(t, "Quant")
        if q is None:
            if optional and r is None and self.only(t, "GlobalAveragePool") is not None:
                return t, None
            raise ConfigError(f"model: {conv.name} has no activation quantizer")
        return q.output[0], int(self.const(q.input[3]))

    def conv_info(self, conv) -> dict:
        wq = self.prod[conv.input[1]]
        w = self.const(wq.input[0])
        pads = self.attr(conv, "pads", [0, 0, 0, 0])
        return {"cout": int(w.shape[0]), "k": int(w.shape[2]),
                "stride": int(self.attr(conv, "strides", [1, 1])[0]), "pad": int(pads[0]),
                "w_bits": self.quant_bits(conv.input[1]),
                "b_bits": self.quant_bits(conv.input[2]) if len(conv.input) > 2 else None}


def load_onnx(path: str | Path) -> NetConfig:
    return _load(path, {})


def node_layers(path: str | Path) -> dict[str, str]:
    """{ONNX node name: layer name (conv1, maxpool1, fire2, global_avgpool)}."""
    return {n: v.split(".")[0] for n, v in node_names(path).items()}


def node_names(path: str | Path) -> dict[str, str]:
    """{ONNX node name: preset layer name (conv1, maxpool1, fire2.squeeze,
    fire2.expand1x1, fire2.expand3x3, fire2.bypass, fire2.concat, fire2.add,
    global_avgpool)}: the names a fold file may use for a model's nodes.
    Empty for a graph that is not SqueezeNet-shaped (any graph the golden
    model and the RTL take): its reports then have one row per ONNX node."""
    names: dict[str, str] = {}
    try:
        _load(path, names)
    except ConfigError:
        return {}
    return names


def _load(path, names: dict[str, str]) -> NetConfig:
    """``path``: an ONNX file or an in-memory ``onnx.ModelProto``."""
    if isinstance(path, onnx.ModelProto):
        model, path = path, path.graph.name or "model"
    else:
        try:
            model = onnx.load(str(path))
        except Exception as e:  # onnx raises several types for a bad file
            raise ConfigError(f"model '{path}': not a readable ONNX file ({e})") from None
    g = _Graph(model)
    x = g.g.input[0]
    shape = tuple(d.dim_value for d in x.type.tensor_type.shape.dim)[1:]
    q_in = g.only(x.name, "Quant")
    if q_in is None or len(shape) != 3:
        raise ConfigError(f"model '{path}': expected a [N, C, H, W] input and a Quant after it")
    cur, in_bits = q_in.output[0], int(g.const(q_in.input[3]))
    layers, bits, out_bits = [], {}, 8
    n_conv = n_pool = 0
    fire_no = 1
    while True:
        nxt = [n for n in g.cons[cur] if n.op_type != "Add"]
        if not nxt:
            raise ConfigError(f"model '{path}': the graph ends at '{cur}' before a global pool")
        op = nxt[0]
        if op.op_type == "GlobalAveragePool":
            q = g.only(op.output[0], "Quant")
            out_bits = int(g.const(q.input[3])) if q is not None else out_bits
            names.update({n.name: "global_avgpool" for n in (op, q) if n is not None})
            break
        if op.op_type == "MaxPool":
            n_pool += 1
            pads = g.attr(op, "pads", [0, 0, 0, 0])
            layers.append(PoolConfig(f"maxpool{n_pool}", int(g.attr(op, "kernel_shape")[0]),
                                     int(g.attr(op, "strides", [1, 1])[0]), int(pads[0]),
                                     bool(g.attr(op, "ceil_mode", 0))))
            names[op.name] = layers[-1].name
            cur = op.output[0]
            continue
        convs = [n for n in nxt if n.op_type == "Conv"]
        if len(convs) != len(nxt):
            raise ConfigError(f"model '{path}': unsupported node {nxt[0].op_type} "
                              f"({nxt[0].name})")
        fire = _match_fire(g, cur, convs)
        if fire is None:
            c = convs[0]
            n_conv += 1
            info = g.conv_info(c)
            name = f"conv{n_conv}"
            names[c.name] = name
            cur, act = g.act(c, optional=True)
            layers.append(ConvConfig(name, info["cout"], info["k"], info["stride"], info["pad"],
                                     relu=act is not None))
            bits[name] = (info["w_bits"], act, info["b_bits"])
            continue
        fire_no += 1
        layer, cur, fbits, nodes = fire
        layer = FireConfig(f"fire{fire_no}", *layer)
        names.update({n: f"{layer.name}.{role}" for role, n in nodes.items()})
        layers.append(layer)
        bits.update({f"{layer.name}.{k}": v for k, v in fbits.items()})
    return _netconfig(Path(path).stem, shape, layers, bits, in_bits, out_bits)


def _match_fire(g: _Graph, x: str, convs):
    for sq in convs:
        a, a_bits = g.act(sq, optional=True)
        if a_bits is None:
            continue
        ex = [n for n in g.cons[a] if n.op_type == "Conv"]
        if len(ex) != 2:
            continue
        outs = [g.act(e) for e in ex]
        cat = g.only(outs[0][0], "Concat")
        if cat is None or list(cat.input) != [o for o, _ in outs]:
            continue
        e1, e3 = (ex if g.conv_info(ex[0])["k"] == 1 else ex[::-1])
        i1, i3, isq = g.conv_info(e1), g.conv_info(e3), g.conv_info(sq)
        fbits = {"squeeze": (isq["w_bits"], g.act(sq)[1], isq["b_bits"]),
                 "expand1x1": (i1["w_bits"], g.act(e1)[1], i1["b_bits"]),
                 "expand3x3": (i3["w_bits"], g.act(e3)[1], i3["b_bits"])}
        out, bypass = cat.output[0], "none"
        nodes = {"squeeze": sq.name, "expand1x1": e1.name, "expand3x3": e3.name,
                 "concat": cat.name}
        add = g.only(out, "Add")
        other = [i for i in add.input if i != out][0] if add is not None else None
        byconv = [n for n in convs if n is not sq and g.act(n)[0] == other]
        if other is not None and other == x:
            bypass, out = "simple", add.output[0]
        elif byconv:
            ib = g.conv_info(byconv[0])
            fbits["bypass"] = (ib["w_bits"], g.act(byconv[0])[1], ib["b_bits"])
            bypass, out = "complex", add.output[0]
            nodes["bypass"] = byconv[0].name
        if bypass != "none":
            nodes["add"] = add.name
        return (isq["cout"], i1["cout"], i3["cout"], bypass), out, fbits, nodes
    return None


def _netconfig(name, shape, layers, bits, in_bits, out_bits) -> NetConfig:
    def common(i):
        vals = [b[i] for b in bits.values() if b[i] is not None]
        return Counter(vals).most_common(1)[0][0] if vals else 8
    w, a, b = common(0), common(1), common(2)
    overrides = []
    for lname, (wb, ab, bb) in bits.items():
        o = LayerQuant(wb if wb != w else None, ab if ab != a else None,
                       bb if bb is not None and bb != b else None)
        if o != LayerQuant():
            overrides.append((lname, o))
    quant = QuantSpec(input_bits=in_bits, weight_bits=w, act_bits=a, bias_bits=b,
                      out_bits=out_bits, overrides=tuple(overrides))
    last = layers[-1]
    ncls = last.out_channels if isinstance(last, ConvConfig) else 0
    return NetConfig(name, shape, ncls, tuple(layers), quant).validate()
