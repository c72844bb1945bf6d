"""squeezefpga build MODEL.onnx --out DIR [--backend hls|rtl|all] [--fold FILE] [--rtl-fold FILE|auto|reuse]
[--device NAME [--utilization U]] [--target-fps F [--clock-mhz C]]

Layout of DIR: ``--backend hls`` the hls4ml project (+ vendor scripts) as
before; ``rtl`` the RTL in ``DIR/rtl/`` (codegen/rtl/emit.py); ``all`` both.
DIR/model.onnx is a copy of the model, so ``squeezefpga cosim DIR`` finds it.
``--device`` / ``--target-fps`` choose the automatic RTL fold's target
(codegen/budget/device_fold.py): the fastest that fits the device, or the
fewest multipliers for the rate; the manifest records the choice.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from squeezefpga.codegen.errors import CliError
from squeezefpga.cli.outputs import new_dir
from squeezefpga.codegen.hwops.devices import DEFAULT_UTILIZATION
from .golden import load_plan

HELP = "generate the dataflow firmware (hls4ml project and/or Verilog RTL) for a QONNX model"
BACKENDS = ("hls", "rtl", "all")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="QONNX model file (.onnx)")
    p.add_argument("--out", required=True, help="build directory to create (must not exist)")
    p.add_argument("--backend", default="hls", choices=BACKENDS,
                   help="hls: hls4ml project; rtl: Verilog of the hw/ library; all: both")
    p.add_argument("--fold", help="fold file (TOML/JSON, codegen/hwops/foldfile.py): the hls4ml "
                   "ReuseFactors (entries' reuse, default_reuse, strategy)")
    p.add_argument("--rtl-fold", default="auto",
                   help="RTL folding: 'auto' (balanced), 'reuse' (the --fold file's hls4ml "
                        "ReuseFactors mapped onto PE/SIMD) or a fold file (entries' pe/simd, "
                        "lanes; the same format as --fold)")
    d = p.add_argument_group("device-aware RTL fold (with --rtl-fold auto)")
    d.add_argument("--device", metavar="NAME",
                   help="fold the RTL to the fastest pipeline that fits this part "
                        "(budget's device table: xc7z020, xczu3eg, xczu7ev, xcu250, lfe5u-25f/45f/85f)")
    d.add_argument("--utilization", type=float, default=DEFAULT_UTILIZATION,
                   help="fraction of each device resource the fold may use (default 0.85)")
    d.add_argument("--target-fps", type=float, metavar="F",
                   help="fold to the fewest multipliers that reach F frames/s at --clock-mhz")
    d.add_argument("--clock-mhz", type=float, default=200.0, help="clock for --target-fps")
    p.add_argument("--board", default="pynq-z2", help="board of the vendor project (pynq-z2, zcu104)")
    p.add_argument("--compile", action="store_true",
                   help="also build the csim library (hls) / the Verilator model (rtl)")


def _device_target(model, mw, fit: dict) -> tuple[dict, dict]:
    """(the chosen fold, manifest entry) for ``fit`` = {device, utilization,
    target_fps, clock_mhz} (codegen/budget/device_fold.py)."""
    from squeezefpga.codegen.budget.device_fold import choose, model_evaluator
    from squeezefpga.codegen.hwops import devices

    dev = None
    if fit.get("device"):
        try:
            dev = devices.get(fit["device"])
        except KeyError as e:
            raise CliError(e.args[0]) from None
    family = dev.family if dev else "xilinx"
    b, choice = choose(model_evaluator(model, family, model=mw), dev,
                       fit.get("utilization", DEFAULT_UTILIZATION), fit.get("target_fps"),
                       fit.get("clock_mhz", 200.0))
    return b.fold, {"fold_choice": choice.as_dict()}   # b.fold: with its DSP/LUT moves


def add_rtl(model, out: Path, rtl_fold="auto", hls_fold=None, fit: dict | None = None) -> dict:
    """Generate DIR/rtl and copy the model to DIR/model.onnx; the manifest
    (``fit``: device / rate of the automatic fold, see ``_device_target``)."""
    from squeezefpga.codegen.hls.precision import hls_name
    from squeezefpga.codegen.qonnx import prepare
    from squeezefpga.codegen.rtl.fold import reuse_fold
    from squeezefpga.codegen.hwops.foldfile import load_fold
    from squeezefpga.codegen.rtl.project import generate

    mw = None
    if rtl_fold == "reuse":   # the HLS project's ReuseFactors (ONNX or hls4ml layer names)
        hls_fold = hls_fold or load_fold(None)
        mw = prepare(str(model))
        names = {hls_name(n): n.name for n in mw.graph.node if n.op_type == "Conv"}
        reuse = {names.get(k, k): v for k, v in hls_fold.reuse().items()}
        fold = reuse_fold(mw, reuse, hls_fold.default_reuse)
    else:
        fold = "auto" if rtl_fold in (None, "auto") else load_fold(rtl_fold).engines()
    target, extra = None, {}
    if fit and (fit.get("device") or fit.get("target_fps")):
        if fold != "auto":
            raise CliError("--device / --target-fps choose the automatic RTL fold "
                           "(not with --rtl-fold reuse or a fold file)")
        mw = mw if mw is not None else prepare(str(model))
        fold, extra = _device_target(model, mw, fit)
    shutil.copy2(model, out / "model.onnx")
    return generate(model, out / "rtl", fold, model=mw, target=target, extra=extra)


def build(model, out, backend: str = "all", fold=None, rtl_fold="auto",
          board: str = "pynq-z2", fit: dict | None = None) -> dict:
    """Write DIR for ``backend``; a JSON-ready report (used by ``run`` too);
    ``fit``: {device, utilization, target_fps, clock_mhz} of the RTL fold."""
    from squeezefpga.codegen.hls.project import build as build_hls
    from squeezefpga.codegen.hwops.foldfile import load_fold
    from squeezefpga.codegen.hls.vendor import BOARDS, add_vendor_project

    if backend not in BACKENDS:
        raise CliError(f"--backend {backend!r}: one of {', '.join(BACKENDS)}")
    if board not in BOARDS:
        raise CliError(f"--board {board!r}: known boards: {', '.join(sorted(BOARDS))}")
    out, t0 = Path(out), time.time()
    if not Path(model).is_file():
        raise CliError(f"{model}: no such file")
    if fit and (fit.get("device") or fit.get("target_fps")) and backend == "hls":
        raise CliError("--device / --target-fps fold the RTL (--backend rtl or all)")
    load_plan(model)   # the legality check golden and budget share (the user's node names)
    report = {"out": str(out), "backend": backend}
    hls_fold = load_fold(fold)   # the HLS ReuseFactors (also the RTL's with --rtl-fold reuse)
    if backend == "rtl":
        if out.exists():
            raise CliError(f"{out}: already exists (remove it or choose another --out)")
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        try:
            man = add_rtl(model, tmp, rtl_fold, hls_fold, fit)
            os.rename(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    else:
        man = {}

        def extra(d, m):
            add_vendor_project(d, m, board)
            if backend == "all":
                man.update(add_rtl(model, Path(d), rtl_fold, hls_fold, fit))

        meta = build_hls(model, out, hls_fold, part=BOARDS[board]["part"], extra=extra)
        report.update({"top": meta["top"], "part": meta["part"], "board": board,
                       "layers": len(meta["layers"])})
    if man:
        report["rtl"] = {k: man[k] for k in ("top", "expected_cycles_per_frame", "macs_per_frame",
                                             "multipliers", "memory_bits")}
        report["rtl"]["instances"] = len(man["instances"])
        if "fold_choice" in man:
            report["rtl"]["fold_choice"] = man["fold_choice"]
    report["convert_s"] = round(time.time() - t0, 1)
    return report


def run(args: argparse.Namespace) -> int:
    from squeezefpga.codegen.hls import csim

    with new_dir(args.out):   # removed again (with the parents it made) on any failure or Ctrl-C
        fit = {"device": args.device, "utilization": args.utilization,
               "target_fps": args.target_fps, "clock_mhz": args.clock_mhz}
        report = build(args.model, args.out, args.backend, args.fold, args.rtl_fold, args.board,
                       fit)
        if args.compile:
            t1 = time.time()
            if args.backend in ("hls", "all"):
                csim.library(args.out)
            if args.backend in ("rtl", "all"):
                from squeezefpga.sim.rtl.top import build as verilate
                verilate(Path(args.out) / "rtl")
            report["compile_s"] = round(time.time() - t1, 1)
    print(json.dumps(report))
    return 0
