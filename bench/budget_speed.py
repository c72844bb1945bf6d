"""Speed of an analytic sweep: 100 configurations of SqueezeNet v1.0
(5 sr x 4 pct_3x3 x 5 target_cycles), auto-fold, budget and device fit.

Run:  .venv/bin/python bench/budget_speed.py   (prints seconds; target < 10 s)
"""
from __future__ import annotations

import time

from squeezefpga.codegen.budget.sweep import parse_sweeps, run_sweep
from squeezefpga.codegen.hwops import devices
from squeezefpga.quant import presets


def main() -> None:
    tree = presets.read_tree("squeezenet1_0")
    sweeps = parse_sweeps(["sr=0.125,0.25,0.5,0.75,0.875", "pct_3x3=0.125,0.25,0.5,0.75",
                           "target_cycles=603729,1200000,2400000,4800000,9600000"], tree)
    devs = list(devices.DEVICES.values())
    t0 = time.perf_counter()
    rows = [p.row(devs, 200.0) for p in run_sweep(tree, sweeps, "xilinx")]
    dt = time.perf_counter() - t0
    ok = sum(r["status"] == "ok" for r in rows)
    print(f"{len(rows)} configurations ({ok} legal) budgeted with device fit in {dt:.2f} s "
          f"({dt / len(rows) * 1e3:.1f} ms each); target: 100 in < 10 s")

if __name__ == "__main__":
    main()
