"""Folding: PE/SIMD per convolution, lanes per pool, from a file or automatic.

A fold is a plain dict ``{name: {"pe": P, "simd": S}}`` for convolutions
(names as ``NetConfig.quantized_layer_names``: ``conv1``, ``fire2.squeeze``,
``fire2.expand1x1``, ``fire2.expand3x3``, ``fire2.bypass``, ``conv10``) and
``{name: {"lanes": L}}`` for max-pools and ``global_avgpool``.  Missing
entries mean PE = SIMD = 1 / lanes = the incoming stream's.

``auto_fold`` balances the pipeline FINN-style: the target is a number of
cycles per frame (default: the slowest layer at its full parallelism, i.e.
what the pipeline can reach at all), and every layer gets the smallest
PE * SIMD (lanes) that meets it.  PE divides COUT and SIMD divides CIN, so no
lane is padding; both expand convolutions of a Fire share one PE (the concat
joins them lane by lane), which also divides e1x1 and e3x3.
"""
from __future__ import annotations

from squeezefpga.quant.arch import ConvConfig, FireConfig, NetConfig, PoolConfig, layer_shapes

from .base import FoldError, ceil_div, divisors
from .conv import ConvMvu
from .foldfile import load_fold
from .gap import gap_cycles
from .window import window_cycles

__all__ = ["FoldError", "load_fold", "check_fold", "conv_dims", "min_cycles", "auto_fold"]


def check_fold(cfg: NetConfig, fold: dict) -> None:
    """Unknown names, PE/SIMD out of range, unequal expand PEs: FoldError."""
    convs = conv_dims(cfg)
    pools = {l.name for l in cfg.layers if isinstance(l, PoolConfig)} | {"global_avgpool"}
    for name, e in fold.items():
        if name in convs:
            cin, cout = convs[name][:2]
            if "lanes" in e:
                raise FoldError(f"fold: {name} is a convolution, give pe/simd, not lanes")
            if not 1 <= e.get("pe", 1) <= cout or not 1 <= e.get("simd", 1) <= cin:
                raise FoldError(f"fold: {name}: need PE <= COUT = {cout} and SIMD <= CIN = "
                                f"{cin}, got PE = {e.get('pe', 1)}, SIMD = {e.get('simd', 1)}")
        elif name in pools:
            if set(e) - {"lanes"}:
                raise FoldError(f"fold: {name} is a pool, give lanes only")
        else:
            raise FoldError(f"fold: no layer named '{name}' (known: "
                            f"{', '.join(list(convs) + sorted(pools))})")
    for f in cfg.fires:
        p1 = fold.get(f"{f.name}.expand1x1", {}).get("pe", 1)
        p3 = fold.get(f"{f.name}.expand3x3", {}).get("pe", 1)
        if p1 != p3:
            raise FoldError(f"fold: {f.name}: expand1x1 PE = {p1} and expand3x3 PE = {p3} "
                            f"must be equal (axis_concat joins both streams lane by lane)")
        if f.e1x1 % p1:
            raise FoldError(f"fold: {f.name}: expand PE = {p1} must divide e1x1 = {f.e1x1} "
                            f"(axis_concat needs whole beats of the first input)")


def conv_dims(cfg: NetConfig) -> dict[str, tuple[int, int, int, int]]:
    """{conv name: (cin, cout, k, output pixels)} for every convolution."""
    out = {}
    for layer, (cin, _, _), (c, h, w) in layer_shapes(cfg):
        if isinstance(layer, ConvConfig):
            out[layer.name] = (cin, layer.out_channels, layer.kernel, h * w)
        elif isinstance(layer, FireConfig):
            n = layer.name
            out[f"{n}.squeeze"] = (cin, layer.s1x1, 1, h * w)
            out[f"{n}.expand1x1"] = (layer.s1x1, layer.e1x1, 1, h * w)
            out[f"{n}.expand3x3"] = (layer.s1x1, layer.e3x3, 3, h * w)
            if layer.bypass == "complex":
                out[f"{n}.bypass"] = (cin, c, 1, h * w)
    return out


def _conv_cycles(cin, cout, k, npix, pe, simd) -> int:
    return ConvMvu.cycles_of(npix, cin, cout, k, pe, simd)


def _min_simd(cin, cout, k, npix, pe, target) -> int | None:
    for s in divisors(cin):
        if _conv_cycles(cin, cout, k, npix, pe, s) <= target:
            return s
    return None


def _pick_conv(dims, target) -> dict:
    cin, cout, k, npix = dims
    best = None
    for pe in divisors(cout):
        s = _min_simd(cin, cout, k, npix, pe, target)
        if s is not None:
            key = (pe * s, _conv_cycles(cin, cout, k, npix, pe, s), pe)
            if best is None or key < best[0]:
                best = (key, {"pe": pe, "simd": s})
    return best[1] if best else {"pe": cout, "simd": cin}


def _pick_lanes(c: int, cycles_of, target: int) -> int:
    for lanes in divisors(c):
        if cycles_of(lanes) <= target:
            return lanes
    return c


def _pool_cycles(h, w, c, oh, ow, k):
    return lambda lanes: window_cycles(h, w, oh, ow, k, ceil_div(c, lanes))


def _gap_cycles(h, w, c, in_w):
    return lambda lanes: gap_cycles(h, w, ceil_div(c, lanes), in_w, 0)


def min_cycles(cfg: NetConfig) -> int:
    """Cycles per frame of the slowest layer at full parallelism."""
    best = 0
    for layer, (cin, h, w), (c, oh, ow) in layer_shapes(cfg):
        if isinstance(layer, ConvConfig):
            best = max(best, oh * ow * layer.kernel ** 2)
        elif isinstance(layer, PoolConfig):
            best = max(best, _pool_cycles(h, w, c, oh, ow, layer.kernel)(c))
        else:
            e = layer.e1x1 + layer.e3x3
            g = max(d for d in divisors(layer.e1x1) if layer.e3x3 % d == 0)
            best = max(best, 9 * oh * ow, oh * ow * e // g)
    c, (h, w) = cfg.layers[-1].out_channels, layer_shapes(cfg)[-1][2][1:]
    act = cfg.quant.for_layer(cfg.layers[-1].name)[1]
    return max(best, _gap_cycles(h, w, c, act)(c))


def auto_fold(cfg: NetConfig, target: int | None = None) -> dict:
    """The cheapest fold whose every layer meets ``target`` cycles per frame."""
    t = min_cycles(cfg) if target is None else int(target)
    dims = conv_dims(cfg)
    fold: dict = {}
    for layer, (cin, h, w), (c, oh, ow) in layer_shapes(cfg):
        if isinstance(layer, ConvConfig):
            fold[layer.name] = _pick_conv(dims[layer.name], t)
        elif isinstance(layer, PoolConfig):
            fold[layer.name] = {"lanes": _pick_lanes(c, _pool_cycles(h, w, c, oh, ow,
                                                                     layer.kernel), t)}
        else:
            n = layer.name
            fold[f"{n}.squeeze"] = _pick_conv(dims[f"{n}.squeeze"], t)
            if layer.bypass == "complex":
                fold[f"{n}.bypass"] = _pick_conv(dims[f"{n}.bypass"], t)
            fold.update(_pick_expands(layer, oh * ow, t))
    c, (h, w) = cfg.layers[-1].out_channels, layer_shapes(cfg)[-1][2][1:]
    act = cfg.quant.for_layer(cfg.layers[-1].name)[1]
    fold["global_avgpool"] = {"lanes": _pick_lanes(c, _gap_cycles(h, w, c, act), t)}
    return fold


def _pick_expands(f: FireConfig, npix: int, t: int) -> dict:
    s, e1, e3 = f.s1x1, f.e1x1, f.e3x3
    best = None
    for pe in divisors(e1):
        if e3 % pe or npix * (e1 + e3) // pe > t:
            continue
        s1 = _min_simd(s, e1, 1, npix, pe, t)
        s3 = _min_simd(s, e3, 3, npix, pe, t)
        if s1 is None or s3 is None:
            continue
        key = (pe * (s1 + s3), pe)
        if best is None or key < best[0]:
            best = (key, pe, s1, s3)
    if best is None:
        pe = max(d for d in divisors(e1) if e3 % d == 0)
        best = (None, pe, s, s)
    _, pe, s1, s3 = best
    return {f"{f.name}.expand1x1": {"pe": pe, "simd": s1},
            f"{f.name}.expand3x3": {"pe": pe, "simd": s3}}
