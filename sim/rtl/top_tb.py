"""cocotb testbench of a generated top level (codegen/rtl), driven by sim.rtl.top.

TB_PARAMS (JSON) names a request file: frames of input beats (hex strings),
beats per output frame, and phases ``[[input pauses, output pauses, count], ...]``.
Each phase streams its first ``count`` frames back to back (no gap between frames except
the pauses) and receives every output frame; the result file gets, per
phase, the output beats and the cycle of every input / output handshake.
With ``taps`` (wire names of the top level), a last phase streams the first
frame alone and records every beat on those wires (the per-layer tensors).
"""
from __future__ import annotations

import json

import cocotb
from cocotb.triggers import ClockCycles, RisingEdge, with_timeout

from squeezefpga.sim.rtl import axis_tb as tb


@cocotb.test()
async def stream_frames(dut):
    with open(tb.tb_params()["request"]) as fh:
        req = json.load(fh)
    frames = [[int(b, 16) for b in f] for f in req["frames"]]
    await tb.start_clock_and_reset(dut)
    src, snk = tb.make_source(dut, "s_axis"), tb.make_sink(dut, "m_axis")
    mon_in, mon_out = tb.HandshakeMonitor(dut, "s_axis"), tb.HandshakeMonitor(dut, "m_axis")
    result = []
    for k, (pin, pout, count) in enumerate(req["phases"]):
        tb.set_pause(src, pin, req.get("seed", 1) + 2 * k)
        tb.set_pause(snk, pout, req.get("seed", 1) + 2 * k + 1)
        mon_in.clear()
        mon_out.clear()
        for f in frames[:count]:
            await src.send(tb.frame(f))
        outs = []
        for _ in frames[:count]:
            fr = await with_timeout(snk.recv(), req["timeout_cycles"] * 10, "ns")
            outs.append([f"{int(v):x}" for v in fr.tdata])
        await ClockCycles(dut.clk, 2)
        result.append({"pauses": [pin, pout], "outputs": outs, "in_times": list(mon_in.times),
                       "out_times": list(mon_out.times)})
        tb.set_pause(src, "none", 0)
        tb.set_pause(snk, "none", 0)
        await ClockCycles(dut.clk, 4)
    if req.get("taps"):
        result.append(await record_taps(dut, src, snk, frames[0], req))
    with open(req["result"], "w") as fh:
        json.dump(result, fh)


async def record_taps(dut, src, snk, frame, req) -> dict:
    """Stream one frame and keep the data of every handshake on the tap wires."""
    sigs = [(w, getattr(dut, f"{w}_tdata"), getattr(dut, f"{w}_tvalid"),
             getattr(dut, f"{w}_tready")) for w in req["taps"]]
    beats = {w: [] for w in req["taps"]}
    done = False

    async def watch():
        while not done:
            await RisingEdge(dut.clk)
            for w, d, v, r in sigs:
                if v.value == 1 and r.value == 1:
                    beats[w].append(f"{d.value.to_unsigned():x}")

    task = cocotb.start_soon(watch())
    await src.send(tb.frame(frame))
    await with_timeout(snk.recv(), req["timeout_cycles"] * 10, "ns")
    await ClockCycles(dut.clk, 2)
    done = True
    await ClockCycles(dut.clk, 1)
    task.cancel()
    return {"taps": beats}
