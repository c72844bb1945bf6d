"""squeezefpga build MODEL.onnx --out DIR --backend hls [--fold FILE] [--csim X.npy]"""
from __future__ import annotations

import argparse
import json
import time

from ..errors import CliError

HELP = "generate the hls4ml dataflow firmware project (and vendor scripts) for a QONNX model"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="QONNX model file (.onnx)")
    p.add_argument("--out", required=True, help="build directory to create (must not exist)")
    p.add_argument("--backend", default="hls", choices=["hls"], help="firmware generator (hls4ml)")
    p.add_argument("--fold", help="folding file (TOML): per-layer ReuseFactor, strategy")
    p.add_argument("--board", default="pynq-z2", help="board of the vendor project (pynq-z2, zcu104)")
    p.add_argument("--compile", action="store_true", help="also build the csim library")


def run(args: argparse.Namespace) -> int:
    from ..hls import csim
    from ..hls.config import load_fold
    from ..hls.project import build
    from ..hls.vendor import BOARDS, add_vendor_project

    if args.board not in BOARDS:
        raise CliError(f"--board {args.board!r}: known boards: {', '.join(sorted(BOARDS))}")
    t0 = time.time()
    meta = build(args.model, args.out, load_fold(args.fold), part=BOARDS[args.board]["part"],
                 extra=lambda d, m: add_vendor_project(d, m, args.board))
    report = {"out": args.out, "top": meta["top"], "part": meta["part"], "board": args.board,
              "layers": len(meta["layers"]), "convert_s": round(time.time() - t0, 1)}
    if args.compile:
        t1 = time.time()
        csim.library(args.out)
        report["compile_s"] = round(time.time() - t1, 1)
    print(json.dumps(report))
    return 0
