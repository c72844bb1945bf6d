"""window_gen: K x K windows with stride and zero padding (tuser marks the
padding), compared with windows from the golden im2col; 1 beat/cycle."""
from pathlib import Path

import cocotb
import numpy as np
import pytest

from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl import packing as pk
from squeezefpga.sim.rtl.runner import run


def make_case_fn(p):
    c, h, w, lanes, dw = p["C"], p["H"], p["W"], p["LANES"], p["DATA_W"]
    pads = (p["PAD_T"], p["PAD_L"], p["PAD_B"], p["PAD_R"])

    def case(rng):
        g = np.random.default_rng(rng.getrandbits(32))
        ins, exps = [], []
        for _ in range(2):  # two frames back to back: the frame turnover
            x = pk.rand_tensor(g, (1, c, h, w), dw, False)
            ins.append(pk.image_to_beats(x, lanes, dw))
            exps.append(pk.window_beats(x, p["K"], p["S"], pads, lanes, dw))
        return ins, exps
    return case


def rate_fn(p):
    def rate(mon, case):
        n_out = sum(len(e[0]) for e in case[1])
        first = len(case[1][0][0])
        span1 = mon.times[first - 1] - mon.times[0] + 1
        span = mon.times[-1] - mon.times[0] + 1
        assert len(mon.times) == n_out
        oh = (p["H"] + p["PAD_T"] + p["PAD_B"] - p["K"]) // p["S"] + 1
        if p["K"] * p["K"] > p["S"] * p["S"]:  # output-bound: exactly 1 beat/cycle
            assert span1 == first, f"{first} window beats took {span1} cycles"
            # the next frame's first rows are written during the last output row:
            # no gap at the frame turn unless floor mode drops input rows, which
            # the writer must still take (at most one row's beats of delay)
            slack = 0 if oh * p["S"] >= p["H"] else p["W"] * -(-p["C"] // p["LANES"])
            assert span <= n_out + slack, f"{n_out} beats over 2 frames took {span} cycles"
        else:  # input-bound: the input's beats, a bubble per row at most
            in_beats = p["H"] * p["W"] * -(-p["C"] // p["LANES"])
            assert span1 <= max(first, in_beats) + 3 * oh, \
                f"{first} window beats took {span1} cycles"
    return rate


@cocotb.test()
async def windows(dut):
    p = tb.tb_params()
    await tb.start_clock_and_reset(dut)
    await tb.stream_checks(dut, make_case_fn(p), seed=p["H"] * 7 + p["K"],
                           fmt=(p["LANES"], p["DATA_W"], False), rate=rate_fn(p))


GRID = [
    # H, W, C, LANES, K, S, PAD_T, PAD_L, PAD_B, PAD_R
    (5, 7, 3, 2, 3, 1, 1, 1, 1, 1),   # odd sizes, fold 2 not dividing C
    (6, 5, 4, 4, 3, 2, 0, 0, 0, 0),   # stride 2, no padding, floor drops a row
    (4, 4, 5, 8, 1, 1, 0, 0, 0, 0),   # 1x1, LANES > C
    (7, 6, 2, 1, 2, 2, 0, 0, 1, 1),   # 2x2/2 with bottom/right (ceil-mode) padding
    (7, 7, 3, 3, 1, 2, 0, 0, 0, 0),   # stride > kernel: skipped rows, dropped last row
]
# line RAM in banks (BANK_DEPTH): 56 words in 7 banks of 8; 25 words in 4 banks, the
# last one rounded up to 2 words
BANKED = [(GRID[0], 8), (GRID[1], 8)]


@pytest.mark.verilator
@pytest.mark.parametrize("geom,bank", [(g, 0) for g in GRID] + BANKED)
def test_window_gen(geom, bank):
    h, w, c, lanes, k, s, pt, pl, pb, pr = geom
    run("window_gen", "test_window_gen", Path(__file__).parent,
        dict(H=h, W=w, C=c, LANES=lanes, DATA_W=8, K=k, S=s,
             PAD_T=pt, PAD_L=pl, PAD_B=pb, PAD_R=pr, RAM_STYLE=0, BANK_DEPTH=bank))
