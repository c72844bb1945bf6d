"""Where a QONNX graph's power-of-two exponents cost hardware width.

``exponent_sites(model)`` lists, in node order, every place where the
exponents of a graph (not its bit widths) decide a shift the dataflow must
carry (golden semantics, sim/golden/README.md):

- a Conv: products at ``e_x + e_w``, bias at ``e_b``, accumulator at the
  finer ``e_acc = min(e_x + e_w, e_b)``; ``prod_shift = e_x + e_w - e_acc``
  widens the accumulator, ``bias_shift = e_b - e_acc`` widens the bias word;
- a Concat / Add: inputs aligned to the finest; ``shift = max - min`` of the
  input exponents widens the finer-aligned stream (and its FIFOs).

The config graph (config_graph.py) is zero at every site by construction;
``compare_sites`` pairs two structurally identical graphs site by site.
"""
from __future__ import annotations

from .graph import is_quant, quant_params

PASS_THROUGH = ("Relu", "MaxPool", "Flatten", "Identity", "Reshape", "Transpose")


def exponent_sites(model) -> list[dict]:
    """[{node, op, ...exponents, shift(s)}] for every Conv, Concat and Add."""
    exp: dict[str, int] = {}
    sites = []
    for n in model.graph.node:
        if is_quant(n):
            exp[n.output[0]] = quant_params(model, n).exp
        elif n.op_type in PASS_THROUGH and n.input[0] in exp:
            exp[n.output[0]] = exp[n.input[0]]
        elif n.op_type == "Conv":
            e_x, e_w = exp[n.input[0]], exp[n.input[1]]
            e_b = exp[n.input[2]] if len(n.input) > 2 else e_x + e_w
            acc = min(e_x + e_w, e_b)
            exp[n.output[0]] = acc
            sites.append({"node": n.name, "op": "Conv", "e_x": e_x, "e_w": e_w, "e_b": e_b,
                          "prod_shift": e_x + e_w - acc, "bias_shift": e_b - acc})
        elif n.op_type in ("Concat", "Add"):
            ins = [exp[t] for t in n.input]
            exp[n.output[0]] = min(ins)
            sites.append({"node": n.name, "op": n.op_type, "e_in": ins,
                          "shift": max(ins) - min(ins)})
    return sites


def site_shift(site: dict) -> int:
    """The widening a site costs: the join shift, or a conv's product shift."""
    return site["shift"] if "shift" in site else site["prod_shift"]


def compare_sites(nominal, actual) -> list[dict]:
    """Site by site (same node names): nominal and actual shifts."""
    got = {s["node"]: s for s in exponent_sites(actual)}
    rows = []
    for s in exponent_sites(nominal):
        a = got[s["node"]]
        row = {"node": s["node"], "op": s["op"], "nominal": site_shift(s), "actual": site_shift(a)}
        if s["op"] == "Conv":
            row["actual_bias_shift"] = a["bias_shift"]
        else:
            row["actual_e_in"] = a["e_in"]
        rows.append(row)
    return rows
