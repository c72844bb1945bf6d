"""The hls4ml configuration: exact precisions (precision.py) and per-layer
ReuseFactor from the fold file (``codegen/hwops/foldfile.py``: ``reuse`` of
an entry named by ONNX node, preset layer or hls4ml layer; ``default_reuse``,
``strategy``)."""
from __future__ import annotations

from ..errors import CliError
from ..hwops.foldfile import Fold
from .precision import derive, hls_name



def hls_config(model, fold: Fold | None = None, names: dict[str, str] | None = None) -> dict:
    """hls4ml config dict: every layer named, every precision explicit.
    ``names``: {ONNX node: preset layer name} for reuse entries named by layer."""
    fold = fold or Fold()
    layers, _ = derive(model)
    by_onnx = {n.name: hls_name(n) for n in model.graph.node}
    by_onnx.update({preset: by_onnx[node] for node, preset in (names or {}).items()
                    if node in by_onnx})
    reuse = {by_onnx.get(k, k): v for k, v in fold.reuse().items()}
    unknown = [k for k in reuse if k not in layers]
    if unknown:
        raise CliError(f"fold: no layer named '{unknown[0]}'")
    for name, cfg in layers.items():
        cfg["ReuseFactor"] = reuse.get(name, fold.default_reuse)
    return {"Model": {"Precision": "fixed<1,1>", "ReuseFactor": fold.default_reuse,
                      "Strategy": fold.strategy, "BramFactor": 1_000_000_000},
            "LayerName": layers}
