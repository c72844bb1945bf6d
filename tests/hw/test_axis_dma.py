"""axis_dma_rx / axis_dma_tx: the board wrapper's adapters between the AXI
DMA's byte-lane stream (one 32-bit word per value, TKEEP on a short last beat,
TLAST per frame) and the network's channels-last lane streams.  The DMA side
is the PYNQ driver's own byte layout (driver/squeezefpga_driver.py pack() for
the input, unpack() for the scores); frames under the 9 pause combinations,
the cycle count without pauses, and a reset in the middle of a frame.  Both
run through axis_frame_refold, its per-pixel stages included (rx and tx with
C not a multiple of LANES over several pixels)."""
from __future__ import annotations

import importlib.util
import itertools
import random
from pathlib import Path

import cocotb
import numpy as np
import pytest
from cocotb.triggers import ClockCycles, with_timeout
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamSink, AxiStreamSource

from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl import packing as pk
from squeezefpga.sim.rtl.runner import run

DRIVER = (Path(__file__).resolve().parents[2] / "codegen" / "hls" / "templates" / "vendor"
          / "squeezefpga_driver.py")


def driver():
    spec = importlib.util.spec_from_file_location("squeezefpga_driver", DRIVER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def shape(p) -> tuple[int, int, int]:
    """(H, W, C) of a frame: PIX pixels as one row."""
    return 1, p["PIX"], p["C"]


def rx_case(p, signed: bool):
    """Frames as the driver packs them (bytes) and the pixel beats expected."""
    drv = driver()
    h, w, c = shape(p)
    bits = p["VAL_W"]
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    meta = {"input_shape_nhwc": [h, w, c], "input_exp": 0, "input_range": [lo, hi]}

    def case(rng):
        g = np.random.default_rng(rng.getrandbits(32))
        x = pk.rand_tensor(g, (3, c, h, w), bits, signed)
        words = drv.pack(x.astype(np.float64), meta)          # (frames, N) uint32
        ins = [list(fr.astype("<u4").tobytes()) for fr in words]
        exps = [pk.image_to_beats(x[i:i + 1], p["LANES"], bits) for i in range(len(x))]
        return ins, exps
    return case


def tx_case(p):
    """Network output beats and the bytes the driver unpacks (codes * 2^0)."""
    drv = driver()
    h, w, c = shape(p)
    bits, signed = p["VAL_W"], bool(p["SIGNED"])

    def case(rng):
        g = np.random.default_rng(rng.getrandbits(32))
        y = pk.rand_tensor(g, (3, c, h, w), bits, signed)
        ins = [pk.image_to_beats(y[i:i + 1], p["LANES"], bits) for i in range(len(y))]
        codes = y.transpose(0, 2, 3, 1).reshape(len(y), -1)
        exps = []
        for fr in codes:
            b = (fr & 0xFFFFFFFF).astype("<u4").tobytes()
            if signed:   # the driver reads back exactly the codes
                got = drv.unpack(np.frombuffer(b, "<u4"), {"output_exp": 0})
                assert np.array_equal(got, fr)
            exps.append(list(b))
        return ins, exps
    return case


def ports(dut, rx: bool, dma_bytes: int):
    s_bus, m_bus = AxiStreamBus.from_prefix(dut, "s_axis"), AxiStreamBus.from_prefix(dut, "m_axis")
    if rx:   # the DMA side has no TKEEP port here: byte lanes given
        src = AxiStreamSource(s_bus, dut.clk, dut.rst, byte_lanes=dma_bytes)
        snk = AxiStreamSink(m_bus, dut.clk, dut.rst, byte_lanes=1)
    else:    # m_axis_tkeep: the sink keeps only the bytes with TKEEP high
        src = AxiStreamSource(s_bus, dut.clk, dut.rst, byte_lanes=1)
        snk = AxiStreamSink(m_bus, dut.clk, dut.rst)
    return src, snk


async def adapter_checks(dut, rx: bool):
    p = tb.tb_params()
    nw = p["DMA_W"] // 32
    n = p["PIX"] * p["C"]
    cf = pk.ceil_div(p["C"], p["LANES"])
    case = rx_case(p, bool(p.get("TB_SIGNED", 0))) if rx else tx_case(p)
    rng = random.Random(p["PIX"] * 7 + p["C"] * 3 + p["DMA_W"])
    await tb.start_clock_and_reset(dut)
    src, snk = ports(dut, rx, p["DMA_W"] // 8)
    mon = tb.HandshakeMonitor(dut, "m_axis")

    async def send_check(ins, exps, what):
        for fr in ins:
            await src.send(AxiStreamFrame(tdata=fr))
        for k, exp in enumerate(exps):
            fr = await with_timeout(snk.recv(), 200_000, "ns")
            tb.check_beats(list(fr.tdata), exp, f"frame {k}, {what}")

    for i, (pin, pout) in enumerate(itertools.product(tb.PAUSES, tb.PAUSES)):
        tb.set_pause(src, pin, 11 + i)
        tb.set_pause(snk, pout, 77 + i)
        await send_check(*case(rng), f"pauses in={pin} out={pout}")
    tb.set_pause(src, "none", 0)
    tb.set_pause(snk, "none", 0)
    await ClockCycles(dut.clk, 5)
    mon.clear()
    ins, exps = case(rng)
    await send_check(ins, exps, "no pauses")
    per_frame = max(pk.ceil_div(n, nw), p["PIX"] * cf)   # the slower side, one beat a cycle
    assert mon.span() <= len(ins) * per_frame + 4, \
        f"{len(ins)} frames took {mon.span()} cycles (expected {per_frame} a frame)"
    # a reset in the middle of a frame, then a whole frame with nothing stale
    tb.set_pause(src, "random", 5)
    ins, _ = case(rng)
    await src.send(AxiStreamFrame(tdata=ins[0]))
    await ClockCycles(dut.clk, max(3, len(ins[0]) // (2 * (p["DMA_W"] // 8 if rx else 1))))
    await tb.reset(dut, 2)
    assert snk.empty(), "sink kept data across reset"
    ins, exps = case(rng)
    await send_check(ins[:1], exps[:1], "after mid-frame reset")
    await ClockCycles(dut.clk, 100)
    assert snk.empty(), "stale beats after the post-reset frame"


@cocotb.test()
async def rx_frames(dut):
    await adapter_checks(dut, rx=True)


@cocotb.test()
async def tx_frames(dut):
    await adapter_checks(dut, rx=False)


RX_GRID = [
    # DMA_W, VAL_W, signed, C, LANES, PIX
    (32, 8, 0, 1, 1, 9),     # fmnist-like: one 8-bit pixel a word, PYNQ-Z2's 32-bit DMA
    (64, 5, 1, 3, 3, 5),     # two words a beat, 15 values: a short last beat; signed codes
    (64, 6, 0, 5, 2, 3),     # pixels folded over 3 beats with padding (per-pixel re-fold)
    (128, 32, 1, 2, 2, 3),   # full-word codes, 4 words a beat, 6 values
]
TX_GRID = [
    # DMA_W, VAL_W, SIGNED, C, LANES, PIX
    (32, 8, 1, 10, 1, 1),    # fmnist: 10 signed scores, one a beat
    (64, 8, 1, 10, 4, 1),    # 3 beats of 4 lanes, 2 padding lanes; 5 DMA beats
    (64, 6, 0, 5, 2, 3),     # several pixels with padding lanes; 15 words: short last beat
    (64, 32, 1, 3, 3, 1),    # full-word codes, 3 words: short last beat
]


@pytest.mark.verilator
@pytest.mark.parametrize("dma_w,val_w,signed,c,lanes,pix", RX_GRID)
def test_axis_dma_rx(dma_w, val_w, signed, c, lanes, pix):
    run("axis_dma_rx", "test_axis_dma", Path(__file__).parent,
        dict(DMA_W=dma_w, VAL_W=val_w, C=c, LANES=lanes, PIX=pix), {"TB_SIGNED": signed},
        testcase="rx_frames")


@pytest.mark.verilator
@pytest.mark.parametrize("dma_w,val_w,signed,c,lanes,pix", TX_GRID)
def test_axis_dma_tx(dma_w, val_w, signed, c, lanes, pix):
    run("axis_dma_tx", "test_axis_dma", Path(__file__).parent,
        dict(DMA_W=dma_w, VAL_W=val_w, SIGNED=signed, C=c, LANES=lanes, PIX=pix),
        testcase="tx_frames")
