"""Every preset and bypass variant (random weights, reduced input size):
golden == qonnx execute_onnx (every float32-exact tensor) == Brevitas torch."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
qexport = pytest.importorskip("squeezefpga.quant.export", reason="squeezefpga.quant.export (the Brevitas exporter) not present")
from squeezefpga.quant import presets  # noqa: E402
from qgraph import assert_three_way, export_brevitas  # noqa: E402

CONFIGS = Path(__file__).resolve().parents[3] / "configs"
PRESETS = sorted(p.stem for p in CONFIGS.glob("*.toml"))
SIZES = {"fmnist": 15}  # everything else: 35x35 (room for stride-2 stem + 3 pools)
FAST = {"fmnist", "squeezenet1_1_complex"}  # the rest (~15 s each) run with the slow tests


def frames(shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(4, *shape)).astype(np.float32)
    x[1, :, : shape[1] // 2] = 0
    x[1, :, shape[1] // 2:] = 255
    x[3] = rng.integers(-100, 400, size=shape) + rng.choice([0.0, 0.5], size=shape)  # saturate, ties
    return x


@pytest.mark.parametrize("name", [
    n if n in FAST else pytest.param(n, marks=pytest.mark.slow) for n in PRESETS])
def test_preset_exact_three_ways(name, tmp_path):
    cfg = presets.load(name)
    size = SIZES.get(name, 35)
    cfg = dataclasses.replace(cfg, input_shape=(cfg.input_shape[0], size, size))
    model = qexport.random_model(cfg, seed=7)
    mw = export_brevitas(model, cfg.input_shape, tmp_path / f"{name}.onnx")
    plan, _ = assert_three_way(model, mw, frames(cfg.input_shape, seed=len(name)))
    ops = {s.op for s in plan.steps}
    assert {"Conv", "Quant", "MaxPool", "Concat", "GlobalAveragePool+Quant"} <= ops
    if any(getattr(f, "bypass", "none") != "none" for f in cfg.fires):
        assert "Add" in ops
    assert all(b.acc_min <= b.acc_max for b in plan.bounds)


def test_presets_cover_every_bypass_mode():
    modes = {f.bypass for n in PRESETS for f in presets.load(n).fires}
    assert modes == {"none", "simple", "complex"}
