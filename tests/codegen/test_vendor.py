"""The vendor project of a build directory: files, names and Tcl checked without
Vivado (tclsh with stub vendor commands), the AXI wrapper and the board driver
checked in C simulation against golden."""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from graphs import Net, frames, save

from squeezefpga.cli import main
from squeezefpga.codegen.hls.vendor import AXI_TOP, BOARDS

STUBS = Path(__file__).parent / "tcl" / "vendor_stubs.tcl"
pytestmark = pytest.mark.skipif(shutil.which("tclsh") is None, reason="needs tclsh")


def _net():
    n = Net((1, 3, 5, 4))
    c = n.act(n.conv(n.input(), 3, 4, k=3, pad=1), -1)
    p = n.op("MaxPool", [c], kernel_shape=[3, 3], strides=[2, 2], pads=[0] * 4, ceil_mode=1)
    return n, n.model(n.quant(n.op("GlobalAveragePool", [n.act(n.conv(p, 4, 3, seed=2), -2)]),
                              -3, 8, signed=True))


@pytest.fixture(scope="module", params=sorted(BOARDS))
def project(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(request.param)
    n, m = _net()
    model = save(m, tmp / "net.onnx")
    out = tmp / "build"
    assert main(["build", model, "--out", str(out), "--board", request.param]) == 0
    return request.param, out, model, n


def _tcl(prj: Path, script: str, *args: str, tmp: Path) -> list[list[str]]:
    log, run_dir = tmp / "calls.log", tmp / "run"
    run_dir.mkdir(exist_ok=True)
    for f in ("design_1_wrapper.bit", "design_1.hwh"):
        (run_dir / f).write_text("stub")
    wrapper = tmp / "wrapper.tcl"
    wrapper.write_text(f"source {{{STUBS}}}\nset argv {{{' '.join(args)}}}\nset argc {len(args)}\n"
                       f"source {{{script}}}\n")
    env = dict(os.environ, STUB_LOG=str(log), STUB_RUN_DIR=str(run_dir))
    r = subprocess.run(["tclsh", str(wrapper)], cwd=prj, capture_output=True, text=True, env=env,
                       timeout=60)
    assert r.returncode == 0, r.stderr + r.stdout
    return [line.split("\x1f") for line in log.read_text().splitlines()]


def _calls(calls, name):
    return [c[1:] for c in calls if c[0] == name]


def _opt(args, flag):
    return args[args.index(flag) + 1]


def test_hls_ip_script(project, tmp_path):
    board, prj, _, _ = project
    calls = _tcl(prj, "vivado/hls_axi.tcl", tmp=tmp_path)
    assert _calls(calls, "set_part") == [[BOARDS[board]["part"]]]
    assert _calls(calls, "set_top") == [[AXI_TOP]]
    files = [a[-1] if "-cflags" not in a else a[a.index("-cflags") - 1]
             for a in _calls(calls, "add_files")]
    assert files and all((prj / f).exists() for f in files), files
    (exp,) = _calls(calls, "export_design")
    meta = json.loads((prj / "squeezefpga.json").read_text())
    vlnv = ":".join([_opt(exp, "-vendor"), _opt(exp, "-library"), _opt(exp, "-ipname"), _opt(exp, "-version")])
    assert vlnv == meta["ip_vlnv"] and _opt(exp, "-ipname") == AXI_TOP
    assert _calls(calls, "open_project") == [["-reset", f"{AXI_TOP}_prj"]]
    src = (prj / "vivado" / "axi_top.cpp").read_text()
    assert re.search(rf"void {AXI_TOP}\(hls::stream<axis_word> &s_axis, hls::stream<axis_word> &m_axis\)", src)
    assert f"{meta['top']}(x, y);" in src
    assert f"void {meta['top']}(" in (prj / "firmware" / f"{meta['top']}.h").read_text()


def test_block_design_script(project, tmp_path):
    board, prj, _, _ = project
    calls = _tcl(prj, "vivado/block_design.tcl", tmp=tmp_path)
    (cp,) = _calls(calls, "create_project")
    assert _opt(cp, "-part") == BOARDS[board]["part"]
    meta = json.loads((prj / "squeezefpga.json").read_text())
    cells = {c[-1]: _opt(c, "-vlnv") for c in _calls(calls, "create_bd_cell")}
    assert cells[AXI_TOP] == meta["ip_vlnv"] and cells["ps"] == BOARDS[board]["ps_vlnv"]
    assert cells["dma"].startswith("xilinx.com:ip:axi_dma:")
    repo = [c for c in _calls(calls, "set_property") if c[0] == "ip_repo_paths"][0][1]
    assert repo == f"{AXI_TOP}_prj/solution1/impl/ip"          # where hls_axi.tcl exports
    pins = {p for c in _calls(calls, "get_bd_intf_pins") for p in c}
    assert {f"{AXI_TOP}/s_axis", f"{AXI_TOP}/m_axis", "dma/M_AXIS_MM2S", "dma/S_AXIS_S2MM"} <= pins
    assert _calls(calls, "launch_runs")[0][:3] == ["impl_1", "-to_step", "write_bitstream"]
    assert (prj / "vivado" / "output" / "squeezefpga.bit").is_file()
    drv = json.loads((prj / "driver" / "squeezefpga_board.json").read_text())
    assert drv["axi_top"] == AXI_TOP and drv["part"] == BOARDS[board]["part"]
    assert "ol.dma" in (prj / "driver" / "squeezefpga_driver.py").read_text()


def test_hls4ml_build_script(project, tmp_path):
    board, prj, _, _ = project
    calls = _tcl(prj, "build_prj.tcl", tmp=tmp_path)
    assert _calls(calls, "set_top") == [["myproject"]]
    assert _calls(calls, "set_part") == [[BOARDS[board]["part"]]]
    assert _calls(calls, "csynth_design") and _calls(calls, "export_design")
    for a in _calls(calls, "add_files"):
        f = a[a.index("-cflags") - 1] if "-cflags" in a else a[-1]
        assert (prj / f).exists(), f


def test_readme_commands_name_existing_scripts(project):
    _, prj, _, _ = project
    text = (prj / "README.md").read_text()
    for script in re.findall(r"(?:-f|-source) (\S+\.tcl)", text):
        assert (prj / script).is_file(), script
    assert "@{" not in text and "squeezefpga_driver.py" in text


def test_axi_wrapper_and_driver_exact(project, tmp_path):
    """g++ C simulation of the AXI wrapper, fed and read by the board driver's
    pack/unpack, equals golden (for each board's build directory)."""
    board, prj, model, n = project
    import squeezefpga.sim.golden as golden

    spec = importlib.util.spec_from_file_location("drv", prj / "driver" / "squeezefpga_driver.py")
    drv = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(drv)
    meta = drv.load_meta(prj / "driver" / "squeezefpga_board.json")
    x = frames(n.shape, 6, seed=4)
    np.savetxt(tmp_path / "in.txt", drv.pack(x, meta).astype(np.int64), fmt="%d")
    exe = tmp_path / "axi_tb"
    cc = ["nice", "-n", "15", "g++", "-O1", "-std=c++14", "-Ifirmware", "-Ifirmware/ap_types",
          "-Ifirmware/nnet_utils", "-Ivivado", f'-DWEIGHTS_DIR="{prj}/firmware/weights"',
          "firmware/myproject.cpp", "vivado/axi_top.cpp", "vivado/axi_tb.cpp", "-o", str(exe)]
    r = subprocess.run(cc, cwd=prj, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    r = subprocess.run([str(exe), str(tmp_path / "in.txt"), str(tmp_path / "out.txt")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    words = np.loadtxt(tmp_path / "out.txt", dtype=np.int64, ndmin=2)
    got = drv.unpack(words.astype(np.int32).view(np.uint32), meta)
    want = golden.load(model)(x).reshape(len(x), -1)
    np.testing.assert_array_equal(got, want)
