"""axis_fifo: bit-exact pass-through under backpressure for each RAM style
with and without the output register, fill to capacity, latency, one beat
per cycle (every other cycle with HALF_RATE), mid-frame reset."""
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
    if not p["HALF_RATE"]:
        await tb.passthrough_checks(dut, p["DATA_W"], seed=p["DEPTH"])
        return

    def case(rng):
        frames = [[rng.getrandbits(p["DATA_W"]) for _ in range(n)] for n in (1, 2, 7, 40)]
        return frames, frames

    def every_other_cycle(mon, case):
        n = sum(len(f) for f in case[1])
        assert mon.span() == 2 * n - 1, f"{n} output beats took {mon.span()} cycles"

    await tb.stream_checks(dut, case, seed=p["DEPTH"], rate=every_other_cycle)


@cocotb.test()
async def capacity(dut):
    """With the sink stalled the FIFO holds exactly DEPTH + 1 + OUT_REG beats;
    once released it drains them a beat every cycle, every other cycle with
    HALF_RATE."""
    p = tb.tb_params()
    await tb.start_clock_and_reset(dut)
    src, snk = tb.make_source(dut), tb.make_sink(dut)
    snk.pause = True
    mon = tb.HandshakeMonitor(dut, "s_axis")
    outs = tb.HandshakeMonitor(dut, "m_axis")
    data = [(i * 2654435761) % (1 << p["DATA_W"]) for i in range(p["DEPTH"] + 5)]
    await src.send(tb.frame(data))
    await ClockCycles(dut.clk, 3 * p["DEPTH"] + 20)
    held = len(mon.times)
    assert held == p["DEPTH"] + 1 + p["OUT_REG"], f"held {held} beats"
    await ClockCycles(dut.clk, 5)
    assert len(mon.times) == held, "FIFO accepted data while full"
    assert dut.s_axis_tready.value == 0
    snk.pause = False
    tb.check_beats(await tb.recv_frame(snk, 2000, dut.clk), data, "capacity frame")
    drained = outs.times[:held]
    gaps = {b - a for a, b in zip(drained, drained[1:])}
    assert gaps == {1 + p["HALF_RATE"]}, gaps


@cocotb.test()
async def latency(dut):
    """The first beat leaves 2 + OUT_REG cycles after it entered an empty FIFO."""
    p = tb.tb_params()
    await tb.start_clock_and_reset(dut)
    src, snk = tb.make_source(dut), tb.make_sink(dut)
    ins, outs = tb.HandshakeMonitor(dut, "s_axis"), tb.HandshakeMonitor(dut, "m_axis")
    await src.send(tb.frame([5, 6, 7]))
    tb.check_beats(await tb.recv_frame(snk, 100, dut.clk), [5, 6, 7], "latency frame")
    assert outs.times[0] - ins.times[0] == 2 + p["OUT_REG"], (ins.times, outs.times)


@pytest.mark.verilator
@pytest.mark.parametrize(
    "data_w,depth,style,out_reg,half",
    [(8, 2, 0, 0, 0), (13, 16, 2, 0, 0), (33, 64, 1, 0, 0), (8, 2, 0, 1, 0), (13, 16, 2, 1, 0),
     (33, 64, 1, 1, 0), (8, 2, 0, 0, 1), (13, 16, 2, 0, 1), (33, 64, 1, 1, 1)],
)
def test_axis_fifo(data_w, depth, style, out_reg, half):
    run("axis_fifo", "test_axis_fifo", Path(__file__).parent,
        {"DATA_W": data_w, "DEPTH": depth, "RAM_STYLE": style, "OUT_REG": out_reg,
         "HALF_RATE": half})
