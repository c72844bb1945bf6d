"""The fold file: one format and one loader for every path (``build --fold`` /
``--rtl-fold``, ``budget --fold``, a config or a model, the RTL and the hls4ml
project).

A TOML or JSON table of entries, one per node::

    default_reuse = 1          # optional: hls4ml ReuseFactor of unnamed layers
    strategy = "Latency"       # optional: hls4ml strategy, "Latency" or "Resource"
    [Conv_3]                   # a convolution: conv_mvu PE x SIMD, hls4ml ReuseFactor
    pe = 4
    simd = 2
    reuse = 8
    mult = "lut"               # optional: products in LUTs ("lut") or DSP blocks ("dsp")
    [maxpool1]                 # a max-pool, concat, add or the global pool
    lanes = 2

Names are ONNX node names, or the preset layer names of the network
description (``conv1``, ``fire2.squeeze``, ``fire2.expand1x1``,
``fire2.expand3x3``, ``fire2.bypass``, ``maxpool1``, ``fire2.concat``,
``fire2.add``, ``global_avgpool``) which the model path maps onto its nodes
(``codegen/budget/onnx_input.node_names``); ``reuse`` entries may also use
hls4ml layer names.  Missing entries: PE = SIMD = 1, lanes = the incoming
stream's, ReuseFactor ``default_reuse``, ``mult`` the default policy
(``hwops.conv.default_mult``: narrow products in LUTs).  Whoever applies a fold rejects names
it does not know and values the op cannot take (``FoldError``, one line naming
the entry).
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .base import FoldError

ENGINE_KEYS = {"pe", "simd", "lanes", "mult"}
KEYS = ENGINE_KEYS | {"reuse"}
MULT_STYLES = ("dsp", "lut", "pack")   # conv_mvu MULT_STYLE 0 / 1 / 2
STRATEGIES = ("Latency", "Resource")


def _positive(where: str, name: str, v) -> None:
    if not isinstance(v, int) or isinstance(v, bool) or v < 1:
        raise FoldError(f"{where}: {name} = {v!r} must be a positive integer")


def check_entries(fold: dict, where: str = "fold") -> dict:
    """Every entry a table of pe/simd/reuse/mult or lanes, positive integers
    (``mult``: "dsp", "lut" or "pack")."""
    if not isinstance(fold, dict):
        raise FoldError(f"{where}: a fold is a table of entries, got {type(fold).__name__}")
    for name, entry in fold.items():
        if not isinstance(entry, dict) or not entry or not set(entry) <= KEYS or (
                "lanes" in entry and len(entry) > 1):
            raise FoldError(f"{where}: entry '{name}' must be a table with pe/simd/reuse/mult "
                            f"(convolutions) or lanes (pools, concat, add)")
        for k, v in entry.items():
            if k == "mult":
                if v not in MULT_STYLES:
                    raise FoldError(f"{where}: {name}.mult = {v!r} must be one of "
                                    f"{', '.join(map(repr, MULT_STYLES))}")
            else:
                _positive(where, f"{name}.{k}", v)
    return fold


@dataclass(frozen=True)
class Fold:
    """A loaded fold file: ``entries`` {name: {pe, simd, reuse, mult} | {lanes}} and
    the hls4ml options."""

    entries: dict = field(default_factory=dict)
    default_reuse: int = 1
    strategy: str = "Latency"

    def engines(self) -> dict:
        """{name: {pe, simd, mult} | {lanes}}: what the RTL netlist applies."""
        out = {n: {k: v for k, v in e.items() if k in ENGINE_KEYS} for n, e in self.entries.items()}
        return {n: e for n, e in out.items() if e}

    def reuse(self) -> dict[str, int]:
        """{name: hls4ml ReuseFactor} of the entries that give one."""
        return {n: e["reuse"] for n, e in self.entries.items() if "reuse" in e}


def load_fold(path: str | Path | None) -> Fold:
    """Read and check a TOML or JSON fold file (None: the empty fold)."""
    if path is None:
        return Fold()
    p = Path(path)
    where = f"fold file '{path}'"
    try:
        text = p.read_text()
        data = json.loads(text) if p.suffix == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as e:
        raise FoldError(f"{where}: {e}") from None
    if not isinstance(data, dict):
        raise FoldError(f"{where}: a fold is a table of entries, got {type(data).__name__}")
    default_reuse = data.pop("default_reuse", 1)
    strategy = data.pop("strategy", "Latency")
    _positive(where, "default_reuse", default_reuse)
    if strategy not in STRATEGIES:
        raise FoldError(f"{where}: strategy = {strategy!r} is not one of {', '.join(STRATEGIES)}")
    return Fold(check_entries(data, where), default_reuse, strategy)
