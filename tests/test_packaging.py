"""The distribution: one import package with its Verilog, templates and presets,
working from a wheel installed outside the checkout."""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "e2e" / "configs" / "tiny_complex.toml"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, cwd=out)
    (whl,) = out.glob("squeezefpga-*.whl")
    return whl


def test_wheel_has_one_package_with_its_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"squeezefpga"}
    for v in (ROOT / "hw").glob("*.v"):
        assert f"squeezefpga/hw/{v.name}" in names
    for t in (ROOT / "codegen" / "rtl" / "templates").iterdir():
        assert f"squeezefpga/codegen/rtl/templates/{t.name}" in names
    for c in (ROOT / "configs").glob("*.toml"):
        assert f"squeezefpga/configs/{c.name}" in names
    for needed in ("squeezefpga/__main__.py", "squeezefpga/cli/commands/build.py",
                   "squeezefpga/codegen/hls/templates/vendor/block_design.tcl.tpl",
                   "squeezefpga/models/fmnist/fmnist.onnx", "squeezefpga/data/fmnist_subset.npz"):
        assert needed in names


def _refs_to_checkout(d: Path) -> list[str]:
    """Files under d naming a path of the checkout other than its virtual environment."""
    bad = []
    root, venv = str(ROOT).encode(), str(ROOT / ".venv").encode()
    for p in d.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            if data.replace(venv, b"").find(root) >= 0:
                bad.append(str(p.relative_to(d)))
    return bad


@pytest.mark.slow
@pytest.mark.verilator
def test_wheel_builds_and_cosimulates_outside_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(site), str(wheel)], check=True, capture_output=True)
    work = tmp_path / "work"
    work.mkdir()
    env = dict(os.environ, PYTHONPATH=str(site), SQUEEZEFPGA_CACHE=str(tmp_path / "cache"))

    def sq(*args):
        r = subprocess.run([sys.executable, "-m", "squeezefpga", *args], cwd=work, env=env,
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr[-2000:]
        return r.stdout

    where = subprocess.run([sys.executable, "-c", "import squeezefpga; print(squeezefpga.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(site))
    sq("export", str(TINY), "--random-weights", "--seed", "1", "--out", "m.onnx")
    sq("build", "m.onnx", "--out", "b", "--backend", "rtl")
    out = sq("cosim", "b", "--frames", "2", "--data", "random", "--check", "rtl")
    assert "rtl: 0 of 2 frames differ" in out
    assert _refs_to_checkout(work) == []
    assert _refs_to_checkout(tmp_path / "cache") == []
