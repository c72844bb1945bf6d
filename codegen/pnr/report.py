"""nextpnr-ecp5's ``--report`` JSON and the flow's ``report.json``.

nextpnr writes {"fmax": {clock: {"achieved", "constraint"}}, "utilization":
{bel type: {"used", "available"}}, "critical_paths": [...]}; the flow reports
the slowest clock's achieved frequency and these bel types:

    lut     TRELLIS_COMB   (LUT4 / carry halves, incl. the LUT-RAM read ports)
    ff      TRELLIS_FF
    dsp     MULT18X18D
    bram    DP16KD         (18 Kb EBR)
    lutram  TRELLIS_RAMW   (DPR16X4 write ports)
    io      TRELLIS_IO     (available: the package's user I/O where the device
                            table knows it, else nextpnr's count of the die's pads)
"""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import CliError

BELS = {"lut": "TRELLIS_COMB", "ff": "TRELLIS_FF", "dsp": "MULT18X18D", "bram": "DP16KD",
        "lutram": "TRELLIS_RAMW", "io": "TRELLIS_IO"}
NAMES = {"lut": "LUTs (TRELLIS_COMB)", "ff": "flip-flops (TRELLIS_FF)",
         "dsp": "multipliers (MULT18X18D)", "bram": "block RAM (DP16KD)",
         "lutram": "LUT RAM (TRELLIS_RAMW)", "io": "I/O pins"}


def read_nextpnr(path) -> dict:
    """The JSON nextpnr wrote with ``--report`` (CliError naming the file if unreadable)."""
    try:
        rep = json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        raise CliError(f"{path}: not a nextpnr report ({e})") from None
    if not isinstance(rep, dict) or not isinstance(rep.get("utilization"), dict):
        raise CliError(f"{path}: not a nextpnr report (no 'utilization' table)")
    return rep


def fmax_mhz(rep: dict) -> float | None:
    """The lowest achieved frequency over the design's clocks (None: no clock)."""
    got = [c.get("achieved") for c in (rep.get("fmax") or {}).values() if isinstance(c, dict)]
    got = [float(f) for f in got if isinstance(f, (int, float))]
    return min(got) if got else None


def utilization(rep: dict, io_available: int | None = None) -> dict:
    """{lut, ff, dsp, bram, lutram, io: {"used", "available"}} of a nextpnr report."""
    util = rep["utilization"]
    out = {}
    for key, bel in BELS.items():
        u = util.get(bel) or {}
        out[key] = {"used": int(u.get("used", 0)), "available": int(u.get("available", 0))}
    if io_available:
        out["io"]["available"] = io_available
    return out


def overused(util: dict) -> list[str]:
    """'NAME needs USED, the part has AVAILABLE' for each resource over its capacity."""
    return [f"{NAMES[k]} needs {u['used']:,}, the part has {u['available']:,}"
            for k, u in util.items() if u["used"] > u["available"]]


def top_ports(design_json, top: str) -> int:
    """Port bits of ``top`` in a yosys JSON netlist (the pins it needs)."""
    try:
        mods = json.loads(Path(design_json).read_text())["modules"]
    except (OSError, ValueError, KeyError) as e:
        raise CliError(f"{design_json}: not a yosys JSON netlist ({e})") from None
    if top not in mods:
        raise CliError(f"{design_json}: no module '{top}'")
    return sum(len(p.get("bits", [])) for p in mods[top].get("ports", {}).values())


def frames_per_s(mhz: float | None, cycles: int) -> float | None:
    return round(mhz * 1e6 / cycles, 1) if mhz and cycles else None


def flow_report(*, device: str, package: str, speed: int, clock_mhz: float, nextpnr: dict,
                cycles: int, io_available: int | None, stages: dict, extra: dict) -> dict:
    """report.json: timing at the requested clock, utilisation and throughput."""
    fmax = fmax_mhz(nextpnr)
    met = fmax is not None and fmax >= clock_mhz
    rep = {"device": device, "package": package, "speed_grade": speed,
           "clock_mhz": clock_mhz,
           "fmax_mhz": round(fmax, 2) if fmax is not None else None,
           "timing_met": met,
           "utilization": utilization(nextpnr, io_available),
           "cycles_per_frame": cycles,
           # frames/s when clocked at fmax; at the requested clock only when it is met
           "frames_per_s": frames_per_s(fmax, cycles),
           "frames_per_s_at_clock": frames_per_s(clock_mhz, cycles) if met else None,
           "stages_s": {k: round(v, 1) for k, v in stages.items()}}
    rep.update(extra)
    return rep
