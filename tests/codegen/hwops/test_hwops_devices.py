"""The device table against the figures its docstring cites."""
from squeezefpga.codegen.hwops.devices import DEVICES


def test_device_table_matches_the_cited_figures():
    # (LUTs, RAMB18 / DP16KD, URAM, DSP, LUT-RAM bits): see the devices.py docstring
    want = {"xc7z020": (53_200, 280, 0, 220, 17_400 * 64),
            "xczu3eg": (70_560, 432, 0, 360, 28_800 * 64),
            "xczu7ev": (230_400, 624, 96, 1_728, 101_760 * 64),
            "xcu250": (1_728_000, 5_376, 1_280, 12_288, 791_040 * 64),
            "lfe5u-85f": (83_640, 208, 0, 156, 669_120)}
    assert {n: (d.luts, d.bram18, d.uram, d.dsp, d.lutram_bits) for n, d in DEVICES.items()} == want
