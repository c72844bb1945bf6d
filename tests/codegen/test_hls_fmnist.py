"""The shipped Fashion-MNIST model on the shipped test images: hls4ml csim == golden."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import squeezefpga.cli.checks.hls  # noqa: F401
from squeezefpga.sim.golden.cosim import run_cosim

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_fmnist_exact():
    models = sorted((ROOT / "models" / "fmnist").glob("*.onnx"))
    subset = ROOT / "data" / "fmnist_subset.npz"
    if not models or not subset.is_file():
        pytest.skip("no shipped model (models/fmnist/*.onnx) or images (data/fmnist_subset.npz)")
    x = np.load(subset)["images"][:32].astype(np.float32)
    rep = run_cosim(models[0], x, ["hls"])
    assert rep["mismatches"]["hls"] == 0, rep["checks"]["hls"]["first_divergence"]


@pytest.mark.slow
def test_shipped_fmnist_all_images_exact():
    models = sorted((ROOT / "models" / "fmnist").glob("*.onnx"))
    if not models:
        pytest.skip("no shipped model (models/fmnist/*.onnx)")
    x = np.load(ROOT / "data" / "fmnist_subset.npz")["images"].astype(np.float32)
    rep = run_cosim(models[0], x, ["hls"])
    assert rep["mismatches"]["hls"] == 0, rep["checks"]["hls"]["first_divergence"]
