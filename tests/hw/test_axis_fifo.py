"""axis_fifo: bit-exact pass-through under backpressure for each RAM style,
fill to capacity, one beat per cycle, mid-frame reset."""
from pathlib import Path

import cocotb
import pytest
from cocotb.triggers import ClockCycles

from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl.runner import run


@cocotb.test()
async def passthrough(dut):
    p = tb.tb_params()
    await tb.start_clock_and_reset(dut)
    await tb.passthrough_checks(dut, p["DATA_W"], seed=p["DEPTH"])


@cocotb.test()
async def capacity(dut):
    """With the sink stalled the FIFO holds exactly DEPTH+1 beats."""
    p = tb.tb_params()
    await tb.start_clock_and_reset(dut)
    src, snk = tb.make_source(dut), tb.make_sink(dut)
    snk.pause = True
    data = [(i * 2654435761) % (1 << p["DATA_W"]) for i in range(p["DEPTH"] + 5)]
    await src.send(tb.frame(data))
    await ClockCycles(dut.clk, 3 * p["DEPTH"] + 20)
    mon = tb.HandshakeMonitor(dut, "s_axis")
    await ClockCycles(dut.clk, 5)
    assert not mon.times, "FIFO accepted data while full"
    assert dut.s_axis_tready.value == 0
    snk.pause = False
    tb.check_beats(await tb.recv_frame(snk, 2000, dut.clk), data, "capacity frame")


@pytest.mark.verilator
@pytest.mark.parametrize(
    "data_w,depth,style",
    [(8, 2, 0), (13, 16, 2), (33, 64, 1)],
)
def test_axis_fifo(data_w, depth, style):
    run("axis_fifo", "test_axis_fifo", Path(__file__).parent,
        {"DATA_W": data_w, "DEPTH": depth, "RAM_STYLE": style})
