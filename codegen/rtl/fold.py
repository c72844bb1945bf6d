"""Folding of the RTL dataflow: PE/SIMD per Conv, lanes per pool / concat / GAP.

A fold is ``{ONNX node name: {"pe": P, "simd": S}}`` for Conv nodes and
``{name: {"lanes": L}}`` for StreamMaxPool, Concat and QuantGlobalAveragePool
nodes (an Add takes its first input's lanes).  Missing entries: PE = SIMD = 1,
lanes = the incoming stream's.

Names: ONNX nodes (``by_node`` maps the preset layer names of a fold file
onto them); the netlist rejects unknown names and values an op cannot take.

``auto_fold`` balances the pipeline FINN-style.  The target T is the fewest
cycles per frame the slowest op can reach at full parallelism (a K x K conv:
K*K cycles per output pixel; a pool: K*K window beats per output pixel; a
concat: 2 beats per pixel; the GAP: its divider), then every op gets the
smallest parallelism that meets T: PE divides COUT and SIMD divides CIN (no
padding lanes), lanes divide the channels.  Lane converters between ops move
max(ceil(C/IN), ceil(C/OUT)) beats per pixel, never more than their
neighbours, so they never set the rate.

``reuse_fold`` maps hls4ml ReuseFactors onto the engines (the HLS project's
folding): a Conv with ReuseFactor R does its K*K*CIN*COUT products per
output pixel on K*K*CIN*COUT/R multipliers in R cycles (hls4ml io_stream);
conv_mvu takes ceil(COUT/PE) * K*K * ceil(CIN/SIMD) cycles per pixel, so it
gets the fewest PE*SIMD (divisors) that need at most R cycles per pixel —
the same multipliers where R divides evenly.  R below K*K (more than one
window position per cycle, which conv_mvu does not do) becomes the full
PE = COUT, SIMD = CIN.  Pools, concats and the GAP get the fewest lanes that
keep up with the slowest conv.
"""
from __future__ import annotations

from ..hwops.conv import ConvMvu
from .netlist import build_netlist


def by_node(model, fold: dict, names: dict[str, str]) -> dict:
    """The fold keyed by ONNX node: preset layer names (``names``: {node: preset
    name}, ``budget.onnx_input.node_names``) mapped onto the model's nodes;
    other keys kept (the netlist rejects those that name no node)."""
    nodes = {n.name for n in model.graph.node}
    preset = {v: k for k, v in names.items() if k in nodes}
    return {k if k in nodes else preset.get(k, k): v for k, v in fold.items()}


def _choices(op) -> list[tuple[int, dict, int]]:
    """(cycles per frame, fold entry, cost) of every legal folding of one op."""
    return op.fold_choices() if hasattr(op, "fold_choices") else []


def candidate_targets(ops) -> list[int]:
    """Every auto-fold target that can change the fold, fastest first: the
    cycles per frame of each op's foldings, from the fastest the slowest op
    reaches (``auto_fold``'s default) up to the slowest (every op at its fewest
    multipliers / lanes).  The fold of a target between two of them is the
    lower one's."""
    chosen = [ch for ch in (_choices(op) for op in ops) if ch]
    if not chosen:
        return []
    fastest = max(min(c for c, _, _ in ch) for ch in chosen)
    return sorted({c for ch in chosen for c, _, _ in ch if c >= fastest})


def auto_fold(model, target: int | None = None, ops=None) -> dict:
    """The balanced fold of a prepared model (see the module docstring);
    ``ops``: its unfolded netlist, when the caller has it already."""
    if ops is None:
        ops, _, _ = build_netlist(model, {})
    chosen = [(op.layer, _choices(op)) for op in ops]
    chosen = [(name, ch) for name, ch in chosen if ch]
    if target is None:
        target = max(min(c for c, _, _ in ch) for _, ch in chosen)
    fold = {}
    for name, ch in chosen:
        ok = [t for t in ch if t[0] <= target] or [min(ch, key=lambda t: t[0])]
        # fewest multipliers / lanes; among equals the most output lanes (pe)
        best = min(ok, key=lambda t: (t[2], -t[1].get("pe", 0), t[0]))
        fold[name] = best[1]
    return fold


def reuse_fold(model, reuse: dict[str, int], default: int = 1) -> dict:
    """The fold matching hls4ml ReuseFactors ``{Conv node: R}`` (see the module
    docstring); Convs not named take ``default``."""
    ops, _, _ = build_netlist(model, {})
    fold, slowest = {}, 0
    for op in ops:
        if not isinstance(op, ConvMvu):
            continue
        r = int(reuse.get(op.layer, default))
        ch = op.fold_choices()
        ok = [t for t in ch if t[0] <= r * op.npix] or [min(ch, key=lambda t: t[0])]
        best = min(ok, key=lambda t: (t[2], -t[1]["pe"], t[0]))
        fold[op.layer] = best[1]
        slowest = max(slowest, best[0])
    rest = auto_fold(model, slowest or None, ops)
    return {**{k: v for k, v in rest.items() if k not in fold}, **fold}


def fold_cycles(ops) -> int:
    """Expected cycles per frame: the slowest op."""
    return max(op.cycles() for op in ops)
