"""mul_lut (soft multiplier, no `*`): every operand pair of small widths,
signed and unsigned, with and without its pipeline register (product PIPE
cycles after the operands, a new pair every cycle)."""
from pathlib import Path

import cocotb
import pytest
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, Timer

from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl.runner import run


def _val(bits: int, w: int, signed: bool) -> int:
    return bits - (1 << w) if signed and bits >> (w - 1) else bits


@cocotb.test()
async def every_pair(dut):
    p = tb.tb_params()
    aw, bw, pw, pipe = p["A_W"], p["B_W"], p["P_W"], p["PIPE"]
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    pairs = [(a, b) for a in range(1 << aw) for b in range(1 << bw)]
    mask = (1 << pw) - 1
    expect = [(_val(a, aw, p["A_SIGNED"]) * _val(b, bw, p["B_SIGNED"])) & mask for a, b in pairs]
    got = []
    for i in range(len(pairs) + pipe):
        await FallingEdge(dut.clk)
        if pipe and i:                    # registered: the pair of the previous cycle
            got.append(int(dut.p.value))
        if i < len(pairs):
            dut.a.value, dut.b.value = pairs[i]
            if not pipe:                  # combinational: this pair
                await Timer(1, unit="ns")
                got.append(int(dut.p.value))
    bad = [(pairs[i], g, e) for i, (g, e) in enumerate(zip(got, expect)) if g != e]
    assert len(got) == len(expect) and not bad, bad[:5]


@pytest.mark.verilator
@pytest.mark.parametrize("aw,a_s,bw,b_s,pipe", [
    (1, 1, 4, 1, 0),    # one row, subtracted
    (3, 0, 5, 1, 1),    # unsigned rows, signed multiplicand, odd row count
    (4, 1, 4, 1, 1),    # signed x signed
    (5, 1, 4, 0, 0),    # signed rows, unsigned multiplicand, combinational
])
def test_mul_lut(aw, a_s, bw, b_s, pipe):
    params = dict(A_W=aw, A_SIGNED=a_s, B_W=bw, B_SIGNED=b_s, P_W=aw + bw + 1, PIPE=pipe)
    run("mul_lut", "test_mul_lut", Path(__file__).parent, params)
