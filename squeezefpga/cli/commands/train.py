"""squeezefpga train CONFIG --out RUN [--epochs N] [--data DIR] [--seed S] [--resume]"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from squeezefpga.codegen.errors import CliError

HELP = "quantization-aware training on Fashion-MNIST (or an image-folder dataset)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", help="a TOML file or a preset name from configs/")
    p.add_argument("--out", required=True, type=Path, help="run directory to create")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--data", help="dataset directory (Fashion-MNIST IDX files, or "
                                   "DIR/{train,test}/CLASS/* images)")
    p.add_argument("--float-epochs", type=int, default=0,
                   help="first epochs without quantization, then calibration and QAT")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resume", action="store_true", help="continue RUN from its checkpoint")
    p.add_argument("--threads", type=int, help="torch CPU threads")
    p.add_argument("--limit-train", type=int, help="train on the first N images only")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from squeezefpga.quant import presets
    from squeezefpga.quant.checkpoint import CheckpointError, load_checkpoint
    from squeezefpga.quant.data import DataError
    from squeezefpga.quant.train import TrainOptions, train

    if args.epochs < 1:
        raise CliError(f"--epochs = {args.epochs} must be >= 1")
    if args.resume:
        if not args.out.exists():
            raise CliError(f"{args.out}: nothing to resume")
        try:
            tree = load_checkpoint(args.out)["config"]
        except CheckpointError as e:
            raise CliError(str(e)) from None
    else:
        tree = presets.read_tree(args.config)
    cfg = presets.from_tree(tree)
    opts = TrainOptions(config_tree=tree, out=args.out, epochs=args.epochs,
                        batch_size=args.batch_size, lr=args.lr, seed=args.seed,
                        data_dir=args.data, resume=args.resume, threads=args.threads,
                        progress=not args.no_progress, limit_train=args.limit_train,
                        float_epochs=args.float_epochs)
    try:
        metrics = train(cfg, opts)
    except (DataError, CheckpointError, FileExistsError, ValueError) as e:
        raise CliError(str(e)) from None
    print(json.dumps({k: metrics[k] for k in ("test_accuracy", "epochs", "wall_time_s",
                                               "config_hash")}))
    return 0
