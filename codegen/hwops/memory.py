"""Mapping of one memory array onto FPGA primitives, the way yosys chooses.

A ``Memory`` is one ``reg [W-1:0] mem[0:D-1]`` of an hw/ module, described
by its ports as yosys sees them after ``memory_dff``: a ROM (``$readmemh`` /
``initial`` contents, no write port) or a RAM with one synchronous write
port and ``read_ports`` read ports, registered or combinational
(``async_read``); ``single_port``: the (first) read port uses the write
address; ``collision``: what a registered read of the word being written in
the same cycle returns: ``"old"`` (non-transparent, e.g. the max-pool
accumulator), ``"new"`` (transparent: ``memory_dff`` merged an address
register, or a bypass multiplexer) or ``"x"`` (yosys proved it never happens:
axis_fifo; or the array says ``no_rw_check``: window_gen's line RAM); one for
every read port or one per read port.
``map_memory`` returns how many primitives of each kind it takes.

The choice follows yosys ``memory_libmap`` (run by ``synth_xilinx`` and
``synth_ecp5``; memory_libmap.cc ``score_emu_ports``, ``handle_geom``,
``prune_post_geom`` and the pass's final choice) with the libraries' numbers
(``xilinx/brams_xc4v.txt`` with HAS_SIZE_36/HAS_CASCADE, ``lutrams_xc5v.txt``,
``lattice/brams_16kd.txt``, ``lattice/lutrams_trellis.txt``).  Each library
RAM option (``Ram``) is one candidate; for each of its geometries of ``unit``
data bits x ``depth`` words:

* the word is padded to the write-enable granularity: ``eb`` = 1 for a ROM,
  else the primitive's byte (9 for block RAM) or, when that is wider than the
  unit (or 0, LUT RAM), the unit itself; ``swz = ceil(W / eb) * eb``;
* ``banks = ceil(D / depth)``, ``cells = ceil(banks * swz / unit)`` (banks
  share a cell's columns when they fit), times ``repl`` copies when the read
  ports that do not share the write port outnumber the RAM's free read ports;
* cost = ``((cost - ws) * cells + ws * banks * W / unit) * repl`` (``ws``:
  widthscale) ``+ 0.5 * (banks - 1) * W`` per read port (read mux) ``+ 0.5 *
  banks`` (write demux, RAMs with banks > 1) ``+ 2 * emu``, the emulation
  score: 1 per read port not merged with the write port; for each registered
  read port on a port of its own, 3 for soft transparency logic (``"new"``;
  block and LUT RAM alike); with an ``"old"`` one on a block RAM without a
  read-first cross-port mode (ECP5 DP16KD: no ``wrtrans``), 3 for read-first
  emulation and then 3 for each such port that is not ``"x"`` (Xilinx:
  ``wrtrans all old``, nothing);
* block RAM only takes registered read ports, LUT RAM (``ar`` ports) both;
  LUT RAM takes no ROM (``prune_rom``);
* Xilinx block RAM: true dual port RAMB18 (16Kx1 .. 1Kx18) cost 129, RAMB36
  (.. 1Kx36) 257, two cascaded RAMB36 (64Kx1 .. 8Kx9) 513, simple dual port
  RAMB18 (.. 512x36) 129, RAMB36 (.. 512x72) 257; Xilinx LUT RAM: single port
  32x8 (RAM32M), 64x4 / 128x2 / 256x1 (one RAM64X1S / RAM128X1S / RAM256X1S
  per used bit) cost 8, widthscale 8; dual port 32x4 (RAM32M), 64x2 / 128x1
  (RAM64X1D / RAM128X1D per used bit) 8, 8; quad port 32x2 / 64x1 (RAM32M /
  RAM64M) 7, 7; simple dual port 32x6 / 64x3 (RAM32M / RAM64M) 8, 7.  ECP5:
  DP16KD true dual port (16Kx1 .. 1Kx18) and PDPW16KD (its 36-bit write port:
  units of 9 bits and more for a RAM, .. 512x36) cost 128; TRELLIS_DPR16X4
  (16x4, write + one combinational read port) cost 4;
* soft logic: ``W * D`` for a RAM, ``W * D / 64`` for a ROM on Xilinx
  (``-logic-cost-rom 0.015625``), ``/ 16`` on ECP5 (the pass default).

yosys keeps costs in an ``int`` where it compares them: within a candidate
the first geometry (narrowest unit) stays unless a later one costs less than
its truncated cost; the candidates of one kind (LUT, block) keep the cheapest
(the first of equals); the final choice starts from the truncated soft-logic
cost and takes, in library order (LUT RAM before block RAM), a candidate that
costs less than the truncated best so far.  So the LUT-RAM / block-RAM
threshold is not a fixed bit count: a 5 x 512 FIFO takes one RAMB18 (131)
rather than 16 RAM64M (132.8), an ECP5 5 x 180 line buffer 24
TRELLIS_DPR16X4 (131.5) rather than a DP16KD (142 with read-first
emulation), and a ROM goes to block RAM only above roughly 131 * 64 = 8384
bits.  ``style`` forces a kind the way the ``ram_style``/``rom_style``
attributes do (RAM_STYLE/WROM_STYLE parameters of the hw/ modules).
``width`` is the number of bit columns yosys keeps: ``opt_mem`` drops ROM
columns that are constant in every word (pre-shifted weights have constant
low bits), so callers pass the live width.  URAM (UltraScale+, 4Kx72,
``synth_xilinx -uram`` only) is used when ``uram=True`` and the memory takes
at least one full URAM's worth of bits.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from squeezefpga.quant.arch import ceil_div

FAMILIES = ("xilinx", "ecp5")
COLLISIONS = ("old", "new", "x")


@dataclass(frozen=True)
class Memory:
    """One memory array: ``width`` x ``depth`` bits, ``kind`` for reports."""

    name: str
    kind: str  # "weight", "bias", "buffer", "fifo"
    width: int
    depth: int
    rom: bool = False
    style: str = "auto"  # "auto", "block", "lut", "logic"
    content_bits: int | None = None  # information stored (default width*depth)
    async_read: bool = False  # combinational read: LUT RAM or logic, never block RAM
    single_port: bool = False  # the (first) read port uses the write address
    read_ports: int = 1
    # registered read of the word being written: "old", "new", "x"; one for all read
    # ports or a tuple, one per read port
    collision: str | tuple = "old"
    # ROM banks stored side by side in the word (mvu_wrom.v BANK_DEPTH): a
    # multiplexer of width/banks bits from ``banks`` inputs follows the read
    banks: int = 1

    def __post_init__(self):
        if self.banks < 1 or self.width % self.banks:
            raise ValueError(f"memory {self.name}: {self.banks} banks do not divide "
                             f"width {self.width}")
        if self.read_ports < 1:
            raise ValueError(f"memory {self.name}: read_ports {self.read_ports} < 1")
        cs = self.collisions
        if len(cs) != self.read_ports or any(c not in COLLISIONS for c in cs):
            raise ValueError(f"memory {self.name}: collision {self.collision!r}, not one of "
                             f"{', '.join(COLLISIONS)} for each of {self.read_ports} read ports")

    @property
    def collisions(self) -> tuple:
        c = self.collision
        return (c,) * self.read_ports if isinstance(c, str) else tuple(c)

    @property
    def bits(self) -> int:
        return self.width * self.depth

    @property
    def stored_bits(self) -> int:
        return self.bits if self.content_bits is None else self.content_bits


# read-only ports a RAM has besides the one its write port takes, and whether a
# read port can share the write port (same address): true / simple dual port
# block RAM, LUT RAM single / dual / quad / simple dual port (ECP5 DPR16X4: "sdp")
_PORTS = {"tdp": (1, True), "sdp": (1, False), "sp": (0, True), "dp": (1, True),
          "qp": (3, True)}


@dataclass(frozen=True)
class Ram:
    """One memory_libmap candidate: a library RAM with one option."""

    prim: str  # the primitive yosys' techmap emits ("RAMB18", "RAM64X1S", "DPR16X4", ...)
    kind: str  # "block", "lut"
    dims: tuple  # (unit data bits, depth) per geometry, yosys' order (narrowest first)
    cost: float
    scale: float = 0.0  # yosys widthscale: the part of the cost paid per used width
    byte: int = 0  # write-enable granularity (0: the whole unit)
    ports: str = "tdp"  # a key of _PORTS
    count: int = 1  # primitives per cell (a cascaded RAMB36 pair: 2)
    per_bit: bool = False  # one primitive per used data bit of a cell (RAM64X1S ...)
    luts: int = 0  # LUTs per primitive (LUT RAM)
    wrtrans_old: bool = False  # a write port's cross-port read-first mode (Xilinx)
    min_write_unit: int = 0  # narrowest unit a RAM (not a ROM) can use (PDPW16KD: 9)


_D1 = ((1, 16384), (2, 8192), (4, 4096), (9, 2048), (18, 1024))
_XBLOCK = dict(kind="block", byte=9, wrtrans_old=True)
_RAMS = {
    "xilinx": (
        Ram("RAM32M", "lut", ((8, 32),), 8, 8, ports="sp", luts=4),
        Ram("RAM64X1S", "lut", ((4, 64),), 8, 8, ports="sp", per_bit=True, luts=1),
        Ram("RAM128X1S", "lut", ((2, 128),), 8, 8, ports="sp", per_bit=True, luts=2),
        Ram("RAM256X1S", "lut", ((1, 256),), 8, 8, ports="sp", per_bit=True, luts=4),
        Ram("RAM32M", "lut", ((4, 32),), 8, 8, ports="dp", luts=4),
        Ram("RAM64X1D", "lut", ((2, 64),), 8, 8, ports="dp", per_bit=True, luts=2),
        Ram("RAM128X1D", "lut", ((1, 128),), 8, 8, ports="dp", per_bit=True, luts=4),
        Ram("RAM32M", "lut", ((2, 32),), 7, 7, ports="qp", luts=4),
        Ram("RAM64M", "lut", ((1, 64),), 7, 7, ports="qp", luts=4),
        Ram("RAM32M", "lut", ((6, 32),), 8, 7, ports="sdp", luts=4),
        Ram("RAM64M", "lut", ((3, 64),), 8, 7, ports="sdp", luts=4),
        Ram("RAMB18", dims=_D1, cost=129, **_XBLOCK),
        Ram("RAMB36", dims=tuple((w, 2 * d) for w, d in _D1) + ((36, 1024),), cost=257,
            **_XBLOCK),
        Ram("RAMB36", dims=tuple((w, 4 * d) for w, d in _D1[:4]), cost=513, count=2,
            **_XBLOCK),
        Ram("RAMB18", dims=_D1 + ((36, 512),), cost=129, ports="sdp", **_XBLOCK),
        Ram("RAMB36", dims=tuple((w, 2 * d) for w, d in _D1 + ((36, 512),)) + ((72, 512),),
            cost=257, ports="sdp", **_XBLOCK)),
    "ecp5": (
        Ram("DPR16X4", "lut", ((4, 16),), 4, ports="sdp", luts=1),
        Ram("DP16KD", "block", _D1, 128, byte=9),
        Ram("DP16KD", "block", _D1 + ((36, 512),), 128, byte=9, ports="sdp",
            min_write_unit=9)),
}
_URAM = "URAM288"
_LOGIC_COST_ROM = {"xilinx": 1 / 64, "ecp5": 1 / 16}


@dataclass
class Mapping:
    """Primitives one memory (or a sum of memories) takes."""

    bram18: int = 0
    bram36: int = 0
    uram: int = 0
    dp16kd: int = 0
    lutram_bits: int = 0  # stored bits that live in LUT RAM
    lutram_luts: int = 0  # LUTs used as memory
    lutram_cells: int = 0  # LUT-RAM primitives (RAM32M, RAM64X1S, TRELLIS_DPR16X4, ...)
    logic_bits: int = 0  # bits left to flip-flops / LUT logic
    stored_bits: int = 0
    primitive_bits: int = 0  # capacity of the block/ultra/LUT RAM primitives used
    read_mux_bits: int = 0  # inputs of the bank mux after the read: W * (banks - 1) per port
    prims: dict[str, int] = field(default_factory=dict)

    @property
    def bram18_equiv(self) -> int:
        """RAMB36 counts as two RAMB18; a DP16KD as one."""
        return self.bram18 + 2 * self.bram36 + self.dp16kd

    @property
    def efficiency(self) -> float | None:
        """Bits stored / bits of the RAM primitives used (None: no RAM primitive)."""
        mapped = self.stored_bits - self.logic_bits
        return mapped / self.primitive_bits if self.primitive_bits else None

    def __iadd__(self, o: "Mapping") -> "Mapping":
        for f in ("bram18", "bram36", "uram", "dp16kd", "lutram_bits", "lutram_luts",
                  "lutram_cells", "logic_bits", "stored_bits", "primitive_bits", "read_mux_bits"):
            setattr(self, f, getattr(self, f) + getattr(o, f))
        for k, v in o.prims.items():
            self.prims[k] = self.prims.get(k, 0) + v
        return self


@dataclass(frozen=True)
class _Fit:
    """One candidate's chosen geometry for a memory."""

    ram: Ram
    unit: int
    depth: int
    banks: int
    cells: int  # cells of one copy
    repl: int  # copies for the read ports
    cost: float


def _ports(ram: Ram, m: Memory) -> tuple[int, int] | None:
    """(emulation score, copies) of ``m``'s read ports on ``ram``; None: it cannot."""
    if m.async_read and ram.kind == "block":
        return None  # block RAM read ports are registered
    if m.rom:
        return m.read_ports, 1  # every read port is a port of its own
    free, shares = _PORTS[ram.ports]
    mine = m.collisions[1:] if m.single_port and shares else m.collisions  # own ports
    own = len(mine)
    if own and not free:
        return None
    score = own
    if not m.async_read:  # registered reads on ports of their own
        if "old" in mine and ram.kind == "block" and not ram.wrtrans_old:
            # read-first emulation, then every port that may collide is transparent
            score += 3 + 3 * sum(c != "x" for c in mine)
        else:
            score += 3 * mine.count("new")  # soft transparency
    return score, ceil_div(own, free) if own else 1


def _fit(ram: Ram, m: Memory) -> _Fit | None:
    """``ram``'s geometry for ``m`` (handle_geom, with its int comparisons)."""
    ports = _ports(ram, m)
    if ports is None:
        return None
    emu, repl = ports
    best: _Fit | None = None
    for unit, depth in ram.dims:
        if not m.rom and unit < ram.min_write_unit:
            continue
        eb = 1 if m.rom else (ram.byte if 0 < ram.byte <= unit else unit)
        banks = ceil_div(m.depth, depth)
        cells = ceil_div(banks * ceil_div(m.width, eb) * eb, unit)
        cost = ((ram.cost - ram.scale) * cells + ram.scale * banks * m.width / unit) * repl
        cost += 0.5 * (banks - 1) * m.width * m.read_ports
        if banks > 1 and not m.rom:
            cost += 0.5 * banks
        cost += 2 * emu
        if best is None or cost < int(best.cost):
            best = _Fit(ram, unit, depth, banks, cells, repl, cost)
    return best


def _choose(m: Memory, family: str) -> _Fit | None:
    """The candidate yosys maps ``m`` to; None: soft logic."""
    kinds = {"auto": ("lut", "block"), "lut": ("lut",), "block": ("block",), "logic": ()}
    fits = [f for r in _RAMS[family] if r.kind in kinds[m.style] and not (m.rom and r.kind == "lut")
            for f in [_fit(r, m)] if f is not None]
    if not fits and m.style in ("lut", "block"):  # the forced kind cannot take it: the other
        fits = [f for r in _RAMS[family] if not (m.rom and r.kind == "lut")
                for f in [_fit(r, m)] if f is not None]
    best_of: dict[str, _Fit] = {}  # prune_post_geom: the cheapest per kind, first of equals
    for f in fits:
        if f.ram.kind not in best_of or f.cost < best_of[f.ram.kind].cost:
            best_of[f.ram.kind] = f
    choice = None
    best = None
    if m.style == "auto" or not best_of:
        best = int(m.bits * (_LOGIC_COST_ROM[family] if m.rom else 1.0))
    for kind in ("lut", "block"):
        f = best_of.get(kind)
        if f is not None and (best is None or f.cost < best):
            choice, best = f, int(f.cost)
    return choice


def stacked_depth(m: Memory, family: str) -> int:
    """Words per block RAM when yosys stacks ``m`` in block RAMs of that depth
    and joins them by a read multiplexer (0: one deep, or not block RAM)."""
    f = _choose(m, family)
    return f.depth if f is not None and f.ram.kind == "block" and f.banks > 1 else 0


def map_memory(m: Memory, family: str, uram: bool = False) -> Mapping:
    """Primitives for one memory on ``family`` ("xilinx" or "ecp5")."""
    if family not in FAMILIES:
        raise ValueError(f"unknown device family {family!r}")
    out = Mapping(stored_bits=m.stored_bits)
    if m.depth <= 0 or m.width <= 0:
        return out
    if uram and family == "xilinx" and m.style in ("auto", "block") and m.bits >= 72 * 4096:
        n = ceil_div(m.width, 72) * ceil_div(m.depth, 4096)
        out.uram, out.primitive_bits, out.prims = n, n * 72 * 4096, {_URAM: n}
        return out
    f = _choose(m, family)
    if f is None:
        out.logic_bits = m.stored_bits
        return out
    g = f.ram
    cells = f.cells * f.repl
    out.primitive_bits = cells * f.unit * f.depth
    if g.per_bit:  # one primitive per used bit: W per bank
        n = m.width * f.banks * f.repl
    else:
        n = cells * g.count
    out.prims = {g.prim: n}
    out.read_mux_bits = (m.width * (f.banks - 1) * f.repl
                         + m.width // m.banks * (m.banks - 1)) * m.read_ports
    if g.kind == "lut":
        out.lutram_bits = m.stored_bits
        out.lutram_cells = n
        out.lutram_luts = n * g.luts
    elif g.prim == "RAMB18":
        out.bram18 = n
    elif g.prim == "RAMB36":
        out.bram36 = n
    else:
        out.dp16kd = n
    return out


def dsp_per_multiplier(a_width: int, b_width: int, y_width: int, family: str) -> int:
    """DSP blocks yosys uses for one ``a x b -> y`` signed multiplier.

    yosys ``mul2dsp``: Xilinx (synth_xilinx) needs A, B >= 2 bits and Y >= 9
    bits ("UG901: small multiplies are 4x4 and smaller"), one DSP48 takes
    25x18 (7-series) / 27x18 (UltraScale); ECP5 (synth_ecp5) needs A, B >= 2,
    no Y minimum, one MULT18X18D takes 18x18.  Wider products are split into
    full-width slices plus the rest of each operand; a rest narrower than the
    2-bit minimum stays in LUTs (a 19 x 6 product on ECP5: one MULT18X18D for
    18 x 6 and the 1 x 6 row in logic, measured), so the count is the product
    of the slices per operand (the estimate ignores cascade tricks).
    """
    a, b = max(a_width, b_width), min(a_width, b_width)
    if a < 2 or b < 2:
        return 0

    def slices(n: int, width: int) -> int:
        return n // width + (1 if n % width >= 2 else 0)

    if family == "xilinx":
        if y_width < 9:
            return 0
        return slices(a, 25) * slices(b, 18) if a > 25 or b > 18 else 1
    return slices(a, 18) * slices(b, 18)


def next_pow2(n: int) -> int:
    return 1 << max(1, math.ceil(math.log2(max(n, 2))))
