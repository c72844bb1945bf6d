"""FPGA device table: the on-chip resources a design is checked against.

Figures from the vendors' product tables: Xilinx DS190 (Zynq-7000), DS891
(Zynq UltraScale+ MPSoC), DS962 / UG1120 (Alveo U250 = XCU250 die), Lattice
ECP5 family data sheet (FPGA-DS-02012).  ``bram18`` counts RAMB18 halves
(2 per RAMB36); on ECP5 it counts DP16KD (EBR) blocks.  ``lutram_bits`` is
the distributed RAM capacity (LUTs usable as memory x 64 bits on Xilinx,
the data sheet's distributed RAM bits on ECP5).  ``dsp``: DSP48E1/E2 slices,
or ECP5 18x18 multipliers.
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
    Device("lfe5u-85f", "ecp5", 83_640, 208, 0, 156, 669 * 1024, "Lattice ECP5-85 (ULX3S, OrangeCrab)"),
)}


def get(name: str) -> Device:
    """The device called ``name`` (case-insensitive); KeyError names the known ones."""
    d = DEVICES.get(name.lower())
    if d is None:
        raise KeyError(f"unknown device '{name}' (known: {', '.join(DEVICES)})")
    return d
