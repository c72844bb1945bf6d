"""squeezefpga golden / cosim, run in-process through squeezefpga.cli.main."""
from __future__ import annotations

import json

import numpy as np
import onnx
import pytest
from qgraph import G, wrap

import squeezefpga.sim.golden as golden
from squeezefpga.cli import main
from squeezefpga.sim.golden import cosim


@pytest.fixture
def model(tmp_path):
    g = G((1, 2, 5, 5))
    xq = g.quant(g.input, 0, 8, False, name="inq")
    w = np.arange(-9, 9).reshape(1, 2, 3, 3)
    c = g.conv(xq, w, -3, b=[5], b_exp=-6, pad=1, name="conv")
    r = g.quant(g.node("Relu", [c], name="relu"), -1, 4, False, name="actq")
    out = g.node("Flatten", [g.quant(g.node("GlobalAveragePool", [r]), -2, 8, True)], axis=1)
    path = tmp_path / "m.onnx"
    wrap(g.model(out)).save(str(path))
    x = np.random.default_rng(0).integers(0, 256, size=(4, 2, 5, 5)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    return path, tmp_path / "x.npy", x


def test_golden_cli_writes_exact_float32(model, tmp_path):
    path, xp, x = model
    assert main(["golden", str(path), "--inputs", str(xp), "--out", str(tmp_path / "y.npy")]) == 0
    y = np.load(tmp_path / "y.npy")
    assert y.dtype == np.float32 and y.shape == (4, 1)
    assert np.array_equal(y, golden.load(path)(x))


def test_golden_cli_bounds(model, capsys):
    path, _, _ = model
    assert main(["golden", str(path), "--bounds"]) == 0
    (b,) = json.loads(capsys.readouterr().out)
    assert b["node"] == "conv" and b["acc_exp"] == -6 and b["acc_min"] < 0 < b["acc_max"]


def test_cosim_qonnx_json(model, capsys):
    path, xp, _ = model
    assert main(["cosim", str(path), "--inputs", str(xp), "--check", "qonnx", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["frames"] == 4 and rep["mismatches"] == {"qonnx": 0}


def test_cosim_reports_first_diverging_tensor(model, capsys, monkeypatch):
    """A checker whose path corrupts one ReLU output value: cosim must fail and name it."""
    path, xp, _ = model

    def broken(s: cosim.Session) -> cosim.Outcome:
        out = cosim.Outcome("broken", len(s.inputs))
        theirs = {k: v.float() for k, v in s.golden_tensors(2).items()}
        theirs["relu_out"][0, 0, 1, 3] += 0.125
        out.mismatched_frames.append(2)
        loc = s.diverge("broken", 2, theirs)
        out.first_frame, out.first = loc.first_frame, loc.first
        return out

    monkeypatch.setitem(cosim.CHECKERS, "broken", broken)
    rc = main(["cosim", str(path), "--inputs", str(xp), "--check", "qonnx,broken", "--json"])
    cap = capsys.readouterr()
    assert rc == 1
    rep = json.loads(cap.out)
    assert rep["mismatches"] == {"qonnx": 0, "broken": 1}
    first = rep["checks"]["broken"]["first_divergence"]
    assert first["tensor"] == "relu_out" and first["index"] == [0, 0, 1, 3] and first["frame"] == 2
    assert first["other"] == first["golden"] + 0.125
    assert "relu_out" in cap.err and "[0, 0, 1, 3]" in cap.err


def test_cli_refuses_unsupported_node_in_one_line(tmp_path, capsys):
    g = G((1, 1, 4, 4))
    out = g.node("Softmax", [g.quant(g.input, 0, 8, False)], name="my_softmax")
    path = tmp_path / "bad.onnx"
    onnx.save(g.model(out), str(path))
    np.save(tmp_path / "x.npy", np.zeros((1, 1, 4, 4), np.float32))
    for cmd in ("golden", "cosim"):
        assert main([cmd, str(path), "--inputs", str(tmp_path / "x.npy")]) == 2
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and "'my_softmax'" in err and "Softmax" in err


def test_cli_errors(model, tmp_path, capsys):
    path, xp, _ = model
    np.save(tmp_path / "bad.npy", np.zeros((1, 3, 5, 5), np.float32))
    assert main(["golden", str(path), "--inputs", str(tmp_path / "bad.npy")]) == 2
    assert "does not match" in capsys.readouterr().err
    assert main(["cosim", str(path), "--inputs", str(xp), "--check", "nope"]) == 2
    assert "unknown checker 'nope'" in capsys.readouterr().err
    assert main(["golden", str(tmp_path / "missing.onnx"), "--inputs", str(xp)]) == 2
