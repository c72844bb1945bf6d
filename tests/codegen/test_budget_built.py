"""The as-built estimate (the netlist's op objects): `budget MODEL.onnx` ==
`budget RTL_DIR`.  (axis_lane_conv and window_gen have no constant multiplier
since the timing work of issue #12 - lane multiplexers without a
``cnt * LANE_W`` shift, a read address from registers stepping with the
counters instead of ``x * CF``; tests/hw/test_synth.py checks both on odd
constants.)"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from squeezefpga.codegen.budget.synth import total_cells
from squeezefpga.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_total_cells_counts_blackbox_submodules():
    stat = """
=== top ===
        +----------Local Count, excluding submodules.
       10 cells
        2   DSP48E1
        3 submodules
        2   sub
        1   RAM32M

=== sub ===
        +----------Local Count, excluding submodules.
        4 cells
        1   RAMB18E1
        3   FDRE
        1 submodules
        2   RAM64M

=== design hierarchy ===
        3   DSP48E1
"""
    assert total_cells(stat, "top") == {"DSP48E1": 2, "RAM32M": 1, "RAMB18E1": 2, "FDRE": 6,
                                        "RAM64M": 4}


@pytest.mark.slow
def test_budget_of_model_equals_budget_of_its_rtl(export_random, tmp_path, capsys):
    model = export_random(ROOT / "tests" / "e2e" / "configs" / "tiny_complex.toml", seed=3)
    # the same device fold on both sides (on Xilinx it also spends spare DSPs on
    # packed products, which a build without --device does not)
    assert main(["build", str(model), "--out", str(tmp_path / "b"), "--backend", "rtl",
                 "--device", "xc7z020"]) == 0
    capsys.readouterr()
    assert main(["budget", str(model), "--json", "--device", "xc7z020"]) == 0
    a = json.loads(capsys.readouterr().out)
    assert main(["budget", str(tmp_path / "b" / "rtl"), "--json", "--device", "xc7z020"]) == 0
    b = json.loads(capsys.readouterr().out)
    assert a["fold"] == b["fold"] and a["total"] == b["total"]
    assert [r["name"] for r in a["layers"]] == [r["name"] for r in b["layers"]]
    assert [r["name"] for r in a["layers"]][:3] == ["conv1", "maxpool1", "fire2"]
    manifest = json.loads((tmp_path / "b" / "rtl" / "manifest.json").read_text())
    assert a["total"]["multipliers"] == manifest["multipliers"]  # MACs (no address arithmetic)
