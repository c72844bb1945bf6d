"""squeezefpga run CONFIG [--train] [--out DIR]: the main job.

Named steps over one options record: obtain the model (the committed
``models/NAME/`` run, or train one with ``--train``), export it to QONNX with
the exactness gate, check the exported graph with the golden model, measure
test accuracy, build the firmware (``build --backend all``: the hls4ml
project and the Verilog RTL, in ``OUT/build/``), co-simulate golden against
qonnx, hls4ml csim and the RTL under Verilator on a few test images, and
write a summary table (printed and saved as JSON): accuracy, mismatches,
cycles/frame, latency, multipliers, on-chip memory.  The output directory is
assembled under a temporary name and renamed at the end; any mismatch stops
the job with the first diverging layer.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from squeezefpga.codegen.errors import CliError

HELP = "main job: (train or load) -> export -> verify -> build all -> cosim -> summary"
MODELS_DIR = Path(str(resources.files("squeezefpga.models")))  # committed models (package data)


@dataclass
class RunOptions:
    config: str
    out: Path
    train: bool = False
    epochs: int = 15
    float_epochs: int = 10
    data: str | None = None
    seed: int = 0
    frames: int = 16
    model: Path | None = None
    cosim_frames: int = 4
    checks: tuple[str, ...] = ("qonnx", "hls", "rtl")


@dataclass
class RunState:
    opts: RunOptions
    work: Path
    summary: dict = field(default_factory=dict)
    cfg: object = None
    model: object = None
    onnx: Path | None = None
    test: tuple | None = None  # (Split, source), loaded once


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", help="a TOML file or a preset name from configs/")
    p.add_argument("--out", type=Path, help="output directory (default out/NAME)")
    p.add_argument("--train", action="store_true",
                   help="train a new model instead of using the committed models/NAME/")
    p.add_argument("--model", type=Path,
                   help="a run directory to use (default: the committed models/NAME/)")
    p.add_argument("--epochs", type=int, default=15, help="epochs with --train")
    p.add_argument("--float-epochs", type=int, default=10,
                   help="BatchNorm float warm-up epochs with --train (the committed recipe)")
    p.add_argument("--data", help="dataset directory (see 'train')")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--frames", type=int, default=16, help="frames for the exactness checks")
    p.add_argument("--cosim-frames", type=int, default=4,
                   help="test images streamed through hls4ml csim and the RTL (0: skip the "
                        "build and co-simulation steps)")


def step_model(st: RunState) -> None:
    from squeezefpga.quant import presets
    from squeezefpga.quant.checkpoint import CheckpointError
    from squeezefpga.quant.export import trained_model
    from squeezefpga.quant.train import TrainOptions, config_hash, train

    tree = presets.read_tree(st.opts.config)
    st.cfg = presets.from_tree(tree)
    if st.opts.train:
        run_dir = st.work / "train"
        train(st.cfg, TrainOptions(config_tree=tree, out=run_dir, epochs=st.opts.epochs,
                                   float_epochs=st.opts.float_epochs, seed=st.opts.seed,
                                   data_dir=st.opts.data))
        st.summary["model_source"] = "trained now"
    else:
        run_dir = st.opts.model or MODELS_DIR / st.cfg.name
        st.summary["model_source"] = str(run_dir)
    try:
        ck_cfg, st.model = trained_model(run_dir)
    except CheckpointError as e:
        raise CliError(f"{e}; train one with --train") from None
    if ck_cfg != st.cfg:
        raise CliError(f"{run_dir}: the committed model was trained with another config "
                       f"than {st.opts.config}; use --train")
    st.summary["config"] = st.cfg.name
    st.summary["config_hash"] = config_hash(tree)


def step_export(st: RunState) -> None:
    from squeezefpga.quant.export import ExportMismatch, check_frames, export_checked

    st.onnx = st.work / f"{st.cfg.name}.onnx"
    try:
        rep = export_checked(st.model, st.cfg, st.onnx, check_frames(st.cfg, st.opts.frames,
                                                                     st.opts.seed))
    except ExportMismatch as e:
        raise CliError(str(e)) from None
    st.summary["export"] = {"file": st.onnx.name, "frames_checked": rep.frames,
                            "max_abs_diff_brevitas_vs_qonnx": rep.max_abs_diff}


def _test_split(st: RunState):
    """(Split, source): the test set, or the shipped subset without one; loaded once."""
    from squeezefpga.quant import data

    if st.test is None:
        try:
            st.test = data.load_split("test", st.opts.data, st.cfg.input_shape), "test set"
        except data.DataError:
            st.test = data.load_subset(), f"shipped subset ({data.SUBSET.name})"
    return st.test


def step_verify(st: RunState) -> None:
    """golden == qonnx on real test frames; any mismatch stops the job."""
    from squeezefpga.sim.golden.cosim import run_cosim

    split, _ = _test_split(st)
    rep = run_cosim(st.onnx, split.images[:st.opts.frames].astype("float32"), ["qonnx"])
    st.summary["checks"] = rep["mismatches"]
    st.summary["check_frames"] = rep["frames"]
    if not rep["ok"]:
        first = rep["checks"]["qonnx"]["first_divergence"]
        raise CliError(f"golden and qonnx differ on {rep['mismatches']['qonnx']} of "
                       f"{rep['frames']} frames: {first['message'] if first else ''}")


def step_accuracy(st: RunState) -> None:
    """Test accuracy of the exported QONNX, executed by the golden model."""
    import numpy as np

    from squeezefpga.sim.golden import load

    split, source = _test_split(st)
    plan = load(st.onnx)
    correct = 0
    for i in range(0, len(split.images), 500):
        y = plan(split.images[i:i + 500].astype(np.float32))
        correct += int((np.asarray(y).argmax(1) == split.labels[i:i + 500]).sum())
    st.summary["accuracy"] = {"value": correct / len(split.images),
                              "images": int(len(split.images)), "source": source,
                              "executed_by": "golden model on the exported QONNX"}


def step_build(st: RunState) -> None:
    """``squeezefpga build --backend all`` into OUT/build/."""
    from .build import build

    if st.opts.cosim_frames <= 0:
        return
    rep = build(st.onnx, st.work / "build", "all")
    st.summary["build"] = {"dir": "build", "hls_top": rep["top"], "part": rep["part"],
                           **{k: rep["rtl"][k] for k in ("expected_cycles_per_frame",
                                                         "multipliers", "memory_bits")}}


def step_cosim(st: RunState) -> None:
    """golden == qonnx == hls4ml csim == RTL on the first test images."""
    import squeezefpga.cli.checks.hls  # noqa: F401  (registers the checkers)
    import squeezefpga.cli.checks.rtl  # noqa: F401
    from squeezefpga.sim.golden.cosim import run_cosim

    if st.opts.cosim_frames <= 0:
        return
    split, source = _test_split(st)
    x = split.images[:st.opts.cosim_frames].astype("float32")
    rep = run_cosim(st.work / "build" / "model.onnx", x, list(st.opts.checks))
    rtl = rep["checks"].get("rtl", {})
    st.summary["cosim"] = {"frames": rep["frames"], "source": source,
                           "mismatches": rep["mismatches"],
                           **{k: rtl.get(k) for k in ("cycles_per_frame", "latency_cycles",
                                                      "expected_cycles_per_frame",
                                                      "multipliers", "mac_efficiency",
                                                      "memory_bits")}}
    if not rep["ok"]:
        bad = [c for c, n in rep["mismatches"].items() if n]
        first = rep["checks"][bad[0]]["first_divergence"]
        raise CliError(f"cosim: {bad[0]} differs from golden on {rep['mismatches'][bad[0]]} of "
                       f"{rep['frames']} frames: {first['message'] if first else ''}")


STEPS = (("model", step_model), ("export", step_export), ("verify", step_verify),
         ("accuracy", step_accuracy), ("build", step_build), ("cosim", step_cosim))


def format_summary(s: dict) -> str:
    rows = [("config", s["config"]), ("model", s["model_source"]),
            ("accuracy", f"{s['accuracy']['value'] * 100:.2f}% on {s['accuracy']['images']} "
                         f"images ({s['accuracy']['source']})"),
            ("QONNX", f"{s['export']['file']} (Brevitas == qonnx on "
                      f"{s['export']['frames_checked']} frames)")]
    for name, r in s.get("checks", {}).items():
        rows.append((f"mismatches {name}", f"{r} of {s['check_frames']} frames vs golden"))
    c = s.get("cosim")
    if c:
        for name, r in c["mismatches"].items():
            rows.append((f"cosim {name}", f"{r} mismatches of {c['frames']} frames vs golden"))
        if c.get("cycles_per_frame"):
            rows += [("cycles/frame", f"{c['cycles_per_frame']:.0f} measured (RTL), "
                                      f"{c['expected_cycles_per_frame']} expected"),
                     ("latency", f"{c['latency_cycles']} cycles first pixel in to last score out"),
                     ("multipliers", f"{c['multipliers']} (MAC efficiency "
                                     f"{c['mac_efficiency']:.3f})"),
                     ("on-chip memory", f"{c['memory_bits']} bits "
                                        f"({c['memory_bits'] / 8192:.1f} KiB)")]
    rows.append(("wall time", f"{s['wall_time_s']:.1f} s"))
    w = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{w}}  {v}" for k, v in rows)


def run(args: argparse.Namespace) -> int:
    from squeezefpga.quant import presets

    name = presets.load(args.config).name
    out = args.out or Path("out") / name
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    opts = RunOptions(args.config, out, train=args.train, epochs=args.epochs,
                      float_epochs=args.float_epochs, data=args.data, seed=args.seed,
                      frames=args.frames, model=args.model, cosim_frames=args.cosim_frames)
    st = RunState(opts, work)
    t0 = time.time()
    try:
        for label, step in STEPS:
            print(f"[{label}]", flush=True)
            step(st)
        st.summary["wall_time_s"] = round(time.time() - t0, 1)
        (work / "summary.json").write_text(json.dumps(st.summary, indent=2) + "\n")
        if out.exists():
            shutil.rmtree(out)
        os.replace(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(format_summary(st.summary))
    print(f"saved {out / 'summary.json'}")
    return 0
