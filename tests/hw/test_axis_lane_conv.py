"""axis_lane_conv: re-folding a channels-last stream from IN_LANES to
OUT_LANES lanes per beat (padding lanes dropped/zeroed), pixel-exact, with
max(ceil(C/IN), ceil(C/OUT)) cycles per pixel."""
from pathlib import Path

import cocotb
import numpy as np
import pytest

from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl import packing as pk
from squeezefpga.sim.rtl.runner import run


def make_case_fn(p):
    c, lw, li, lo = p["C"], p["LANE_W"], p["IN_LANES"], p["OUT_LANES"]

    def case(rng):
        g = np.random.default_rng(rng.getrandbits(32))
        ins, exps = [], []
        for hw in ((1, 1), (3, 5)):
            x = pk.rand_tensor(g, (1, c) + hw, lw, False)
            ins.append(pk.image_to_beats(x, li, lw))
            exps.append(pk.image_to_beats(x, lo, lw))
        return ins, exps
    return case


def rate_fn(p):
    cfi, cfo = pk.ceil_div(p["C"], p["IN_LANES"]), pk.ceil_div(p["C"], p["OUT_LANES"])

    def rate(mon, case):
        n_out = sum(len(e) for e in case[1])
        n_pix = n_out // cfo
        span = mon.span()
        if cfo >= cfi:  # output-bound: exactly one beat per cycle
            assert span == n_out, f"{n_out} beats took {span} cycles"
        else:
            assert span <= n_pix * cfi + 2, f"{n_pix} pixels took {span} cycles (CF in {cfi})"
    return rate


@cocotb.test()
async def refold(dut):
    p = tb.tb_params()
    await tb.start_clock_and_reset(dut)
    await tb.stream_checks(dut, make_case_fn(p), seed=p["C"] * 13 + p["IN_LANES"],
                           fmt=(p["OUT_LANES"], p["LANE_W"], False), rate=rate_fn(p))


GRID = [
    # LANE_W, C, IN_LANES, OUT_LANES
    (4, 64, 64, 1),  # fast path wide -> narrow (a beat leaves as 64 slices)
    (4, 64, 1, 64),  # fast path narrow -> wide (64 beats in, one out)
    (4, 32, 16, 4),  # fast path wide -> narrow
    (4, 32, 4, 16),  # fast path narrow -> wide
    (8, 8, 4, 2),    # fast path wide -> narrow, k = 2
    (6, 4, 4, 4),    # fast path, equal lanes (k = 1): a register
    (4, 20, 16, 4),  # general: lanes divide but C is no multiple of IN_LANES
    (4, 20, 4, 16),  # general: lanes divide but C is no multiple of OUT_LANES
    (5, 7, 2, 3),    # general: upsize, neither divides C
    (8, 6, 6, 4),    # general: one input beat -> two output beats, last one padded
]


@pytest.mark.verilator
@pytest.mark.parametrize("lane_w,c,li,lo", GRID)
def test_axis_lane_conv(lane_w, c, li, lo):
    run("axis_lane_conv", "test_axis_lane_conv", Path(__file__).parent,
        dict(LANE_W=lane_w, C=c, IN_LANES=li, OUT_LANES=lo))
