"""squeezefpga params CONFIG [--json]"""
from __future__ import annotations

import argparse
import json

from squeezefpga.quant import params, presets

HELP = "print per-layer output shapes, parameter counts and MACs of a config"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", help="a TOML file or a preset name from configs/")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    cfg = presets.load(args.config)
    if args.json:
        print(json.dumps(params.summary(cfg), indent=2))
    else:
        print(params.format_table(cfg))
    return 0
