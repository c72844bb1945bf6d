"""bench/device_builds.py: its rows are consistent (frames/s = clock / cycles,
MAC efficiency in (0, 1], multipliers = DSP + LUT ones) and a bitstream
report.json of the same build replaces the assumed clock and the estimate's
utilisation.  Figures only, no timings."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from squeezefpga.codegen.hwops import devices

BENCH = Path(__file__).resolve().parents[2] / "bench" / "device_builds.py"


@pytest.fixture(scope="module")
def db():
    spec = importlib.util.spec_from_file_location("bench_device_builds", BENCH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod      # its dataclasses look their module up there
    spec.loader.exec_module(mod)
    yield mod
    sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def two_fire(db):
    """(budget, device) of the two_fire fold for xczu3eg, the bench's own build."""
    build = next(b for b in db.BUILDS if b.name == "two_fire")
    return db.device_budget(build), devices.get(build.device)


def consistent(r: dict) -> None:
    assert r["frames_per_s"] == pytest.approx(r["clock_mhz"] * 1e6 / r["cycles_per_frame"],
                                              rel=1e-12)
    assert r["multipliers"] == r["dsp_multipliers"] + r["lut_multipliers"]
    assert 0 < r["mac_efficiency"] <= 1
    assert r["mac_efficiency"] == pytest.approx(
        r["macs_per_frame"] / (r["multipliers"] * r["cycles_per_frame"]), rel=1e-12)


def test_estimated_row(db, two_fire):
    b, dev = two_fire
    r = db.row("two_fire", b, dev)
    consistent(r)
    assert r["source"] == "estimate" and r["clock"].startswith("est")
    assert r["clock_mhz"] == db.budget_clock_mhz()      # xczu3eg: Xilinx, no pnr
    assert r["fits"] and r["utilization_limit"] == 0.85
    assert r["cycles_per_frame"] == b.cycles == max(op.cycles() for op in b.ops)
    assert r["macs_per_frame"] == sum(op.macs() for op in b.ops) > 0
    assert (r["dsp"], r["luts"], r["bram18"]) == (b.total.dsp, b.total.luts,
                                                  b.total.mapping.bram18_equiv)


def _bitstream_dir(tmp_path: Path, b, dev, cycles: int, fmax: float) -> str:
    """A bitstream directory as ``squeezefpga bitstream`` lays it out (report.json,
    rtl/manifest.json with the netlist's instance rows) for budget ``b``."""
    (tmp_path / "rtl").mkdir(parents=True)
    man = {"model": "two_fire.onnx", "expected_cycles_per_frame": cycles,
           "multipliers": b.total.multipliers, "macs_per_frame": sum(o.macs() for o in b.ops),
           "instances": [o.row() for o in b.ops]}
    util = {k: {"used": u, "available": 10 * u + 1}
            for k, u in (("lut", 12_345), ("ff", 6_789), ("dsp", 11), ("bram", 7),
                         ("lutram", 3), ("io", 24))}
    rep = {"device": dev.name, "clock_mhz": 125.0, "fmax_mhz": fmax, "timing_met": fmax >= 125,
           "cycles_per_frame": cycles, "utilization": util}
    (tmp_path / "rtl" / "manifest.json").write_text(json.dumps(man))
    (tmp_path / "report.json").write_text(json.dumps(rep))
    return str(tmp_path)


def test_pnr_report_replaces_clock_and_utilisation(db, two_fire, tmp_path):
    b, dev = two_fire
    est = db.row("two_fire", b, dev)
    rep = db.read_pnr(_bitstream_dir(tmp_path / "same", b, dev, b.cycles, 97.5))
    assert db.matches(rep, est)
    r = db.row("two_fire", b, dev, rep)
    consistent(r)
    assert r["clock_mhz"] == 97.5 and r["clock"].startswith("fmax")
    assert (r["luts"], r["ffs"], r["dsp"], r["bram18"]) == (12_345, 6_789, 11, 7)
    assert r["mac_efficiency"] == est["mac_efficiency"]
    # another build (other cycles/frame): no match, a row of its own from the manifest
    other = db.read_pnr(_bitstream_dir(tmp_path / "other", b, dev, 2 * b.cycles, 80.0))
    assert not db.matches(other, est)
    o = db.pnr_row(other)
    consistent(o)
    assert (o["build"], o["lut_multipliers"]) == ("two_fire", est["lut_multipliers"])
    assert o["mac_efficiency"] == pytest.approx(est["mac_efficiency"] / 2)


def test_bad_pnr_dir_is_one_line_exit_2(db, tmp_path, capsys):
    assert db.main(["--pnr", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"--pnr {tmp_path / 'none'}" in err
