"""The generated RTL (codegen/rtl) under Verilator == golden, bit for bit.

Small random-weight models keep the Verilator builds short: each frame streams
with random input pauses and bursty output backpressure (deadlock-free FIFO
depths under backpressure), then without pauses, where the measured cycles
per frame must be within 5% of the manifest's expectation.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.golden.cosim import run_cosim

pytestmark = pytest.mark.verilator

ROOT = Path(__file__).resolve().parents[2]


def export(tmp: Path, preset: str, shape: str, seed: int = 0) -> Path:
    out = tmp / f"{preset}_{shape.replace(',', 'x')}_{seed}.onnx"
    subprocess.run([sys.executable, "-m", "codegen.cli", "export", preset, "--random-weights",
                    "--seed", str(seed), "--input-shape", shape, "--out", str(out)],
                   check=True, capture_output=True, cwd=ROOT)
    return out


@pytest.fixture(scope="module")
def rtl_cache(tmp_path_factory, monkeypatch_module):
    path = tmp_path_factory.mktemp("rtl-cache")
    monkeypatch_module.setenv("SQUEEZEFPGA_RTL_CACHE", str(path))
    return path


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def check(model: Path, x: np.ndarray) -> dict:
    import sim.rtl_check  # noqa: F401

    rep = run_cosim(model, x, ["rtl"])
    rtl = rep["checks"]["rtl"]
    assert rep["mismatches"]["rtl"] == 0, rtl["first_divergence"]
    exp, got = rtl["expected_cycles_per_frame"], rtl["cycles_per_frame"]
    assert exp <= got <= 1.05 * exp, f"{got} cycles/frame, expected {exp}"
    return rtl


def test_fmnist_tiny_random(tmp_path, rtl_cache):
    model = export(tmp_path, "fmnist", "1,11,11")
    x = np.random.default_rng(1).integers(0, 256, (6, 1, 11, 11)).astype(np.float32)
    check(model, x)
