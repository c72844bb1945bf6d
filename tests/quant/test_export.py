"""quant/export.py: the exactness gate, atomic writes, the export CLI."""
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from squeezefpga.cli import main
from squeezefpga.quant import export, presets
from squeezefpga.quant.data import load_subset
from squeezefpga.quant.model import build

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "models" / "fmnist"


def small(name="fmnist", size=15, **fire_changes):
    cfg = presets.load(name)
    layers = tuple(dataclasses.replace(l, **fire_changes) if hasattr(l, "s1x1") else l
                   for l in cfg.layers)
    return dataclasses.replace(cfg, input_shape=(cfg.input_shape[0], size, size),
                               layers=layers).validate()


@pytest.mark.parametrize("shared", [False, True])
def test_concat_with_and_without_shared_quantizer(tmp_path, shared):
    cfg = small(shared_quant=shared)
    model = export.random_model(cfg, seed=3)
    f = model.layers["fire2"]
    s1 = f.expand1x1_act.act_quant.scale()
    s3 = f.expand3x3_act.act_quant.scale()
    assert (float(s1) == float(s3)) if shared else f.expand1x1_act.act_quant is not \
        f.expand3x3_act.act_quant
    rep = export.export_checked(model, cfg, tmp_path / "m.onnx", export.check_frames(cfg, 5, 1))
    assert rep.max_abs_diff == 0.0 and rep.nodes["Concat"] == 4 and rep.nodes["Add"] == 2


def test_random_export_outputs_vary(tmp_path):
    """A random-weight model whose outputs are all equal would test nothing."""
    cfg = small()
    model = export.random_model(cfg, seed=0)
    y = export.torch_forward(model, export.check_frames(cfg, 6, 0))
    assert len(np.unique(y)) > 6


def test_mismatch_refuses_and_leaves_nothing(tmp_path, monkeypatch):
    cfg = small()
    model = export.random_model(cfg, seed=1)
    real = export.qonnx_forward

    def off_by_one_ulp(mw, x):
        y = real(mw, x)
        y[0, 3] = np.nextafter(y[0, 3], np.float32(np.inf))
        return y

    monkeypatch.setattr(export, "qonnx_forward", off_by_one_ulp)
    with pytest.raises(export.ExportMismatch, match=r"output index \(0, 3\)"):
        export.export_checked(model, cfg, tmp_path / "m.onnx", export.check_frames(cfg, 3, 0))
    assert list(tmp_path.iterdir()) == []


def test_batchnorm_fold_preserves_float_function():
    from brevitas.graph.calibrate import quantization_status_manager
    cfg = small("squeezenet1_1_complex", 35)
    torch.manual_seed(0)
    model = build(cfg, batchnorm=True)
    model.train()
    x = torch.rand(8, *cfg.input_shape) * 255
    with quantization_status_manager(model, disable_act_quant=True, disable_weight_quant=True,
                                     disable_bias_quant=True, is_training=True):
        for _ in range(3):
            model(x)          # BN running statistics
        model.eval()
        with torch.no_grad():
            before = model(x)
            model.fold_batchnorm()
            after = model(x)
    assert not model.has_batchnorm
    assert torch.allclose(before, after, rtol=1e-4, atol=1e-4)


def test_export_cli_random(tmp_path, capsys):
    out = tmp_path / "m.onnx"
    rc = main(["export", "fmnist", "--random-weights", "--input-shape", "1,13,13", "--seed", "2",
               "--check-frames", "4", "--out", str(out)])
    assert rc == 0 and out.is_file()
    rep = json.loads(capsys.readouterr().out)
    assert rep["max_abs_diff"] == 0.0 and rep["frames_checked"] == 4


def test_export_cli_config_without_random_weights(tmp_path, capsys):
    assert main(["export", "fmnist", "--out", str(tmp_path / "m.onnx")]) == 2
    assert "--random-weights" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not (SHIPPED / "checkpoint.pt").is_file(), reason="no shipped fmnist model")
def test_shipped_model_exports_exactly_on_shipped_images(tmp_path):
    cfg, model = export.trained_model(SHIPPED)
    x = load_subset().images.astype(np.float32)
    rep = export.export_checked(model, cfg, tmp_path / "m.onnx", x[:64])
    assert rep.max_abs_diff == 0.0 and rep.frames == 64
