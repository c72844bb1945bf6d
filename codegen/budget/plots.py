"""Plots of a budget: memory per layer by kind, Pareto of memory vs cycles."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .estimate import KINDS, Budget  # noqa: E402

_COLORS = {"weight": "#3b6ea8", "bias": "#e3a21a", "buffer": "#4f9d69", "fifo": "#c8553d"}
_LABELS = {"weight": "weights", "bias": "biases", "buffer": "line / input buffers",
           "fifo": "FIFOs (balancing, bypass, MVU output)"}


def layer_bars(b: Budget, path: str | Path) -> None:
    """Stacked bars: on-chip memory per layer (Kibit) by kind, BRAM18 count on top."""
    names = [l.name for l in b.layers]
    fig, ax = plt.subplots(figsize=(max(7.0, 0.62 * len(names) + 2), 4.8), layout="constrained")
    bottom = [0.0] * len(names)
    for kind in KINDS:
        vals = [l.bits[kind] / 1024 for l in b.layers]
        ax.bar(names, vals, bottom=bottom, color=_COLORS[kind], label=_LABELS[kind],
               edgecolor="white", linewidth=0.5)
        bottom = [x + y for x, y in zip(bottom, vals)]
    for i, l in enumerate(b.layers):
        eq = l.mapping.bram18_equiv
        ax.annotate(f"{eq}", (i, bottom[i]), xytext=(0, 3), textcoords="offset points",
                    ha="center", fontsize=7, color="#333333")
    ax.set_ylabel("on-chip memory (Kibit)")
    ax.set_xlabel("layer")
    unit = "DP16KD" if b.family == "ecp5" else "RAMB18-equivalents"
    ax.set_title(f"{b.config}: memory per layer by kind ({b.cycles:,} cycles/frame)\n"
                 f"numbers on the bars: {unit} after mapping", fontsize=10)
    ax.tick_params(axis="x", rotation=45, labelsize=8)
    for t in ax.get_xticklabels():
        t.set_horizontalalignment("right")
    ax.legend(fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.savefig(path, dpi=150)
    plt.close(fig)


def pareto_front(xy: list[tuple[float, float]]) -> list[int]:
    """Indices of the points no other point beats in both coordinates (lower is better)."""
    front = []
    for i, (x, y) in enumerate(xy):
        if not any((x2 <= x and y2 <= y) and (x2 < x or y2 < y) for x2, y2 in xy):
            front.append(i)
    return sorted(front, key=lambda i: xy[i])


def pareto(points, path: str | Path, title: str, accuracy: dict | None = None) -> None:
    """On-chip memory (Mibit) vs cycles per frame of a sweep's legal points, coloured by
    accuracy ({point label: accuracy}) when given, else by DSP blocks."""
    ok = [p for p in points if p.budget is not None]
    fig, ax = plt.subplots(figsize=(7.5, 5.2), layout="constrained")
    if not ok:
        ax.text(0.5, 0.5, "no legal point", ha="center", transform=ax.transAxes)
    xy = [(p.budget.cycles, p.budget.onchip_bits / 2**20) for p in ok]
    acc = [accuracy.get(p.label) if accuracy else None for p in ok]
    if ok and any(a is not None for a in acc):
        sc = ax.scatter([x for x, _ in xy], [y for _, y in xy], s=40, zorder=3,
                        c=[a if a is not None else float("nan") for a in acc], cmap="viridis")
        fig.colorbar(sc, ax=ax, label="test accuracy")
    elif ok:
        sc = ax.scatter([x for x, _ in xy], [y for _, y in xy], s=36, zorder=3,
                        c=[p.budget.total.dsp for p in ok], cmap="plasma")
        fig.colorbar(sc, ax=ax, label="DSP blocks")
    front = pareto_front(xy)
    if front:
        ax.plot([xy[i][0] for i in front], [xy[i][1] for i in front], "-", color="#c8553d",
                lw=1.5, zorder=2, label="Pareto front")
        xmid = (min(x for x, _ in xy) * max(x for x, _ in xy)) ** 0.5
        for n, i in enumerate(front):
            right = xy[i][0] > xmid
            label = ", ".join(str(v) for v in ok[i].values.values())
            ax.annotate(label, xy[i], xytext=(-5 if right else 5, 6 if n % 2 == 0 else -7),
                        textcoords="offset points", fontsize=7, color="#333333",
                        ha="right" if right else "left", va="bottom" if n % 2 == 0 else "top")
        ax.margins(x=0.08, y=0.12)
    bad = len(points) - len(ok)
    ax.set_xscale("log")
    ax.set_xlabel("cycles per frame (log scale; lower = faster)")
    ax.set_ylabel("on-chip memory (Mibit: weights + biases + buffers + FIFOs)")
    keys = ", ".join(ok[0].values) if ok else ""
    ax.set_title(title + (f"  ({bad} illegal point{'s' * (bad != 1)} not drawn)" if bad else "")
                 + f"\nPareto points labelled ({keys})", fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, frameon=False)
    fig.savefig(path, dpi=150)
    plt.close(fig)
