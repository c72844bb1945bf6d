"""heartbeat: the LED toggles exactly every HALF_PERIOD cycles from reset,
and a reset turns it off and restarts the count."""
from pathlib import Path

import cocotb
import pytest
from cocotb.triggers import RisingEdge

from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl.runner import run


async def edges(dut, cycles: int) -> list[int]:
    """Cycles (counted from now) at which led changed."""
    out, prev = [], int(dut.led.value)
    for c in range(1, cycles + 1):
        await RisingEdge(dut.clk)
        v = int(dut.led.value)
        if v != prev:
            out.append(c)
        prev = v
    return out


@cocotb.test()
async def blink(dut):
    half = tb.tb_params()["HALF_PERIOD"]
    await tb.start_clock_and_reset(dut)
    for _ in range(2):
        assert int(dut.led.value) == 0
        got = await edges(dut, 5 * half + 1)
        gaps = [b - a for a, b in zip(got, got[1:])]
        assert len(got) == 5 and gaps == [half] * 4, got
        await tb.reset(dut, 3)


@pytest.mark.verilator
@pytest.mark.parametrize("half", [2, 5, 64])
def test_heartbeat(half):
    run("heartbeat", "test_heartbeat", Path(__file__).parent, {"HALF_PERIOD": half})
