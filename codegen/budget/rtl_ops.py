"""The as-built pipeline of a QONNX model: RTL netlist instances -> hwops ops.

For a ``MODEL.onnx`` the budget estimates what ``squeezefpga build
--backend rtl`` generates, not a re-derivation of it: the RTL backend's
netlist (``codegen/rtl``, with its automatic fold, a fold file or a cycle
target) or the ``manifest.json`` of a generated directory gives every
instance with its parameters, and each becomes the hwops op of its module.
So the estimate has the RTL's fold, its weight widths (``W_W`` includes the
pre-shift that aligns the products to a finer bias), its proven accumulator
widths, its lane converters and every branch / frame / burst FIFO.  From the
ROM contents it also knows which bit columns yosys keeps (``live_columns``).
Report rows are the NetConfig layer names (conv1, fire2, ...;
``onnx_input.node_layers``) of the ONNX nodes the instances belong to.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..hwops.memory import Memory
from ..hwops.ops import (ConvEngine, Fifo, GlobalAvgPool, HwOp, LaneConv, MaxPool, Stream,
                         WindowGen)


@dataclass
class BuiltConv(ConvEngine):
    """conv_mvu with the netlist's accumulator width (the proven range) and the
    live columns of its ROMs: yosys (``opt_mem``) drops bit columns that are
    constant in every word, e.g. the zero low bits of weights pre-shifted to a
    finer bias, so the weight ROM it maps is ``wrom_live`` bits wide and the
    bias ROM (a synchronous ROM of NF words, ConvEngine) ``brom_live``."""

    acc_bits: int = 0
    wrom_live: int | None = None
    brom_live: int | None = None
    acc_w = property(lambda s: s.acc_bits)

    def memories(self) -> list[Memory]:
        out = []
        for m in super().memories():
            if m.kind == "weight" and self.wrom_live is not None:
                m = replace(m, width=self.wrom_live)
            elif m.kind == "bias" and self.nf > 1 and self.brom_live is not None:
                m = replace(m, width=self.brom_live)
            out.append(m)
        return out


def _bias_words(bias, width: int, pe: int) -> list[int]:
    """conv_mvu bias ROM words: PE lanes of ``width`` bits (emit.py's packing)."""
    vals = [int(v) & ((1 << width) - 1) for v in bias]
    vals += [0] * (-len(vals) % pe)
    return [sum(v << (i * width) for i, v in enumerate(vals[n:n + pe]))
            for n in range(0, len(vals), pe)]


def live_columns(words: list[int], width: int) -> int:
    """Bit columns of a ROM that are not the same in every word."""
    ones, zeros = 0, 0
    mask = (1 << width) - 1
    for w in words:
        ones |= w
        zeros |= ~w & mask
    return bin(ones & zeros).count("1")


def _op(row: dict, layer: str) -> HwOp | None:
    m, p, name = row["module"], row["params"], row["name"]
    oh, ow = row["out_hw"]
    if m == "conv_mvu":
        return BuiltConv(name, layer, cin=p["CIN"], cout=p["COUT"], k=p["K"], out_hw=(oh, ow),
                         pe=p["PE"], simd=p["SIMD"], in_w=p["IN_W"],
                         in_signed=bool(p["IN_SIGNED"]), w_w=p["W_W"], bias=bool(p["USE_BIAS"]),
                         bias_w=p["ACC_W"], acc_bits=p["ACC_W"], wrom_live=row.get("wrom_live"),
                         brom_live=row.get("brom_live"))
    if m in ("window_gen", "maxpool"):
        kw = dict(h=p["H"], w=p["W"], c=p["C"], lanes=p["LANES"], data_w=p["DATA_W"], k=p["K"],
                  s=p["S"], pads=(p["PAD_T"], p["PAD_L"], p["PAD_B"], p["PAD_R"]))
        if m == "window_gen":
            return WindowGen(name, layer, **kw)
        return MaxPool(name, layer, out_hw=(oh, ow), ceil_mode=bool(p["CEIL_MODE"]), **kw)
    if m == "global_avgpool":
        return GlobalAvgPool(name, layer, h=p["H"], w=p["W"], c=p["C"], lanes=p["LANES"],
                             in_w=p["IN_W"], out_w=p["OUT_W"], shift=p["SHIFT"])
    if m == "axis_fifo":
        if not p["DEPTH"]:
            return None  # a wire
        return Fifo(name, layer, data_w=p["DATA_W"], min_beats=p["DEPTH"])
    cls = LaneConv if m == "axis_lane_conv" else Stream
    return cls(name, layer, row["cycles"], m, dict(p))


def ops_from_rows(rows: list[dict], layers: dict[str, str] | None = None) -> list[HwOp]:
    """Rows ``{name, module, layer, params, out_hw, cycles}`` -> ops in stream order."""
    layers = layers or {}
    ops = []
    for r in rows:
        op = _op(r, layers.get(r["layer"], r["layer"]))
        if op is not None:
            ops.append(op)
    return ops


def rows_from_manifest(manifest: dict, rtl_dir: str | Path | None = None) -> list[dict]:
    """The instance rows of a generated RTL directory's ``manifest.json``; with
    ``rtl_dir`` the weight ROMs' live widths come from their ``mem/*.hex``."""
    rows = []
    for r in manifest["instances"]:
        row = {"name": r["name"], "module": r["module"], "layer": r["layer"],
               "params": r["params"], "out_hw": tuple(r["out"][0]["shape_hwc"][:2]),
               "cycles": r.get("cycles_per_frame", 0)}
        p = r["params"]
        if r["module"] == "conv_mvu" and rtl_dir is not None:
            for key, live, width in (("WEIGHT_FILE", "wrom_live", p["PE"] * p["SIMD"] * p["W_W"]),
                                     ("BIAS_FILE", "brom_live", p["PE"] * p["ACC_W"])):
                if p.get(key):
                    words = [int(x, 16) for x in (Path(rtl_dir) / p[key]).read_text().split()]
                    row[live] = live_columns(words, width)
        rows.append(row)
    return rows


def rows_from_netlist(insts) -> list[dict]:
    """The same rows from ``codegen.rtl.project.netlist`` instances (no files)."""
    rows = []
    for i in insts:
        row = {"name": i.name, "module": i.module, "layer": i.layer, "params": dict(i.params),
               "out_hw": (i.outs[0][1].h, i.outs[0][1].w), "cycles": i.info.get("cycles", 0)}
        if "WEIGHT_FILE" in i.roms:
            _, w, w_w, pe, simd = i.roms["WEIGHT_FILE"]
            p = i.params
            eng = ConvEngine(i.name, i.layer, cin=p["CIN"], cout=p["COUT"], k=p["K"], pe=pe,
                             simd=simd, w_w=w_w)
            row["wrom_live"] = live_columns(eng.pack_weights(w), pe * simd * w_w)
        if "BIAS_FILE" in i.roms:
            _, b, acc_w, pe, _ = i.roms["BIAS_FILE"]
            row["brom_live"] = live_columns(_bias_words(b, acc_w, pe), pe * acc_w)
        rows.append(row)
    return rows


def model_ops(model_path: str | Path, fold=None, target: int | None = None):
    """(ops, fold) of the RTL ``squeezefpga build --backend rtl`` would write for
    ``model_path`` (fold: None/"auto" or an RTL fold dict; target: cycles)."""
    from ..qonnx import prepare
    from ..rtl.project import netlist
    from .onnx_input import node_layers

    insts, _, _, fold = netlist(prepare(model_path), fold, target)
    return ops_from_rows(rows_from_netlist(insts), node_layers(model_path)), fold
