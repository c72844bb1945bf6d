"""Device builds (issue #12, item 5): one row per device-aware build with its
cycles per frame, clock, frames/s at that clock, multipliers (in DSPs / in
LUTs), DSPs, LUTs, flip-flops, block RAM (RAMB18 / DP16KD) and MAC efficiency
(MACs per frame / (multipliers x cycles per frame): the share of multiplier
cycles that do a network MAC).

    .venv/bin/python bench/device_builds.py [--json] [--pnr DIR ...]

The builds are the folds ``build --backend rtl --device NAME`` /
``budget --device NAME`` choose (codegen/budget/device_fold.choose: the
fastest fold within 85 % of each resource), estimated with the budget:

* fmnist (models/fmnist/fmnist.onnx) for lfe5u-85f, xc7z020 and xczu3eg;
* two_fire (configs/validate/two_fire.toml) for xczu3eg, next to FINN's
  estimate for its comparable 3x32x32 two-Fire network (issue #12);
* squeezenet1_1 at 224x224 (configs/squeezenet1_1.toml, 8-bit) for xczu7ev,
  next to Vitis-AI's DPU (about 1,500 frames/s on ZCU102, issue #12); and the
  fold with the fewest multipliers for that rate at the assumed clock.

Clock: fmax of a placed and routed design when a ``squeezefpga bitstream``
directory with the same build (device, cycles/frame, multipliers, MACs) is
given with ``--pnr`` (its LUT / FF / DSP / block RAM counts then replace the
estimate's: nextpnr's TRELLIS_COMB, TRELLIS_FF, MULT18X18D, DP16KD); else an
assumption, marked ``est``: on ECP5 the bitstream flow's target clock
(codegen/pnr/flow.DEFAULT_CLOCK_MHZ, the issue's >= 125 MHz goal), on Xilinx
the budget's default ``--clock-mhz`` (no Xilinx design of this project has
been placed and routed, so no measured Xilinx clock exists).  A ``--pnr``
directory that matches no listed build gets a row of its own (from its
report.json and the manifest of its rtl/).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from squeezefpga.cli.commands import budget as budget_cmd  # noqa: E402
from squeezefpga.codegen.budget.device_fold import (  # noqa: E402
    choose, config_evaluator, model_evaluator)
from squeezefpga.codegen.budget.estimate import Budget  # noqa: E402
from squeezefpga.codegen.errors import CliError  # noqa: E402
from squeezefpga.codegen.hwops import devices  # noqa: E402
from squeezefpga.codegen.pnr import flow  # noqa: E402
from squeezefpga.quant import presets  # noqa: E402

# FINN's estimate for its 3x32x32 two-Fire network on xczu3eg (issue #12 text)
FINN_TWO_FIRE = {"cycles_per_frame": 9_372, "luts": 46_681, "bram18": 72, "dsp": 4}
# Vitis-AI DPU, squeezenet on ZCU102 (issue #12 text: "about 1,500 frames/s")
DPU_FPS = 1_500.0


@dataclass(frozen=True)
class Build:
    name: str
    source: str       # a QONNX model or a TOML config, relative to the repository
    device: str
    uram: bool = False


BUILDS = (Build("fmnist", "models/fmnist/fmnist.onnx", "lfe5u-85f"),
          Build("fmnist", "models/fmnist/fmnist.onnx", "xc7z020"),
          Build("fmnist", "models/fmnist/fmnist.onnx", "xczu3eg"),
          Build("two_fire", "configs/validate/two_fire.toml", "xczu3eg"),
          Build("squeezenet1_1", "configs/squeezenet1_1.toml", "xczu7ev"),
          Build("squeezenet1_1", "configs/squeezenet1_1.toml", "xczu7ev", uram=True))


def budget_clock_mhz() -> float:
    """The budget command's default ``--clock-mhz`` (its frames/s assumption)."""
    p = argparse.ArgumentParser()
    budget_cmd.add_arguments(p)
    return float(p.get_default("clock_mhz"))


def assumed_clock(dev: devices.Device) -> tuple[float, str]:
    """(MHz, why) of the clock a build without a place-and-route report is given."""
    if dev.family == "ecp5":
        return flow.DEFAULT_CLOCK_MHZ, "est: ECP5 bitstream flow target"
    return budget_clock_mhz(), "est: budget --clock-mhz default"


def evaluator(build: Build, family: str):
    src = ROOT / build.source
    if src.suffix == ".onnx":
        return model_evaluator(src, family, build.uram)
    return config_evaluator(presets.from_tree(presets.read_tree(str(src))), family, build.uram)


def device_budget(build: Build) -> Budget:
    """The device fold of ``build`` (CliError naming the binding resource if none fits)."""
    dev = devices.get(build.device)
    b, choice = choose(evaluator(build, dev.family), dev)
    b.choice = choice.as_dict()
    return b


def row(name: str, b: Budget, dev: devices.Device, pnr: dict | None = None) -> dict:
    """The benchmark row of budget ``b`` on ``dev``; ``pnr``: a matching
    report.json (``"dir"`` added) whose fmax and utilisation replace the
    assumed clock and the estimated LUT / FF / DSP / block RAM."""
    t = b.total
    macs = sum(op.macs() for op in b.ops)
    fit = b.fit(dev, b.limit)
    r = {"build": name, "device": dev.name, "cycles_per_frame": b.cycles,
         "multipliers": t.multipliers, "dsp_multipliers": t.multipliers - t.lut_multipliers,
         "lut_multipliers": t.lut_multipliers, "dsp": t.dsp, "luts": t.luts, "ffs": t.ffs,
         "bram18": t.mapping.bram18_equiv, "uram": t.mapping.uram, "macs_per_frame": macs,
         "fits": fit["fits"], "binding": fit["binding"],
         "utilization_limit": b.limit, "source": "estimate"}
    if pnr is None:
        r["clock_mhz"], r["clock"] = assumed_clock(dev)
    else:
        _take_pnr(r, pnr)
    return _rates(r)


def _take_pnr(r: dict, rep: dict) -> None:
    u = rep["utilization"]
    r.update(clock_mhz=rep["fmax_mhz"], clock=f"fmax (target {rep['clock_mhz']:g} MHz)",
             luts=u["lut"]["used"], ffs=u["ff"]["used"], dsp=u["dsp"]["used"],
             bram18=u["bram"]["used"], source=f"pnr {rep['dir']}")


def _rates(r: dict) -> dict:
    mults, cycles = r["multipliers"], r["cycles_per_frame"]
    r["frames_per_s"] = r["clock_mhz"] * 1e6 / cycles if r["clock_mhz"] else None
    r["mac_efficiency"] = r["macs_per_frame"] / (mults * cycles) if mults else None
    return r


def read_pnr(d: str) -> dict:
    """report.json of a ``squeezefpga bitstream`` directory, with the manifest of
    its rtl/ (``"manifest"``) and the directory (``"dir"``)."""
    path = Path(d)
    try:
        rep = json.loads((path / "report.json").read_text())
        man = json.loads((path / "rtl" / "manifest.json").read_text())
        for k in ("device", "fmax_mhz", "clock_mhz", "cycles_per_frame", "utilization"):
            rep[k]  # noqa: B018 - presence check
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise CliError(f"--pnr {d}: not a squeezefpga bitstream directory "
                       f"(report.json and rtl/manifest.json: {e})") from None
    if not rep["fmax_mhz"]:
        raise CliError(f"--pnr {d}: report.json has no fmax (no clock was timed)")
    return dict(rep, manifest=man, dir=str(path))


def lut_multipliers(man: dict) -> int:
    """Multipliers of a manifest's conv_mvu instances with MULT_STYLE 1 (mul_lut)."""
    return sum(i["multipliers"] for i in man["instances"]
               if i["module"] == "conv_mvu" and i["params"].get("MULT_STYLE") == 1)


def matches(rep: dict, r: dict) -> bool:
    """Whether a bitstream report is the build of row ``r`` (same device, cycles
    per frame, MACs per frame, multipliers and of them in LUTs)."""
    man = rep["manifest"]
    return (rep["device"] == r["device"] and rep["cycles_per_frame"] == r["cycles_per_frame"]
            and man.get("multipliers") == r["multipliers"]
            and man.get("macs_per_frame") == r["macs_per_frame"]
            and lut_multipliers(man) == r["lut_multipliers"])


def pnr_row(rep: dict) -> dict:
    """A row of its own for a bitstream directory no listed build matches: the
    cycles, multipliers and MACs its manifest records (what was built); of the
    multipliers, those of conv_mvu instances with MULT_STYLE 1 (mul_lut) in LUTs."""
    man = rep["manifest"]
    try:
        lut_mults = lut_multipliers(man)
        r = {"build": Path(man["model"]).stem, "device": devices.get(rep["device"]).name,
             "cycles_per_frame": rep["cycles_per_frame"], "multipliers": man["multipliers"],
             "dsp_multipliers": man["multipliers"] - lut_mults, "lut_multipliers": lut_mults,
             "uram": 0, "macs_per_frame": man["macs_per_frame"],
             "fits": all(u["used"] <= u["available"] for u in rep["utilization"].values()),
             "binding": None, "utilization_limit": 1.0}
    except (KeyError, TypeError) as e:
        raise CliError(f"--pnr {rep['dir']}: report.json / rtl/manifest.json: {e}") from None
    _take_pnr(r, rep)
    return _rates(r)


def rate_fold(build: Build, fps: float, clock_mhz: float) -> dict:
    """The fold with the fewest multipliers for ``fps`` at ``clock_mhz`` (no
    device), as a row on the build's device (fits: within 100 %)."""
    dev = devices.get(build.device)
    b, choice = choose(evaluator(build, dev.family), None, target_fps=fps, clock_mhz=clock_mhz)
    b.choice = choice.as_dict()
    r = row(f"{build.name} @{fps:,.0f}/s", b, dev)
    r["clock_mhz"], r["clock"] = clock_mhz, "est: rate fold clock"
    return _rates(r)


def _n(v, fmt=",") -> str:
    return "-" if v is None else format(v, fmt)


def table(rows: list[dict]) -> str:
    head = (f"{'build':<24}{'device':<11}{'cycles/frame':>13}{'MHz':>8} {'clock':<33}"
            f"{'frames/s':>10}{'mult DSP/LUT':>14}{'DSP':>6}{'LUT':>9}{'FF':>9}{'BRAM18':>7}"
            f"{'URAM':>5}{'MAC eff':>8}  fits")
    out = [head, "-" * len(head)]
    for r in rows:
        if "error" in r:
            out.append(f"{r['build']:<24}{r['device']:<11}  {r['error']}")
            continue
        mult = f"{_n(r['dsp_multipliers'])}/{_n(r['lut_multipliers'])}"
        fits = ("yes" if r["fits"] else "NO") + (f" ({r['binding']})" if r["binding"] else "")
        out.append(f"{r['build']:<24}{r['device']:<11}{r['cycles_per_frame']:>13,}"
                   f"{r['clock_mhz']:>8.1f} {r['clock']:<33}{_n(r['frames_per_s'], ',.0f'):>10}"
                   f"{mult:>14}{r['dsp']:>6,}{r['luts']:>9,}{_n(r['ffs']):>9}{r['bram18']:>7,}"
                   f"{r['uram']:>5}{_n(r['mac_efficiency'], '.3f'):>8}  {fits}")
    return "\n".join(out)


def comparisons(rows: list[dict], rate: dict | None) -> list[str]:
    lines = []
    for r in rows:
        if r.get("build") == "two_fire" and "error" not in r:
            ratio = {k: r[k] / v for k, v in FINN_TWO_FIRE.items()}
            lines.append("two_fire on xczu3eg vs FINN's estimate (9,372 cycles/frame, 46,681 LUT, "
                         "72 BRAM18, 4 DSP): ours/FINN cycles/frame "
                         f"{ratio['cycles_per_frame']:.3f}, LUT {ratio['luts']:.3f}, "
                         f"BRAM18 {ratio['bram18']:.3f}, DSP {ratio['dsp']:.1f}")
        if r["build"].startswith("squeezenet1_1"):
            what = (f"{r['frames_per_s']:,.0f} frames/s = {r['frames_per_s'] / DPU_FPS:.2f} x the "
                    f"DPU's {DPU_FPS:,.0f}" if "error" not in r else "no fold fits")
            lines.append(f"squeezenet1_1 224x224 on xczu7ev"
                         f"{' (--uram)' if r['uram_option'] else ''}: {what}")
    if rate is not None and "error" not in rate:
        lines.append(f"fewest multipliers for the DPU's {DPU_FPS:,.0f} frames/s at "
                     f"{rate['clock_mhz']:g} MHz: {rate['cycles_per_frame']:,} cycles/frame, "
                     f"{rate['multipliers']:,} multipliers, {rate['dsp']:,} DSP, {rate['luts']:,} "
                     f"LUT, {rate['bram18']:,} BRAM18 ({'fits' if rate['fits'] else 'does not fit'} "
                     f"{rate['device']}, binding {rate['binding']})")
    return lines


def run(pnr_dirs: list[str]) -> dict:
    reports = [read_pnr(d) for d in pnr_dirs]
    for rep in reports:   # the manifest's figures the rows read, checked before any work
        pnr_row(rep)
    used: set[int] = set()
    rows = []
    for build in BUILDS:
        dev = devices.get(build.device)
        label = build.name + ("+uram" if build.uram else "")
        try:
            b = device_budget(build)
        except CliError as e:
            rows.append({"build": label, "device": dev.name, "uram_option": build.uram,
                         "error": str(e)})
            continue
        r = row(label, b, dev)
        hit = next((i for i, rep in enumerate(reports) if matches(rep, r)), None)
        if hit is not None:
            used.add(hit)
            r = row(label, b, dev, reports[hit])
        r["uram_option"] = build.uram
        rows.append(r)
    rows += [pnr_row(rep) for i, rep in enumerate(reports) if i not in used]
    sq = next(b for b in BUILDS if b.name == "squeezenet1_1")
    clock, _ = assumed_clock(devices.get(sq.device))
    try:
        rate = rate_fold(sq, DPU_FPS, clock)
    except CliError as e:
        rate = {"build": f"{sq.name} @{DPU_FPS:,.0f}/s", "device": sq.device, "error": str(e)}
    return {"rows": rows, "dpu_rate_fold": rate,
            "baselines": {"finn_two_fire_xczu3eg": FINN_TWO_FIRE, "dpu_squeezenet_fps": DPU_FPS}}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--pnr", nargs="+", default=[], metavar="DIR",
                   help="squeezefpga bitstream output directories (report.json): fmax and "
                        "nextpnr utilisation for the builds they match")
    args = p.parse_args(argv)
    try:
        out = run(args.pnr)
    except CliError as e:
        print(f"device_builds: error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    print(table(out["rows"] + [out["dpu_rate_fold"]]))
    print()
    print("\n".join(comparisons(out["rows"], out["dpu_rate_fold"])))
    print(f"clock: fmax = placed and routed (--pnr); est = assumed: ECP5 "
          f"{flow.DEFAULT_CLOCK_MHZ:g} MHz (the bitstream flow's target), Xilinx "
          f"{budget_clock_mhz():g} MHz (budget's default; no Xilinx place and route here)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
