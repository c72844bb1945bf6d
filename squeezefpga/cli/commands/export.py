"""squeezefpga export RUN|CONFIG --out MODEL.onnx [--random-weights --seed S]"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from squeezefpga.codegen.errors import CliError
from squeezefpga.cli.outputs import writable_file

HELP = "export a trained run (or a config with random weights) to QONNX, checked exact"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", help="a run directory from 'train', or a config (TOML file or "
                                  "preset name) with --random-weights")
    p.add_argument("--out", required=True, type=Path, help="QONNX file to write")
    p.add_argument("--random-weights", action="store_true",
                   help="seeded random quantized weights (for configs without a trained run)")
    p.add_argument("--scales", choices=("calibrated", "nominal"), default="calibrated",
                   help="with --random-weights: activation scales calibrated on random bytes "
                        "(default), or the nominal values and scales of the config's weightless "
                        "graph (the graph 'budget CONFIG' budgets; codegen/qonnx/config_graph.py)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--check-frames", type=int, default=8,
                   help="frames on which qonnx execution must equal Brevitas exactly")
    p.add_argument("--input-shape", help="override the input size, e.g. 3,64,64")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from squeezefpga.quant import presets
    from squeezefpga.quant.arch import ConfigError
    from squeezefpga.quant.checkpoint import CheckpointError
    from squeezefpga.quant.export import (ExportMismatch, check_frames, export_checked, random_model,
                              trained_model)

    writable_file(args.out, "--out")
    if args.out.exists() and not args.force:
        raise CliError(f"--out {args.out}: already exists (--force replaces it)")
    src = Path(args.source)
    try:
        if src.is_dir() or (src.suffix == ".pt"):
            if args.random_weights:
                raise CliError(f"{src}: --random-weights takes a config, not a run")
            cfg, model = trained_model(src)
            if args.input_shape:
                raise CliError("--input-shape applies to --random-weights exports only")
        else:
            if not args.random_weights:
                try:
                    presets.resolve(src)
                except ConfigError:
                    raise CliError(f"{src}: no such run directory or config") from None
                raise CliError(f"{src}: a config needs --random-weights (or pass a run directory)")
            cfg = presets.load(src)
            if args.input_shape:
                cfg = dataclasses.replace(cfg, input_shape=_shape(args.input_shape)).validate()
            if args.scales == "nominal":
                from squeezefpga.cli.nominal import nominal_model
                model = nominal_model(cfg, args.seed)
            else:
                model = random_model(cfg, args.seed)
        rep = export_checked(model, cfg, args.out, check_frames(cfg, args.check_frames, args.seed))
    except (CheckpointError, ExportMismatch) as e:
        raise CliError(str(e)) from None
    print(json.dumps({"out": str(rep.path), "frames_checked": rep.frames,
                      "max_abs_diff": rep.max_abs_diff, "nodes": rep.nodes}))
    return 0


def _shape(text: str) -> tuple[int, int, int]:
    try:
        shape = tuple(int(v) for v in text.split(","))
    except ValueError:
        shape = ()
    if len(shape) != 3:
        raise CliError(f"--input-shape = '{text}' must be C,H,W")
    return shape
