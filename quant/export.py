"""QONNX export with an exactness gate.

``export_checked`` exports a QuantSqueezeNet with ``export_qonnx(dynamo=False)``,
cleans it with qonnx, runs qonnx's ``execute_onnx`` on a batch of frames and
compares with the Brevitas output: any difference (max abs diff > 0) refuses
the export.  The file appears at its destination only after the check passed.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .arch import NetConfig
from .checkpoint import CheckpointError, load_checkpoint
from .model import QuantSqueezeNet, build, calibrate


class ExportMismatch(RuntimeError):
    """qonnx execution disagrees with Brevitas; the export is refused."""


@dataclass(frozen=True)
class ExportReport:
    path: Path
    frames: int
    max_abs_diff: float
    nodes: dict[str, int]


def random_model(cfg: NetConfig, seed: int, calib_batches: int = 3) -> QuantSqueezeNet:
    """Seeded random weights and biases, activation scales calibrated on random bytes."""
    torch.manual_seed(seed)
    model = build(cfg)
    gen = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(".bias"):
                p.uniform_(-0.1, 0.1, generator=gen)
    shape = (4, *cfg.input_shape)
    batches = [torch.randint(0, 256, shape, generator=gen).float() for _ in range(calib_batches)]
    calibrate(model, batches)
    return model.eval()


def trained_model(run: str | Path) -> tuple[NetConfig, QuantSqueezeNet]:
    from .presets import from_tree

    ck = load_checkpoint(run)
    if ck.get("batchnorm", False):
        raise CheckpointError(f"{run}: checkpoint is from the float warm-up (BatchNorm not yet "
                              f"folded); train into the QAT phase first")
    cfg = from_tree(ck["config"])
    model = build(cfg)
    model.load_state_dict(ck["model"])
    return cfg, model.eval()


def torch_forward(model: QuantSqueezeNet, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model.eval()(torch.from_numpy(np.asarray(x, np.float32))).numpy()


def qonnx_forward(model_wrapper, x: np.ndarray) -> np.ndarray:
    """qonnx execute_onnx frame by frame (the exported graph has batch 1)."""
    from qonnx.core.onnx_exec import execute_onnx

    iname = model_wrapper.graph.input[0].name
    oname = model_wrapper.graph.output[0].name
    outs = [execute_onnx(model_wrapper, {iname: x[i:i + 1]})[oname] for i in range(len(x))]
    return np.concatenate(outs, axis=0)


def _export_to(model: QuantSqueezeNet, cfg: NetConfig, path: Path):
    from brevitas.export import export_qonnx
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.util.cleanup import cleanup_model

    raw = path.with_name(path.stem + ".raw.onnx")
    export_qonnx(model.eval(), torch.zeros(1, *cfg.input_shape), export_path=str(raw),
                 dynamo=False)
    mw = cleanup_model(ModelWrapper(str(raw)))
    raw.unlink()
    mw.save(str(path))
    return ModelWrapper(str(path))


def export_checked(model: QuantSqueezeNet, cfg: NetConfig, out: str | Path,
                   check_inputs: np.ndarray) -> ExportReport:
    """Export, check exactness on ``check_inputs`` (float32 NCHW bytes), then move into place."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=".onnx", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        mw = _export_to(model, cfg, tmp)
        x = np.asarray(check_inputs, np.float32)
        ref = torch_forward(model, x)
        got = qonnx_forward(mw, x)
        diff = float(np.max(np.abs(ref - got))) if ref.shape == got.shape else float("inf")
        if diff != 0.0:
            bad = np.argwhere(ref != got)[0] if ref.shape == got.shape else None
            where = (f"first at output index {tuple(int(i) for i in bad)}: torch "
                     f"{ref[tuple(bad)]!r} vs qonnx {got[tuple(bad)]!r}") if bad is not None \
                else f"shapes {ref.shape} vs {got.shape}"
            raise ExportMismatch(f"qonnx execution differs from Brevitas (max abs diff {diff}); "
                                 f"{where}; export refused")
        nodes: dict[str, int] = {}
        for n in mw.graph.node:
            nodes[n.op_type] = nodes.get(n.op_type, 0) + 1
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; an export is an ordinary file
        os.replace(tmp, out)
        return ExportReport(out, len(x), diff, nodes)
    finally:
        tmp.unlink(missing_ok=True)


def check_frames(cfg: NetConfig, n: int, seed: int) -> np.ndarray:
    """Frames for the exactness check: shipped images when the shape fits, plus random
    bytes, plus the extremes 0 and 255."""
    from .data import SUBSET, load_subset

    rng = np.random.default_rng(seed)
    frames = []
    if tuple(cfg.input_shape) == (1, 28, 28) and SUBSET.is_file():
        frames.append(load_subset().images[: max(1, n - 2)].astype(np.float32))
    else:
        frames.append(rng.integers(0, 256, (max(1, n - 2), *cfg.input_shape)).astype(np.float32))
    frames.append(np.zeros((1, *cfg.input_shape), np.float32))
    frames.append(np.full((1, *cfg.input_shape), 255.0, np.float32))
    return np.concatenate(frames)[:max(n, 3)]
