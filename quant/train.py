"""Quantization-aware training of a QuantSqueezeNet.

``train(TrainOptions)`` trains with AdamW and a cosine schedule, random-shift
and horizontal-flip augmentation, checkpoints after every epoch
(``RUN/checkpoint.pt``) and writes ``RUN/metrics.json``.  Model, data,
augmentation, calibration and evaluation run on one device (``device``: auto =
CUDA when available; the loop itself is loop.py).  Runs are seeded and repeatable
on the CPU (on CUDA seeded, not bit-repeatable); ``resume`` continues from the
checkpoint, which holds CPU tensors only, so a run started on CUDA resumes on the
CPU and back.  A new run directory is built under a temporary name and renamed
when the first epoch is saved, so a failed start leaves nothing behind.

With ``float_epochs`` > 0 the first epochs train a float network with
BatchNorm after every convolution (every quantizer disabled: cheaper and a
better starting point); then each BatchNorm is folded into its convolution,
the activation scales are calibrated on ``calib_batches`` training batches and
the remaining epochs are quantization-aware.  The committed model and every
exported one are the QAT result: test accuracy in metrics.json is always
measured with quantization on.

Recipe options, all off by default (today's recipe): ``label_smoothing``;
``distill`` (weight of a distillation loss in the QAT epochs, the teacher being
the float warm-up network, kept in the checkpoint); ``qat_lr`` (the QAT epochs
restart the cosine from this rate).

An image-folder dataset (folders.py) with another number of classes than the
preset trains a classifier of that many outputs: the run's config (checkpoint,
hash, export) says so.
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

import torch
from tqdm import tqdm

from . import data as datasets
from . import folders, presets
from .arch import NetConfig
from .checkpoint import load_checkpoint, save_checkpoint
from .loop import (DeviceSplit, Epoch, LossSpec, augment_pad, calibrate, evaluate, float_mode,
                   generator, resolve_device, to_cpu, train_epoch)
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
    device: str = "auto"  # auto (CUDA when available), cpu or cuda
    label_smoothing: float = 0.0
    distill: float = 0.0  # QAT loss = (1-w) CE + w KL(teacher || student), teacher: float warm-up net
    distill_temperature: float = 1.0
    qat_lr: float | None = None  # QAT epochs: their own cosine from this rate (None: one schedule)


def config_hash(tree: dict) -> str:
    return hashlib.sha256(json.dumps(tree, sort_keys=True).encode()).hexdigest()[:16]


def _lr_at(step: int, total: int, base: float, warmup: int) -> float:
    if step < warmup:
        return base * (step + 1) / warmup
    return 0.5 * base * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))


def lr_schedule(opts: TrainOptions, steps_per_epoch: int):
    """Global step -> learning rate: one cosine over the run (half an epoch of
    warm-up); with ``qat_lr`` the QAT epochs follow their own cosine from it to 0."""
    total = steps_per_epoch * opts.epochs
    warm = steps_per_epoch // 2
    q0 = steps_per_epoch * opts.float_epochs

    def at(step: int) -> float:
        if opts.qat_lr is None or step < q0:
            return _lr_at(step, total, opts.lr, warm)
        return _lr_at(step - q0, total - q0, opts.qat_lr, warm if q0 == 0 else 0)
    return at


def check_options(opts: TrainOptions) -> None:
    if opts.float_epochs >= opts.epochs:
        raise ValueError(f"--float-epochs = {opts.float_epochs} must be < --epochs = {opts.epochs}")
    if not 0.0 <= opts.label_smoothing < 1.0:
        raise ValueError(f"--label-smoothing = {opts.label_smoothing} must be in [0, 1)")
    if not 0.0 <= opts.distill <= 1.0:
        raise ValueError(f"--distill = {opts.distill} must be in [0, 1]")
    if opts.distill > 0 and opts.float_epochs == 0:
        raise ValueError("--distill needs --float-epochs > 0 (the float warm-up network "
                         "is the teacher)")
    if opts.distill_temperature <= 0:
        raise ValueError(f"--distill-temp = {opts.distill_temperature} must be > 0")
    if opts.qat_lr is not None and opts.qat_lr <= 0:
        raise ValueError(f"--qat-lr = {opts.qat_lr} must be > 0")


def _load_data(cfg: NetConfig, opts: TrainOptions):
    """(config tree, cfg, train, test, class names or None).  An image folder with
    another number of classes than the preset gets a classifier of its own size."""
    tree, classes = opts.config_tree, None
    if folders.is_image_folder(opts.data_dir):
        tr, te, classes = folders.load_folders(opts.data_dir, cfg.input_shape)
        if len(classes) != cfg.num_classes:
            tree = folders.fit_classes(tree, len(classes))
            cfg = presets.from_tree(tree)
    else:
        tr = datasets.load_split("train", opts.data_dir, cfg.input_shape)
        te = datasets.load_split("test", opts.data_dir, cfg.input_shape)
    if opts.limit_train:
        tr = datasets.Split(tr.images[:opts.limit_train], tr.labels[:opts.limit_train])
    return tree, cfg, tr, te, classes


def _start(cfg: NetConfig, opts: TrainOptions, ck: dict | None, device: torch.device):
    """(model, optimizer, teacher) on the device, fresh or from a checkpoint
    (always CPU tensors, so a run moves between CPU and CUDA)."""
    torch.manual_seed(opts.seed)
    model = build(cfg, batchnorm=ck.get("batchnorm", False) if ck else opts.float_epochs > 0)
    if ck:
        _load_resumable(model, ck["model"])
    model.to(device)
    opt = _optimizer(model, opts)
    teacher = None
    if ck:
        opt.load_state_dict(ck["optimizer"])
        if opts.distill > 0 and "teacher" in ck:
            teacher = _teacher(cfg, ck["teacher"], device)
        elif opts.distill > 0 and not model.has_batchnorm and ck["epoch"] < opts.epochs:
            raise ValueError(f"{opts.out}/checkpoint.pt: no float teacher saved (the run "
                             f"reached QAT without --distill); --distill cannot resume it")
    return model, opt, teacher


def train(cfg: NetConfig, opts: TrainOptions) -> dict:
    check_options(opts)
    device = resolve_device(opts.device)
    if opts.threads:
        torch.set_num_threads(opts.threads)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # speed; CUDA runs are seeded, not bit-repeatable
    tree, cfg, tr, te, classes = _load_data(cfg, opts)
    out = Path(opts.out)
    chash = config_hash(tree)
    ck = None
    if opts.resume:
        ck = load_checkpoint(out / "checkpoint.pt")
        if ck["config_hash"] != chash:
            raise ValueError(f"{out}/checkpoint.pt: trained with another config "
                             f"(hash {ck['config_hash']} != {chash})")
    model, opt, teacher = _start(cfg, opts, ck, device)
    start_epoch, history, wall_before = (ck["epoch"], ck["history"], ck["wall_s"]) if ck else (0, [], 0.0)
    if ck:
        work = out
    else:
        if out.exists():
            raise FileExistsError(f"{out}: already exists (use --resume or another --out)")
        out.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))

    trd = DeviceSplit.of(tr.images, tr.labels, device)
    ted = DeviceSplit.of(te.images, te.labels, device)
    steps_per_epoch = math.ceil(len(trd) / opts.batch_size)
    lr_at = lr_schedule(opts, steps_per_epoch)
    loss = LossSpec(opts.label_smoothing, opts.distill, opts.distill_temperature)
    gen = generator(device)
    t0 = time.time()
    try:
        for epoch in range(start_epoch, opts.epochs):
            # Re-seed per epoch so resumed runs repeat exactly (on one device).
            gen.manual_seed(opts.seed * 1000 + epoch)
            torch.manual_seed(opts.seed * 1000 + epoch)
            phase = "float" if epoch < opts.float_epochs else "qat"
            if phase == "qat" and model.has_batchnorm:
                if opts.distill > 0:
                    teacher = _teacher(cfg, model.state_dict(), device)
                model.fold_batchnorm()
                idx = torch.randperm(len(trd), generator=gen, device=device)
                calibrate(model, trd, idx[:opts.calib_batches * opts.batch_size], opts.batch_size)
                opt = _optimizer(model, opts)
            ep = Epoch(trd, gen, opts.batch_size, epoch * steps_per_epoch, lr_at, loss,
                       pad=augment_pad(cfg.input_shape[1]), float_phase=phase == "float",
                       teacher=teacher if phase == "qat" else None)
            with tqdm(total=steps_per_epoch, desc=f"epoch {epoch + 1}/{opts.epochs}",
                      disable=not opts.progress, leave=False, dynamic_ncols=True) as bar:
                train_loss, train_acc = train_epoch(model, opt, ep, bar if opts.progress else None)
            with float_mode(model) if phase == "float" else contextlib.nullcontext():
                acc = evaluate(model, ted)
            history.append({"epoch": epoch + 1, "phase": phase, "train_loss": train_loss,
                            "train_acc": train_acc, "test_acc": acc})
            wall = wall_before + time.time() - t0
            print(f"epoch {epoch + 1}/{opts.epochs} ({phase}, {device.type}): loss {train_loss:.4f} "
                  f"train acc {train_acc:.4f} test acc {acc:.4f} ({wall:.0f} s)", flush=True)
            extra = {"teacher": to_cpu(teacher.state_dict())} if teacher is not None else {}
            if classes is not None:
                extra["classes"] = classes
            save_checkpoint(work / "checkpoint.pt", model=to_cpu(model.state_dict()),
                            optimizer=to_cpu(opt.state_dict()), epoch=epoch + 1, history=history,
                            wall_s=wall, config=tree, config_hash=chash,
                            batchnorm=model.has_batchnorm, **extra)
            metrics = {"test_accuracy": acc, "test_images": len(ted), "epochs": epoch + 1,
                       "history": history, "wall_time_s": round(wall, 1), "config_hash": chash,
                       "config_name": cfg.name, "seed": opts.seed, "device": device.type,
                       **_recipe(opts), **({"classes": classes} if classes else {})}
            (work / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
            if work != out:
                os.replace(work, out)
                work = out
    finally:
        if work != out:
            shutil.rmtree(work, ignore_errors=True)
    return json.loads((out / "metrics.json").read_text())


def _recipe(opts: TrainOptions) -> dict:
    return {"batch_size": opts.batch_size, "lr": opts.lr, "float_epochs": opts.float_epochs,
            "label_smoothing": opts.label_smoothing, "distill": opts.distill,
            "distill_temperature": opts.distill_temperature, "qat_lr": opts.qat_lr}


def _teacher(cfg: NetConfig, state: dict, device: torch.device):
    """The float warm-up network (BatchNorm kept, run with quantization off)."""
    t = build(cfg, batchnorm=True)
    _load_resumable(t, state)
    return t.to(device).eval().requires_grad_(False)


def _optimizer(model, opts: TrainOptions) -> torch.optim.Optimizer:
    """AdamW; the first conv sees raw bytes, so its weights live ~255x smaller and
    its learning rate is scaled to match (normalization is learned, not fixed)."""
    first = model.first_conv()
    others = [p for p in model.parameters() if p is not first.weight]
    return torch.optim.AdamW([{"params": others, "lr_scale": 1.0},
                              {"params": [first.weight], "lr_scale": 1.0 / 255.0}],
                             lr=opts.lr, weight_decay=opts.weight_decay)


def _load_resumable(model, state: dict) -> None:
    """Load a checkpoint's weights.  Activation scales that have not left their
    statistics-collection phase (always the case in the float warm-up) are not in
    Brevitas's state dict; only those keys may be missing."""
    missing, unexpected = model.load_state_dict(state, strict=False)
    bad = [k for k in missing if not k.endswith("scaling_impl.value")] + list(unexpected)
    if bad:
        raise ValueError(f"checkpoint does not match the model: {bad[0]}")
