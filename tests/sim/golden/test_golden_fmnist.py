"""The shipped Fashion-MNIST model on the shipped test images:
golden == qonnx execute_onnx (== Brevitas torch when the checkpoint ships too)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from qgraph import assert_exact, torch_run

import squeezefpga.sim.golden as golden

ROOT = Path(__file__).resolve().parents[3]
MODEL_DIR = ROOT / "models" / "fmnist"
SUBSET = ROOT / "data" / "fmnist_subset.npz"


def shipped_model() -> Path:
    models = sorted(MODEL_DIR.glob("*.onnx"))
    if not models:
        pytest.skip(f"no shipped model: {MODEL_DIR}/*.onnx is absent")
    return models[0]


def images(n=None) -> np.ndarray:
    if not SUBSET.is_file():
        pytest.skip(f"no shipped test images: {SUBSET} is absent")
    x = np.load(SUBSET)["images"].astype(np.float32)
    return x if n is None else x[:n]


def test_fmnist_first_images_exact_every_tensor():
    assert_exact(shipped_model(), images(24))


@pytest.mark.slow
def test_fmnist_all_images_exact():
    assert_exact(shipped_model(), images(), intermediates=False)


def test_fmnist_matches_brevitas_checkpoint():
    path = shipped_model()
    if not (MODEL_DIR / "checkpoint.pt").is_file():
        pytest.skip(f"no Brevitas checkpoint: {MODEL_DIR / 'checkpoint.pt'} is absent")
    from squeezefpga.quant.export import trained_model

    _, model = trained_model(MODEL_DIR)
    x = images()
    got = golden.load(path)(x)
    ref = torch_run(model, x)
    assert got.shape == ref.shape and np.max(np.abs(got - ref)) == 0
