"""axis_register (skid buffer): bit-exact pass-through under backpressure,
one beat per cycle, mid-frame reset."""
from pathlib import Path

import cocotb
import pytest

from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl.runner import run


@cocotb.test()
async def passthrough(dut):
    p = tb.tb_params()
    await tb.start_clock_and_reset(dut)
    await tb.passthrough_checks(dut, p["DATA_W"], seed=p["DATA_W"])


@pytest.mark.verilator
@pytest.mark.parametrize("data_w", [1, 8, 37])
def test_axis_register(data_w):
    run("axis_register", "test_axis_register", Path(__file__).parent, {"DATA_W": data_w})
