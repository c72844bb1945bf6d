"""squeezefpga build MODEL.onnx --out DIR [--backend hls|rtl|all] [--fold FILE] [--rtl-fold FILE|auto|reuse]
[--device NAME [--utilization U]] [--target-fps F [--clock-mhz C]]

Layout of DIR: ``--backend hls`` the hls4ml project (+ vendor scripts) as
before; ``rtl`` the RTL in ``DIR/rtl/`` (codegen/rtl/emit.py); ``all`` both.
DIR/model.onnx is a copy of the model, so ``squeezefpga cosim DIR`` finds it.
``--device`` / ``--target-fps`` choose the automatic RTL fold's target
(codegen/budget/device_fold.py): the fastest that fits the device, or the
fewest multipliers for the rate; the manifest records the choice.
``--board pynq-z2|zcu104``: the device is the board's part (``--device`` may
only repeat it); its device fold sets the RTL's PE/SIMD and the hls4ml
ReuseFactors (codegen/hls/vendor.py ``fold_reuse``), and each backend gets a
Vivado block design with the AXI DMA and the PYNQ driver (codegen/hls/vendor.py).
Without it the hls4ml project gets the PYNQ-Z2 scripts, not folded, and the
RTL none.
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
    p.add_argument("--board", help="board of the vendor project (pynq-z2, zcu104): both networks "
                   "folded to fit its part, a Vivado block design for each backend (without: "
                   "the hls4ml project gets pynq-z2 scripts, unfolded)")
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


def add_rtl(model, out: Path, rtl_fold="auto", hls_fold=None, fit: dict | None = None,
            chosen: tuple[dict, dict] | None = None) -> dict:
    """Generate DIR/rtl and copy the model to DIR/model.onnx; the manifest
    (``fit``: device / rate of the automatic fold, see ``_device_target``;
    ``chosen``: that fold and its manifest entry when already chosen)."""
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
        fold, extra = chosen or _device_target(model, mw, fit)
    shutil.copy2(model, out / "model.onnx")
    return generate(model, out / "rtl", fold, model=mw, target=target, extra=extra)


def _board_fit(board: str | None, fit: dict | None, backend: str) -> dict | None:
    """``fit`` with the board's device (``--device`` may only name the same part)."""
    from squeezefpga.codegen.hls.vendor import BOARDS
    from squeezefpga.codegen.hwops import devices

    if board is None:
        if fit and (fit.get("device") or fit.get("target_fps")) and backend == "hls":
            raise CliError("--device / --target-fps fold the RTL (--backend rtl or all, "
                           "or --board for both)")
        return fit
    if board not in BOARDS:
        raise CliError(f"--board {board!r}: known boards: {', '.join(sorted(BOARDS))}")
    dev = BOARDS[board]["device"]
    given = (fit or {}).get("device")
    if given:
        try:
            same = devices.get(given).name == dev
        except KeyError as e:
            raise CliError(e.args[0]) from None
        if not same:
            raise CliError(f"--device {given} does not match --board {board} "
                           f"({BOARDS[board]['part']}, device {dev})")
    return dict(fit or {}, device=dev)


def _board_reuse(model, hls_fold, fit: dict) -> tuple:
    """(the device fold and its manifest entry, the hls4ml fold whose ReuseFactors
    come from it: ``codegen/hls/vendor.fold_reuse``)."""
    from squeezefpga.codegen.hls.vendor import fold_reuse
    from squeezefpga.codegen.hwops.foldfile import Fold
    from squeezefpga.codegen.qonnx import prepare

    if hls_fold.reuse():
        raise CliError("--fold: reuse entries and --board: the board's device fold sets "
                       "the ReuseFactors")
    mw = prepare(str(model))
    chosen = _device_target(model, mw, fit)
    reuse = fold_reuse(mw, chosen[0])
    entries = {**hls_fold.entries, **{k: {"reuse": r} for k, r in reuse.items()}}
    return chosen, Fold(entries, hls_fold.default_reuse, hls_fold.strategy)


def build(model, out, backend: str = "all", fold=None, rtl_fold="auto",
          board: str | None = None, fit: dict | None = None) -> dict:
    """Write DIR for ``backend``; a JSON-ready report (used by ``run`` too);
    ``fit``: {device, utilization, target_fps, clock_mhz} of the RTL fold;
    ``board``: the vendor projects of that board, both networks folded for its part."""
    from squeezefpga.codegen.hls.project import build as build_hls
    from squeezefpga.codegen.hwops.foldfile import load_fold
    from squeezefpga.codegen.hls.vendor import BOARDS, add_rtl_vendor, add_vendor_project

    if backend not in BACKENDS:
        raise CliError(f"--backend {backend!r}: one of {', '.join(BACKENDS)}")
    fit = _board_fit(board, fit, backend)
    out, t0 = Path(out), time.time()
    if not Path(model).is_file():
        raise CliError(f"{model}: no such file")
    load_plan(model)   # the legality check golden and budget share (the user's node names)
    report = {"out": str(out), "backend": backend}
    hls_fold = load_fold(fold)   # the HLS ReuseFactors (also the RTL's with --rtl-fold reuse)
    chosen = None
    if board is not None:
        if rtl_fold != "auto" and backend != "hls":
            raise CliError("--board folds the RTL for its part (not with --rtl-fold reuse "
                           "or a fold file)")
        chosen, board_fold = _board_reuse(model, hls_fold, fit)
        if backend != "rtl":
            hls_fold = board_fold
    vendor = {}

    def rtl_vendor(d: Path, man: dict) -> None:
        if board is not None:
            try:
                vendor.update(add_rtl_vendor(d, man, board))
            except ValueError as e:
                raise CliError(f"--board {board}: {e}") from None

    if backend == "rtl":
        if out.exists():
            raise CliError(f"{out}: already exists (remove it or choose another --out)")
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        try:
            man = add_rtl(model, tmp, rtl_fold, hls_fold, fit, chosen)
            rtl_vendor(tmp, man)
            os.rename(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    else:
        man = {}

        def extra(d, m):
            try:
                add_vendor_project(d, m, board or "pynq-z2", folded=board is not None)
            except ValueError as e:
                raise CliError(f"vendor project: {e}") from None
            if backend == "all":
                man.update(add_rtl(model, Path(d), rtl_fold, hls_fold, fit, chosen))
                rtl_vendor(Path(d), man)

        meta = build_hls(model, out, hls_fold, part=BOARDS[board or "pynq-z2"]["part"],
                         extra=extra)
        report.update({"top": meta["top"], "part": meta["part"], "board": board or "pynq-z2",
                       "layers": len(meta["layers"])})
        if board is not None:
            report["reuse"] = {k: v["ReuseFactor"] for k, v in meta["layers"].items()
                               if v.get("ReuseFactor", 1) != 1}
    if man:
        report["rtl"] = {k: man[k] for k in ("top", "expected_cycles_per_frame", "macs_per_frame",
                                             "multipliers", "memory_bits")}
        report["rtl"]["instances"] = len(man["instances"])
        if "fold_choice" in man:
            report["rtl"]["fold_choice"] = man["fold_choice"]
    if vendor:
        report["rtl"]["vendor"] = vendor
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
