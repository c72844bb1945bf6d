"""squeezefpga build: a project directory on success; on bad input one line naming
the node, exit 2, and nothing left behind."""
from __future__ import annotations

import json

from graphs import Net, save

from squeezefpga.cli import main


def _ok_net():
    n = Net((1, 1, 5, 5))
    c = n.act(n.conv(n.input(), 1, 2, k=3, pad=1), -1)
    return n.model(n.quant(n.op("GlobalAveragePool", [c]), -2, 8, signed=True))


def test_build_writes_project(tmp_path, capsys):
    out = tmp_path / "prj"
    assert main(["build", save(_ok_net(), tmp_path / "m.onnx"), "--out", str(out)]) == 0
    rep = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert rep["top"] == "myproject"
    for f in ("build_prj.tcl", "build_lib.sh", "firmware/myproject.cpp", "squeezefpga.json",
              "firmware/nnet_utils/nnet_stream_maxpool.h", "firmware/nnet_utils/nnet_quant_gap.h"):
        assert (out / f).is_file(), f
    meta = json.loads((out / "squeezefpga.json").read_text())
    assert all("auto" not in json.dumps(v) for v in meta["layers"].values())
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def _refused(tmp_path, capsys, model, match):
    out = tmp_path / "prj"
    assert main(["build", save(model, tmp_path / "bad.onnx"), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and match in err[0], err
    assert not out.exists() and [p for p in tmp_path.iterdir() if p.is_dir()] == []


def test_unsupported_node(tmp_path, capsys):
    n = Net()
    _refused(tmp_path, capsys, n.model(n.op("Sigmoid", [n.input()])),
             "node 'Sigmoid_5' (Sigmoid): unsupported op type")   # the user's name, not qonnx's


def test_float_scale(tmp_path, capsys):
    n = Net()
    _refused(tmp_path, capsys, n.model(n.quant(n.op("Relu", [n.input()]), 0, 4, scale=0.3)),
             "is not a power of two")


def test_inexpressible_precision(tmp_path, capsys):
    n = Net()
    _refused(tmp_path, capsys, n.model(n.quant(n.op("Relu", [n.input()]), -1, 4, mode="CEIL")),
             "rounding_mode CEIL has no ap_fixed equivalent")


def test_bad_fold_file(tmp_path, capsys):
    fold = tmp_path / "fold.toml"
    fold.write_text("[nope]\nreuse = 2\n")
    out = tmp_path / "prj"
    rc = main(["build", save(_ok_net(), tmp_path / "m.onnx"), "--out", str(out), "--fold", str(fold)])
    assert rc == 2 and "no layer named 'nope'" in capsys.readouterr().err
    assert not out.exists()


def test_fold_sets_reuse(tmp_path):
    fold = tmp_path / "fold.toml"
    fold.write_text("default_reuse = 2\n[Conv_0]\nreuse = 9\n")
    out = tmp_path / "prj"
    assert main(["build", save(_ok_net(), tmp_path / "m.onnx"), "--out", str(out), "--fold", str(fold)]) == 0
    layers = json.loads((out / "squeezefpga.json").read_text())["layers"]
    assert layers["Conv2D_Conv_0"]["ReuseFactor"] == 9
    assert {v["ReuseFactor"] for k, v in layers.items() if k != "Conv2D_Conv_0"} == {2}
    params = (out / "firmware" / "parameters.h").read_text()
    assert "reuse_factor = 9;" in params and "reuse_factor = 1;" not in params
