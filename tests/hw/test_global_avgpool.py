"""global_avgpool: exact round-half-even mean (with extra 2^-SHIFT scale),
saturation, checked against sim.golden.ops.global_avgpool; planted ties;
three frames back to back (the two accumulator banks)."""
from pathlib import Path

import cocotb
import numpy as np
import pytest

from squeezefpga.sim.golden import ops
from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl import packing as pk
from squeezefpga.sim.rtl.runner import run

FRAMES = 3


def make_case_fn(p):
    c, h, w, lanes = p["C"], p["H"], p["W"], p["LANES"]
    iw, signed = p["IN_W"], bool(p["IN_SIGNED"])
    lo, hi = ops.int_range(iw, signed)
    den = h * w << max(p["SHIFT"], 0)

    def frame(g):
        x = pk.rand_tensor(g, (1, c, h, w), iw, signed)
        if den % 2 == 0:  # steer every other channel's sum onto an exact .5 tie
            for ch in range(0, c, 2):
                s = int(x[0, ch].sum()) << max(-p["SHIFT"], 0)
                target = s - (s % den) + den // 2
                delta = (target - s) >> max(-p["SHIFT"], 0)
                for yy in range(h):
                    for xx in range(w):
                        v = int(x[0, ch, yy, xx])
                        nv = min(max(v + delta, lo), hi)
                        delta -= nv - v
                        x[0, ch, yy, xx] = nv
        y = ops.global_avgpool(x, p["SHIFT"], p["OUT_W"], bool(p["OUT_SIGNED"]), "ROUND",
                               bool(p["NARROW"]))
        return pk.image_to_beats(x, lanes, iw), pk.image_to_beats(y, lanes, p["OUT_W"])

    def case(rng):
        g = np.random.default_rng(rng.getrandbits(32))
        frames = [frame(g) for _ in range(FRAMES)]
        return [f[0] for f in frames], [f[1] for f in frames]
    return case


def rate_fn(p, in_mon):
    cf = pk.ceil_div(p["C"], p["LANES"])
    sw = p["IN_W"] + (p["H"] * p["W"]).bit_length() + 1
    nb = sw + max(0, -p["SHIFT"])

    def rate(mon, case):
        n_in = len(case[0][0])
        div = cf * (nb + 2)                 # divider cycles per frame
        t_in = in_mon.times[-FRAMES * n_in:]
        firsts = t_in[::n_in]
        # the first frame: H*W*CF input cycles, then the division, + 2 (rounding
        # stage, output register)
        total = mon.times[cf - 1] - t_in[0] + 1
        assert total == n_in + div + 2, f"frame took {total} cycles, documented {n_in + div + 2}"
        # later frames accumulate while the previous one is divided: one frame per
        # max(H*W*CF, CF*(NB+2)) cycles (+1 for the hand-over when the divider binds)
        for a, b in zip(firsts, firsts[1:]):
            assert b - a <= max(n_in, div + 1) + 1, f"frames {b - a} cycles apart, " \
                f"steady state max({n_in}, {div})"
        if n_in > div + 1:
            assert t_in[-1] - t_in[0] + 1 == FRAMES * n_in, "input held off between frames"
    return rate


@cocotb.test()
async def average(dut):
    p = tb.tb_params()
    await tb.start_clock_and_reset(dut)
    in_mon = tb.HandshakeMonitor(dut, "s_axis")
    await tb.stream_checks(dut, make_case_fn(p), seed=p["H"] * 3 + p["SHIFT"],
                           fmt=(p["LANES"], p["OUT_W"], bool(p["OUT_SIGNED"])),
                           rate=rate_fn(p, in_mon))


GRID = [
    # H, W, C, LANES, IN_W, IN_SIGNED, OUT_W, OUT_SIGNED, NARROW, SHIFT
    (3, 5, 5, 2, 8, 0, 8, 0, 0, 0),     # 15 pixels (no power of two), fold not dividing
    (4, 4, 3, 3, 6, 1, 5, 1, 1, 2),     # signed, narrow, extra right shift, saturation
    (7, 7, 4, 4, 8, 1, 8, 1, 0, -1),    # 49 pixels, left shift
    (2, 3, 4, 2, 7, 1, 6, 0, 1, 1),     # signed input into an unsigned narrow range
    (1, 1, 3, 3, 6, 1, 6, 1, 0, 0),     # one pixel: divisor 1, one fold
]


@pytest.mark.verilator
@pytest.mark.parametrize("h,w,c,lanes,in_w,in_s,out_w,out_s,narrow,shift", GRID)
def test_global_avgpool(h, w, c, lanes, in_w, in_s, out_w, out_s, narrow, shift):
    run("global_avgpool", "test_global_avgpool", Path(__file__).parent,
        dict(H=h, W=w, C=c, LANES=lanes, IN_W=in_w, IN_SIGNED=in_s, OUT_W=out_w,
             OUT_SIGNED=out_s, NARROW=narrow, SHIFT=shift))
