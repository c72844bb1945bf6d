"""axis_add: elementwise add with scale alignment, checked against
sim.golden.ops.add; 1 beat/cycle; mid-frame reset."""
from pathlib import Path

import cocotb
import numpy as np
import pytest

from squeezefpga.sim.golden import ops
from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl import packing as pk
from squeezefpga.sim.rtl.runner import run


def make_case_fn(p):
    lanes, iw, ow, signed, c = p["LANES"], p["IN_W"], p["OUT_W"], bool(p["SIGNED"]), p["C"]

    def case(rng):
        g = np.random.default_rng(rng.getrandbits(32))
        ins_a, ins_b, exps = [], [], []
        for _ in range(2):
            a = pk.rand_tensor(g, (1, c, 4, 3), iw, signed)
            b = pk.rand_tensor(g, (1, c, 4, 3), iw, signed)
            y, _ = ops.add(a, p["A_EXP"], b, p["B_EXP"])
            ins_a.append(pk.image_to_beats(a, lanes, iw))
            ins_b.append(pk.image_to_beats(b, lanes, iw))
            exps.append(pk.image_to_beats(y, lanes, ow))
        return [ins_a, ins_b], [exps]
    return case


@cocotb.test()
async def add(dut):
    p = tb.tb_params()
    await tb.start_clock_and_reset(dut)
    await tb.stream_checks(dut, make_case_fn(p), seed=p["C"] * 3,
                           fmt=(p["LANES"], p["OUT_W"], bool(p["SIGNED"])),
                           ins=("s_axis_a", "s_axis_b"))


GRID = [
    # LANES, C, IN_W, SIGNED, A_EXP, B_EXP
    (4, 6, 8, 1, -4, -6),   # A coarser by 2, fold not dividing
    (3, 3, 5, 0, -1, -1),   # unsigned, equal scales
]


@pytest.mark.verilator
@pytest.mark.parametrize("lanes,c,in_w,signed,a_exp,b_exp", GRID)
def test_axis_add(lanes, c, in_w, signed, a_exp, b_exp):
    e = min(a_exp, b_exp)
    sa, sb = a_exp - e, b_exp - e
    run("axis_add", "test_axis_add", Path(__file__).parent,
        dict(LANES=lanes, IN_W=in_w, OUT_W=in_w + max(sa, sb) + 1, SIGNED=signed,
             SHIFT_A=sa, SHIFT_B=sb), tb_params=dict(C=c, A_EXP=a_exp, B_EXP=b_exp))
