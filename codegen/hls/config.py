"""The hls4ml configuration: exact precisions (precision.py) and per-layer
ReuseFactor from a folding file.

Folding file (TOML)::

    default_reuse = 1          # optional
    strategy = "Latency"       # optional: "Latency" or "Resource"
    [reuse]
    Conv_3 = 4                 # ONNX node name (or hls4ml layer name) -> ReuseFactor
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from ..errors import CliError
from .precision import derive, hls_name

DEFAULT_REUSE = 1
STRATEGIES = ("Latency", "Resource")


def load_fold(path: str | Path | None) -> dict:
    if path is None:
        return {}
    try:
        fold = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise CliError(f"{path}: cannot read folding file: {e}") from None
    unknown = set(fold) - {"default_reuse", "strategy", "reuse"}
    if unknown:
        raise CliError(f"{path}: unknown key '{sorted(unknown)[0]}' (known: default_reuse, strategy, reuse)")
    for k, v in [("default_reuse", fold.get("default_reuse", 1)), *fold.get("reuse", {}).items()]:
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise CliError(f"{path}: reuse factor {k} = {v!r} must be a positive integer")
    if fold.get("strategy", "Latency") not in STRATEGIES:
        raise CliError(f"{path}: strategy = {fold['strategy']!r} is not one of {', '.join(STRATEGIES)}")
    return fold


def hls_config(model, fold: dict | None = None) -> dict:
    """hls4ml config dict: every layer named, every precision explicit."""
    fold = fold or {}
    layers, _ = derive(model)
    by_onnx = {n.name: hls_name(n) for n in model.graph.node}
    reuse = {by_onnx.get(k, k): v for k, v in fold.get("reuse", {}).items()}
    unknown = [k for k in reuse if k not in layers]
    if unknown:
        raise CliError(f"folding: no layer named '{unknown[0]}'")
    default = fold.get("default_reuse", DEFAULT_REUSE)
    for name, cfg in layers.items():
        cfg["ReuseFactor"] = reuse.get(name, default)
    return {"Model": {"Precision": "fixed<1,1>", "ReuseFactor": default,
                      "Strategy": fold.get("strategy", "Latency"), "BramFactor": 1_000_000_000},
            "LayerName": layers}
