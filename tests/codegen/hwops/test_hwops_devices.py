"""The device table against the figures its docstring cites."""
from squeezefpga.codegen.hwops.devices import DEVICES


def test_device_table_matches_the_cited_figures():
    # (LUTs, FFs, RAMB18 / DP16KD, URAM, DSP, DSP width, LUT-RAM bits, IOs): see
    # the devices.py docstring
    want = {"xc7z020": (53_200, 106_400, 280, 0, 220, (25, 18), 17_400 * 64, 125),
            "xczu3eg": (70_560, 141_120, 432, 0, 360, (27, 18), 28_800 * 64, 82),
            "xczu7ev": (230_400, 460_800, 624, 96, 1_728, (27, 18), 101_760 * 64, 360),
            "xcu250": (1_728_000, 3_456_000, 5_376, 1_280, 12_288, (27, 18), 791_040 * 64, 676),
            "lfe5u-25f": (24_288, 24_288, 56, 0, 28, (18, 18), 3_036 * 64, 197),
            "lfe5u-45f": (43_848, 43_848, 108, 0, 72, (18, 18), 5_481 * 64, 203),
            "lfe5u-85f": (83_640, 83_640, 208, 0, 156, (18, 18), 669_120, 205)}
    got = {n: (d.luts, d.ffs, d.bram18, d.uram, d.dsp, d.dsp_width, d.lutram_bits, d.ios)
           for n, d in DEVICES.items()}
    assert got == want


def test_ecp5_distributed_ram_is_the_data_sheets_decimal_kbits():
    # FPGA-DS-02012 table 1.1: 194 / 351 / 669 Kbits distributed RAM
    kb = {n: round(DEVICES[n].lutram_bits / 1000) for n in ("lfe5u-25f", "lfe5u-45f", "lfe5u-85f")}
    assert kb == {"lfe5u-25f": 194, "lfe5u-45f": 351, "lfe5u-85f": 669}
