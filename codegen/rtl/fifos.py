"""FIFO depths between a fan-out (axis_dup) and the join (concat / add).

The join takes pixel p from both branches.  A branch emits pixel p only once
it has received ``needs`` further input pixels: a K x K window with top
padding P_T over rows of W pixels starts output row y once input row
y + K - P_T - 1 is complete, i.e. up to ``(K - P_T) * W`` pixels after pixel
p (window_gen.v); every other module emits pixel p from pixel p alone.  Along
a branch the needs add up (nested fan-outs: the larger of their branches).
While the join waits for pixel p of the branch with the larger needs, the
dup has delivered those pixels to the other branch too, which must hold
them: its FIFO gets ``(needs_other - needs_own + 1) * CF + 2`` beats (CF
beats per pixel on the dup's stream, +1 pixel for the one at the join's
head, +2 for the dup and join registers), rounded up to a power of two.  A
branch that never waits for the other gets no FIFO (a wire).  With these
depths the pipeline cannot deadlock under any backpressure: the branch with
the larger needs always gets the input it waits for.  The co-simulation
tests check it with random and bursty pauses on input and output.

Frame FIFOs (before a window_gen / maxpool, where needed).  After the last
input row of a frame arrives, a window op still emits the output rows that
need it: ``tail = OH - ceil((H - K + P_T) / S)`` rows.  In a balanced
pipeline the producer meanwhile emits up to ``tail * S`` rows (+1 partial
row for rounding) of the next frame.  The line buffer's ring takes the next
frame's rows into the slots the last output row does not read
(``NROWS - RL``, window_gen.v); only the excess would stall the producer, and
a FIFO of ``excess * W * CF + 2`` beats (rounded up to a power of two) in
front of the op holds it.  For every preset the ring suffices (no frame
FIFO); before the ring (window_gen took a frame only after its last window)
these FIFOs were needed and the shipped fmnist design measured 7505 instead
of 7056 cycles/frame even with them.
"""
from __future__ import annotations

from ..errors import ModelError
from ..hwops.base import ceil_div
from ..hwops.memory import next_pow2
from ..hwops.streaming import AxisDup, AxisFifo
from ..hwops.window import WindowGen, last_rows, line_rows


def _reach(ops, start) -> dict[str, int]:
    """Accumulated needs from op ``start`` to every op downstream."""
    prod = {s.name: o.name for o in ops for _, s in o.outs}
    dist = {start.name: 0}
    for o in ops[ops.index(start) + 1:]:
        inc = [dist[prod[s.name]] for _, s in o.ins if prod.get(s.name) in dist]
        if inc:
            dist[o.name] = max(inc) + o.needs()
    return dist


def size(ops) -> None:
    """Fill in every branch FIFO's depth (0: no FIFO) and its reasoning."""
    for dup in [o for o in ops if isinstance(o, AxisDup)]:
        outs = {s.name for _, s in dup.outs}
        fifos = [o for o in ops if isinstance(o, AxisFifo) and o.x.name in outs]
        reach = [_reach(ops, f) for f in fifos]
        common = [o for o in ops if o.name in reach[0] and o.name in reach[1]]
        if not common:
            raise ModelError(dup.layer, "the two branches of a fan-out never join")
        join = common[0]
        for o in ops[ops.index(dup):ops.index(join)]:
            if isinstance(o, WindowGen) and o.s != 1 and any(o.name in r for r in reach):
                raise ModelError(o.layer, "a strided window inside a fan-out branch is not supported")
        needs = [r[join.name] - join.needs() for r in reach]
        cf = dup.x.cf
        for k, f in enumerate(fifos):
            lag = needs[1 - k] - needs[k]
            beats = (lag + 1) * cf + 2 if lag > 0 else 0
            f.depth = next_pow2(beats) if beats else 0
            f.notes.update({"join": join.name, "needs_pixels": needs[k],
                            "other_needs": needs[1 - k], "min_beats": beats})


def frame_fifo_beats(h: int, w: int, cf: int, k: int, s: int, pad_t: int, oh: int) -> int:
    """Beats of the FIFO in front of a window op (see the module docstring)."""
    tail = oh - max(0, ceil_div(h - k + pad_t, s))
    free = line_rows(h, k, s, pad_t, oh) - last_rows(h, s, pad_t, oh)
    excess = tail * s + 1 - free if tail > 0 else 0
    return excess * w * cf + 2 if excess > 0 else 0
