"""squeezefpga golden MODEL.onnx --inputs X.npy --out Y.npy"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from squeezefpga.codegen.errors import CliError

HELP = "run the exact integer golden model of a QONNX file on a batch of inputs"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="QONNX model file (.onnx)")
    p.add_argument("--inputs", help="X.npy: float32 NCHW as the QONNX model takes it")
    p.add_argument("--out", help="Y.npy: the model output as float32")
    p.add_argument("--bounds", action="store_true",
                   help="print every layer's exact worst-case accumulator range as JSON")


def load_plan(model: str):
    from squeezefpga.sim.golden import UnsupportedModel, load

    try:
        return load(model)
    except UnsupportedModel as e:
        raise CliError(str(e)) from None


def load_inputs(path: str, plan) -> np.ndarray:
    if not Path(path).is_file():
        raise CliError(f"no such input file: {path}")
    try:
        x = np.load(path)
    except Exception as e:
        raise CliError(f"cannot read {path}: {e}") from None
    if x.dtype.kind not in "fiu":
        raise CliError(f"{path}: numeric array expected, got dtype {x.dtype}")
    try:
        return plan.batch(x).astype(np.float32)
    except ValueError as e:
        raise CliError(f"{path}: {e}") from None


def run(args: argparse.Namespace) -> int:
    plan = load_plan(args.model)
    if args.bounds:
        print(json.dumps([b.to_dict() for b in plan.bounds], indent=2))
    if args.inputs is None:
        if not args.bounds:
            raise CliError("nothing to do: give --inputs (and --out) or --bounds")
        return 0
    try:
        y = plan(load_inputs(args.inputs, plan))
    except ValueError as e:
        raise CliError(str(e)) from None
    y32 = y.astype(np.float32)
    if not np.array_equal(y32, y):
        raise CliError("the output is not exactly representable as float32")
    if args.out:
        np.save(args.out, y32)
    else:
        print(f"{len(y32)} frames -> output {y32.shape[1:]} (exponent {plan.output.exp}); "
              "give --out to save")
    return 0
