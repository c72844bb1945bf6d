"""Training speed: the old host-side loop against the device loop (quant/loop.py).

    .venv/bin/python bench/train_speed.py [--steps 12] [--batch 128] [--repeat 2] [--device cpu,cuda]

On the fmnist preset, in one process, for each device (CPU, and CUDA where
present) and each phase (float warm-up with BatchNorm, then QAT), it trains the
same number of steps with

- old: the loop as it was before ``--device`` (augmentation on the host with a
  CPU generator and boolean-mask flips, the batch copied to the device every
  step, quantization switched off and on again every step, the loss and the
  accuracy read back to the host every step);
- new: ``loop.train_epoch`` (images uint8 on the device, augmentation there,
  loss and accuracy summed on the device, one read-back per epoch);

and prints training images/s and the ratio new/old (and CUDA/CPU).  Rounds are
interleaved, best of ``--repeat`` (a shared machine is noisy).  Uses the
Fashion-MNIST training images when installed, else random bytes.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from squeezefpga.quant import data as datasets  # noqa: E402
from squeezefpga.quant import loop, presets  # noqa: E402
from squeezefpga.quant.model import build  # noqa: E402
from squeezefpga.quant.train import TrainOptions, _optimizer  # noqa: E402


def host_augment(x: torch.Tensor, gen: torch.Generator, pad: int = 2) -> torch.Tensor:
    """The old augmentation: CPU random numbers, a boolean-mask flip."""
    n, c, h, w = x.shape
    xp = F.pad(x, (pad, pad, pad, pad))
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    rows = (dy[:, None] + torch.arange(h)[None]).view(n, 1, h, 1).expand(n, c, h, w + 2 * pad)
    xp = torch.gather(xp, 2, rows)
    cols = (dx[:, None] + torch.arange(w)[None]).view(n, 1, 1, w).expand(n, c, h, w)
    xp = torch.gather(xp, 3, cols)
    flip = torch.rand(n, generator=gen) < 0.5
    xp[flip] = xp[flip].flip(-1)
    return xp


def old_epoch(model, opt, images: np.ndarray, labels: np.ndarray, batch: int, float_phase: bool,
              device: torch.device) -> float:
    gen = torch.Generator().manual_seed(0)
    perm = torch.randperm(len(images), generator=gen).numpy()
    model.train()
    loss_sum, correct = 0.0, 0
    for b in range(0, len(images), batch):
        idx = perm[b:b + batch]
        x = host_augment(torch.from_numpy(images[idx]).float(), gen).to(device)
        y = torch.from_numpy(labels[idx]).to(device)
        with loop.float_mode(model) if float_phase else contextlib.nullcontext():
            logits = model(x)
        loss = F.cross_entropy(logits, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss_sum += float(loss.detach()) * len(idx)
        correct += int((logits.argmax(1) == y).sum())
    return loss_sum / len(images)


def new_epoch(model, opt, images, labels, batch, float_phase, device) -> float:
    ep = loop.Epoch(loop.DeviceSplit.of(images, labels, device),
                    loop.generator(device).manual_seed(0), batch, 0, lambda s: 1e-3,
                    loop.LossSpec(), float_phase=float_phase)
    return loop.train_epoch(model, opt, ep)[0]


def fresh(cfg, opts, images, device, float_phase: bool):
    torch.manual_seed(0)
    model = build(cfg, batchnorm=True).to(device)
    if not float_phase:
        model.fold_batchnorm()
        x = loop.DeviceSplit.of(images[:256], np.zeros(256, np.int64), device)
        loop.calibrate(model, x, torch.arange(256, device=device), 128)
    opt = _optimizer(model, opts)
    for g in opt.param_groups:
        g["lr"] = 1e-3 * g["lr_scale"]
    return model, opt


def timed(fn, model, opt, images, labels, batch, float_phase, device) -> float:
    fn(model, opt, images[:batch], labels[:batch], batch, float_phase, device)  # warm-up
    if device.type == "cuda":
        torch.cuda.synchronize()
    t = time.perf_counter()
    fn(model, opt, images, labels, batch, float_phase, device)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return len(images) / (time.perf_counter() - t)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=12, help="training steps per measurement")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--device", default="cpu,cuda", help="devices to try (absent ones skipped)")
    ap.add_argument("--threads", type=int, help="torch CPU threads")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    cfg = presets.load("fmnist")
    opts = TrainOptions(config_tree={}, out=Path("."))
    n = args.steps * args.batch
    try:
        tr = datasets.load_fmnist("train")
        images, labels, source = tr.images[:n], tr.labels[:n], "Fashion-MNIST"
    except datasets.DataError:
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, (n, 1, 28, 28), dtype=np.uint8)
        labels, source = rng.integers(0, 10, n).astype(np.int64), "random bytes"
    devices = [torch.device(d) for d in args.device.split(",")
               if d == "cpu" or (d == "cuda" and torch.cuda.is_available())]
    print(f"fmnist preset, {source}, {args.steps} steps x batch {args.batch}, best of "
          f"{args.repeat}, torch {torch.__version__}, {torch.get_num_threads()} CPU threads")
    best: dict[tuple, float] = {}
    for _ in range(args.repeat):
        for dev in devices:
            for phase in ("float", "qat"):
                for name, fn in (("old", old_epoch), ("new", new_epoch)):
                    model, opt = fresh(cfg, opts, images, dev, phase == "float")
                    ips = timed(fn, model, opt, images, labels, args.batch, phase == "float", dev)
                    key = (dev.type, phase, name)
                    best[key] = max(best.get(key, 0.0), ips)
    print(f"{'device':6} {'phase':6} {'old img/s':>10} {'new img/s':>10} {'new/old':>8}")
    for dev in devices:
        for phase in ("float", "qat"):
            o, nw = best[(dev.type, phase, "old")], best[(dev.type, phase, "new")]
            print(f"{dev.type:6} {phase:6} {o:10.0f} {nw:10.0f} {nw / o:8.2f}")
    if len(devices) == 2:
        for phase in ("float", "qat"):
            r = best[("cuda", phase, "new")] / best[("cpu", phase, "new")]
            print(f"{phase}: new loop cuda/cpu = {r:.1f}x; new cuda/old cuda = "
                  f"{best[('cuda', phase, 'new')] / best[('cuda', phase, 'old')]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
