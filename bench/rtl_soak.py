"""RTL soak: the shipped fmnist design streams many frames under stress.

    .venv/bin/python bench/rtl_soak.py [--frames 1000] [--distinct 1000] [--seed 1] [--json]

Random pixel frames (``--distinct`` different ones, cycled) stream back to
back through the generated RTL under Verilator with random input pauses
(35 %) and bursty output backpressure; every output is compared exactly
with the golden model.  Prints: mismatching frames, frames with a wrong beat
count, stray beats after the last frame, steady-state cycles/frame against
the manifest's expectation, the simulator's resident memory at the first and
last sample (flat = no per-frame growth), wall time, simulated frames/s and
cycles/s.  The baseline is the golden model on the same frames in the same
process.  Exit 1 when any check fails.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "fmnist" / "fmnist.onnx"

RATE_TOLERANCE = 0.05      # steady-state cycles/frame within 5 % of the expectation
RSS_GROWTH_KIB = 16 << 10  # at most 16 MiB more resident memory at the end than after 100 frames


def run(frames: int, distinct: int, seed: int) -> dict:
    from squeezefpga.codegen.rtl.project import generate
    from squeezefpga.sim.golden import load
    from squeezefpga.sim.rtl.soak import soak

    plan = load(str(MODEL))
    x = np.random.default_rng(seed).integers(0, 256, (min(distinct, frames), 1, 28, 28))
    x = x.astype(np.float32)
    t0 = time.time()
    y = plan(x)
    golden_s = time.time() - t0
    with tempfile.TemporaryDirectory() as tmp:
        generate(MODEL, Path(tmp) / "rtl")
        r = soak(Path(tmp) / "rtl", x, frames, seed)
    want = np.stack([y[i % len(y)] for i in range(frames)]).reshape(frames, -1)
    got = np.ldexp(r["codes"].astype(np.float64), r["output_exp"])
    mism = [int(i) for i in np.nonzero((got != want).any(axis=1))[0]]
    rss = r["rss_kib"]
    growth = rss[-1][1] - rss[1][1] if len(rss) > 1 else 0
    cyc, exp_cyc = r["cycles_per_frame"], r["expected_cycles_per_frame"]
    fig = {
        "frames": r["frames"], "mismatching_frames": len(mism), "first_mismatch": mism[:1],
        "frames_with_wrong_beat_count": len(r["frames_with_wrong_beat_count"]),
        "stray_beats_after_last_frame": r["extra_beats"],
        "cycles_per_frame": cyc, "expected_cycles_per_frame": exp_cyc,
        "rss_kib_first_last": [rss[0][1], rss[-1][1]], "rss_growth_kib_after_100_frames": growth,
        "sim_wall_s": round(r["wall_s"], 1), "sim_frames_per_s": round(r["frames"] / r["wall_s"], 2),
        "sim_cycles_per_s": round(r["done_cycles"][-1] / r["wall_s"]),
        "golden_frames_per_s": round(len(x) / golden_s, 1),
    }
    fig["ok"] = (not mism and not r["frames_with_wrong_beat_count"] and not r["extra_beats"]
                 and r["frames"] == frames and cyc is not None
                 and abs(cyc - exp_cyc) <= RATE_TOLERANCE * exp_cyc and growth <= RSS_GROWTH_KIB)
    return fig


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=1000)
    ap.add_argument("--distinct", type=int, default=1000, help="different random frames (cycled)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    fig = run(a.frames, a.distinct, a.seed)
    if a.json:
        print(json.dumps(fig))
    else:
        for k, v in fig.items():
            print(f"{k:34s} {v}")
        print(f"ratio: golden is {fig['golden_frames_per_s'] / fig['sim_frames_per_s']:.0f}x "
              "faster than the RTL co-simulation")
    return 0 if fig["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
