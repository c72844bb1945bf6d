"""The fold file: one format for every path (``build --rtl-fold``, ``budget
--fold``, a config or a model).

A TOML or JSON table ``{name: {pe = P, simd = S}}`` for a convolution and
``{name: {lanes = L}}`` for a max-pool, concat, add or the global pool.
Names are ONNX node names, or the preset layer names of the network
description (``conv1``, ``fire2.squeeze``, ``fire2.expand1x1``,
``fire2.expand3x3``, ``fire2.bypass``, ``maxpool1``, ``fire2.concat``,
``fire2.add``, ``global_avgpool``) which the model path maps onto its nodes
(``codegen/budget/onnx_input.node_names``).  Missing entries: PE = SIMD = 1,
lanes = the incoming stream's.  Whoever applies a fold rejects names it does
not know and values the op cannot take (``FoldError``, one line naming the
entry).
"""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

from .base import FoldError

KEYS = {"pe", "simd", "lanes"}


def check_entries(fold: dict, where: str = "fold") -> dict:
    """Every entry a table of pe/simd or lanes, positive integers."""
    if not isinstance(fold, dict):
        raise FoldError(f"{where}: a fold is a table of entries, got {type(fold).__name__}")
    for name, entry in fold.items():
        if not isinstance(entry, dict) or not entry or not set(entry) <= KEYS or (
                "lanes" in entry and len(entry) > 1):
            raise FoldError(f"{where}: entry '{name}' must be a table with pe/simd "
                            f"(convolutions) or lanes (pools, concat, add)")
        for k, v in entry.items():
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise FoldError(f"{where}: {name}.{k} = {v!r} must be a positive integer")
    return fold


def load_fold(path: str | Path) -> dict:
    """Read and check a TOML or JSON fold file."""
    p = Path(path)
    try:
        text = p.read_text()
        data = json.loads(text) if p.suffix == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as e:
        raise FoldError(f"fold file '{path}': {e}") from None
    return check_entries(data, f"fold file '{path}'")
