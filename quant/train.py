"""Quantization-aware training of a QuantSqueezeNet.

``train(TrainOptions)`` trains with AdamW and a cosine schedule, random-crop
and horizontal-flip augmentation, checkpoints after every epoch
(``RUN/checkpoint.pt``) and writes ``RUN/metrics.json``.  Runs are seeded and
repeatable on one machine; ``resume`` continues from the checkpoint.  A new
run directory is built under a temporary name and renamed when the first
epoch is saved, so a failed start leaves nothing behind.

With ``float_epochs`` > 0 the first epochs train a float network with
BatchNorm after every convolution (every quantizer disabled: cheaper and a
better starting point); then each BatchNorm is folded into its convolution,
the activation scales are calibrated on ``calib_batches`` training batches and the remaining epochs are
quantization-aware.  The committed model and every exported one are the QAT
result: test accuracy in metrics.json is always measured with quantization on.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from . import data as datasets
from .arch import NetConfig
from .checkpoint import load_checkpoint, save_checkpoint
from .model import build


@dataclass(frozen=True)
class TrainOptions:
    config_tree: dict  # the preset's TOML tree, stored in the checkpoint
    out: Path
    epochs: int = 20
    batch_size: int = 128
    lr: float = 2e-3
    weight_decay: float = 1e-4
    seed: int = 0
    data_dir: str | None = None
    resume: bool = False
    threads: int | None = None
    progress: bool = True
    limit_train: int | None = None  # use only the first N training images (smoke tests)
    float_epochs: int = 0  # first epochs with quantization off, then calibrate, then QAT
    calib_batches: int = 32


def config_hash(tree: dict) -> str:
    return hashlib.sha256(json.dumps(tree, sort_keys=True).encode()).hexdigest()[:16]


def augment(x: torch.Tensor, gen: torch.Generator, pad: int = 2) -> torch.Tensor:
    """Random shift by up to ``pad`` pixels (zero fill) and horizontal flip."""
    n, _, h, w = x.shape
    xp = F.pad(x, (pad, pad, pad, pad))
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    rows = (dy[:, None] + torch.arange(h)[None]).view(n, 1, h, 1).expand(n, x.shape[1], h, w + 2 * pad)
    xp = torch.gather(xp, 2, rows)
    cols = (dx[:, None] + torch.arange(w)[None]).view(n, 1, 1, w).expand(n, x.shape[1], h, w)
    xp = torch.gather(xp, 3, cols)
    flip = torch.rand(n, generator=gen) < 0.5
    xp[flip] = xp[flip].flip(-1)
    return xp


@torch.no_grad()
def evaluate(model, images: np.ndarray, labels: np.ndarray, batch: int = 500) -> float:
    model.eval()
    correct = 0
    for i in range(0, len(images), batch):
        x = torch.from_numpy(images[i:i + batch]).float()
        correct += int((model(x).argmax(1).numpy() == labels[i:i + batch]).sum())
    return correct / len(images)


def _lr_at(step: int, total: int, base: float, warmup: int) -> float:
    if step < warmup:
        return base * (step + 1) / warmup
    return 0.5 * base * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))


def train(cfg: NetConfig, opts: TrainOptions) -> dict:
    if opts.float_epochs >= opts.epochs:
        raise ValueError(f"--float-epochs = {opts.float_epochs} must be < --epochs = {opts.epochs}")
    if opts.threads:
        torch.set_num_threads(opts.threads)
    tr = datasets.load_split("train", opts.data_dir, cfg.input_shape)
    te = datasets.load_split("test", opts.data_dir, cfg.input_shape)
    if opts.limit_train:
        tr = datasets.Split(tr.images[:opts.limit_train], tr.labels[:opts.limit_train])

    torch.manual_seed(opts.seed)
    model = build(cfg, batchnorm=opts.float_epochs > 0)
    opt = _optimizer(model, opts)
    steps_per_epoch = math.ceil(len(tr.images) / opts.batch_size)
    total = steps_per_epoch * opts.epochs
    history: list[dict] = []
    start_epoch, wall_before = 0, 0.0
    out = Path(opts.out)
    chash = config_hash(opts.config_tree)
    if opts.resume:
        ck = load_checkpoint(out / "checkpoint.pt")
        if ck["config_hash"] != chash:
            raise ValueError(f"{out}/checkpoint.pt: trained with another config "
                             f"(hash {ck['config_hash']} != {chash})")
        if not ck.get("batchnorm", False):
            model = build(cfg)
            opt = _optimizer(model, opts)
        _load_resumable(model, ck["model"])
        opt.load_state_dict(ck["optimizer"])
        start_epoch, history, wall_before = ck["epoch"], ck["history"], ck["wall_s"]
        work = out
    else:
        if out.exists():
            raise FileExistsError(f"{out}: already exists (use --resume or another --out)")
        out.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))

    gen = torch.Generator().manual_seed(opts.seed)
    # Re-seed deterministically per epoch so resumed runs repeat exactly.
    t0 = time.time()
    try:
        for epoch in range(start_epoch, opts.epochs):
            gen.manual_seed(opts.seed * 1000 + epoch)
            perm = torch.randperm(len(tr.images), generator=gen).numpy()
            phase = "float" if epoch < opts.float_epochs else "qat"
            if phase == "qat" and model.has_batchnorm:
                model.fold_batchnorm()
                _calibrate(model, tr.images, perm[:opts.calib_batches * opts.batch_size],
                           opts.batch_size)
                opt = _optimizer(model, opts)
            model.train()
            loss_sum, correct, seen = 0.0, 0, 0
            bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{opts.epochs}",
                       disable=not opts.progress, leave=False, dynamic_ncols=True)
            for b in bar:
                step = epoch * steps_per_epoch + b
                for g in opt.param_groups:
                    g["lr"] = _lr_at(step, total, opts.lr, steps_per_epoch // 2) * g["lr_scale"]
                idx = perm[b * opts.batch_size:(b + 1) * opts.batch_size]
                x = augment(torch.from_numpy(tr.images[idx]).float(), gen)
                y = torch.from_numpy(tr.labels[idx])
                with _phase_context(model, phase):
                    logits = model(x)
                loss = F.cross_entropy(logits, y)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                loss_sum += float(loss.detach()) * len(idx)
                correct += int((logits.argmax(1) == y).sum())
                seen += len(idx)
                bar.set_postfix(loss=f"{loss_sum / seen:.4f}", acc=f"{correct / seen:.4f}")
            with _phase_context(model, phase):
                acc = evaluate(model, te.images, te.labels)
            history.append({"epoch": epoch + 1, "phase": phase, "train_loss": loss_sum / seen,
                            "train_acc": correct / seen, "test_acc": acc})
            wall = wall_before + time.time() - t0
            print(f"epoch {epoch + 1}/{opts.epochs} ({phase}): loss {loss_sum / seen:.4f} "
                  f"train acc {correct / seen:.4f} test acc {acc:.4f} ({wall:.0f} s)", flush=True)
            save_checkpoint(work / "checkpoint.pt", model=model.state_dict(),
                            optimizer=opt.state_dict(), epoch=epoch + 1, history=history,
                            wall_s=wall, config=opts.config_tree, config_hash=chash,
                            batchnorm=model.has_batchnorm)
            metrics = {"test_accuracy": acc, "test_images": int(len(te.images)),
                       "epochs": epoch + 1, "history": history, "wall_time_s": round(wall, 1),
                       "config_hash": chash, "config_name": cfg.name, "seed": opts.seed,
                       "batch_size": opts.batch_size, "lr": opts.lr,
                       "float_epochs": opts.float_epochs}
            (work / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
            if work != out:
                os.replace(work, out)
                work = out
    finally:
        if work != out:
            shutil.rmtree(work, ignore_errors=True)
    return json.loads((out / "metrics.json").read_text())


def _optimizer(model, opts: TrainOptions) -> torch.optim.Optimizer:
    """AdamW; the first conv sees raw bytes, so its weights live ~255x smaller and
    its learning rate is scaled to match (normalization is learned, not fixed)."""
    first = model.first_conv()
    others = [p for p in model.parameters() if p is not first.weight]
    return torch.optim.AdamW([{"params": others, "lr_scale": 1.0},
                              {"params": [first.weight], "lr_scale": 1.0 / 255.0}],
                             lr=opts.lr, weight_decay=opts.weight_decay)


def _phase_context(model, phase: str):
    """Quantization off (float phase) or as built (QAT phase)."""
    if phase == "qat":
        return contextlib.nullcontext()
    from brevitas.graph.calibrate import quantization_status_manager
    return quantization_status_manager(model, disable_act_quant=True, disable_weight_quant=True,
                                       disable_bias_quant=True, is_training=model.training)


@torch.no_grad()
def _calibrate(model, images: np.ndarray, idx: np.ndarray, batch: int) -> None:
    """Set activation scales from float-trained statistics before QAT starts."""
    from brevitas.graph.calibrate import calibration_mode
    with calibration_mode(model):
        for i in range(0, len(idx), batch):
            model(torch.from_numpy(images[idx[i:i + batch]]).float())


def _load_resumable(model, state: dict) -> None:
    """Load a checkpoint's weights.  Activation scales that have not left their
    statistics-collection phase (always the case in the float warm-up) are not in
    Brevitas's state dict; only those keys may be missing."""
    missing, unexpected = model.load_state_dict(state, strict=False)
    bad = [k for k in missing if not k.endswith("scaling_impl.value")] + list(unexpected)
    if bad:
        raise ValueError(f"checkpoint does not match the model: {bad[0]}")
