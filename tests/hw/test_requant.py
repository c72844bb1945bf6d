"""requant: ReLU -> round half to even by SHIFT -> saturate, checked against
sim.golden.ops.requantize over signedness, narrow range, left/right shifts."""
from pathlib import Path

import cocotb
import numpy as np
import pytest

from squeezefpga.sim.golden import ops
from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl import packing as pk
from squeezefpga.sim.rtl.runner import run


def make_case_fn(p):
    lanes, iw, ow = p["LANES"], p["IN_W"], p["OUT_W"]

    def case(rng):
        g = np.random.default_rng(rng.getrandbits(32))
        n = 3 * 7
        x = pk.rand_tensor(g, (1, lanes, 3, 7), iw, bool(p["IN_SIGNED"]))
        if p["SHIFT"] > 0 and iw - p["SHIFT"] - 1 >= 2:  # plant exact ties k*2^s +
            # 2^(s-1) (and neighbours)
            k = pk.rand_tensor(g, (1, lanes, 1, 7), iw - p["SHIFT"] - 1, bool(p["IN_SIGNED"]))
            x[:, :, 0, :] = (k[:, :, 0, :] << p["SHIFT"]) + (1 << (p["SHIFT"] - 1))
            x[:, :, 1, :] = x[:, :, 0, :] + g.integers(-1, 2, size=(1, lanes, 7))
        lo, hi = ops.int_range(iw, bool(p["IN_SIGNED"]))
        x = np.clip(x, lo, hi)
        y = ops.requantize(x, p["SHIFT"], ow, bool(p["OUT_SIGNED"]), bool(p["NARROW"]),
                           "ROUND", bool(p["RELU"]))
        assert n == x.shape[2] * x.shape[3]
        return ([pk.image_to_beats(x, lanes, iw)], [pk.image_to_beats(y, lanes, ow)])
    return case


@cocotb.test()
async def requantize(dut):
    p = tb.tb_params()
    await tb.start_clock_and_reset(dut)
    await tb.stream_checks(dut, make_case_fn(p), seed=p["SHIFT"] + 50,
                           fmt=(p["LANES"], p["OUT_W"], bool(p["OUT_SIGNED"])))


GRID = [
    # LANES, IN_W, IN_SIGNED, OUT_W, OUT_SIGNED, NARROW, SHIFT, RELU
    (4, 20, 1, 8, 0, 0, 7, 1),
    (3, 16, 1, 8, 1, 1, 5, 0),
    (2, 12, 0, 6, 0, 1, -2, 0),
    (1, 10, 1, 4, 1, 0, 1, 1),
    (3, 9, 1, 5, 0, 0, 6, 0),     # negative ties, an unsigned output, no ReLU
    (2, 8, 1, 4, 1, 0, 9, 0),     # SHIFT = IN_W + 1: fl[0] is the sign bit
]


@pytest.mark.verilator
@pytest.mark.parametrize("lanes,in_w,in_s,out_w,out_s,narrow,shift,relu", GRID)
def test_requant(lanes, in_w, in_s, out_w, out_s, narrow, shift, relu):
    run("requant", "test_requant", Path(__file__).parent,
        dict(LANES=lanes, IN_W=in_w, IN_SIGNED=in_s, OUT_W=out_w, OUT_SIGNED=out_s,
             NARROW=narrow, SHIFT=shift, RELU=relu))
