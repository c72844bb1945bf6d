"""mvu_dot (one conv_mvu PE: SIMD products and the registered adder tree):
random operands every cycle; dot must be the exact signed sum of the lane
products MUL_LAT + TREE_LAT cycles later (MUL_LAT 4 with DSP, 2 with LUT
products; pk's given products TREE_LAT cycles later with MULT_STYLE 2), on DSP (`*`), LUT (mul_lut) and given products, with
extreme operands (the most negative weight and activation) mixed in."""
import random
from pathlib import Path

import cocotb
import pytest
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, Timer

from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl.runner import run


def _field(word: int, i: int, w: int) -> int:
    return (word >> (i * w)) & ((1 << w) - 1)


def _signed(v: int, w: int) -> int:
    return v - (1 << w) if v >> (w - 1) else v


def _lane(rng: random.Random, w: int) -> int:
    """A random w-bit code, one time in four an extreme one (0, all ones, the top bit)."""
    if rng.random() < 0.25:
        return rng.choice([0, (1 << w) - 1, 1 << (w - 1), (1 << (w - 1)) - 1])
    return rng.getrandbits(w)


@cocotb.test()
async def random_operands(dut):
    p = tb.tb_params()
    simd, in_w, w_w, style = p["SIMD"], p["IN_W"], p["W_W"], p["MULT_STYLE"]
    in_signed = p["IN_SIGNED"]
    pw = in_w + 1 + w_w
    tree = (simd - 1).bit_length()
    tw = pw + tree
    lat = tree + {0: 4, 1: 2, 2: 0}[style]
    rng = random.Random(p["SEED"])
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    n = 300

    def word(width: int) -> int:
        return sum(_lane(rng, width) << (s * width) for s in range(simd))

    xs = [word(in_w) for _ in range(n)]
    ws = [word(w_w) for _ in range(n)]
    pks = [word(pw) for _ in range(n)]

    def expect(t: int) -> int:
        total = 0
        for s in range(simd):
            if style == 2:
                total += _signed(_field(pks[t], s, pw), pw)
            else:
                xv = _field(xs[t], s, in_w)
                total += (_signed(xv, in_w) if in_signed else xv) * \
                    _signed(_field(ws[t], s, w_w), w_w)
        return total & ((1 << tw) - 1)

    bad = []
    for t in range(n + lat):
        await FallingEdge(dut.clk)
        if t < n:
            dut.x.value, dut.w.value, dut.pk.value = xs[t], ws[t], pks[t]
        await Timer(1, unit="ns")   # (lat 0, SIMD 1 given products: dot is pk itself)
        if t >= lat:
            got, exp = int(dut.dot.value), expect(t - lat)
            if got != exp:
                bad.append((t - lat, hex(got), hex(exp)))
    assert not bad, bad[:3]


@pytest.mark.verilator
@pytest.mark.parametrize("simd,in_w,in_signed,w_w", [
    (1, 4, 0, 4),     # no tree
    (2, 8, 1, 4),     # one level
    (3, 3, 0, 5),     # a node passed through a level
    (5, 1, 0, 2),     # 1-bit activations, three levels
    (8, 6, 1, 8),     # a full tree, signed
])
@pytest.mark.parametrize("style", [0, 1, 2], ids=["dsp", "lut", "given"])
def test_mvu_dot(simd, in_w, in_signed, w_w, style):
    params = dict(SIMD=simd, IN_W=in_w, IN_SIGNED=in_signed, W_W=w_w, MULT_STYLE=style)
    run("mvu_dot", "test_mvu_dot", Path(__file__).parent, params,
        tb_params=dict(params, SEED=simd * 100 + in_w * 10 + style))
