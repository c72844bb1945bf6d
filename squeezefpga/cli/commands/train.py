"""squeezefpga train CONFIG --out RUN [--epochs N] [--data DIR] [--seed S] [--resume]
[--device auto|cpu|cuda] [--label-smoothing S] [--distill W] [--qat-lr LR] [--input-shape C,H,W]"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from squeezefpga.codegen.errors import CliError
from squeezefpga.cli.outputs import creatable

HELP = "quantization-aware training on Fashion-MNIST (or an image-folder dataset)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", help="a TOML file or a preset name from configs/")
    p.add_argument("--out", required=True, type=Path, help="run directory to create")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--data", help="dataset directory (Fashion-MNIST IDX files, or images in "
                                   "DIR/train/CLASS/* and DIR/val/CLASS/*)")
    p.add_argument("--input-shape", type=_input_shape,
                   help="override the preset's input size, e.g. 3,32,32 (a new run only)")
    p.add_argument("--float-epochs", type=int, default=0,
                   help="first epochs without quantization, then calibration and QAT")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resume", action="store_true", help="continue RUN from its checkpoint")
    p.add_argument("--threads", type=int, help="torch CPU threads")
    p.add_argument("--limit-train", type=int, help="train on the first N images only")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                   help="where model, data and augmentation live (auto: CUDA when available)")
    p.add_argument("--label-smoothing", type=float, default=0.0, metavar="S",
                   help="cross-entropy label smoothing (default 0: off)")
    p.add_argument("--distill", type=float, default=0.0, metavar="W",
                   help="QAT loss = (1-W) cross entropy + W distillation from the float warm-up "
                        "network (needs --float-epochs; default 0: off)")
    p.add_argument("--distill-temp", type=float, default=1.0, metavar="T",
                   help="distillation temperature (default 1)")
    p.add_argument("--qat-lr", type=float, metavar="LR",
                   help="the QAT epochs restart the cosine schedule from LR "
                        "(default: one schedule over the run)")


def _input_shape(text: str) -> list[int]:
    parts = text.split(",")
    if len(parts) != 3 or not all(v.strip().isdigit() for v in parts):
        raise argparse.ArgumentTypeError(f"'{text}' must be C,H,W")
    return [int(v) for v in parts]


def run(args: argparse.Namespace) -> int:
    from squeezefpga.quant import presets
    from squeezefpga.quant.checkpoint import CheckpointError, load_checkpoint
    from squeezefpga.quant.data import DataError
    from squeezefpga.quant.train import TrainOptions, train

    if args.epochs < 1:
        raise CliError(f"--epochs = {args.epochs} must be >= 1")
    creatable(args.out, "--out")
    if args.resume:
        if not args.out.exists():
            raise CliError(f"{args.out}: nothing to resume")
        try:
            tree = load_checkpoint(args.out)["config"]
        except CheckpointError as e:
            raise CliError(str(e)) from None
        if args.input_shape:
            raise CliError("--input-shape: a resumed run keeps its config's input size")
    else:
        tree = presets.read_tree(args.config)
        if args.input_shape:
            tree = {**tree, "net": {**tree.get("net", {}), "input_shape": args.input_shape}}
    cfg = presets.from_tree(tree)
    opts = TrainOptions(config_tree=tree, out=args.out, epochs=args.epochs,
                        batch_size=args.batch_size, lr=args.lr, seed=args.seed,
                        data_dir=args.data, resume=args.resume, threads=args.threads,
                        progress=not args.no_progress, limit_train=args.limit_train,
                        float_epochs=args.float_epochs, device=args.device,
                        label_smoothing=args.label_smoothing, distill=args.distill,
                        distill_temperature=args.distill_temp, qat_lr=args.qat_lr)
    try:
        metrics = train(cfg, opts)
    except (DataError, CheckpointError, FileExistsError, ValueError) as e:
        raise CliError(str(e)) from None
    print(json.dumps({k: metrics[k] for k in ("test_accuracy", "epochs", "wall_time_s",
                                               "config_hash", "device")}))
    return 0
