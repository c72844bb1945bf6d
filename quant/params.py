"""Per-layer output shapes, parameter counts and MACs of a NetConfig (no torch).

Rows follow the paper's Table 1: one per stem conv, pool, Fire module (its
squeeze, expand and bypass convolutions together), the classifier conv and the
final global average pool.  Parameters include biases; MACs count the
multiply-accumulates of convolutions only.
"""
from __future__ import annotations

from dataclasses import dataclass

from .arch import ConvConfig, FireConfig, NetConfig, PoolConfig, layer_shapes


@dataclass(frozen=True)
class LayerCount:
    name: str
    out_shape: tuple[int, int, int]
    params: int
    macs: int

    def as_dict(self) -> dict:
        return {"name": self.name, "out_shape": list(self.out_shape), "params": self.params,
                "macs": self.macs}


def conv_counts(cin: int, cout: int, k: int, hw_out: int) -> tuple[int, int]:
    """(params incl. bias, MACs) of one convolution."""
    return cout * cin * k * k + cout, cout * cin * k * k * hw_out


def count(cfg: NetConfig) -> list[LayerCount]:
    rows = []
    for layer, (cin, _, _), out in layer_shapes(cfg):
        hw = out[1] * out[2]
        if isinstance(layer, ConvConfig):
            p, m = conv_counts(cin, layer.out_channels, layer.kernel, hw)
        elif isinstance(layer, PoolConfig):
            p, m = 0, 0
        else:
            assert isinstance(layer, FireConfig)
            parts = [conv_counts(cin, layer.s1x1, 1, hw),
                     conv_counts(layer.s1x1, layer.e1x1, 1, hw),
                     conv_counts(layer.s1x1, layer.e3x3, 3, hw)]
            if layer.bypass == "complex":
                parts.append(conv_counts(cin, layer.out_channels, 1, hw))
            p, m = sum(x[0] for x in parts), sum(x[1] for x in parts)
        rows.append(LayerCount(layer.name, out, p, m))
    c = cfg.layers[-1].out_channels
    rows.append(LayerCount("global_avgpool", (c, 1, 1), 0, 0))
    return rows


def summary(cfg: NetConfig) -> dict:
    rows = count(cfg)
    return {"layers": [r.as_dict() for r in rows],
            "total_params": sum(r.params for r in rows),
            "total_macs": sum(r.macs for r in rows)}


def format_table(cfg: NetConfig) -> str:
    s = summary(cfg)
    lines = [f"{'layer':<16}{'output (CxHxW)':>18}{'params':>12}{'MACs':>16}"]
    for r in s["layers"]:
        shp = "x".join(str(v) for v in r["out_shape"])
        lines.append(f"{r['name']:<16}{shp:>18}{r['params']:>12,}{r['macs']:>16,}")
    lines.append(f"{'total':<16}{'':>18}{s['total_params']:>12,}{s['total_macs']:>16,}")
    return "\n".join(lines)
