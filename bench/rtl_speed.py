"""RTL co-simulation speed: Verilator (through cocotb) on the generated designs.

    .venv/bin/python bench/rtl_speed.py [--preset squeezenet1_1 ...] [--frames 2 6]

For each design (default: the shipped fmnist model, and a random-weight
squeezenet1_1 at 224x224): export (presets), generate the RTL (auto fold),
verilate and compile it (timed; a cached build is reported as such), then
stream frames through it twice (the two --frames counts, no pauses) and
report, from the difference of the two runs, the steady-state simulation
speed in cycles/s and wall seconds per frame; and, from the first run, the
measured cycles/frame against the manifest's expectation, the latency, the
MAC efficiency and whether every output equals golden's.  The baseline is the
golden model on the same frames in the same process: the ratio says how many
times slower the RTL simulation is.  The issue's target: one squeezenet1_1
224x224 frame in under 10 minutes of co-simulation on this 2-core machine.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codegen.rtl.project import generate  # noqa: E402
from sim.golden import load  # noqa: E402
from sim.rtl.top import build, build_dir, opt_level, simulate  # noqa: E402


def model_for(name: str, work: Path) -> Path:
    if name == "fmnist-shipped":
        return next((ROOT / "models" / "fmnist").glob("*.onnx"))
    out = work / f"{name}.onnx"
    subprocess.run([sys.executable, "-m", "codegen.cli", "export", name, "--random-weights",
                    "--out", str(out)], check=True, capture_output=True, cwd=ROOT)
    return out


def inputs(plan, n: int) -> np.ndarray:
    shape = tuple(plan.input_shape[1:])
    if shape == (1, 28, 28):
        from quant.data import load_subset
        return load_subset().images[:n].astype(np.float32)
    return np.random.default_rng(0).integers(0, 256, (n, *shape)).astype(np.float32)


def bench(name: str, work: Path, frames: tuple[int, int]) -> dict:
    t0 = time.time()
    model = model_for(name, work)
    t_export = time.time() - t0
    rtl = work / f"{name}_rtl"
    t0 = time.time()
    man = generate(model, rtl)
    t_gen = time.time() - t0
    cached = build_dir(rtl, opt_level()).joinpath("Vtop.mk").exists()
    t0 = time.time()
    build(rtl)
    t_build = time.time() - t0
    plan = load(model)
    x = inputs(plan, max(frames))
    t0 = time.time()
    gold = plan.run(x[:frames[0]])[plan.output_name]
    t_gold = (time.time() - t0) / frames[0]
    runs = []
    for n in frames:
        t0 = time.time()
        r = simulate(rtl, x[:n])[0]
        runs.append((time.time() - t0, r))
    (w0, r0), (w1, r1) = runs
    exact = np.array_equal(np.ldexp(r0["codes"].astype(np.float64), man["output"]["exp"]),
                           gold.float().reshape(len(r0["codes"]), -1))
    dcyc = r1["sim_cycles"] - r0["sim_cycles"]
    per_frame_s = (w1 - w0) / (frames[1] - frames[0])
    cyc = r0["cycles_per_frame"]
    return {"design": name, "export_s": round(t_export, 1), "generate_s": round(t_gen, 1),
            "build_s": round(t_build, 1), "build_cached": cached,
            "expected_cycles_per_frame": man["expected_cycles_per_frame"],
            "cycles_per_frame": cyc, "latency_cycles": r0["latency_cycles"],
            "multipliers": man["multipliers"],
            "mac_efficiency": man["macs_per_frame"] / (cyc * man["multipliers"]) if cyc else None,
            "exact_vs_golden": bool(exact),
            "sim_cycles_per_s": round(dcyc / (w1 - w0)) if w1 > w0 else None,
            "sim_s_per_frame": round(per_frame_s, 2),
            "first_run_wall_s": round(w0, 1), "first_run_frames": frames[0],
            "golden_s_per_frame": round(t_gold, 4),
            "rtl_vs_golden_slowdown": round(per_frame_s / t_gold) if t_gold else None}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", nargs="+", default=["fmnist-shipped", "squeezenet1_1"],
                    help="fmnist-shipped (the committed model) and/or preset names")
    ap.add_argument("--frames", nargs=2, type=int, default=(2, 4), metavar=("N0", "N1"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="rtl-bench-") as tmp:
        for name in args.preset:
            rows.append(bench(name, Path(tmp), tuple(args.frames)))
            if not args.json:
                r = rows[-1]
                print(f"{r['design']}: build {r['build_s']} s{' (cached)' if r['build_cached'] else ''}"
                      f", {r['cycles_per_frame']} cycles/frame measured vs "
                      f"{r['expected_cycles_per_frame']} expected, latency {r['latency_cycles']}, "
                      f"{r['multipliers']} multipliers, MAC efficiency {r['mac_efficiency']:.3f}, "
                      f"exact {r['exact_vs_golden']}; simulation {r['sim_cycles_per_s']} cycles/s, "
                      f"{r['sim_s_per_frame']} s/frame ({r['rtl_vs_golden_slowdown']}x golden's "
                      f"{r['golden_s_per_frame']} s/frame); first run of {r['first_run_frames']} "
                      f"frames {r['first_run_wall_s']} s", flush=True)
    if args.json:
        print(json.dumps(rows, indent=1))
    return 0 if all(r["exact_vs_golden"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
