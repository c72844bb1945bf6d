"""The ECP5 flow's pieces without place and route: nextpnr report parsing,
report.json, the pin and packing check (exit-2 errors before place and route),
tool failures with their log tail, the progress lines (codegen/pnr)."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from squeezefpga.codegen.errors import CliError
from squeezefpga.codegen.hwops import devices
from squeezefpga.codegen.pnr import flow
from squeezefpga.codegen.pnr import report as rp

# nextpnr-ecp5 0.11 --report of a small design on an LFE5U-25F (trimmed)
NEXTPNR = {
    "critical_paths": [],
    "fmax": {"$glbnet$clk$TRELLIS_IO_IN": {"achieved": 76.38, "constraint": 125}},
    "utilization": {"TRELLIS_COMB": {"available": 24288, "used": 1604},
                    "TRELLIS_FF": {"available": 24288, "used": 678},
                    "TRELLIS_IO": {"available": 197, "used": 24},
                    "MULT18X18D": {"available": 28, "used": 6},
                    "DP16KD": {"available": 56, "used": 0},
                    "TRELLIS_RAMW": {"available": 3036, "used": 42},
                    "ALU54B": {"available": 14, "used": 0}},
}


def test_fmax_is_the_slowest_clock():
    assert rp.fmax_mhz(NEXTPNR) == 76.38
    two = {"fmax": {"a": {"achieved": 90.5, "constraint": 50}, "b": {"achieved": 61.25}}}
    assert rp.fmax_mhz(two) == 61.25
    assert rp.fmax_mhz({"fmax": {}}) is None and rp.fmax_mhz({}) is None


def test_utilization_maps_bel_types():
    u = rp.utilization(NEXTPNR)
    assert u == {"lut": {"used": 1604, "available": 24288}, "ff": {"used": 678, "available": 24288},
                 "dsp": {"used": 6, "available": 28}, "bram": {"used": 0, "available": 56},
                 "lutram": {"used": 42, "available": 3036}, "io": {"used": 24, "available": 197}}
    assert rp.utilization(NEXTPNR, io_available=118)["io"] == {"used": 24, "available": 118}
    assert rp.overused(u) == []
    big = json.loads(json.dumps(NEXTPNR))
    big["utilization"]["MULT18X18D"]["used"] = 40
    big["utilization"]["DP16KD"]["used"] = 57
    assert rp.overused(rp.utilization(big)) == [
        "multipliers (MULT18X18D) needs 40, the part has 28",
        "block RAM (DP16KD) needs 57, the part has 56"]


@pytest.mark.parametrize("clock, met", [(125.0, False), (50.0, True), (76.38, True)])
def test_flow_report_timing_and_rate(clock, met):
    r = rp.flow_report(device="lfe5u-25f", package="CABGA381", speed=6, clock_mhz=clock,
                       nextpnr=NEXTPNR, cycles=324, io_available=197,
                       stages={"synth": 7.71, "pnr": 31.26}, extra={"source": {"model": "m"}})
    assert r["fmax_mhz"] == 76.38 and r["timing_met"] is met
    assert r["frames_per_s"] == pytest.approx(76.38e6 / 324, abs=0.1)
    if met:
        assert r["frames_per_s_at_clock"] == pytest.approx(clock * 1e6 / 324, abs=0.1)
    else:
        assert r["frames_per_s_at_clock"] is None
    assert r["cycles_per_frame"] == 324 and r["stages_s"] == {"synth": 7.7, "pnr": 31.3}
    assert r["source"] == {"model": "m"} and set(r["utilization"]) == set(rp.BELS)


def test_report_without_clock():
    r = rp.flow_report(device="lfe5u-25f", package="CABGA381", speed=6, clock_mhz=125.0,
                       nextpnr={"utilization": {}}, cycles=10, io_available=None, stages={},
                       extra={})
    assert r["fmax_mhz"] is None and r["timing_met"] is False and r["frames_per_s"] is None


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", '{"fmax": {}}'])
def test_bad_nextpnr_report(tmp_path, text):
    p = tmp_path / "r.json"
    p.write_text(text)
    with pytest.raises(CliError, match="not a nextpnr report"):
        rp.read_nextpnr(p)


def test_top_ports(tmp_path):
    p = tmp_path / "d.json"
    p.write_text(json.dumps({"modules": {"top": {"ports": {
        "clk": {"direction": "input", "bits": [2]},
        "d": {"direction": "input", "bits": list(range(3, 11))},
        "q": {"direction": "output", "bits": list(range(11, 15))}}}}}))
    assert rp.top_ports(p, "top") == 13
    with pytest.raises(CliError, match="no module 'other'"):
        rp.top_ports(p, "other")


def test_targets():
    for name, flag in (("lfe5u-25f", "--25k"), ("lfe5u-45f", "--45k"), ("lfe5u-85f", "--85k")):
        t = flow.Target(devices.get(name), "CABGA381", 125.0)
        assert t.nextpnr_args() == [flag, "--package", "CABGA381", "--speed", "6"]
        assert t.io_available == devices.get(name).ios
    assert flow.Target(devices.get("lfe5u-85f"), "CABGA756", 125.0).io_available is None
    with pytest.raises(CliError, match="needs Vivado"):
        flow.ecp5_device(devices.get("xc7z020"))


def fake_tool(tmp_path: Path, name: str, body: str) -> str:
    """An executable Python script standing in for a yowasp tool."""
    exe = tmp_path / name
    exe.write_text(f"#!{sys.executable}\nimport sys, time, json\nargs = sys.argv[1:]\n{body}\n")
    exe.chmod(0o755)
    return str(exe)


def work_dir(tmp_path: Path, pins: int) -> Path:
    """A work directory whose synthesized top has ``pins`` port bits."""
    w = tmp_path / "work"
    (w / "rtl").mkdir(parents=True)
    ports = {"clk": {"direction": "input", "bits": [2]},
             "d": {"direction": "input", "bits": list(range(3, pins + 2))}}
    (w / "design.json").write_text(json.dumps({"modules": {"squeezefpga_top": {"ports": ports}}}))
    return w


def test_too_many_pins_refused_before_nextpnr(tmp_path, monkeypatch):
    monkeypatch.setitem(flow.TOOLS, "nextpnr", fake_tool(tmp_path, "np", "sys.exit(7)"))
    w = work_dir(tmp_path, 198)
    f = flow.Flow(w, flow.Target(devices.get("lfe5u-25f"), "CABGA381", 125.0),
                  flow.Progress(io.StringIO()))
    with pytest.raises(CliError, match=r"lfe5u-25f: the top needs 198 I/O pins, CABGA381 has 197"):
        f.fit()
    assert not (w / "nextpnr_pack.log").exists()    # nextpnr never ran


def reporting_nextpnr(tmp_path: Path, rep: dict) -> str:
    """A fake nextpnr writing ``rep`` as its --report."""
    return fake_tool(tmp_path, f"np{len(list(tmp_path.glob('np*')))}", (
        f"out = args[args.index('--report') + 1]\n"
        f"open(out, 'w').write({json.dumps(json.dumps(rep))})"))


def test_overfull_pack_refused(tmp_path, monkeypatch):
    rep = json.loads(json.dumps(NEXTPNR))
    rep["utilization"]["TRELLIS_COMB"]["used"] = 30000
    monkeypatch.setitem(flow.TOOLS, "nextpnr", reporting_nextpnr(tmp_path, rep))
    w = work_dir(tmp_path, 24)
    f = flow.Flow(w, flow.Target(devices.get("lfe5u-25f"), "CABGA381", 125.0),
                  flow.Progress(io.StringIO()))
    with pytest.raises(CliError, match=r"does not fit: LUTs \(TRELLIS_COMB\) needs 30,000, "
                                       r"the part has 24,288 \(no place and route run\)"):
        f.fit()
    rep["utilization"]["TRELLIS_COMB"]["used"] = 24288
    monkeypatch.setitem(flow.TOOLS, "nextpnr", reporting_nextpnr(tmp_path, rep))
    assert f.fit()["lut"] == {"used": 24288, "available": 24288}


def test_tool_failure_has_log_tail_and_progress(tmp_path, monkeypatch):
    body = ("for i in range(30): print('Info: line', i)\n"
            "time.sleep(0.5)\nprint('ERROR: no route to X')\nsys.exit(3)")
    monkeypatch.setitem(flow.TOOLS, "nextpnr", fake_tool(tmp_path, "np", body))
    out = io.StringIO()
    with pytest.raises(flow.StageError) as e:
        flow.run_tool("pnr", "nextpnr", [], tmp_path, tmp_path / "nextpnr.log",
                      flow.Progress(out, every=0.2))
    assert str(e.value) == "pnr: np exited with status 3 (log nextpnr.log)"
    tail = e.value.lines
    assert len(tail) == flow.StageError.TAIL == 20
    assert tail[-1] == "ERROR: no route to X" and tail[0] == "Info: line 11"
    assert "bitstream: pnr: still running, 0 s" in out.getvalue()


def test_missing_tool(tmp_path, monkeypatch):
    monkeypatch.setitem(flow.TOOLS, "ecppack", str(tmp_path / "absent"))
    with pytest.raises(flow.StageError, match="bitgen: cannot run .*absent"):
        flow.run_tool("bitgen", "ecppack", [], tmp_path, tmp_path / "e.log",
                      flow.Progress(io.StringIO()))


def test_unknown_package_refused():
    """nextpnr itself decides which packages a part comes in (a run without a design)."""
    flow.check_package(devices.get("lfe5u-85f"), "CABGA381")
    with pytest.raises(CliError, match=r"--package CABGA256: Unsupported package 'CABGA256' "
                                       r"for 'LFE5U-85F'"):
        flow.check_package(devices.get("lfe5u-85f"), "CABGA256")
