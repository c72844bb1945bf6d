"""cocotb soak testbench of a generated top level, driven by sim.rtl.soak.

Streams ``count`` frames (cycling through the request's frames) with random
input pauses and bursty output backpressure, keeping at most 2 frames queued
at the source (constant memory), and records per output frame its beats and
the cycle its last beat arrived, plus the simulator's resident memory every
``rss_every`` frames.  Nothing per cycle is stored.
"""
from __future__ import annotations

import json

import cocotb
from cocotb.triggers import ClockCycles, with_timeout
from cocotb.utils import get_sim_time

from squeezefpga.sim.rtl import axis_tb as tb

PERIOD_NS = 10


def rss_kib() -> int:
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith("VmRSS:"))


@cocotb.test()
async def soak(dut):
    with open(tb.tb_params()["request"]) as fh:
        req = json.load(fh)
    frames = [[int(b, 16) for b in f] for f in req["frames"]]
    count, seed = req["count"], req["seed"]
    await tb.start_clock_and_reset(dut)
    src, snk = tb.make_source(dut, "s_axis"), tb.make_sink(dut, "m_axis")
    src.queue_occupancy_limit_frames = 2
    tb.set_pause(src, "random", seed)
    tb.set_pause(snk, "bursty", seed + 1)
    t0 = get_sim_time("ns")

    async def feed():
        for i in range(count):
            await src.send(tb.frame(frames[i % len(frames)]))

    cocotb.start_soon(feed())
    outs, done, rss = [], [], []
    for i in range(count):
        fr = await with_timeout(snk.recv(), req["timeout_cycles"] * PERIOD_NS, "ns")
        outs.append([f"{int(v):x}" for v in fr.tdata])
        done.append(int((get_sim_time("ns") - t0) // PERIOD_NS))
        if i % req["rss_every"] == 0 or i == count - 1:
            rss.append([i, rss_kib()])
    await ClockCycles(dut.clk, 8)
    extra = 0
    while not snk.empty():          # a duplicated or stray beat after the last frame
        extra += len((await snk.recv()).tdata)
    with open(req["result"], "w") as fh:
        json.dump({"outputs": outs, "done_cycles": done, "rss_kib": rss, "extra_beats": extra,
                   "source_left": src.queue_occupancy_frames}, fh)
