"""frame_loader: request frames made by the host driver's encoder
(codegen/boards/uart_host.py), intact and damaged (a byte lost, a byte
changed, the delimiter lost, empty frames, junk before the first delimiter),
under the 9 pause combinations of input, payload output and status output;
every payload frame and status word equals a reference model of the rules in
the module's header; one input byte per cycle; mid-frame reset."""
from pathlib import Path
import itertools
import random

import cocotb
import pytest
from cocotb.triggers import ClockCycles

from squeezefpga.codegen.boards.uart_host import crc8, encode_request
from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl.runner import run


def model(stream: bytes, n: int, synced: bool):
    """(payload frames, status words) the loader gives for a byte stream (after
    reset it is not synced: it waits for a delimiter)."""
    frames, stats = [], []
    chunks = stream.split(b"\x00")[0 if synced else 1:-1]   # the tail is an open frame
    for chunk in chunks:
        dec, left, zpend = [], 0, False
        for b in chunk:
            if left == 0:
                if zpend:
                    dec.append(0)
                left, zpend = b - 1, b != 0xFF
            else:
                dec.append(b)
                left -= 1
        if not dec:
            continue
        frames.append(list(bytes(dec[1:n + 1]).ljust(n, b"\x00")))
        status = 2 if len(dec) != n + 2 else 1 if crc8(bytes(dec)) else 0
        stats.append([status << 8 | dec[0]])
    return frames, stats


def payload(rng, n: int) -> bytes:
    """Zeros, short runs and (n > 254) a run of non-zero bytes longer than a block."""
    out = bytearray(rng.choice([0, rng.randrange(1, 256)]) for _ in range(n))
    if n > 260:
        start = rng.randrange(0, n - 260)
        out[start:start + 260] = bytes(rng.randrange(1, 256) for _ in range(260))
    return bytes(out)


def stream(rng, n: int, seq0: int) -> bytes:
    """Junk, then frames: good, a byte lost, a byte changed, good, the delimiter
    lost, empty frames, a code byte alone, good."""
    # without the driver's leading delimiter: one 0x00 between frames
    good = [encode_request(seq0 + k, payload(rng, n))[1:] for k in range(7)]
    lost = bytearray(good[1])
    del lost[rng.randrange(len(lost) - 1)]
    changed = bytearray(good[2])
    k = rng.randrange(1, len(changed) - 1)
    changed[k] = rng.choice([v for v in range(1, 256) if v != changed[k]])
    junk = bytes(rng.randrange(1, 256) for _ in range(5))
    return (junk + b"\x00" + good[0] + bytes(lost) + bytes(changed) + good[3] +
            good[4][:-1] + good[5] + b"\x00\x00" + b"\x05\x00" + good[6])


@cocotb.test()
async def load(dut):
    n = tb.tb_params()["PAYLOAD_BYTES"]
    rng = random.Random(n)
    await tb.start_clock_and_reset(dut)
    src = tb.make_source(dut, "s_axis")
    snk, stat = tb.make_sink(dut, "m_axis"), tb.make_sink(dut, "m_stat_axis")
    mon = tb.HandshakeMonitor(dut, "s_axis")

    synced = False

    async def check(data: bytes, what: str):
        nonlocal synced
        frames, stats = model(data, n, synced)
        synced = True
        await src.send(tb.frame(data))
        for i, exp in enumerate(frames):
            await tb.recv_check(snk, exp, f"{what}: payload {i}", (1, 8, False), 50 * len(data), dut.clk)
        for i, exp in enumerate(stats):
            await tb.recv_check(stat, exp, f"{what}: status {i}", (1, 16, False), 50 * len(data), dut.clk)
        await ClockCycles(dut.clk, 20)
        assert snk.empty() and stat.empty(), f"{what}: more output than the model"
        return frames, stats

    seq = 0
    for i, (pin, pout) in enumerate(itertools.product(tb.PAUSES, tb.PAUSES)):
        pstat = tb.PAUSES[1 + i % 2]   # the status port random or bursty
        tb.set_pause(src, pin, 10 * i)
        tb.set_pause(snk, pout, 10 * i + 1)
        tb.set_pause(stat, pstat, 10 * i + 2)
        data = stream(rng, n, seq)
        frames, stats = await check(data, f"pauses in={pin} out={pout} status={pstat}")
        # (junk: a frame once synced), good, lost byte, changed byte, good, lost
        # delimiter (two frames, one status), good; the lone code byte decodes to
        # nothing.  A damaged frame is marked bad unless CRC-8 misses it (1 in 256)
        got = [w[0] >> 8 for w in stats][-6:]
        assert len(stats) == 6 + (i > 0) and got[0] == got[3] == got[5] == 0 and got[4], stats
        seq += 7
    # no pauses: one input byte per cycle and a cycle per frame for its status
    for port in (src, snk, stat):
        tb.set_pause(port, "none", 0)
    good = b"\x00" + b"".join(encode_request(k, payload(rng, n)) for k in range(3))
    mon.clear()
    await check(good, "no pauses")
    assert mon.span() == len(good) + 2, f"{len(good)} bytes took {mon.span()} cycles"
    # reset inside a frame: its bytes are dropped up to the next delimiter
    tb.set_pause(src, "random", 5)
    data = encode_request(1, payload(rng, n))
    await src.send(tb.frame(b"\x00" + data))
    await ClockCycles(dut.clk, len(data) // 2)
    await tb.reset(dut, 2)
    synced = False
    await src.wait()
    snk.clear()
    stat.clear()
    await check(data[len(data) // 2:] + encode_request(9, payload(rng, n)), "after reset")


@pytest.mark.verilator
@pytest.mark.parametrize("payload_bytes", [1, 5, 300])
def test_frame_loader(payload_bytes):
    run("frame_loader", "test_frame_loader", Path(__file__).parent,
        {"PAYLOAD_BYTES": payload_bytes})
