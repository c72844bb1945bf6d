"""uart_tx: bytes from an AXI-Stream source under every input pause pattern
arrive exactly at a cocotbext-uart sink; without pauses the characters go
back to back (10 bit times each); mid-character reset leaves the line idle."""
from pathlib import Path
import random

import cocotb
import pytest
from cocotb.triggers import ClockCycles, with_timeout
from cocotbext.uart import UartSink

from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl.runner import run

CLK_NS = 10


async def read(sink, n: int, timeout_ns: int) -> bytes:
    """Exactly n characters from a cocotbext-uart sink (its read(n) returns
    as soon as one has arrived)."""
    async def gather():
        got = bytearray()
        while len(got) < n:
            got += await sink.read(min(n - len(got), max(sink.count(), 1)))
        return bytes(got)
    return await with_timeout(gather(), timeout_ns, "ns")


@cocotb.test()
async def transmit(dut):
    p = tb.tb_params()
    cpb, rng = p["CLKS_PER_BIT"], random.Random(p["CLKS_PER_BIT"])
    await tb.start_clock_and_reset(dut)
    src = tb.make_source(dut, "s_axis")
    sink = UartSink(dut.tx, baud=1e9 / (CLK_NS * cpb + 0.25), bits=8)
    mon = tb.HandshakeMonitor(dut, "s_axis")
    char_ns = 10 * cpb * CLK_NS
    for k, pause in enumerate(tb.PAUSES):
        tb.set_pause(src, pause, k)
        data = bytes(rng.getrandbits(8) for _ in range(25)) + b"\x00\xff"
        await src.send(tb.frame(data))
        got = await read(sink, len(data), char_ns * (len(data) + 20))
        assert bytes(got) == data, f"pauses {pause}: got {bytes(got).hex()}, sent {data.hex()}"
    tb.set_pause(src, "none", 0)
    await ClockCycles(dut.clk, 10 * cpb)
    mon.clear()
    await src.send(tb.frame(b"\x12\x34\x56\x78"))
    assert await read(sink, 4, char_ns * 6) == b"\x12\x34\x56\x78"
    gaps = [b - a for a, b in zip(mon.times, mon.times[1:])]
    assert gaps == [10 * cpb] * 3, gaps
    # reset in the middle of a character: the line goes idle, the next byte is clean
    await src.send(tb.frame(b"\x00"))
    await ClockCycles(dut.clk, 3 * cpb)
    await tb.reset(dut, 2)
    assert dut.tx.value == 1
    await ClockCycles(dut.clk, 12 * cpb)
    sink.clear()
    await src.send(tb.frame(b"\xc3"))
    assert await read(sink, 1, char_ns * 3) == b"\xc3"
    await ClockCycles(dut.clk, 20 * cpb)
    assert sink.empty()


@pytest.mark.verilator
@pytest.mark.parametrize("cpb", [4, 13, 24])
def test_uart_tx(cpb):
    run("uart_tx", "test_uart_tx", Path(__file__).parent, {"CLKS_PER_BIT": cpb})
