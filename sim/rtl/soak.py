"""Soak a generated RTL design: many frames under random pauses and
backpressure (soak_tb.py), with per-frame completion cycles and the
simulator's memory over time.  ``soak(rtl_dir, x_nchw, count)`` -> dict."""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from . import runner
from .packing import image_to_beats, unpack_lanes
from .top import _quiet, built, input_codes, log_tail, manifest


def soak(rtl_dir, x_nchw: np.ndarray, count: int | None = None, seed: int = 1,
         rss_every: int = 100) -> dict:
    """Stream ``count`` frames (cycling through ``x_nchw``); the output codes
    (count, C), completion cycle of every frame, RSS samples, wall seconds."""
    from cocotb_tools.runner import get_results

    rtl_dir = Path(rtl_dir).resolve()
    man = manifest(rtl_dir)
    inp, out = man["input"], man["output"]
    count = len(x_nchw) if count is None else count
    frames = [[f"{b:x}" for b in image_to_beats(c, inp["lanes"], inp["bits"])]
              for c in input_codes(x_nchw, inp)]
    c_out = out["shape_hwc"][2]
    cf_out = -(-c_out // out["lanes"])
    runner.BUILD_ROOT.mkdir(parents=True, exist_ok=True)
    with built(rtl_dir) as bdir, tempfile.TemporaryDirectory(prefix="soak.", dir=runner.BUILD_ROOT) as tmp:
        reqf, resf, log = Path(tmp) / "req.json", Path(tmp) / "res.json", Path(tmp) / "sim.log"
        reqf.write_text(json.dumps({"frames": frames, "count": count, "seed": seed,
                                    "rss_every": rss_every, "result": str(resf),
                                    "timeout_cycles": 20 * man["expected_cycles_per_frame"] + 100000}))
        here = str(Path(__file__).resolve().parent)
        if here not in sys.path:
            sys.path.insert(0, here)
        t0 = time.time()
        with _quiet(log):
            res = runner._runner().test(
                hdl_toplevel=man["top"], hdl_toplevel_lang="verilog", test_module="soak_tb",
                test_dir=str(rtl_dir), build_dir=str(bdir),
                extra_env={"TB_PARAMS": json.dumps({"request": str(reqf)}),
                           "COCOTB_LOG_LEVEL": "WARNING"},
                plusargs=["+verilator+rand+reset+2"], results_xml=str(Path(tmp) / "results.xml"))
        wall = time.time() - t0
        n, failed = get_results(res)
        if n == 0 or failed or not resf.exists():
            raise RuntimeError(f"soak of {rtl_dir} failed:\n{log_tail(log)}")
        r = json.loads(resf.read_text())
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
