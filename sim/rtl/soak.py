"""Soak a generated RTL design: many frames under random pauses and
backpressure (soak_tb.py), with per-frame completion cycles and the
simulator's memory over time.  ``soak(rtl_dir, x_nchw, count)`` -> dict."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .packing import unpack_lanes
from .top import frame_beats, manifest, run_testbench


def soak(rtl_dir, x_nchw: np.ndarray, count: int | None = None, seed: int = 1,
         rss_every: int = 100) -> dict:
    """Stream ``count`` frames (cycling through ``x_nchw``); the output codes
    (count, C), completion cycle of every frame, RSS samples, wall seconds."""
    rtl_dir = Path(rtl_dir).resolve()
    man = manifest(rtl_dir)
    inp, out = man["input"], man["output"]
    count = len(x_nchw) if count is None else count
    frames = frame_beats(x_nchw, inp)
    c_out = out["shape_hwc"][2]
    cf_out = -(-c_out // out["lanes"])
    r, wall = run_testbench(rtl_dir, man, "soak_tb", {
        "frames": frames, "count": count, "seed": seed, "rss_every": rss_every,
        "timeout_cycles": 20 * man["expected_cycles_per_frame"] + 100000})
    bad_beats = [i for i, b in enumerate(r["outputs"]) if len(b) != cf_out]
    codes = np.zeros((len(r["outputs"]), c_out), np.int64)
    for i, beats in enumerate(r["outputs"]):
        vals = [v for b in beats for v in unpack_lanes(int(b, 16), out["lanes"], out["bits"],
                                                        out["signed"])]
        codes[i, :min(c_out, len(vals))] = vals[:c_out]
    done = r["done_cycles"]
    return {"codes": codes, "frames": len(codes), "done_cycles": done,
            "frames_with_wrong_beat_count": bad_beats, "extra_beats": r["extra_beats"],
            "source_left": r["source_left"], "rss_kib": r["rss_kib"], "wall_s": wall,
            "cycles_per_frame": (done[-1] - done[0]) / (len(done) - 1) if len(done) > 1 else None,
            "expected_cycles_per_frame": man["expected_cycles_per_frame"],
            "output_exp": out["exp"]}
