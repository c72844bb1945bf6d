"""hls4ml C simulation == golden, exactly (compiled once per model per session)."""
from __future__ import annotations

import numpy as np
import pytest
from graphs import Net, frames, save

import squeezefpga.cli.checks.hls  # noqa: F401
from squeezefpga.sim.golden.cosim import run_cosim


def _exact(model_path, x):
    rep = run_cosim(model_path, x, ["hls"])
    assert rep["mismatches"]["hls"] == 0, rep["checks"]["hls"]["first_divergence"]


@pytest.fixture(scope="session")
def fmnist15(tmp_path_factory):
    """The fmnist preset at 1x15x15 with random weights (simple bypass, unequal concat scales)."""
    import dataclasses

    from squeezefpga.quant import presets
    from squeezefpga.quant.export import check_frames, export_checked, random_model

    cfg = dataclasses.replace(presets.load("fmnist"), input_shape=(1, 15, 15)).validate()
    out = tmp_path_factory.mktemp("fm") / "fmnist15.onnx"
    export_checked(random_model(cfg, 0), cfg, out, check_frames(cfg, 2, 0))
    return out


def test_fmnist_reduced_exact(fmnist15):
    _exact(fmnist15, frames((1, 1, 15, 15), 12, seed=7))


def _odd_net():
    """12x11 input: ceil-mode 3x3/2 pool (6x5 out), unequal-scale Concat and Add,
    a 30-pixel (not a power of two) global pool."""
    n = Net((1, 2, 12, 11))
    x = n.input()
    c1 = n.act(n.conv(x, 2, 4, k=3, pad=1, seed=1), -1)
    p = n.op("MaxPool", [c1], kernel_shape=[3, 3], strides=[2, 2], pads=[0] * 4, ceil_mode=1)
    e1 = n.act(n.conv(p, 4, 2, seed=2), 0)
    e3 = n.act(n.conv(p, 4, 2, k=3, pad=1, seed=3), -3)
    cat = n.op("Concat", [e1, e3], axis=1)
    s = n.op("Add", [cat, p])
    p2 = n.op("MaxPool", [s], kernel_shape=[2, 2], strides=[1, 1], pads=[1, 1, 0, 0])
    c10 = n.act(n.conv(p2, 4, 3, seed=4), -2, bits=6)
    out = n.quant(n.op("GlobalAveragePool", [c10]), -3, 8, signed=True)
    return n, n.model(out)


def test_odd_sizes_ceil_pool_unequal_scales_exact(tmp_path):
    n, m = _odd_net()
    path = save(m, tmp_path / "odd.onnx")
    _exact(path, frames(n.shape, 16, seed=11))
