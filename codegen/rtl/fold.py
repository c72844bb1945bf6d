"""Folding of the RTL dataflow: PE/SIMD per Conv, lanes per pool / concat / GAP.

A fold is ``{ONNX node name: {"pe": P, "simd": S}}`` for Conv nodes and
``{name: {"lanes": L}}`` for StreamMaxPool, Concat and QuantGlobalAveragePool
nodes (an Add takes its first input's lanes).  Missing entries: PE = SIMD = 1,
lanes = the incoming stream's.

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

from squeezefpga.quant.arch import ceil_div

from ..hwops.ops import gap_cycles
from .netlist import build_netlist


def divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def _gap_cycles(p: dict, lanes: int) -> int:
    return gap_cycles(p["H"], p["W"], ceil_div(p["C"], lanes), p["IN_W"], p["SHIFT"])


def _choices(inst) -> list[tuple[int, dict, int]]:
    """(cycles per frame, fold entry, cost) of every legal folding of one op."""
    p, m = inst.params, inst.module
    if m == "conv_mvu":
        npix, kk = p["NPIX"], p["K"] * p["K"]
        return [(npix * (p["COUT"] // pe) * kk * (p["CIN"] // simd), {"pe": pe, "simd": simd},
                 pe * simd) for pe in divisors(p["COUT"]) for simd in divisors(p["CIN"])]
    if m == "maxpool":
        oh, ow = inst.outs[0][1].h, inst.outs[0][1].w
        kk = p["K"] * p["K"]
        return [(max(oh * ow * kk, p["H"] * p["W"]) * ceil_div(p["C"], l), {"lanes": l}, l)
                for l in divisors(p["C"])]
    if m == "axis_concat":
        npix = inst.outs[0][1].h * inst.outs[0][1].w
        return [(npix * (p["CA"] // l + ceil_div(p["CB"], l)), {"lanes": l}, l)
                for l in divisors(p["CA"]) if l <= p["CB"]]
    if m == "global_avgpool":
        return [(_gap_cycles(p, l), {"lanes": l}, l) for l in divisors(p["C"])]
    return []


def auto_fold(model, target: int | None = None, insts=None) -> dict:
    """The balanced fold of a prepared model (see the module docstring);
    ``insts``: its unfolded netlist, when the caller has it already."""
    if insts is None:
        insts, _, _ = build_netlist(model, {})
    ops = [(i.layer, _choices(i)) for i in insts]
    ops = [(name, ch) for name, ch in ops if ch]
    if target is None:
        target = max(min(c for c, _, _ in ch) for _, ch in ops)
    fold = {}
    for name, ch in ops:
        ok = [t for t in ch if t[0] <= target] or [min(ch, key=lambda t: t[0])]
        # fewest multipliers / lanes; among equals the most output lanes (pe)
        best = min(ok, key=lambda t: (t[2], -t[1].get("pe", 0), t[0]))
        fold[name] = best[1]
    return fold


def reuse_fold(model, reuse: dict[str, int], default: int = 1) -> dict:
    """The fold matching hls4ml ReuseFactors ``{Conv node: R}`` (see the module
    docstring); Convs not named take ``default``."""
    insts, _, _ = build_netlist(model, {})
    fold, slowest = {}, 0
    for inst in insts:
        if inst.module != "conv_mvu":
            continue
        p, r = inst.params, int(reuse.get(inst.layer, default))
        npix = p["NPIX"]
        ch = _choices(inst)
        ok = [t for t in ch if t[0] <= r * npix] or [min(ch, key=lambda t: t[0])]
        best = min(ok, key=lambda t: (t[2], -t[1]["pe"], t[0]))
        fold[inst.layer] = best[1]
        slowest = max(slowest, best[0])
    rest = auto_fold(model, slowest or None, insts)
    return {**{k: v for k, v in rest.items() if k not in fold}, **fold}


def fold_cycles(insts) -> int:
    """Expected cycles per frame: the slowest instance."""
    return max(i.info.get("cycles", 0) for i in insts)
