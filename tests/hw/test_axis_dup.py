"""axis_dup: every beat reaches both outputs exactly once under independent
backpressure on each output; 1 beat/cycle; mid-frame reset."""
from pathlib import Path

import cocotb
import pytest

from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl.runner import run


@cocotb.test()
async def duplicate(dut):
    p = tb.tb_params()
    width = p["DATA_W"]

    def case(rng):
        frames = [[rng.getrandbits(width) for _ in range(n)] for n in (1, 5, 33)]
        return [frames], [frames, frames]

    await tb.start_clock_and_reset(dut)
    await tb.stream_checks(dut, case, seed=width, outs=("m0_axis", "m1_axis"))


@pytest.mark.verilator
@pytest.mark.parametrize("data_w", [1, 16])
def test_axis_dup(data_w):
    run("axis_dup", "test_axis_dup", Path(__file__).parent, {"DATA_W": data_w})
