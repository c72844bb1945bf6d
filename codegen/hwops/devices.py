"""FPGA device table: the on-chip resources a design is checked against.

``bram18`` counts RAMB18 halves (2 per RAMB36 / block RAM tile); on ECP5 it
counts DP16KD (EBR) blocks.  ``lutram_bits``: LUTs usable as memory x 64 bits
(Xilinx), DPR16X4 sites (TRELLIS_RAMW) x 64 bits (ECP5).  ``dsp``: DSP48E1/E2
slices, or ECP5 MULT18X18D.

Primary references: the product tables of Xilinx DS190 (Zynq-7000), DS891
(Zynq UltraScale+ MPSoC), DS962 (Alveo U250) and Lattice FPGA-DS-02012
(ECP5).  Every figure was checked (2026-11) against the "Available" column
the tools print for the part, as found in public reports: Vivado
report_utilization for xc7z020clg400 (Slice LUTs 53,200, LUT as Memory
17,400, Block RAM Tile 140, DSPs 220), xczu3eg (CLB LUTs 70,560, LUT as Memory
28,800, RAMB18 432, DSPs 360, no URAM), xczu7ev-ffvc1156 (CLB LUTs 230,400,
LUT as Memory 101,760, Block RAM Tile 312, URAM 96, DSP48E2 1,728), xcu250
(CLB LUTs 1,728,000, LUT as Memory 791,040; 4 SLRs of 672 block RAM tiles,
320 URAM, 3,072 DSPs), and nextpnr-ecp5's device utilisation for an
LFE5U-85F (TRELLIS_COMB 83,640, DP16KD 208, MULT18X18D 156, TRELLIS_RAMW
10,455).  Correction from that check: ECP5 distributed RAM is 10,455 x 64 =
669,120 bits (the data sheet's "669 Kbits" in decimal K), not 669 x 1024.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Device:
    name: str
    family: str  # "xilinx" or "ecp5" (selects the primitive library)
    luts: int
    bram18: int
    uram: int
    dsp: int
    lutram_bits: int
    note: str = ""

    def capacity(self) -> dict[str, int]:
        return {"bram18_equiv": self.bram18, "uram": self.uram, "dsp": self.dsp,
                "lutram_bits": self.lutram_bits}


DEVICES: dict[str, Device] = {d.name: d for d in (
    Device("xc7z020", "xilinx", 53_200, 280, 0, 220, 17_400 * 64, "Zynq-7020 (PYNQ-Z2, ZedBoard)"),
    Device("xczu3eg", "xilinx", 70_560, 432, 0, 360, 28_800 * 64, "Zynq UltraScale+ ZU3EG (Ultra96)"),
    Device("xczu7ev", "xilinx", 230_400, 624, 96, 1_728, 101_760 * 64, "Zynq UltraScale+ ZU7EV (ZCU104)"),
    Device("xcu250", "xilinx", 1_728_000, 5_376, 1_280, 12_288, 791_040 * 64, "Alveo U250"),
    Device("lfe5u-85f", "ecp5", 83_640, 208, 0, 156, 10_455 * 64, "Lattice ECP5-85 (ULX3S, OrangeCrab)"),
)}


def get(name: str) -> Device:
    """The device called ``name`` (case-insensitive); KeyError names the known ones."""
    d = DEVICES.get(name.lower())
    if d is None:
        raise KeyError(f"unknown device '{name}' (known: {', '.join(DEVICES)})")
    return d
