"""squeezefpga golden MODEL.onnx --inputs X.npy --out Y.npy"""
from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import numpy as np

from squeezefpga.codegen.errors import CliError
from squeezefpga.cli.outputs import writable_file, write_file

HELP = "run the exact integer golden model of a QONNX file on a batch of inputs"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="QONNX model file (.onnx)")
    p.add_argument("--inputs", help="X.npy: float32 NCHW as the QONNX model takes it")
    p.add_argument("--out", help="Y.npy: the model output as float32")
    p.add_argument("--bounds", action="store_true",
                   help="print every layer's exact worst-case accumulator range as JSON")


def load_plan(model):
    """The golden plan of a model the toolflow accepts (sim/golden/legality.py:
    the one check golden, cosim, build and budget share), or one line."""
    from squeezefpga.sim.golden import UnsupportedModel
    from squeezefpga.sim.golden.legality import check

    try:
        return check(str(model))
    except UnsupportedModel as e:
        raise CliError(str(e) if str(model) in str(e) else f"{model}: {e}") from None


def load_inputs(path: str, plan) -> np.ndarray:
    if not Path(path).is_file():
        raise CliError(f"no such input file: {path}")
    try:
        x = np.load(path, allow_pickle=False)
    except Exception as e:
        raise CliError(f"cannot read {path}: {e}") from None
    if not isinstance(x, np.ndarray):
        x.close()
        raise CliError(f"{path}: an .npz archive, not one .npy array")
    if x.dtype.kind not in "fiu":
        raise CliError(f"{path}: numeric array expected, got dtype {x.dtype}")
    if x.size == 0:
        raise CliError(f"{path}: empty array {list(x.shape)} (no frames)")
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(x))[0])
        raise CliError(f"{path}: value {x[bad]} at index {list(bad)} (inputs must be finite)")
    try:
        return plan.batch(x).astype(np.float32)
    except ValueError as e:
        raise CliError(f"{path}: {e}") from None


def run(args: argparse.Namespace) -> int:
    if args.out:
        writable_file(args.out, "--out")
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
    if args.out:   # exactly the name given (np.save would append .npy)
        buf = io.BytesIO()
        np.save(buf, y32)
        write_file(args.out, buf.getvalue())
    else:
        print(f"{len(y32)} frames -> output {y32.shape[1:]} (exponent {plan.output.exp}); "
              "give --out to save")
    return 0
