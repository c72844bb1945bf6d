"""squeezefpga budget: output formats, sweeps, plots and bad input."""
import json

import pytest

from squeezefpga.cli import main


def test_json_schema(capsys):
    assert main(["budget", "fmnist", "--json", "--device", "xc7z020", "lfe5u-85f"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in d["layers"]][:2] == ["conv1", "maxpool1"]
    assert d["total"]["cycles_per_frame"] == 28 * 28 * 9
    assert set(d["devices"]) == {"xc7z020", "lfe5u-85f"}
    assert set(d["devices"]["xc7z020"]) >= {"fits", "binding", "utilization"}


def test_table_and_plot(tmp_path, capsys):
    png = tmp_path / "bars.png"
    assert main(["budget", "squeezenet1_0", "--target-cycles", "2000000", "--plot",
                 str(png)]) == 0
    out = capsys.readouterr().out
    assert "fire9" in out and "xczu7ev" in out and "frames/s" in out
    assert png.stat().st_size > 10_000


def test_sweep_lists_illegal_points(tmp_path, capsys):
    csv = tmp_path / "s.csv"
    assert main(["budget", "fmnist", "--sweep", "fire2.s1x1=8,200", "--sweep",
                 "act_bits=2,4", "--csv", str(csv)]) == 0
    lines = csv.read_text().splitlines()
    assert len(lines) == 5 and sum("illegal" in l for l in lines) == 2
    assert main(["budget", "fmnist", "--sweep", "fire2.s1x1=8,200"]) == 0
    out = capsys.readouterr().out
    assert "ILLEGAL: layers.fire2.s1x1 = 200" in out


def test_sweep_plots(tmp_path):
    png = tmp_path / "p.png"
    assert main(["budget", "squeezenet1_1", "--sweep", "sr=0.125,0.25", "--sweep",
                 "target_cycles=500000,2000000", "--plot", str(png)]) == 0
    assert png.stat().st_size > 10_000 and (tmp_path / "p_layers.png").is_file()


@pytest.mark.parametrize("argv, msg", [
    (["fmnist", "--device", "xc9000"], "unknown device 'xc9000'"),
    (["fmnist", "--sweep", "colour=1,2"], "--sweep colour: unknown key"),
    (["fmnist", "--sweep", "act_bits=four"], "value 'four' is not an int"),
    (["fmnist", "--sweep", "sr=0.25"], "explicit Fire widths"),
    (["fmnist", "--sweep", "fire7.e1x1=8"], "no Fire named 'fire7'"),
    (["fmnist", "--fold", "nope.toml"], "fold file 'nope.toml'"),
])
def test_bad_input_one_line_exit_2(argv, msg, capsys):
    assert main(["budget", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert msg in err and len(err.splitlines()) == 1


def test_paper_flag(capsys):
    assert main(["budget", "squeezenet1_0", "--paper"]) == 0
    assert "1,248,424 parameters" in capsys.readouterr().out


@pytest.mark.slow
def test_onnx_input_matches_preset(tmp_path):
    from squeezefpga.codegen.budget import estimate
    from squeezefpga.codegen.budget.onnx_input import load_onnx
    from squeezefpga.quant import presets
    from squeezefpga.quant.export import export_checked, random_model

    cfg = presets.load("fmnist")
    path = tmp_path / "m.onnx"
    import numpy as np
    x = np.random.default_rng(0).integers(0, 256, (2, *cfg.input_shape)).astype(np.float32)
    export_checked(random_model(cfg, seed=0), cfg, path, x)
    got = load_onnx(path)
    assert [type(l).__name__ for l in got.layers] == [type(l).__name__ for l in cfg.layers]
    assert [getattr(l, "bypass", None) for l in got.layers] == \
        [getattr(l, "bypass", None) for l in cfg.layers]
    a, b = estimate(got), estimate(cfg)
    assert a.total.bits == b.total.bits and a.cycles == b.cycles
