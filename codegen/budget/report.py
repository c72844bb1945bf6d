"""Text, CSV and sanity tables of a budget."""
from __future__ import annotations

import csv
import io

from squeezefpga.quant.arch import ConvConfig, FireConfig, NetConfig
from squeezefpga.quant.params import count

from ..hwops.devices import Device
from .estimate import Budget


def _k(bits: int) -> str:
    return f"{bits / 1024:,.1f}"


def format_budget(b: Budget, devs: list[Device], clock_mhz: float) -> str:
    head = (f"{'layer':<16}{'weights':>10}{'biases':>9}{'buffers':>10}{'FIFOs':>9}"
            f"{'BRAM18eq':>9}{'URAM':>5}{'LUTRAM':>9}{'eff':>6}{'mult':>7}{'(LUT)':>6}"
            f"{'DSP':>6}{'LUTs':>9}{'cycles/frame':>14}")
    lines = [f"{b.config}: {b.family} memories; bits in Kibit, LUTRAM = Kibit stored "
             f"in LUT RAM, eff = bits stored / bits of RAM primitives used, mult (LUT) = "
             f"multipliers (of them in LUTs), LUTs = logic + LUT RAM", head]
    for r in b.layers + [b.total]:
        d = r.as_dict()
        eff = "-" if d["packing_efficiency"] is None else f"{d['packing_efficiency']:.2f}"
        if r is b.total:
            lines.append("-" * len(head))
        lines.append(f"{r.name:<16}{_k(d['weight_bits']):>10}{_k(d['bias_bits']):>9}"
                     f"{_k(d['buffer_bits']):>10}{_k(d['fifo_bits']):>9}"
                     f"{d['bram18_equiv']:>9}{d['uram']:>5}{_k(d['lutram_bits']):>9}{eff:>6}"
                     f"{d['multipliers']:>7}{d['lut_multipliers']:>6}{d['dsp']:>6}"
                     f"{d['luts']:>9,}{d['cycles_per_frame']:>14,}")
    fps = clock_mhz * 1e6 / b.cycles if b.cycles else float("inf")
    lines.append(f"throughput: {b.cycles:,} cycles per frame = {fps:,.1f} frames/s at "
                 f"{clock_mhz:g} MHz")
    if b.choice:
        from .device_fold import FoldChoice
        lines.append(FoldChoice(**b.choice).line())
    if devs:
        lines.append("")
        within = f" (fits: each resource within {b.limit:.0%})" if b.limit < 1 else ""
        lines.append(f"{'device':<12}{'fits':>6}  {'binding':<14}"
                     f"{'BRAM18eq':>14}{'URAM':>12}{'DSP':>14}{'LUTRAM bits':>22}"
                     f"{'LUTs':>18}{within}")
        for d in devs:
            f = b.fit(d, b.limit)
            u, a, util = f["used"], f["available"], f["utilization"]
            cells = [f"{u[r]:,}/{a[r]:,}" for r in ("bram18_equiv", "uram", "dsp", "lutram_bits",
                                                     "luts")]
            lines.append(f"{d.name:<12}{'yes' if f['fits'] else 'NO':>6}  "
                         f"{f['binding']:<14}{cells[0]:>14}{cells[1]:>12}{cells[2]:>14}"
                         f"{cells[3]:>22}{cells[4]:>18}  ({util[f['binding']]:.0%})")
    return "\n".join(lines)


def layers_csv(b: Budget) -> str:
    rows = [l.as_dict() for l in b.layers] + [dict(b.total.as_dict(), name="total")]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


# The SqueezeNet paper (Iandola et al. 2016), Table 2: model sizes.
PAPER_MB = {32: "4.8 MB (uncompressed)", 8: "0.66 MB (Deep Compression: pruned + 8-bit)",
            6: "0.47 MB (Deep Compression: pruned + 6-bit)", 4: "-"}


def weight_counts(cfg: NetConfig) -> tuple[int, int]:
    """(weights, biases) of every convolution of ``cfg``."""
    params = sum(r.params for r in count(cfg))
    biases = 0
    for l in cfg.layers:
        if isinstance(l, ConvConfig):
            biases += l.out_channels
        elif isinstance(l, FireConfig):
            biases += l.s1x1 + l.out_channels + (l.out_channels if l.bypass == "complex" else 0)
    return params - biases, biases


def paper_table(cfg: NetConfig) -> str:
    """Dense weight storage of ``cfg`` at 32, 8, 6, 4 bits next to the paper's sizes."""
    wts, biases = weight_counts(cfg)
    lines = [f"{cfg.name}: {wts:,} weights + {biases:,} biases = {wts + biases:,} parameters",
             f"{'bits':>5}{'weights (Mibit)':>17}{'weights (MiB)':>15}{'+ 32-bit biases (MiB)':>23}"
             f"   paper, Table 2"]
    for bits in (32, 8, 6, 4):
        wb = wts * bits
        lines.append(f"{bits:>5}{wb / 2**20:>17.2f}{wb / 8 / 2**20:>15.3f}"
                     f"{(wb + 32 * biases) / 8 / 2**20:>23.3f}   {PAPER_MB[bits]}")
    lines.append("The paper's 32-bit 4.8 MB is 1,248,424 parameters x 4 bytes in MiB; its 8- and "
                 "6-bit sizes also prune to ~33% density, a dense store cannot reach them.")
    return "\n".join(lines)
