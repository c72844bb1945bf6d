"""axis_concat: channel concat with scale alignment, checked against
sim.golden.ops.concat; 1 output beat/cycle; mid-frame reset."""
from pathlib import Path

import cocotb
import numpy as np
import pytest

from squeezefpga.sim.golden import ops
from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl import packing as pk
from squeezefpga.sim.rtl.runner import run


def make_case_fn(p):
    lanes, iw, ow, signed = p["LANES"], p["IN_W"], p["OUT_W"], bool(p["SIGNED"])
    h, w = 3, 5

    def case(rng):
        g = np.random.default_rng(rng.getrandbits(32))
        ins_a, ins_b, exps = [], [], []
        for _ in range(2):
            a = pk.rand_tensor(g, (1, p["CA"], h, w), iw, signed)
            b = pk.rand_tensor(g, (1, p["CB"], h, w), iw, signed)
            y, e = ops.concat(a, p["A_EXP"], b, p["B_EXP"])
            assert e == min(p["A_EXP"], p["B_EXP"])
            ins_a.append(pk.image_to_beats(a, lanes, iw))
            ins_b.append(pk.image_to_beats(b, lanes, iw))
            exps.append(pk.image_to_beats(y, lanes, ow))
        return [ins_a, ins_b], [exps]
    return case


@cocotb.test()
async def concat(dut):
    p = tb.tb_params()
    await tb.start_clock_and_reset(dut)
    await tb.stream_checks(dut, make_case_fn(p), seed=p["CA"] + p["CB"],
                           fmt=(p["LANES"], p["OUT_W"], bool(p["SIGNED"])),
                           ins=("s_axis_a", "s_axis_b"))


GRID = [
    # LANES, IN_W, SIGNED, CA, CB, A_EXP, B_EXP
    (4, 8, 0, 8, 6, -5, -3),   # B coarser by 2 (B shifted), B fold not dividing
    (2, 6, 1, 2, 5, -2, -4),   # signed, A coarser, single A beat
]


@pytest.mark.verilator
@pytest.mark.parametrize("lanes,in_w,signed,ca,cb,a_exp,b_exp", GRID)
def test_axis_concat(lanes, in_w, signed, ca, cb, a_exp, b_exp):
    e = min(a_exp, b_exp)
    sa, sb = a_exp - e, b_exp - e
    run("axis_concat", "test_axis_concat", Path(__file__).parent,
        dict(LANES=lanes, IN_W=in_w, OUT_W=in_w + max(sa, sb), SIGNED=signed, CA=ca, CB=cb,
             SHIFT_A=sa, SHIFT_B=sb), tb_params=dict(A_EXP=a_exp, B_EXP=b_exp))
