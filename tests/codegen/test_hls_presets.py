"""Every preset (and bypass variant) at a reduced input size, and the full-size
squeezenet1_1: hls4ml csim == golden exactly.  Slow: full-width Fire modules
take minutes to compile each."""
from __future__ import annotations

import dataclasses

import pytest
from graphs import frames

import squeezefpga.cli.checks.hls  # noqa: F401
from squeezefpga.sim.golden.cosim import run_cosim

PRESETS = ["squeezenet1_0", "squeezenet1_0_simple", "squeezenet1_0_complex",
           "squeezenet1_1", "squeezenet1_1_simple", "squeezenet1_1_complex"]


def _export(tmp_path, preset, shape):
    from squeezefpga.quant import presets
    from squeezefpga.quant.export import check_frames, export_checked, random_model

    cfg = dataclasses.replace(presets.load(preset), input_shape=shape).validate()
    out = tmp_path / f"{preset}.onnx"
    export_checked(random_model(cfg, 0), cfg, out, check_frames(cfg, 1, 0))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("preset", PRESETS)
def test_preset_reduced_exact(tmp_path, preset):
    shape = (3, 33, 33)
    rep = run_cosim(_export(tmp_path, preset, shape), frames((1, *shape), 2, seed=1), ["hls"])
    assert rep["mismatches"]["hls"] == 0, rep["checks"]["hls"]["first_divergence"]


@pytest.mark.slow
def test_squeezenet1_1_full_size_one_frame(tmp_path):
    shape = (3, 224, 224)
    rep = run_cosim(_export(tmp_path, "squeezenet1_1", shape), frames((1, *shape), 1), ["hls"])
    assert rep["mismatches"]["hls"] == 0, rep["checks"]["hls"]["first_divergence"]
