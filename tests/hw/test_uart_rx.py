"""uart_rx: characters from cocotbext-uart at the nominal baud and 2 % off,
every byte exact and in order; under m_axis backpressure a byte that finds
the output full is dropped with an overrun pulse (bytes out + overruns =
bytes in, what comes out in order); a character without its stop bit is
dropped with frame_err; mid-character reset."""
from pathlib import Path
import random

import cocotb
import pytest
from cocotb.triggers import ClockCycles, RisingEdge, Timer
from cocotbext.uart import UartSource

from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl.runner import run

CLK_NS = 10


class Pulses:
    """Counts the cycles a one-cycle pulse output is high."""

    def __init__(self, dut, sig):
        self.n, self.clk, self.sig = 0, dut.clk, sig
        cocotb.start_soon(self._run())

    async def _run(self):
        while True:
            await RisingEdge(self.clk)
            self.n += int(self.sig.value == 1)


async def collect(sink, n_max, idle_cycles, clk):
    """Bytes from the sink until it has been empty for idle_cycles."""
    got, quiet = [], 0
    while quiet < idle_cycles and len(got) < n_max:
        await RisingEdge(clk)
        if sink.empty():
            quiet += 1
        else:
            quiet = 0
            got += [int(b) for b in (await sink.recv()).tdata]
    return got


@cocotb.test()
async def receive(dut):
    p = tb.tb_params()
    cpb, rng = p["CLKS_PER_BIT"], random.Random(p["CLKS_PER_BIT"])
    dut.rx.value = 1
    await tb.start_clock_and_reset(dut)
    snk = tb.make_sink(dut, "m_axis")
    overruns, ferrs = Pulses(dut, dut.overrun), Pulses(dut, dut.frame_err)
    char_cycles = 10 * cpb
    await ClockCycles(dut.clk, 2 * cpb)   # the receiver listens after a bit time of idle line
    # bit times: nominal, 2 % long and 2 % short (whole ns: cocotbext-uart's bit
    # timer is int(1e9 / baud) ns); at 4 cycles a bit only the nominal one
    nominal = CLK_NS * cpb
    skews = [0] if cpb < 8 else [0, round(0.02 * nominal), -round(0.02 * nominal)]
    for skew in skews:
        src = UartSource(dut.rx, baud=1e9 / (nominal + skew + 0.25), bits=8)
        data = bytes(rng.getrandbits(8) for _ in range(40)) + b"\x00\xff\x55"
        await src.write(data)
        await src.wait()
        got = await collect(snk, len(data), 3 * char_cycles, dut.clk)
        assert bytes(got) == data, f"bit time {nominal + skew} ns ({overruns.n} overruns, {ferrs.n} frame errors): got {bytes(got).hex()}, sent {data.hex()}"
        src._run_cr.kill()
        dut.rx.value = 1
    assert overruns.n == 0 and ferrs.n == 0
    # backpressure: a sink that pauses for longer than a character drops bytes
    src = UartSource(dut.rx, baud=1e9 / (CLK_NS * cpb + 0.25), bits=8)
    snk.set_pause_generator(iter(([0] * 3 + [1] * (char_cycles * 3 // 2)) * 1000))
    data = bytes(rng.getrandbits(8) for _ in range(30))
    await src.write(data)
    await src.wait()
    snk.clear_pause_generator()
    snk.pause = False
    got = await collect(snk, len(data), 3 * char_cycles, dut.clk)
    assert overruns.n > 0 and len(got) + overruns.n == len(data), (len(got), overruns.n)
    it = iter(data)
    assert all(b in it for b in got), "bytes out of order or changed"
    # a character whose stop bit is 0 is dropped
    await Timer(2 * char_cycles * CLK_NS, "ns")
    src._run_cr.kill()
    dut.rx.value = 0
    await ClockCycles(dut.clk, char_cycles)        # start, 8 zero bits, a zero stop bit
    dut.rx.value = 1
    await ClockCycles(dut.clk, 2 * char_cycles)
    assert ferrs.n == 1 and snk.empty()
    # reset in the middle of a character, then clean characters
    src = UartSource(dut.rx, baud=1e9 / (CLK_NS * cpb + 0.25), bits=8)
    await src.write(b"\x3c")
    await ClockCycles(dut.clk, 4 * cpb)
    await tb.reset(dut, 2)
    await src.wait()
    await ClockCycles(dut.clk, 2 * char_cycles)
    snk.clear()
    await src.write(b"\xa5\x01")
    await src.wait()
    got = await collect(snk, 2, 3 * char_cycles, dut.clk)
    assert bytes(got) == b"\xa5\x01", bytes(got).hex()


@pytest.mark.verilator
@pytest.mark.parametrize("cpb", [4, 13, 24])
def test_uart_rx(cpb):
    run("uart_rx", "test_uart_rx", Path(__file__).parent, {"CLKS_PER_BIT": cpb})
