"""Device-aware automatic fold (codegen/budget/device_fold.py): ``build --device``
and ``budget --device`` fold fmnist to the fastest pipeline that fits the part
within the utilization margin, ``--target-fps`` to the fewest multipliers for a
rate; a part too small is one line naming the binding resource, exit 2,
nothing written."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from squeezefpga.cli import main
from squeezefpga.codegen.budget.device_fold import balance, choose, model_evaluator
from squeezefpga.codegen.errors import CliError
from squeezefpga.codegen.hwops import devices
from squeezefpga.codegen.rtl.fold import candidate_targets

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "fmnist" / "fmnist.onnx"
PARTS = ("xc7z020", "lfe5u-85f")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """{device: (build dir, build report)} of fmnist built for each part."""
    out = {}
    for name in PARTS:
        d = tmp_path_factory.mktemp("dev") / name
        rc = main(["build", str(MODEL), "--out", str(d), "--backend", "rtl", "--device", name])
        assert rc == 0
        out[name] = d
    return out


def _budget_json(capsys, *args) -> dict:
    capsys.readouterr()
    assert main(["budget", *map(str, args), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", PARTS)
def test_build_fits_the_device_at_the_fastest_candidate(built, capsys, name):
    dev = devices.get(name)
    man = json.loads((built[name] / "rtl" / "manifest.json").read_text())
    choice = man["fold_choice"]
    assert choice["device"] == name and choice["utilization"] == 0.85
    assert man["expected_cycles_per_frame"] == choice["cycles"] <= choice["target"]
    # the built directory, budgeted as built: fits (DSP, block RAM) within the margin
    rep = _budget_json(capsys, built[name] / "rtl", "--device", name)
    fit = rep["devices"][name]
    assert fit["used"]["dsp"] <= 0.85 * dev.dsp
    assert fit["used"]["bram18_equiv"] <= 0.85 * dev.bram18
    assert all(u <= 0.85 for u in fit["utilization"].values())
    # budget MODEL --device gives the same choice as build
    again = _budget_json(capsys, MODEL, "--device", name)
    assert again["fold_choice"]["target"] == choice["target"]
    assert again["total"]["dsp"] == rep["total"]["dsp"]
    # the next faster candidate target does not fit
    evaluate = model_evaluator(MODEL, dev.family)
    cands = candidate_targets(evaluate(None).ops)
    i = cands.index(choice["target"])
    assert i > 0, "fmnist's fastest fold fits neither part"
    assert not balance(evaluate(cands[i - 1]), dev, 0.85).fit(dev, dev.limits(0.85))["fits"]
    # ECP5: the LUTs also within the place-and-route margin (Device.pnr_luts)
    if dev.family == "ecp5":
        assert choice["lut_limit"] == dev.pnr_luts == 0.5
        assert fit["utilization"]["luts"] <= 0.5
    else:
        assert "lut_limit" not in choice
    # the default fold (7,056 cycles, 1,428 multipliers) does not fit either part
    assert man["multipliers"] < 1428


def test_fewer_multipliers_for_a_lower_rate(capsys):
    fast = _budget_json(capsys, MODEL, "--target-fps", 20000, "--clock-mhz", 200)
    slow = _budget_json(capsys, MODEL, "--target-fps", 500, "--clock-mhz", 200)
    for rep, fps in ((fast, 20000), (slow, 500)):
        assert rep["total"]["cycles_per_frame"] <= 200e6 / fps
        assert rep["fold_choice"]["target_fps"] == fps
    assert slow["total"]["multipliers"] < fast["total"]["multipliers"]
    # the smallest design for the rate: the next slower candidate misses it
    evaluate = model_evaluator(MODEL, "xilinx")
    cands = candidate_targets(evaluate(None).ops)
    i = cands.index(slow["fold_choice"]["target"])
    assert i + 1 == len(cands) or cands[i + 1] > 200e6 / 500


def test_build_target_fps_records_the_rate(tmp_path, capsys):
    out = tmp_path / "b"
    assert main(["build", str(MODEL), "--out", str(out), "--backend", "rtl",
                 "--target-fps", "1000", "--clock-mhz", "100"]) == 0
    rep = json.loads(capsys.readouterr().out)
    choice = rep["rtl"]["fold_choice"]
    assert choice["target_fps"] == 1000 and choice["clock_mhz"] == 100 and "device" not in choice
    assert rep["rtl"]["expected_cycles_per_frame"] <= 100_000


@pytest.mark.parametrize("args, binding", [
    (["--device", "lfe5u-25f"], "block RAM"),
    (["--device", "xc7z020", "--utilization", "0.01"], "needs"),
    (["--target-fps", "1e9"], "the fastest fold takes"),
])
def test_too_small_exits_2_and_writes_nothing(tmp_path, capsys, args, binding):
    out = tmp_path / "sub" / "b"
    assert main(["build", str(MODEL), "--out", str(out), "--backend", "rtl", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and binding in err
    assert not (tmp_path / "sub").exists()
    assert main(["budget", str(MODEL), *args]) == 2
    assert binding in capsys.readouterr().err


def test_binding_resource_is_named_with_needed_and_available():
    dev = devices.get("xc7z020")
    with pytest.raises(CliError) as e:
        choose(model_evaluator(MODEL, dev.family), dev, 0.01)
    msg = str(e.value)
    assert msg.startswith("xc7z020: even the smallest fold")
    assert "1% of 280 is 2" in msg or "1% of 220 is 2" in msg


def test_multi_device_report_unchanged(capsys):
    rep = _budget_json(capsys, "fmnist", "--device", "xc7z020", "lfe5u-85f")
    assert "fold_choice" not in rep
    assert rep["total"]["cycles_per_frame"] == 7056
    assert not rep["devices"]["xc7z020"]["fits"]


def test_device_fold_needs_the_auto_fold(tmp_path, capsys):
    fold = tmp_path / "f.json"
    fold.write_text("{}")
    assert main(["build", str(MODEL), "--out", str(tmp_path / "b"), "--backend", "rtl",
                 "--device", "xc7z020", "--rtl-fold", str(fold)]) == 2
    assert "automatic RTL fold" in capsys.readouterr().err
    assert main(["build", str(MODEL), "--out", str(tmp_path / "c"), "--backend", "hls",
                 "--device", "xc7z020"]) == 2
    assert not (tmp_path / "b").exists() and not (tmp_path / "c").exists()


@pytest.mark.verilator
def test_device_fold_cosimulates_exactly(built, capsys):
    capsys.readouterr()
    rc = main(["cosim", str(built["xc7z020"]), "--frames", "2", "--data", "random",
               "--check", "rtl", "--json"])
    assert rc == 0, capsys.readouterr()
