"""squeezefpga cosim DIR|MODEL.onnx [--inputs X.npy | --frames N --data fmnist|random]
[--check qonnx,hls,rtl,uart] [--json] [--junit FILE]

DIR is a build directory (``squeezefpga build``): its model.onnx is checked,
with its rtl/ (and its hls4ml project) when present.  With ``rtl`` the report
also has the RTL's measured cycles_per_frame, latency_cycles, and the
manifest's expected_cycles_per_frame, macs_per_frame, multipliers and
mac_efficiency = macs_per_frame / (cycles_per_frame * multipliers).  ``uart``
needs a board directory (``squeezefpga bitstream --board``): the board top
over its UART pins (squeezefpga/cli/checks/uart.py).
Exit 1 on any mismatch (the first diverging tensor on stderr).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from squeezefpga.codegen.errors import CliError
from squeezefpga.cli.outputs import writable_file, write_file
from .golden import load_inputs, load_plan

HELP = "compare the golden model with other execution paths, frame by frame"
RTL_KEYS = ("cycles_per_frame", "latency_cycles", "expected_cycles_per_frame", "macs_per_frame",
            "multipliers", "mac_efficiency")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="QONNX model file (.onnx) or a build directory")
    p.add_argument("--inputs", help="X.npy: float32 NCHW as the QONNX model takes it")
    p.add_argument("--frames", type=int, help="with --data: number of frames")
    p.add_argument("--data", help="fmnist (the shipped Fashion-MNIST test images) or random")
    p.add_argument("--check", default="qonnx",
                   help="comma-separated checkers to compare against golden (qonnx, hls, rtl, uart)")
    p.add_argument("--limit", type=int, default=None, help="only the first N frames")
    p.add_argument("--json", action="store_true", help="machine-readable report on stdout")
    p.add_argument("--junit", help="also write a JUnit XML report (one test case per checker)")
    p.add_argument("--seed", type=int, default=0, help="seed of --data random")


def model_path(arg: str) -> Path:
    p = Path(arg)
    if p.is_dir():
        p = p / "model.onnx"
    if not p.is_file():
        raise CliError(f"{arg}: no such model file or build directory (with model.onnx)")
    return p


def data_inputs(kind: str, frames: int, plan, seed: int = 0) -> np.ndarray:
    """``frames`` images: the shipped Fashion-MNIST subset or random pixels 0..255."""
    shape = tuple(plan.input_shape[1:])
    if kind == "fmnist":
        from squeezefpga.quant.data import load_subset

        x = load_subset().images[:frames].astype(np.float32)
        if len(x) < frames:
            raise CliError(f"--frames {frames}: --data fmnist has {len(x)} images")
        if x.shape[1:] != shape:
            raise CliError(f"--data fmnist: images are {list(x.shape[1:])}, the model takes {list(shape)}")
        return x
    if kind == "random":
        return np.random.default_rng(seed).integers(0, 256, (frames, *shape)).astype(np.float32)
    raise CliError(f"--data {kind!r}: one of fmnist, random")


def cosim(model, x: np.ndarray, checks: list[str]) -> dict:
    """run_cosim plus the RTL's performance at the top level (used by ``run`` too)."""
    import squeezefpga.cli.checks.hls  # noqa: F401  (registers the 'hls' checker)
    import squeezefpga.cli.checks.rtl  # noqa: F401  (registers the 'rtl' checker)
    import squeezefpga.cli.checks.uart  # noqa: F401  (registers the 'uart' checker)
    from squeezefpga.sim.golden.cosim import CHECKERS, run_cosim

    unknown = [c for c in checks if c not in CHECKERS]
    if not checks or unknown:
        raise CliError(f"unknown checker {unknown[0] if unknown else '(none)'!r}; "
                       f"known: {', '.join(sorted(CHECKERS))}")
    t0 = time.time()
    report = run_cosim(model, x, checks)
    report["wall_s"] = round(time.time() - t0, 1)
    if "rtl" in checks:
        report.update({k: report["checks"]["rtl"][k] for k in RTL_KEYS})
    return report


def junit(report: dict, path: str, model: str) -> None:
    cases = []
    for c, r in report["checks"].items():
        body = ""
        if r["mismatches"]:
            d = r["first_divergence"]
            msg = f"{r['mismatches']} of {r['frames']} frames differ from golden"
            text = escape(f"frame {d['frame']}: {d['message']}")
            body = f"<failure message={quoteattr(msg)}>{text}</failure>"
        cases.append(f'  <testcase classname="squeezefpga.cosim" name={quoteattr(f"{c}: {model}")}>'
                     f"{body}</testcase>")
    fails = sum(1 for r in report["checks"].values() if r["mismatches"])
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="squeezefpga cosim" '
           f'tests="{len(cases)}" failures="{fails}" errors="0" time="{report.get("wall_s", 0)}">\n'
           + "\n".join(cases) + "\n</testsuite>\n")
    write_file(path, xml)


def run(args: argparse.Namespace) -> int:
    for flag, v in (("--frames", args.frames), ("--limit", args.limit)):
        if v is not None and v < 1:
            raise CliError(f"{flag} = {v} must be >= 1")
    if args.frames is not None and args.data is None:
        raise CliError("--frames goes with --data fmnist|random")
    if args.junit:
        writable_file(args.junit, "--junit")
    model = model_path(args.model)
    plan = load_plan(str(model))
    if (args.inputs is None) == (args.data is None):
        raise CliError("give either --inputs X.npy or --frames N --data fmnist|random")
    if args.inputs is not None:
        x = load_inputs(args.inputs, plan)
    else:
        x = data_inputs(args.data, args.frames or 16, plan, args.seed)
    if args.limit is not None:
        x = x[: args.limit]
    checks = [c.strip() for c in args.check.split(",") if c.strip()]
    report = cosim(model, x, checks)
    if args.junit:
        junit(report, args.junit, str(args.model))
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
