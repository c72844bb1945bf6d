"""Memory mapping and DSP rules on hand-computed cases (yosys memory_libmap costs)."""
from codegen.hwops.memory import Memory, dsp_per_multiplier, map_memory, next_pow2


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


def test_fifo_5x512_lutram_beats_bram_by_a_hair():
    # RAM64M: 8 banks, ceil(40/3) = 14 cells: 14 + 7*8*5/3 + 0.5*7*5 + 0.5*8 = 128.8 < 129
    m = map_memory(Memory("f", "fifo", 5, 512), "xilinx")
    assert m.prims == {"RAM64M": 14} and m.lutram_luts == 56 and m.bram18_equiv == 0


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


def test_next_pow2():
    assert [next_pow2(n) for n in (1, 2, 3, 16, 17, 100)] == [2, 2, 4, 16, 32, 128]
