"""Random Fire networks over the golden op set, as QONNX (``fire_net(spec)``),
and a hypothesis strategy of their specs (``specs()``).

A spec is a plain dict (so failing cases can stay as ``@example``\\ s):

* ``input``: channels, height, width (odd sizes welcome), bits 8-16, signed;
* ``stem``: a K x K conv (stride, padding), weights 2-8 bits, an activation;
* ``pool``: None or a max-pool (kernel, stride, padding, ceil mode);
* ``fires``: each a squeeze 1x1, expand 1x1 and 3x3 (``expand3``: a third
  1x1 expand, i.e. a fan-out of three, concatenated in two steps), an
  optional requantizer on the concat (``requant``: a QuantIdentity at its
  own scale, bits and signedness), and a bypass: none, simple (the Fire's
  input) or complex (a 1x1 conv, ``raw``: its accumulator goes straight
  into the Add, no Quant of its own);
* ``head``: a 1x1 conv to the classes (``raw``: its accumulator feeds the
  global average pool directly), then GlobalAveragePool -> Quant -> Flatten.

An activation ``act`` = (relu, bits, signed, exp): Relu (or none) then a
Quant; without a Relu a signed activation carries negative values (signed
streams through max-pool and the joins).  Every convolution draws its own
weight width (2-8) and scale, and a bias of 8-16 bits at its own scale, so
joins see unequal scales and widths.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sim" / "golden"))
from qgraph import G  # noqa: E402


class _Net:
    def __init__(self, spec: dict):
        i = spec["input"]
        self.g = G((1, i["c"], i["h"], i["w"]))
        self.rng = np.random.default_rng(spec.get("seed", 0))

    def conv(self, x, cin, cout, k, stride=1, pad=0):
        w_bits = int(self.rng.integers(2, 9))
        m = 2 ** (w_bits - 1) - 1
        w = self.rng.integers(-m, m + 1, (cout, cin, k, k))
        b_bits = int(self.rng.integers(8, 17))
        b = self.rng.integers(-(2 ** (b_bits - 3)), 2 ** (b_bits - 3), cout)
        return self.g.conv(x, w, int(self.rng.integers(-6, 0)), w_bits=w_bits, b=b,
                           b_exp=int(self.rng.integers(-8, -1)), b_bits=b_bits,
                           stride=stride, pad=pad)

    def act(self, x, act):
        relu, bits, signed, exp = act
        if relu:
            x = self.g.node("Relu", [x])
        return self.g.quant(x, exp, bits, signed)


def fire_net(spec: dict):
    """The QONNX ModelProto of ``spec`` (see the module docstring)."""
    n = _Net(spec)
    g, i = n.g, spec["input"]
    x = g.quant(g.input, 0, i["bits"], i["signed"])
    c = i["c"]
    s = spec["stem"]
    x = n.act(n.conv(x, c, s["cout"], s["k"], s["stride"], s["pad"]), s["act"])
    c = s["cout"]
    p = spec["pool"]
    if p:
        x = g.node("MaxPool", [x], kernel_shape=[p["k"]] * 2, strides=[p["stride"]] * 2,
                   pads=[p["pad"]] * 4, ceil_mode=int(p["ceil"]))
    for f in spec["fires"]:
        sq = n.act(n.conv(x, c, f["squeeze"], 1), f["act"])
        e1 = n.act(n.conv(sq, f["squeeze"], f["e1"], 1), f["act1"])
        e3 = n.act(n.conv(sq, f["squeeze"], f["e3"], 3, pad=1), f["act3"])
        y = g.node("Concat", [e1, e3], axis=1)
        cy = f["e1"] + f["e3"]
        if f.get("expand3"):
            e = n.act(n.conv(sq, f["squeeze"], f["expand3"], 1), f["act1"])
            y = g.node("Concat", [y, e], axis=1)
            cy += f["expand3"]
        if f.get("requant"):
            bits, signed, exp = f["requant"]
            y = g.quant(y, exp, bits, signed)
        if f["bypass"] == "simple" and cy == c:
            y = g.node("Add", [y, x])
        elif f["bypass"] == "complex":
            b = n.conv(x, c, cy, 1)
            if not f.get("raw"):
                b = n.act(b, f["act"])
            y = g.node("Add", [b, y] if f.get("swap") else [y, b])
        x, c = y, cy
    h = spec["head"]
    x = n.conv(x, c, h["classes"], 1)
    if not h.get("raw"):
        x = n.act(x, h["act"])
    x = g.quant(g.node("GlobalAveragePool", [x]), h["exp"], h["bits"], True)
    out = g.node("Flatten", [x], axis=1)
    return g.model(out)


A = (True, 6, False, -2)        # Relu -> 6-bit unsigned at 2^-2
S = (False, 5, True, -1)        # no Relu: 5-bit signed at 2^-1 (negative values)
# the issue's network: a QuantIdentity on the concat (signed, coarser) feeding an
# Add with a complex bypass whose 1x1 conv accumulator joins raw; fan-out of 3
ISSUE = {"seed": 1, "input": {"c": 3, "h": 7, "w": 9, "bits": 8, "signed": False},
         "stem": {"cout": 4, "k": 3, "stride": 1, "pad": 1, "act": S},
         "pool": {"k": 3, "stride": 2, "pad": 1, "ceil": True},
         "fires": [{"squeeze": 2, "e1": 2, "e3": 3, "act": A, "act1": S, "act3": A,
                    "expand3": 2, "requant": (7, True, 0), "bypass": "complex", "raw": True,
                    "swap": False}],
         "head": {"classes": 3, "raw": True, "act": A, "bits": 12, "exp": -3}}
# the same with other weights: the head's raw accumulator (25 bits) into the global
# pool makes its quotient NB = 31 bits, NB + 1 a power of two - the case whose step
# counter wrapped in global_avgpool.v (fixed in 23f093d, found by the co-simulation)
POOL_WRAP = {**ISSUE, "seed": 3}
# a simple bypass (the Fire's input joins its own output) after a floor max-pool
SIMPLE = {"seed": 5, "input": {"c": 2, "h": 9, "w": 8, "bits": 8, "signed": True},
          "stem": {"cout": 4, "k": 3, "stride": 1, "pad": 1, "act": A},
          "pool": {"k": 2, "stride": 2, "pad": 0, "ceil": False},
          "fires": [{"squeeze": 2, "e1": 2, "e3": 2, "act": A, "act1": A, "act3": A,
                     "expand3": 0, "requant": None, "bypass": "simple", "raw": False,
                     "swap": False}],
          "head": {"classes": 4, "raw": False, "act": A, "bits": 8, "exp": -2}}


def acts(draw, relu=None):
    r = draw(st.booleans()) if relu is None else relu
    return (r, draw(st.integers(2, 16)) if draw(st.booleans()) else draw(st.integers(2, 8)),
            draw(st.booleans()) if r else True, draw(st.integers(-6, 1)))


@st.composite
def specs(draw) -> dict:
    c = draw(st.integers(1, 3))
    h, w = draw(st.integers(5, 11)), draw(st.integers(5, 11))
    k = draw(st.sampled_from([1, 3]))
    stem = {"cout": draw(st.integers(2, 6)), "k": k, "stride": draw(st.integers(1, 2)),
            "pad": draw(st.integers(0, 1)) if k == 3 else 0, "act": acts(draw)}
    pool = None
    if draw(st.booleans()):
        pk = draw(st.integers(2, 3))
        pool = {"k": pk, "stride": draw(st.integers(1, 2)), "pad": draw(st.integers(0, 1)),
                "ceil": draw(st.booleans())}
    fires = []
    for _ in range(draw(st.integers(1, 2))):
        fires.append({
            "squeeze": draw(st.integers(1, 4)), "e1": draw(st.integers(1, 4)),
            "e3": draw(st.integers(1, 4)), "act": acts(draw), "act1": acts(draw),
            "act3": acts(draw),
            "expand3": draw(st.sampled_from([0, 0, 0, 2])),
            "requant": (draw(st.integers(2, 16)), draw(st.booleans()), draw(st.integers(-6, 1)))
            if draw(st.booleans()) else None,
            "bypass": draw(st.sampled_from(["none", "simple", "complex"])),
            "raw": draw(st.booleans()), "swap": draw(st.booleans())})
    head = {"classes": draw(st.integers(2, 5)), "raw": draw(st.booleans()), "act": acts(draw),
            "bits": draw(st.integers(4, 16)), "exp": draw(st.integers(-6, 0))}
    return {"seed": draw(st.integers(0, 2 ** 16)),
            "input": {"c": c, "h": h, "w": w, "bits": draw(st.integers(8, 16)),
                      "signed": draw(st.booleans())},
            "stem": stem, "pool": pool, "fires": fires, "head": head}
