"""mvu_pack (conv_mvu's packed DSP products): random activations and weights
every cycle, every (PE, SIMD) product checked against x * (w + 2^(W_W-1)) for
a packed channel and x * w for a channel alone in its group; x is taken two
cycles and w one cycle before the product (its registered copy per group)."""
import random
from pathlib import Path

import cocotb
import pytest
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge

from squeezefpga.codegen.hwops.conv import pack_factor
from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl.runner import run


def _field(word: int, i: int, w: int) -> int:
    return (word >> (i * w)) & ((1 << w) - 1)


def _signed(v: int, w: int) -> int:
    return v - (1 << w) if v >> (w - 1) else v


@cocotb.test()
async def random_operands(dut):
    p = tb.tb_params()
    simd, pe, in_w, w_w = p["SIMD"], p["PE"], p["IN_W"], p["W_W"]
    pw, pack = in_w + 1 + w_w, p["PACK"]
    rng = random.Random(p["SEED"])
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    n = 200
    xs = [rng.getrandbits(simd * in_w) for _ in range(n)]
    ws = [rng.getrandbits(pe * simd * w_w) for _ in range(n)]

    def expect(x: int, w: int) -> int:
        out = 0
        for ch in range(pe):
            g = ch // pack
            packed = min(pack, pe - g * pack) >= 2
            for s in range(simd):
                xv = _field(x, s, in_w)
                wv = _signed(_field(w, ch * simd + s, w_w), w_w)
                v = xv * (wv + (1 << (w_w - 1))) if packed else xv * wv
                out |= (v & ((1 << pw) - 1)) << ((ch * simd + s) * pw)
        return out

    bad = []
    for t in range(n + 2):
        await FallingEdge(dut.clk)
        if t >= 2:   # x set at t - 2, its w one cycle later (at t - 1)
            got, exp = int(dut.p.value), expect(xs[t - 2], ws[t - 2])
            if got != exp:
                bad.append((t, hex(got), hex(exp)))
        if t < n:
            dut.x_nx.value = xs[t]
        if 1 <= t <= n:
            dut.w.value = ws[t - 1]
    assert not bad, bad[:3]


@pytest.mark.verilator
@pytest.mark.parametrize("simd,pe,in_w,w_w", [
    (1, 3, 4, 4),     # one group of 3
    (3, 7, 4, 4),     # 3 + 3 + a lone channel
    (2, 5, 8, 4),     # pairs and a lone channel
    (1, 2, 2, 6),     # 2 per multiply at 2 x 6 bits
    (4, 8, 3, 3),     # 4 products per multiply
])
def test_mvu_pack(simd, pe, in_w, w_w):
    pack = pack_factor(in_w, False, w_w)
    assert pack >= 2
    params = dict(SIMD=simd, PE=pe, IN_W=in_w, W_W=w_w)
    run("mvu_pack", "test_mvu_pack", Path(__file__).parent, params,
        tb_params=dict(PACK=pack, SEED=simd * 100 + pe))
