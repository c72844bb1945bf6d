"""Integration: a SqueezeNet fire module built from the library (squeeze 1x1
-> requant -> axis_dup -> expand 1x1 / expand 3x3 -> requant -> axis_concat,
sim/rtl/tb_fire.v) against the golden chain conv2d -> requantize -> concat,
under backpressure and with a mid-frame reset of the whole chain."""
from pathlib import Path

import cocotb
import numpy as np
import pytest

from squeezefpga.sim.golden import ops
from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.codegen.hwops.conv import ConvMvu
from squeezefpga.sim.rtl import packing as pk
from squeezefpga.sim.rtl.runner import BUILD_ROOT, run

H, W, CIN, SQ, EX = 5, 6, 6, 4, 6
SHIFTS = dict(SH_SQ=8, SH_E1=8, SH_E3=9)
ACC = 20


def weights():
    g = np.random.default_rng(2024)
    shapes = {"sq": (SQ, CIN, 1, 1), "e1": (EX, SQ, 1, 1), "e3": (EX, SQ, 3, 3)}
    return {k: (pk.rand_tensor(g, s, 8, True), pk.rand_tensor(g, (s[0],), 10, True))
            for k, s in shapes.items()}


def golden(x, wb):
    act = dict(bits=6, signed=False, relu=True)
    sq = ops.requantize(ops.conv2d(x, *wb["sq"]), SHIFTS["SH_SQ"], **act)
    e1 = ops.requantize(ops.conv2d(sq, *wb["e1"]), SHIFTS["SH_E1"], **act)
    e3 = ops.requantize(ops.conv2d(sq, *wb["e3"], pads=(1, 1, 1, 1)), SHIFTS["SH_E3"], **act)
    y, e = ops.concat(e1, -4, e3, -3)  # expand 3x3 one exponent step coarser
    assert e == -4
    return y


@cocotb.test()
async def fire(dut):
    wb = weights()

    def case(rng):
        g = np.random.default_rng(rng.getrandbits(32))
        ins, exps = [], []
        for _ in range(2):
            x = pk.rand_tensor(g, (1, CIN, H, W), 6, False)
            ins.append(pk.image_to_beats(x, 3, 6))
            exps.append(pk.image_to_beats(golden(x, wb), 2, 7))
        return ins, exps

    def rate(mon, case):
        # the expand 3x3 engine is the bottleneck: 3 output folds x 9 taps x
        # 2 input folds = 54 cycles per pixel; the chain must run at that rate
        n_pix = len(case[0]) * H * W
        assert mon.span() <= n_pix * 54 + 100, f"{n_pix} pixels took {mon.span()} cycles"

    await tb.start_clock_and_reset(dut)
    await tb.stream_checks(dut, case, seed=7, fmt=(2, 7, False), rate=rate,
                           combos=[("none", "none"), ("random", "bursty"), ("bursty", "random")])


@pytest.mark.verilator
def test_fire():
    ddir = BUILD_ROOT / "tb_fire_data"
    params = dict(FIFO_DEPTH=32, **SHIFTS)
    for k, (w, b) in weights().items():
        pe, simd = 2, (3 if k == "sq" else 2)
        cout, cin, kk = w.shape[:3]
        roms = ConvMvu.standalone(k, cin, cout, kk, pe, simd, w_w=8, acc_w=ACC, weights=w,
                                  bias=b, bias_w=10).write_roms(ddir)
        params[f"W_{k.upper()}"] = str(ddir / roms["WEIGHT_FILE"])
        params[f"B_{k.upper()}"] = str(ddir / roms["BIAS_FILE"])
    run("tb_fire", "test_fire", Path(__file__).parent, params)
