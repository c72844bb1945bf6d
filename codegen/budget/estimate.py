"""The resource budget of a folded pipeline: per layer, in total, per device.

Numbers per layer (a stem conv, pool, Fire module, classifier conv, the global
pool): information bits by kind (weights, biases, line/input buffers, FIFOs),
what they take on the target family's memories (``Mapping``), multipliers (in
DSPs and in LUTs), DSPs, LUTs and flip-flops (each op's ``luts``/``ffs`` +
its memories' LUT RAM and logic, ``memory_luts``), and the cycles per frame
of the layer's slowest op.  The pipeline's
cycles per frame is the slowest layer's (a dataflow pipeline starts a new frame
every that many cycles).

The ops are the hardware op objects (``codegen/hwops``) of the RTL netlist
``squeezefpga build --backend rtl`` writes: for a model its own netlist
(``model_ops``); for a network description the netlist of the weightless
graph ``codegen/qonnx/config_graph`` makes of it, which has the exported
model's nodes, names and bit widths (``config_ops``).  So a config, its
exported model and its RTL directory go through one pipeline builder with one
fold; only the scales differ (a config's are nominal: joins need no
alignment, biases sit at the product scale; trained scales add a few bits
where they do, see ``codegen/qonnx/exponent_sites``).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

from squeezefpga.quant.arch import NetConfig

from ..hwops import devices
from ..hwops.memory import Mapping, dsp_per_multiplier, map_memory
from ..hwops.base import HwOp, ceil_div

KINDS = ("weight", "bias", "buffer", "fifo")
RESOURCES = ("bram18_equiv", "uram", "dsp", "lutram_bits", "luts")
# LUTs one LUT-RAM cell occupies: Xilinx cells count their LUTs in the mapping
# (lutram_luts); an ECP5 TRELLIS_DPR16X4 is a 16x4 RAM in two slices' 4 LUT4s
LUTRAM_CELL_LUTS = {"xilinx": 1, "ecp5": 4}
# a ROM / register array left to logic: entries one LUT decodes (LUT6 / LUT4)
LUT_ENTRIES = {"xilinx": 64, "ecp5": 16}
# LUTs per input of the multiplexer that joins a memory's banks (words deeper than one
# primitive) after the read (Mapping.read_mux_bits).  ECP5: 1.0, least squares with
# the LUT-product coefficients of ConvMvu on 46 synth_ecp5 conv_mvu engines (banked
# weight ROMs and input buffers); Xilinx: left in its fitted coefficients (0)
READ_MUX_LUTS = {"xilinx": 0.0, "ecp5": 1.0}


def memory_luts(mem, mp: Mapping, family: str) -> tuple[int, int]:
    """(LUTs, flip-flops) of one memory as mapped: its LUT-RAM cells, or when
    left to logic a ROM's decoder (one LUT per LUT_ENTRIES words per bit, the
    wide multiplexers in MUXF7/F8 / PFUMX cells) or a RAM's registers and read
    multiplexer (a 4:1 per LUT6, 2:1 per LUT4 level); plus the multiplexer that
    joins a RAM / ROM's banks after the read (READ_MUX_LUTS)."""
    luts = mp.lutram_luts * LUTRAM_CELL_LUTS[family]
    luts += math.floor(READ_MUX_LUTS[family] * mp.read_mux_bits + 0.5)
    if not mp.logic_bits:
        return luts, 0
    if mem.rom:
        words = ceil_div(mem.depth, LUT_ENTRIES[family])
        return luts + mem.width * words, 0
    per = 4 if family == "xilinx" else 2
    return luts + mem.width * ceil_div(mem.depth - 1, per - 1), mem.width * mem.depth


@dataclass
class LayerBudget:
    name: str
    bits: dict[str, int] = field(default_factory=lambda: {k: 0 for k in KINDS})
    mapping: Mapping = field(default_factory=Mapping)
    by_kind: dict[str, Mapping] = field(default_factory=lambda: {k: Mapping() for k in KINDS})
    multipliers: int = 0
    lut_multipliers: int = 0   # of ``multipliers``, those in LUTs (mul_lut)
    dsp: int = 0
    luts: int = 0              # logic + LUT RAM (memory_luts)
    ffs: int = 0
    cycles: int = 0

    def add(self, o: "LayerBudget") -> None:
        for k in KINDS:
            self.bits[k] += o.bits[k]
            self.by_kind[k] += o.by_kind[k]
        self.mapping += o.mapping
        for k in ("multipliers", "lut_multipliers", "dsp", "luts", "ffs"):
            setattr(self, k, getattr(self, k) + getattr(o, k))
        self.cycles = max(self.cycles, o.cycles)

    def as_dict(self) -> dict:
        m = self.mapping
        eff = m.efficiency
        return {"name": self.name, "weight_bits": self.bits["weight"],
                "bias_bits": self.bits["bias"], "buffer_bits": self.bits["buffer"],
                "fifo_bits": self.bits["fifo"], "bram18_equiv": m.bram18_equiv,
                "bram18": m.bram18, "bram36": m.bram36, "dp16kd": m.dp16kd, "uram": m.uram,
                "lutram_bits": m.lutram_bits, "lutram_luts": m.lutram_luts,
                "logic_bits": m.logic_bits,
                "packing_efficiency": None if eff is None else round(eff, 4),
                "multipliers": self.multipliers, "lut_multipliers": self.lut_multipliers,
                "dsp": self.dsp, "luts": self.luts, "ffs": self.ffs,
                "cycles_per_frame": self.cycles}


@dataclass
class Budget:
    config: str
    family: str
    fold: dict
    layers: list[LayerBudget]
    total: LayerBudget
    ops: list[HwOp]
    uram: bool = False
    rows: dict | None = None  # {op.layer: report row}
    choice: dict | None = None  # how a device-aware / rate fold was chosen (device_fold)

    @property
    def cycles(self) -> int:
        return self.total.cycles

    @property
    def limit(self) -> float:
        """The share of a device a fit may use: the device fold's utilization, else 1."""
        return (self.choice or {}).get("utilization", 1.0)

    @property
    def onchip_bits(self) -> int:
        return sum(self.total.bits.values())

    def fit(self, dev: devices.Device, limit: float | dict = 1.0) -> dict:
        """{"fits", "binding", "utilization": {resource: used / available}, "used",
        "available"}; fits: every utilization at most ``limit`` (one share, or
        {resource: share}); binding: the resource furthest over / nearest its limit."""
        b = self if dev.family == self.family else estimate_ops(
            self.config, self.ops, self.fold, dev.family, self.uram and dev.uram > 0, self.rows)
        m = b.total.mapping
        used = {"bram18_equiv": m.bram18_equiv, "uram": m.uram, "dsp": b.total.dsp,
                "lutram_bits": m.lutram_luts * 64, "luts": b.total.luts}
        cap = dev.capacity()
        util = {}
        for r in RESOURCES:
            util[r] = (used[r] / cap[r]) if cap[r] else (0.0 if used[r] == 0 else float("inf"))
        lim = limit if isinstance(limit, dict) else {r: limit for r in RESOURCES}
        binding = max(RESOURCES, key=lambda r: util[r] / lim[r])
        return {"fits": all(util[r] <= lim[r] for r in RESOURCES), "binding": binding,
                "utilization": {r: round(v, 4) for r, v in util.items()},
                "used": used, "available": cap}

    def as_dict(self, devs: list[devices.Device] = ()) -> dict:
        out = {"config": self.config, "family": self.family,
               "layers": [l.as_dict() for l in self.layers],
               "total": self.total.as_dict(), "fold": self.fold}
        out["total"]["name"] = "total"
        out["devices"] = {d.name: self.fit(d, self.limit) for d in devs}
        if self.choice:
            out["fold_choice"] = self.choice
        return out


def op_budget(op: HwOp, family: str, uram: bool = False) -> LayerBudget:
    """The resources of one op (a row of its own)."""
    return _layer_of(op, op.layer, family, uram)


def _layer_of(op: HwOp, row: str, family: str, uram: bool) -> LayerBudget:
    lb = LayerBudget(row)
    lb.luts, lb.ffs = op.luts(family), op.ffs(family)
    for mem in op.memories():
        mp = map_memory(mem, family, uram)
        lb.bits[mem.kind] += mem.stored_bits
        lb.by_kind[mem.kind] += mp
        lb.mapping += mp
        luts, ffs = memory_luts(mem, mp, family)
        lb.luts += luts
        lb.ffs += ffs
    for mu in op.multipliers():
        lb.multipliers += mu.count if mu.mac else 0
        lb.lut_multipliers += mu.count if mu.mac and mu.lut else 0
        lb.dsp += 0 if mu.lut else (mu.count // mu.per_dsp
                                    * dsp_per_multiplier(mu.a, mu.b, mu.y, family))
    lb.cycles = op.cycles()
    return lb


def estimate_ops(name: str, ops: list[HwOp], fold: dict, family: str,
                 uram: bool = False, rows: dict | None = None) -> Budget:
    """Budget of ``ops``, one report row per ``rows[op.layer]`` (default: the layer)."""
    by_row: dict[str, LayerBudget] = {}
    for op in ops:
        row = (rows or {}).get(op.layer, op.layer)
        by_row.setdefault(row, LayerBudget(row)).add(_layer_of(op, row, family, uram))
    total = LayerBudget("total")
    for r in by_row.values():
        total.add(r)
    return Budget(name, family, fold, list(by_row.values()), total, ops, uram, rows)


def model_ops(model_path, fold=None, target: int | None = None):
    """(ops, fold, {node: report row}) of the RTL ``squeezefpga build --backend
    rtl`` writes for ``model_path`` (fold: None/"auto" or a fold dict; target:
    cycles per frame of the automatic fold): the netlist's op objects."""
    from ..qonnx import prepare
    from ..rtl.project import netlist, preset_names
    from .onnx_input import node_layers

    model = prepare(model_path)
    ops, _, _, fold = netlist(model, fold, target, preset_names(model_path, model, fold))
    return ops, fold, node_layers(model_path)


@functools.lru_cache(maxsize=4)
def _prepared(cfg: NetConfig):
    """(prepared weightless graph, {node: preset name}) of ``cfg``; kept for the
    next call, as a sweep over fold targets budgets one config many times."""
    from ..qonnx import PASSES, prepare
    from ..qonnx.config_graph import config_graph

    graph = config_graph(cfg)
    names = config_names(cfg, graph.model)
    # the graph is clean by construction (qonnx's clean-up leaves it unchanged,
    # tests/codegen/qonnx), so the costly clean-up pass is skipped
    return prepare(graph, PASSES[1:]), names


def config_ops(cfg: NetConfig, fold=None, target: int | None = None):
    """``model_ops`` of the weightless graph of ``cfg`` (no file, no torch)."""
    from ..rtl.project import netlist

    model, names = _prepared(cfg)
    ops, _, _, fold = netlist(model, fold, target, names)
    return ops, fold, {n: v.split(".")[0] for n, v in names.items()}


def config_names(cfg: NetConfig, model) -> dict[str, str]:
    """{node: preset name} with the config's own layer names (the graph reader
    numbers stand-alone convs conv1, conv2, ...; the preset may say conv10)."""
    from .onnx_input import load_onnx, node_names

    read = load_onnx(model).layers
    rename = {r.name: l.name for r, l in zip(read, cfg.layers)}
    out = {}
    for node, name in node_names(model).items():
        layer, dot, role = name.partition(".")
        out[node] = rename.get(layer, layer) + dot + role
    return out


def estimate(cfg: NetConfig, fold: dict | None = None, family: str = "xilinx",
             target: int | None = None, uram: bool = False) -> Budget:
    """Budget of ``cfg``'s RTL with ``fold`` (None: the automatic fold to
    ``target`` cycles per frame), as ``build --backend rtl`` folds its model."""
    ops, fold, rows = config_ops(cfg, fold, target)
    return estimate_ops(cfg.name, ops, fold, family, uram, rows)


def rtl_dir_ops(rtl_dir, model_path=None):
    """(ops, fold, {node: report row}, model name) of a generated RTL directory:
    the netlist of its model (``model.onnx`` next to it or one level up, as
    ``build`` writes it) with the fold of its ``manifest.json``."""
    import json
    from pathlib import Path

    from ..errors import CliError

    rtl = Path(rtl_dir)
    cands = [model_path] if model_path else [rtl / "model.onnx", rtl.parent / "model.onnx"]
    model = next((Path(m) for m in cands if Path(m).is_file()), None)
    try:
        manifest = json.loads((rtl / "manifest.json").read_text())
        fold = manifest["fold"]
    except (OSError, ValueError, KeyError) as e:
        raise CliError(f"{rtl}: not a generated RTL directory ({e})") from None
    if model is None:
        raise CliError(f"{rtl}: no model.onnx next to it (build writes DIR/model.onnx)")
    ops, fold, rows = model_ops(model, fold)
    return ops, fold, rows, manifest.get("model", rtl.name)
