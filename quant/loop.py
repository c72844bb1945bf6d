"""The training loop's device side: data, augmentation, loss, epoch, evaluation.

Everything here runs on one ``torch.device`` (CPU or CUDA) with the same code:
the images stay uint8 on the device, the random numbers come from a generator
on the device, and the running loss and accuracy are accumulated in device
tensors, so an epoch synchronises with the host only when the progress bar is
refreshed (every ``SYNC_EVERY`` steps) and once at its end.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

SYNC_EVERY = 50  # steps between progress-bar refreshes (host synchronisations)


def resolve_device(name: str) -> torch.device:
    """"auto" -> CUDA when available, else CPU; "cuda" without a GPU is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"--device cuda: CUDA is not available (torch {torch.__version__})")
    if name not in ("cpu", "cuda"):
        raise ValueError(f"--device {name}: expected auto, cpu or cuda")
    return torch.device(name)


def float_mode(model):
    """Context: every quantizer of ``model`` off (float network), training mode kept."""
    from brevitas.graph.calibrate import quantization_status_manager
    return quantization_status_manager(model, disable_act_quant=True, disable_weight_quant=True,
                                       disable_bias_quant=True, is_training=model.training)


def generator(device: torch.device) -> torch.Generator:
    return torch.Generator(device=device)


@dataclass(frozen=True)
class DeviceSplit:
    """A dataset split on the device: uint8 images (N, C, H, W), int64 labels."""

    images: torch.Tensor
    labels: torch.Tensor

    @classmethod
    def of(cls, images: np.ndarray, labels: np.ndarray, device: torch.device) -> "DeviceSplit":
        return cls(torch.from_numpy(np.ascontiguousarray(images)).to(device),
                   torch.from_numpy(np.asarray(labels, np.int64)).to(device))

    def __len__(self) -> int:
        return len(self.labels)

    def batch(self, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.images[idx].float(), self.labels[idx]


def augment_pad(height: int) -> int:
    """Shift range of the augmentation: 2 pixels at 28x28, in proportion above."""
    return max(1, round(height / 14))


def augment(x: torch.Tensor, gen: torch.Generator, pad: int = 2) -> torch.Tensor:
    """Random shift by up to ``pad`` pixels (zero fill) and horizontal flip, as
    two gathers on ``x``'s device (no data-dependent indexing, no host sync)."""
    n, c, h, w = x.shape
    dev = x.device
    xp = F.pad(x, (pad, pad, pad, pad))
    dy = torch.randint(0, 2 * pad + 1, (n, 1), generator=gen, device=dev)
    dx = torch.randint(0, 2 * pad + 1, (n, 1), generator=gen, device=dev)
    flip = torch.rand(n, 1, generator=gen, device=dev) < 0.5
    rows = (dy + torch.arange(h, device=dev)).view(n, 1, h, 1).expand(n, c, h, w + 2 * pad)
    xp = torch.gather(xp, 2, rows)
    ar = torch.arange(w, device=dev)
    cols = dx + torch.where(flip, w - 1 - ar, ar)
    return torch.gather(xp, 3, cols.view(n, 1, 1, w).expand(n, c, h, w))


@dataclass(frozen=True)
class LossSpec:
    """Cross entropy with optional label smoothing, mixed with distillation
    (KL divergence to a teacher's softened outputs, scaled by T^2) when
    ``distill`` > 0 and a teacher is given."""

    label_smoothing: float = 0.0
    distill: float = 0.0
    temperature: float = 1.0

    def __call__(self, logits: torch.Tensor, y: torch.Tensor,
                 teacher_logits: torch.Tensor | None = None) -> torch.Tensor:
        ce = F.cross_entropy(logits, y, label_smoothing=self.label_smoothing)
        if teacher_logits is None or self.distill == 0:
            return ce
        t = self.temperature
        kd = F.kl_div(F.log_softmax(logits / t, 1), F.log_softmax(teacher_logits / t, 1),
                      reduction="batchmean", log_target=True) * (t * t)
        return (1 - self.distill) * ce + self.distill * kd


@dataclass
class Epoch:
    """One epoch's inputs besides the model and optimizer."""

    data: DeviceSplit
    gen: torch.Generator
    batch_size: int
    first_step: int               # global step index of this epoch's first batch
    lr_at: Callable[[int], float]  # global step -> learning rate (before lr_scale)
    loss: LossSpec
    pad: int = 2
    float_phase: bool = False  # quantization off (the BatchNorm warm-up)
    teacher: torch.nn.Module | None = None  # run with quantization off


def train_epoch(model, opt, ep: Epoch, bar=None) -> tuple[float, float]:
    """One pass over ``ep.data`` in a seeded random order; (mean loss, accuracy)."""
    dev = ep.data.labels.device
    n = len(ep.data)
    perm = torch.randperm(n, generator=ep.gen, device=dev)
    steps = math.ceil(n / ep.batch_size)
    loss_sum = torch.zeros((), device=dev)
    correct = torch.zeros((), dtype=torch.int64, device=dev)
    model.train()
    with contextlib.ExitStack() as stack:
        if ep.float_phase:
            stack.enter_context(float_mode(model))
        if ep.teacher is not None:
            stack.enter_context(float_mode(ep.teacher))
        for b in range(steps):
            lr = ep.lr_at(ep.first_step + b)
            for g in opt.param_groups:
                g["lr"] = lr * g["lr_scale"]
            x, y = ep.data.batch(perm[b * ep.batch_size:(b + 1) * ep.batch_size])
            x = augment(x, ep.gen, ep.pad)
            logits = model(x)
            t_logits = None
            if ep.teacher is not None:
                with torch.no_grad():
                    t_logits = ep.teacher(x)
            loss = ep.loss(logits, y, t_logits)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.detach() * len(y)
            correct += (logits.detach().argmax(1) == y).sum()
            if bar is not None:
                bar.update(1)
                if (b + 1) % SYNC_EVERY == 0 or b + 1 == steps:
                    seen = min(n, (b + 1) * ep.batch_size)
                    bar.set_postfix(loss=f"{loss_sum.item() / seen:.4f}",
                                    acc=f"{correct.item() / seen:.4f}")
    return loss_sum.item() / n, correct.item() / n


@torch.no_grad()
def evaluate(model, data: DeviceSplit, batch: int = 500) -> float:
    """Top-1 accuracy, one host synchronisation at the end."""
    model.eval()
    correct = torch.zeros((), dtype=torch.int64, device=data.labels.device)
    for i in range(0, len(data), batch):
        x = data.images[i:i + batch].float()
        correct += (model(x).argmax(1) == data.labels[i:i + batch]).sum()
    return correct.item() / len(data)


@torch.no_grad()
def calibrate(model, data: DeviceSplit, idx: torch.Tensor, batch: int) -> None:
    """Set activation scales from float-trained statistics before QAT starts."""
    from brevitas.graph.calibrate import calibration_mode
    with calibration_mode(model):
        for i in range(0, len(idx), batch):
            model(data.images[idx[i:i + batch]].float())


def to_cpu(obj):
    """A state dict (nested dicts/lists of tensors) with every tensor on the CPU,
    so checkpoints written on CUDA load anywhere."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, dict):
        return {k: to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_cpu(v) for v in obj)
    return obj
