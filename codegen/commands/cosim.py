"""squeezefpga cosim MODEL.onnx --inputs X.npy --check qonnx [--json]"""
from __future__ import annotations

import argparse
import json
import sys

from ..errors import CliError
from .golden import load_inputs, load_plan

HELP = "compare the golden model with other execution paths, frame by frame"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="QONNX model file (.onnx)")
    p.add_argument("--inputs", required=True, help="X.npy: float32 NCHW as the QONNX model takes it")
    p.add_argument("--check", default="qonnx",
                   help="comma-separated checkers to compare against golden (default: qonnx)")
    p.add_argument("--limit", type=int, default=None, help="only the first N frames")
    p.add_argument("--json", action="store_true", help="machine-readable report on stdout")


def run(args: argparse.Namespace) -> int:
    import sim.hls_check  # noqa: F401  (registers the 'hls' checker)
    from sim.golden.cosim import CHECKERS, run_cosim

    checks = [c.strip() for c in args.check.split(",") if c.strip()]
    unknown = [c for c in checks if c not in CHECKERS]
    if not checks or unknown:
        raise CliError(f"unknown checker {unknown[0] if unknown else '(none)'!r}; "
                       f"known: {', '.join(sorted(CHECKERS))}")
    x = load_inputs(args.inputs, load_plan(args.model))
    if args.limit is not None:
        x = x[: max(args.limit, 0)]
    report = run_cosim(args.model, x, checks)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for c in checks:
            print(f"{c}: {report['mismatches'][c]} of {report['frames']} frames differ from golden")
    for c in checks:
        first = report["checks"][c]["first_divergence"]
        if first is not None:
            print(f"cosim {c}: frame {first['frame']}: {first['message']}", file=sys.stderr)
    return 0 if report["ok"] else 1
