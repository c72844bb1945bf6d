"""Speed of a sweep: 100 configurations of SqueezeNet v1.0 (5 sr x 4 pct_3x3 x
5 target_cycles), each budgeted from the RTL netlist of its weightless graph
(the pipeline ``build --backend rtl`` builds), auto-fold and device fit.  The
20 distinct networks each make and prepare a graph once; the fold targets
reuse it.  Baseline in the same process: one ``squeezefpga build --backend
rtl`` netlist of the first point's exported-model equivalent (its graph made
and prepared from scratch, clean-up included).

Run:  .venv/bin/python bench/budget_speed.py   (prints seconds)
"""
from __future__ import annotations

import time

from squeezefpga.codegen.budget.sweep import parse_sweeps, run_sweep
from squeezefpga.codegen.hwops import devices
from squeezefpga.codegen.qonnx import prepare
from squeezefpga.codegen.qonnx.config_graph import config_graph
from squeezefpga.codegen.rtl.project import netlist
from squeezefpga.quant import presets
from squeezefpga.quant.presets import from_tree


def main() -> None:
    tree = presets.read_tree("squeezenet1_0")
    sweeps = parse_sweeps(["sr=0.125,0.25,0.5,0.75,0.875", "pct_3x3=0.125,0.25,0.5,0.75",
                           "target_cycles=603729,1200000,2400000,4800000,9600000"], tree)
    devs = list(devices.DEVICES.values())
    t0 = time.perf_counter()
    rows = [p.row(devs, 200.0) for p in run_sweep(tree, sweeps, "xilinx")]
    dt = time.perf_counter() - t0
    ok = sum(r["status"] == "ok" for r in rows)
    t1 = time.perf_counter()
    netlist(prepare(config_graph(from_tree(tree))))
    base = time.perf_counter() - t1
    print(f"{len(rows)} configurations ({ok} legal) budgeted with device fit in {dt:.2f} s "
          f"({dt / len(rows) * 1e3:.1f} ms each); one full netlist build from a graph: "
          f"{base:.2f} s; sweep / (100 x that) = {dt / (len(rows) * base):.3f}")

if __name__ == "__main__":
    main()
