"""conv_mvu: PE/SIMD-folded convolution engine fed with window streams,
checked against sim.golden.ops.conv2d accumulators ((sum << PROD_SHIFT) +
bias), with DSP (`*`), LUT (mul_lut) and packed DSP products (unsigned
activations: 2 to 8 channels per multiply, a lone last channel); exact cycles per output
pixel = ceil(Cout/PE) * K*K * ceil(Cin/SIMD), backpressure on both sides.
ROM files come from the op class (codegen/hwops/conv.py ConvMvu)."""
from pathlib import Path

import cocotb
import numpy as np
import pytest

from squeezefpga.codegen.hwops.conv import MULT_STYLE_PARAM, ConvMvu
from squeezefpga.sim.golden import ops
from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl import packing as pk
from squeezefpga.sim.rtl.runner import BUILD_ROOT, run



def latency(p) -> int:
    """Documented in hw/conv_mvu.v: first output SF + 4 + WLAT + MUL_LAT + TREE_LAT
    cycles after the first input (WLAT 1 with a banked weight ROM; MUL_LAT 1 packed
    DSP, 2 LUT, 4 DSP; TREE_LAT clog2(SIMD))."""
    sf = p["K"] ** 2 * pk.ceil_div(p["CIN"], p["SIMD"])
    return (sf + 4 + {0: 4, 1: 2, 2: 1}[p["MULT_STYLE"]] + (p["SIMD"] - 1).bit_length()
            + (1 if p.get("WBANK_DEPTH", 0) else 0))   # a banked ROM's mux register


def make_case_fn(p, w, bias):
    cin, h, wd, k, s = p["CIN"], p["H"], p["W"], p["K"], p["S"]
    pads = (p["PAD"],) * 4

    def case(rng):
        g = np.random.default_rng(rng.getrandbits(32))
        x = pk.rand_tensor(g, (1, cin, h, wd), p["IN_W"], bool(p["IN_SIGNED"]))
        beats, _ = pk.window_beats(x, k, s, pads, p["SIMD"], p["IN_W"])
        acc = ops.conv2d(x, w, None, stride=(s, s), pads=pads) << p["PROD_SHIFT"]
        if bias is not None:
            acc = acc + bias.reshape(1, -1, 1, 1)
        return [beats], [pk.image_to_beats(acc, p["PE"], p["ACC_W"])]
    return case


def rate_fn(p, sf, nf):
    def rate(mon, case):
        n_out = len(case[1][0])
        span = mon.span()
        assert span == (n_out - 1) * sf + 1, (
            f"{n_out} output beats over {span} cycles, expected one per SF={sf} cycles "
            f"({nf * sf} cycles per pixel)")
    return rate


@cocotb.test()
async def convolution(dut):
    p = tb.tb_params()
    data = np.load(p["DATA"])
    w, bias = data["w"], (data["b"] if p["USE_BIAS"] else None)
    sf = p["K"] ** 2 * pk.ceil_div(p["CIN"], p["SIMD"])
    nf = pk.ceil_div(p["COUT"], p["PE"])
    await tb.start_clock_and_reset(dut)
    in_mon = tb.HandshakeMonitor(dut, "s_axis")
    out_mon = tb.HandshakeMonitor(dut, "m_axis")
    src, snk = await tb.stream_checks(dut, make_case_fn(p, w, bias), seed=p["CIN"] * 31 + p["PE"],
                           fmt=(p["PE"], p["ACC_W"], True), rate=rate_fn(p, sf, nf),
                           combos=[("none", "none"), ("random", "none"), ("none", "bursty"),
                                   ("bursty", "random")])
    # latency of a lone pixel from an empty engine
    in_mon.clear()
    out_mon.clear()
    tb.set_pause(src, "none", 0)
    tb.set_pause(snk, "none", 0)
    beats, exp = make_case_fn(p, w, bias)(__import__("random").Random(1))
    await src.send(tb.frame(beats[0]))
    await tb.recv_check(snk, exp[0], "latency frame", (p["PE"], p["ACC_W"], True), 50000, dut.clk)
    lat = out_mon.times[0] - in_mon.times[0]
    assert lat == latency(p), f"first output {lat} cycles after first input, expected {latency(p)}"


GRID = [
    # CIN, COUT, K, SIMD, PE, S, PAD, H, W, IN_W, IN_SIGNED, W_W, USE_BIAS, PROD_SHIFT
    (5, 7, 3, 2, 3, 1, 1, 4, 5, 8, 0, 6, 1, 0),    # folds that do not divide, odd sizes, bias
    (8, 8, 1, 8, 8, 1, 0, 3, 5, 6, 1, 8, 0, 0),    # fully parallel: one group per cycle
    (4, 6, 3, 4, 2, 2, 0, 7, 7, 4, 0, 3, 1, 0),    # stride 2, no padding, 3-bit weights
    (3, 5, 3, 2, 2, 1, 1, 5, 4, 5, 1, 4, 1, 6),    # a bias 6 bits finer than the products
    (7, 4, 1, 7, 4, 1, 0, 3, 3, 9, 1, 3, 1, 0),    # odd SIMD tree, rows over the weight bits
    (2, 3, 3, 1, 3, 1, 1, 3, 4, 1, 0, 2, 0, 0),    # 1-bit activations, SIMD 1 (no tree)
    (3, 6, 1, 1, 2, 1, 0, 3, 3, 4, 0, 4, 1, 0),    # SIMD 1, 1x1, NF 3 with bias (packed: the
                                                   # bias ROM read at stage B, DP = 1)
    (4, 6, 1, 2, 2, 1, 0, 3, 4, 4, 0, 4, 1, 0),    # SF 2, NF 3: the input buffer written at
                                                   # the issue (read ahead at the next one)
    (2, 4, 1, 2, 2, 1, 0, 3, 3, 4, 0, 3, 0, 0),    # SF 1, NF 2: the one-word input buffer
]


@pytest.mark.verilator
@pytest.mark.parametrize("mult", ["dsp", "lut", "pack"])
@pytest.mark.parametrize("cin,cout,k,simd,pe,s,pad,h,w,in_w,in_s,w_w,use_bias,shift", GRID)
def test_conv_mvu(cin, cout, k, simd, pe, s, pad, h, w, in_w, in_s, w_w, use_bias, shift, mult):
    if mult == "pack" and in_s:
        pytest.skip("packed products need unsigned activations (FoldError, tested in codegen)")
    check(cin, cout, k, simd, pe, s, pad, h, w, in_w, in_s, w_w, use_bias, shift, mult)


@pytest.mark.verilator
@pytest.mark.parametrize("mult", ["dsp", "lut", "pack"])
@pytest.mark.parametrize("case,bank", [(0, 16), (2, 4), (5, 2)])
def test_conv_mvu_banked_weight_rom(case, bank, mult):
    """The weight ROM in banks side by side (WBANK_DEPTH, mvu_wrom.v): 81 words in
    6 banks of 16 (the last one partial), 27 in 7 of 4, 18 in 9 of 2; same results
    and cycles."""
    check(*GRID[case], mult, bank=bank)


def check(cin, cout, k, simd, pe, s, pad, h, w, in_w, in_s, w_w, use_bias, shift, mult,
          bank=None):
    b_w = 10
    oh, ow = (h + 2 * pad - k) // s + 1, (w + 2 * pad - k) // s + 1
    tag = "_".join(map(str, [cin, cout, k, simd, pe, s, pad, h, w, in_w, in_s, w_w, use_bias,
                             shift, mult, bank]))
    ddir = BUILD_ROOT / "conv_mvu_data" / tag
    g = np.random.default_rng(sum(map(ord, tag)))
    wts = pk.rand_tensor(g, (cout, cin, k, k), w_w, True)
    bias = pk.rand_tensor(g, (cout,), b_w, True)
    op = ConvMvu.standalone("c", cin, cout, k, pe, simd, in_w=in_w, in_signed=bool(in_s),
                            w_w=w_w, npix=oh * ow, prod_shift=shift, weights=wts,
                            bias=bias if use_bias else None, bias_w=b_w if use_bias else 0,
                            mult=mult, wrom_bank=bank)
    assert op.params()["MULT_STYLE"] == MULT_STYLE_PARAM[mult]
    assert op.params().get("WBANK_DEPTH", 0) == (bank or 0)
    params = dict(op.params(), **{key: str(ddir / f) for key, f in op.write_roms(ddir).items()})
    np.savez(ddir / "data.npz", w=wts, b=bias)
    run("conv_mvu", "test_conv_mvu", Path(__file__).parent, params,
        tb_params=dict(H=h, W=w, S=s, PAD=pad, DATA=str(ddir / "data.npz")))
