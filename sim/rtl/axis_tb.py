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
    from squeezefpga.sim.rtl.packing import unpack_lanes

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


async def recv_frame(sink: AxiStreamSink, timeout_cycles: int, clk, user: bool = False):
    """Receive one tlast-delimited frame (tdata list, or (tdata, tuser) with
    user=True) or fail after timeout_cycles."""
    from cocotb.triggers import with_timeout

    fr = await with_timeout(sink.recv(), timeout_cycles * 10, "ns")
    data = [int(v) for v in fr.tdata]
    if not user:
        return data
    tuser = fr.tuser  # cocotbext-axi collapses a constant tuser to one int
    return data, ([int(tuser)] * len(data) if isinstance(tuser, int) else [int(v) for v in tuser])


async def recv_check(sink, exp, what: str, fmt, timeout: int, clk) -> None:
    """Receive one frame and compare it; exp is a beat list or (beats, tuser)."""
    if isinstance(exp, tuple):
        data, user = await recv_frame(sink, timeout, clk, user=True)
        check_beats(data, exp[0], what, *fmt)
        check_beats(user, exp[1], what + " (tuser)")
    else:
        check_beats(await recv_frame(sink, timeout, clk), exp, what, *fmt)


async def stream_checks(dut, make_case, seed: int, fmt=(1, 0, False), rate=None,
                        timeout: int = 50000, combos=None,
                        ins=("s_axis",), outs=("m_axis",)):
    """Standard checks of a streaming module.

    make_case(rng) -> (input frames, expected output frames), each a list of
    beat words (or (beats, tuser) for an expected frame); with several ports
    (ins/outs prefixes) both are lists per port.  For every (input, output)
    pause combination the frames of a fresh case are sent and every output
    compared bit-exactly; then, without pauses, rate(monitor of outs[0],
    case) checks cycle counts (default: the output moves one beat per cycle
    from its first to its last beat); finally a reset in the middle of a
    frame followed by a full frame, with nothing stale before or after.
    fmt = (lanes, lane width, signed) of the outputs, for mismatch messages.
    Returns (source, sink), or the lists of them with several ports."""
    multi = len(ins) > 1 or len(outs) > 1

    def norm(case):
        return case if multi else ([case[0]], [case[1]])

    rng = random.Random(seed)
    srcs = [make_source(dut, p) for p in ins]
    snks = [make_sink(dut, p) for p in outs]
    mon = HandshakeMonitor(dut, outs[0])

    def pauses(pin, pout, base):
        for k, src in enumerate(srcs):
            set_pause(src, pin, base + k)
        for k, snk in enumerate(snks):
            set_pause(snk, pout, base + 50 + k)

    async def send_and_check(case, what, first_only=False):
        in_frames, exp_frames = norm(case)
        for src, frames in zip(srcs, in_frames):
            for fr in frames[:1] if first_only else frames:
                await src.send(frame(fr))
        for port, snk, exps in zip(outs, snks, exp_frames):
            for n, exp in enumerate(exps[:1] if first_only else exps):
                await recv_check(snk, exp, f"{port} frame {n}, {what}", fmt, timeout, dut.clk)

    for i, (pin, pout) in enumerate(combos or itertools.product(PAUSES, PAUSES)):
        pauses(pin, pout, seed + 100 * i)
        await send_and_check(make_case(rng), f"pauses in={pin} out={pout}")
    pauses("none", "none", 0)
    await ClockCycles(dut.clk, 5)
    mon.clear()
    case = make_case(rng)
    await send_and_check(case, "no pauses")
    if rate is None:
        n_out = sum(len(e[0] if isinstance(e, tuple) else e) for e in norm(case)[1][0])
        assert mon.span() == n_out, f"{n_out} output beats took {mon.span()} cycles"
    else:
        rate(mon, case)
    # reset in the middle of a frame, then a full frame
    pauses("random", "bursty", rng.randint(0, 999))
    in_frames, _ = norm(make_case(rng))
    for src, frames in zip(srcs, in_frames):
        await src.send(frame(frames[-1]))
    await ClockCycles(dut.clk, max(3, len(in_frames[0][-1]) // 2))
    await reset(dut, 2)
    assert all(snk.empty() for snk in snks), "sink kept data across reset"
    await send_and_check(make_case(rng), "after mid-frame reset", first_only=True)
    await ClockCycles(dut.clk, 100)
    assert all(snk.empty() for snk in snks), "stale beats after the post-reset frame"
    return (srcs, snks) if multi else (srcs[0], snks[0])


async def passthrough_checks(dut, width: int, seed: int, lengths=(1, 2, 7, 40)) -> None:
    """stream_checks for modules whose output equals their input."""
    def case(rng):
        frames = [[rng.getrandbits(width) for _ in range(n)] for n in lengths]
        return frames, frames
    await stream_checks(dut, case, seed)
