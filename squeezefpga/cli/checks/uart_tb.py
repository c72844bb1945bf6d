"""cocotb testbench of a board top (codegen/boards) with the PLL bypassed, run
by the ``uart`` cosim checker (uart.py).

The oscillator pin is driven at the design clock (rtl/board/board.json),
cocotbext-uart talks 8N1 at the configured baud on the UART pins.  Requests
and responses are made and read by the board directory's own host driver
(host/squeezefpga_uart.py: input_payload, encode_request, ResponseParser,
decode_output).  Phases:
  back to back  every frame's request sent without a gap, every response read
  dropped byte  frame 0's request with one byte left out, frame 1 (frame 0
                when there is one frame) right after it, then frame 0 again,
                as the driver resends a frame whose response is bad
The result: each phase's responses (seq, status, output), the time each
response ended, the number of bytes the parser skipped.
"""
from __future__ import annotations

import importlib.util
import json

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, Timer, with_timeout
from cocotbext.uart import UartSink, UartSource

from squeezefpga.sim.rtl import axis_tb as tb


def host_driver(path: str):
    spec = importlib.util.spec_from_file_location("squeezefpga_uart_host", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


async def responses(sink, parser, n: int, timeout_ns: int) -> list:
    """n parsed responses (seq, status, payload, end time in ns)."""
    got = []

    async def gather():
        while len(got) < n:
            data = await sink.read(max(sink.count(), 1))
            for r in parser.feed(bytes(data)):
                got.append((*r, cocotb.utils.get_sim_time("ns")))
    try:
        await with_timeout(gather(), timeout_ns, "ns")
    except cocotb.triggers.SimTimeoutError:
        raise AssertionError(f"{len(got)} of {n} responses in {timeout_ns} ns: "
                             f"{[r[:2] for r in got]}, {parser.skipped} bytes skipped") from None
    return got


@cocotb.test()
async def board_frames(dut):
    with open(tb.tb_params()["request"]) as fh:
        req = json.load(fh)
    host = host_driver(req["host"])
    cfg, plan = host.CONFIG, req["plan"]
    x = np.load(req["inputs"])
    period_ps = 2 * round(5e5 / plan["clock_mhz"])   # even: two equal half periods
    dut.ftdi_txd.value = 1
    dut.btn_fire1.value = 1
    cocotb.start_soon(Clock(dut.clk_25mhz, period_ps, unit="ps").start())
    await ClockCycles(dut.clk_25mhz, 8)
    dut.btn_fire1.value = 0   # reset: the button, then 16 cycles
    await ClockCycles(dut.clk_25mhz, 40 + 2 * plan["clks_per_bit"])
    src = UartSource(dut.ftdi_txd, baud=plan["baud"], bits=8)
    sink = UartSink(dut.ftdi_rxd, baud=plan["baud"], bits=8)
    parser = host.ResponseParser(cfg)
    bit_ns = 1e9 / plan["baud"]
    frame_ns = 10 * bit_ns * (plan["request_wire_bytes"] + plan["response_wire_bytes"])
    net_ns = req["cycles_per_frame"] * period_ps / 1000
    wait = int(4 * (frame_ns + net_ns)) + 100_000
    payloads = [host.input_payload(f, cfg) for f in x]
    result = {}

    async def phase(name: str, wire: bytes, count: int, expect_frames: int):
        t0 = cocotb.utils.get_sim_time("ns")
        await src.write(wire)
        got = await responses(sink, parser, count, wait * max(expect_frames, 1))
        result[name] = {"start_ns": t0, "skipped": parser.skipped,
                        "responses": [[seq, st, host.decode_output(p, cfg).tolist(), t]
                                      for seq, st, p, t in got]}
        await src.wait()

    n = len(x)
    await phase("back_to_back", b"".join(host.encode_request(i, payloads[i]) for i in range(n)),
                n, n)
    lost = bytearray(host.encode_request(0, payloads[0]))
    del lost[len(lost) // 2]
    other = 1 if n > 1 else 0
    await phase("dropped_byte", bytes(lost) + host.encode_request(other, payloads[other]), 2, 2)
    await phase("resend", host.encode_request(0, payloads[0]), 1, 1)
    await Timer(int(20 * bit_ns), "ns")
    result["extra_bytes"] = sink.count()
    with open(req["result"], "w") as fh:
        json.dump(result, fh)
