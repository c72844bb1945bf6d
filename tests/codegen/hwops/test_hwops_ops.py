"""Per-op shapes, cycles, memories and weight packing, hand-computed."""
import numpy as np
import pytest

from squeezefpga.codegen.hwops.ops import ConvEngine, Fifo, GlobalAvgPool, MaxPool, WindowGen, line_rows


def test_conv_engine_cycles_and_rom():
    c = ConvEngine("c", "c", cin=16, cout=32, k=3, out_hw=(10, 10), pe=4, simd=8, in_w=4, w_w=4)
    assert (c.cf, c.sf, c.nf) == (2, 18, 8)
    assert c.cycles() == 100 * 8 * 18 and c.latency() == 23
    assert c.acc_w == 4 + 1 + 4 + 8 + 1  # clog2(16*9) = 8
    mems = {m.name.split(".")[-1]: m for m in c.memories()}
    assert (mems["wrom"].width, mems["wrom"].depth, mems["wrom"].rom) == (128, 144, True)
    assert mems["wrom"].stored_bits == 32 * 16 * 9 * 4
    assert (mems["ibuf"].width, mems["ibuf"].depth) == (32, 18)
    assert (mems["ofifo"].width, mems["ofifo"].depth) == (4 * 18 + 1, 16)
    assert c.multipliers()[0].count == 32 and c.multipliers()[0].y == 9


def test_conv_engine_no_ibuf_when_one_fold():
    c = ConvEngine("c", "c", cin=4, cout=4, k=1, pe=4, simd=4)
    assert "c.ibuf" not in [m.name for m in c.memories()]


def test_conv_engine_rejects_bad_fold():
    with pytest.raises(ValueError, match="SIMD <= CIN"):
        ConvEngine("c", "c", cin=4, cout=4, k=1, pe=8, simd=1)


def test_pack_weights_by_hand():
    c = ConvEngine("c", "c", cin=2, cout=2, k=1, pe=2, simd=1, w_w=4)
    # word f: lane p = output channel p, input channel f
    assert c.pack_weights(np.array([[1, -1], [2, -2]]).reshape(2, 2, 1, 1)) == [0x21, 0xEF]


def test_pack_weights_pads_and_orders_taps():
    c = ConvEngine("c", "c", cin=1, cout=3, k=2, pe=2, simd=1, w_w=2)
    w = np.arange(12).reshape(3, 1, 2, 2) % 2  # 0/1 weights
    words = c.pack_weights(w)
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
        c.pack_weights(np.full((3, 1, 2, 2), 2))


def test_window_gen_line_buffer():
    g = WindowGen("g", "g", h=10, w=10, c=16, lanes=8, data_w=4, k=3, s=1, pads=(1, 1, 1, 1))
    (m,) = g.memories()
    assert (m.width, m.depth) == (32, (3 + 1) * 10 * 2)  # K + S rows of W * CF words
    assert (g.oh, g.ow) == (10, 10) and g.cycles() == 100 * 9 * 2


def test_maxpool_and_gap_cycles():
    p = MaxPool("p", "p", h=9, w=9, c=8, lanes=4, data_w=4, k=3, s=2, out_hw=(4, 4))
    # floor mode drops input row 8: the last output row reads rows 6..8 (3) and
    # the next frame starts with 3 rows, so the ring has 6 > K + S rows
    assert p.cycles() == 16 * 9 * 2 and p.memories()[0].depth == 6 * 9 * 2
    assert line_rows(9, 3, 2, 0, 4) == 6 and line_rows(28, 3, 2, 0, 14) == 5  # ceil: 14
    assert line_rows(28, 3, 1, 1, 28) == 4
    g = GlobalAvgPool("g", "g", h=2, w=2, c=4, lanes=2, in_w=4)
    # NB = 4 + clog2(5) + 1 = 8; 4 pixels * 2 beats overlap 2 * (8 + 2) + 1 of division
    assert g.cycles() == 21
    big = GlobalAvgPool("g", "g", h=13, w=13, c=1000, lanes=2, in_w=8)
    assert big.cycles() == 169 * 500   # accumulation binds: 500 * (8 + 8 + 1 + 2) + 1 < it


def test_fifo_rounds_to_power_of_two_and_stores_tlast():
    f = Fifo("f", "f", data_w=12, min_beats=100)
    assert f.depth == 128 and f.memories()[0].width == 13
    assert f.verilog() == {"module": "axis_fifo", "params": {"DATA_W": 12, "DEPTH": 128}}
