"""maxpool: kernel/stride/padding/ceil mode, signed and unsigned, checked
against sim.golden.ops.maxpool2d; window beats move at 1 per cycle."""
from pathlib import Path

import cocotb
import numpy as np
import pytest

from squeezefpga.sim.golden import ops
from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl import packing as pk
from squeezefpga.sim.rtl.runner import run


def make_case_fn(p):
    c, h, w, lanes, dw = p["C"], p["H"], p["W"], p["LANES"], p["DATA_W"]
    pads = (p["PAD_T"], p["PAD_L"], p["PAD_B"], p["PAD_R"])

    def case(rng):
        g = np.random.default_rng(rng.getrandbits(32))
        ins, exps = [], []
        for _ in range(2):
            x = pk.rand_tensor(g, (1, c, h, w), dw, bool(p["SIGNED"]))
            if p["SIGNED"]:  # all-negative corner so zero padding would win if used
                x[:, :, :2, :2] = -(1 << (dw - 1)) + g.integers(0, 3, size=(1, c, 2, 2))
            y = ops.maxpool2d(x, (p["K"], p["K"]), (p["S"], p["S"]), pads, bool(p["CEIL_MODE"]))
            ins.append(pk.image_to_beats(x, lanes, dw))
            exps.append(pk.image_to_beats(y, lanes, dw))
        return ins, exps
    return case


def rate_fn(p):
    kkcf = p["K"] ** 2 * pk.ceil_div(p["C"], p["LANES"])
    cf = pk.ceil_div(p["C"], p["LANES"])

    def rate(mon, case):
        n_pix = len(case[1][0]) // cf
        span1 = mon.times[n_pix * cf - 1] - mon.times[0] + 1
        exact = (n_pix - 1) * kkcf + cf  # CF output beats in the last window position
        if p["K"] ** 2 > p["S"] ** 2:
            assert span1 == exact, f"{n_pix} pixels took {span1} cycles, expected {exact}"
        else:  # input-bound
            assert span1 <= exact + 3 * n_pix, f"{n_pix} pixels took {span1} cycles"
    return rate


@cocotb.test()
async def pool(dut):
    p = tb.tb_params()
    await tb.start_clock_and_reset(dut)
    await tb.stream_checks(dut, make_case_fn(p), seed=p["H"] * 5 + p["K"],
                           fmt=(p["LANES"], p["DATA_W"], bool(p["SIGNED"])), rate=rate_fn(p))


GRID = [
    # H, W, C, LANES, SIGNED, K, S, PAD_T, PAD_L, PAD_B, PAD_R, CEIL
    (7, 9, 5, 2, 0, 3, 2, 0, 0, 0, 0, 1),   # SqueezeNet 3x3/2 ceil mode, odd sizes
    (6, 5, 3, 3, 1, 3, 1, 1, 1, 1, 1, 0),   # padded, signed: padding must not win
    (5, 6, 4, 2, 1, 2, 2, 0, 1, 1, 0, 0),   # 2x2/2, asymmetric padding, floor
]
# line RAM in banks (BANK_DEPTH): 135 words in 5 banks of 32, the last rounded to 8
BANKED = [(GRID[0], 32)]


@pytest.mark.verilator
@pytest.mark.parametrize("geom,bank", [(g, 0) for g in GRID] + BANKED)
def test_maxpool(geom, bank):
    h, w, c, lanes, signed, k, s, pt, pl, pb, pr, ceil = geom
    run("maxpool", "test_maxpool", Path(__file__).parent,
        dict(H=h, W=w, C=c, LANES=lanes, DATA_W=6, SIGNED=signed, K=k, S=s, PAD_T=pt,
             PAD_L=pl, PAD_B=pb, PAD_R=pr, CEIL_MODE=ceil, RAM_STYLE=0, BANK_DEPTH=bank))
