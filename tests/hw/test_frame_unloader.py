"""frame_unloader: network output frames and status words in, response
frames out, under the 9 pause combinations of payload input and output (the
status input random or bursty); every response byte as the module's header
says, and each response read back by the host driver's parser
(codegen/boards/uart_host.py); one byte per cycle; mid-frame reset."""
from pathlib import Path
import itertools
import random

import cocotb
import pytest
from cocotb.triggers import ClockCycles

from squeezefpga.codegen.boards.uart_host import ResponseParser, crc8
from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl.runner import run


def response(seq: int, status: int, payload: bytes) -> list[int]:
    body = bytes([seq, status]) + payload
    return list(b"\xa5\x5a" + body + bytes([crc8(body)]))


@cocotb.test()
async def unload(dut):
    n = tb.tb_params()["PAYLOAD_BYTES"]
    rng = random.Random(n)
    await tb.start_clock_and_reset(dut)
    src, stat = tb.make_source(dut, "s_axis"), tb.make_source(dut, "s_stat_axis")
    snk = tb.make_sink(dut, "m_axis")
    mon = tb.HandshakeMonitor(dut, "m_axis")
    parser = ResponseParser({"output": {"shape_hwc": [1, 1, n], "lanes": 1, "bits": 8}})

    async def check(frames: int, what: str) -> None:
        cases = [(rng.randrange(256), rng.choice([0, 0, 1, 2]),
                  bytes(rng.randrange(256) for _ in range(n))) for _ in range(frames)]
        for seq, status, data in cases:
            await src.send(tb.frame(data))
            await stat.send(tb.frame([status << 8 | seq]))
        for k, case in enumerate(cases):
            exp = response(*case)
            await tb.recv_check(snk, exp, f"{what}: response {k}", (1, 8, False), 100 * n + 500,
                                dut.clk)
            assert parser.feed(bytes(exp)) == [case] and not parser.buf
        await ClockCycles(dut.clk, 10)
        assert snk.empty(), f"{what}: more output than expected"

    for i, (pin, pout) in enumerate(itertools.product(tb.PAUSES, tb.PAUSES)):
        tb.set_pause(src, pin, 10 * i)
        tb.set_pause(snk, pout, 10 * i + 1)
        tb.set_pause(stat, tb.PAUSES[1 + i % 2], 10 * i + 2)
        await check(3, f"pauses in={pin} out={pout}")
    for port in (src, snk, stat):
        tb.set_pause(port, "none", 0)
    mon.clear()
    await check(3, "no pauses")
    assert mon.span() == 3 * (n + 5), f"{3 * (n + 5)} bytes took {mon.span()} cycles"
    # reset inside a response: it is cut off; the next frame goes out whole
    await src.send(tb.frame(bytes(n)))
    await stat.send(tb.frame([0x0101]))
    await ClockCycles(dut.clk, 3)
    await tb.reset(dut, 2)
    snk.clear()
    src.clear()
    stat.clear()
    await ClockCycles(dut.clk, 5)
    await check(1, "after reset")


@pytest.mark.verilator
@pytest.mark.parametrize("payload_bytes", [1, 10, 37])
def test_frame_unloader(payload_bytes):
    run("frame_unloader", "test_frame_unloader", Path(__file__).parent,
        {"PAYLOAD_BYTES": payload_bytes})
