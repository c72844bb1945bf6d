"""cocotb-side helpers shared by every testbench in tests/hw.

Pause generators (none / random / bursty) for cocotbext-axi sources and
sinks, clock + synchronous reset, a handshake monitor that records the cycle
of every transfer on a port, and a bit-exact scoreboard that reports the
first differing beat with both values.
"""
from __future__ import annotations

import itertools
import json
import os
import random
from typing import Iterator, Sequence

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamSink, AxiStreamSource

PAUSES = ("none", "random", "bursty")


def tb_params() -> dict:
    """Verilog parameters and test knobs passed by sim.rtl.runner.run."""
    return json.loads(os.environ.get("TB_PARAMS", "{}"))


def pause_generator(kind: str, seed: int) -> Iterator[int] | None:
    """Infinite 0/1 pause pattern; None means never pause."""
    rng = random.Random(seed)
    if kind == "none":
        return None
    if kind == "random":
        return (int(rng.random() < 0.35) for _ in itertools.count())
    if kind == "bursty":
        def bursts() -> Iterator[int]:
            while True:
                yield from [0] * rng.randint(1, 24)
                yield from [1] * rng.randint(1, 16)
        return bursts()
    raise ValueError(f"unknown pause kind {kind!r}")


def set_pause(port, kind: str, seed: int) -> None:
    gen = pause_generator(kind, seed)
    if gen is None:
        port.clear_pause_generator()
        port.pause = False  # a killed generator may have left it paused
    else:
        port.set_pause_generator(gen)


async def start_clock_and_reset(dut, cycles: int = 3) -> None:
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    await reset(dut, cycles)


async def reset(dut, cycles: int = 2) -> None:
    dut.rst.value = 1
    await ClockCycles(dut.clk, cycles)
    dut.rst.value = 0
    await RisingEdge(dut.clk)


def make_source(dut, prefix: str = "s_axis") -> AxiStreamSource:
    return AxiStreamSource(AxiStreamBus.from_prefix(dut, prefix), dut.clk, dut.rst, byte_lanes=1)


def make_sink(dut, prefix: str = "m_axis") -> AxiStreamSink:
    return AxiStreamSink(AxiStreamBus.from_prefix(dut, prefix), dut.clk, dut.rst, byte_lanes=1)


def frame(beats: Sequence[int], tuser=None) -> AxiStreamFrame:
    return AxiStreamFrame(tdata=list(beats), tuser=tuser)


class HandshakeMonitor:
    """Records the cycle number of every valid&ready transfer on one port."""

    def __init__(self, dut, prefix: str):
        self.clk = dut.clk
        self.valid = getattr(dut, f"{prefix}_tvalid")
        self.ready = getattr(dut, f"{prefix}_tready")
        self.cycle = 0
        self.times: list[int] = []
        cocotb.start_soon(self._run())

    async def _run(self) -> None:
        while True:
            await RisingEdge(self.clk)
            self.cycle += 1
            if self.valid.value == 1 and self.ready.value == 1:
                self.times.append(self.cycle)

    def clear(self) -> None:
        self.times = []

    def span(self) -> int:
        """Cycles from the first to the last recorded transfer, inclusive."""
        return self.times[-1] - self.times[0] + 1 if self.times else 0


def lanes_str(word: int, lanes: int, width: int, signed: bool) -> str:
    from sim.rtl.packing import unpack_lanes

    return str(unpack_lanes(word, lanes, width, signed))


def check_beats(got: Sequence[int], exp: Sequence[int], what: str,
                lanes: int = 1, width: int = 0, signed: bool = False) -> None:
    """Bit-exact comparison; the error names the first differing beat."""
    got, exp = [int(g) for g in got], [int(e) for e in exp]
    for i, (g, e) in enumerate(zip(got, exp)):
        if g != e:
            detail = ""
            if width:
                detail = (f"\n  got lanes      {lanes_str(g, lanes, width, signed)}"
                          f"\n  expected lanes {lanes_str(e, lanes, width, signed)}")
            raise AssertionError(
                f"{what}: first mismatch at beat {i} of {len(exp)}: "
                f"got 0x{g:x}, expected 0x{e:x}{detail}")
    if len(got) != len(exp):
        raise AssertionError(f"{what}: got {len(got)} beats, expected {len(exp)}")


async def recv_frame(sink: AxiStreamSink, timeout_cycles: int, clk) -> list[int]:
    """Receive one tlast-delimited frame or fail after timeout_cycles."""
    from cocotb.triggers import with_timeout

    fr = await with_timeout(sink.recv(), timeout_cycles * 10, "ns")
    return [int(v) for v in fr.tdata]


async def passthrough_checks(dut, width: int, seed: int, lengths=(1, 2, 7, 40)) -> None:
    """Frames of random words through a module whose output must equal its
    input (register slice, FIFO), under every in/out pause combination, then
    a throughput check with no pauses and a mid-frame reset."""
    rng = random.Random(seed)
    src, snk = make_source(dut), make_sink(dut)
    mon = HandshakeMonitor(dut, "m_axis")
    combos = list(itertools.product(PAUSES, PAUSES))
    for i, (pin, pout) in enumerate(combos):
        set_pause(src, pin, seed + i)
        set_pause(snk, pout, seed + 100 + i)
        frames = [[rng.getrandbits(width) for _ in range(n)] for n in lengths]
        for fr in frames:
            await src.send(frame(fr))
        for n, fr in enumerate(frames):
            got = await recv_frame(snk, 20000, dut.clk)
            check_beats(got, fr, f"frame {n} pauses in={pin} out={pout}")
    # throughput: one beat per cycle with no backpressure
    set_pause(src, "none", 0)
    set_pause(snk, "none", 0)
    await ClockCycles(dut.clk, 5)
    mon.clear()
    data = [rng.getrandbits(width) for _ in range(64)]
    await src.send(frame(data))
    check_beats(await recv_frame(snk, 2000, dut.clk), data, "throughput frame")
    assert mon.span() == len(data), f"{len(data)} beats took {mon.span()} cycles"
    await mid_frame_reset(dut, src, snk, width, rng)


async def mid_frame_reset(dut, src, snk, width: int, rng: random.Random) -> None:
    """Reset while a frame is half through, then a full frame must come out
    intact with nothing stale before or after it."""
    set_pause(src, "random", rng.randint(0, 999))
    set_pause(snk, "bursty", rng.randint(0, 999))
    await src.send(frame([rng.getrandbits(width) for _ in range(50)]))
    await ClockCycles(dut.clk, 23)
    await reset(dut, 2)
    assert snk.empty(), "sink kept data across reset"
    data = [rng.getrandbits(width) for _ in range(30)]
    await src.send(frame(data))
    check_beats(await recv_frame(snk, 5000, dut.clk), data, "frame after mid-frame reset")
    await ClockCycles(dut.clk, 50)
    assert snk.empty(), "stale beats after the post-reset frame"
