"""A csim mismatch names the first diverging layer (hls4ml trace mapped to ONNX tensors)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from graphs import Net, frames, save

from squeezefpga.cli.checks.hls import project_for, traced
from squeezefpga.sim.golden.compile import load
from squeezefpga.sim.golden.cosim import run_cosim

pytestmark = pytest.mark.slow


def _net():
    """Three convs, named the way exports are (qonnx's readable names, which the
    preparation keeps, so hls4ml layers map back to the golden tensors)."""
    from qonnx.transformation.general import GiveReadableTensorNames, GiveUniqueNodeNames

    n = Net((1, 2, 6, 6))
    x = n.input()
    a = n.act(n.conv(x, 2, 3, k=3, pad=1, seed=1), -1)
    b = n.act(n.conv(a, 3, 4, seed=2), -2)
    c = n.act(n.conv(b, 4, 2, seed=3), -2)
    out = n.quant(n.op("GlobalAveragePool", [c]), -3, 8, signed=True)
    return n, n.model(out).transform(GiveUniqueNodeNames()).transform(GiveReadableTensorNames())


def _corrupt(prj: Path, layer: str) -> None:
    """Negate the weights the csim loads for ``layer`` (firmware/weights/wN.txt)."""
    src = (prj / "firmware" / "myproject.cpp").read_text()
    call = next(ln for ln in src.splitlines() if ln.rstrip().endswith(f"// {layer}"))
    w = re.search(r"\b(w\d+)\b", call).group(1)
    txt = prj / "firmware" / "weights" / f"{w}.txt"
    txt.write_text(", ".join(repr(-float(v)) for v in txt.read_text().split(",")))


def test_planted_weight_fault_names_layer(tmp_path):
    n, m = _net()
    path = save(m, tmp_path / "trace.onnx")
    x = frames(n.shape, 3, seed=5)
    prj = project_for(Path(path))
    # clean: the traced copy agrees with golden on every mapped tensor
    gold = load(path).run(x[:1], keep=True)
    got = traced(prj, x[:1])
    assert {"Conv_0_out0", "Conv_1_out0", "Quant_7_out0", "Quant_8_out0"} <= set(got) <= set(gold), \
        sorted(got)
    for t, v in got.items():
        np.testing.assert_array_equal(gold[t].float(), v.reshape(gold[t].values.shape), err_msg=t)
    _corrupt(prj, "Conv2D_Conv_1")
    rep = run_cosim(path, x, ["hls"])
    assert rep["mismatches"]["hls"] > 0, rep
    d = rep["checks"]["hls"]["first_divergence"]
    assert d["layer"] == "Conv_1 (Conv)", d
    assert d["tensor"] == "Conv_1_out0" and d["index"] is not None, d
    assert re.match(r"layer Conv_1 \(Conv\): tensor 'Conv_1_out0' differs at index \[0, \d+, \d+, \d+\]: "
                    r"\S+ vs \S+ \(\d+ elements differ\)", d["message"]), d["message"]
