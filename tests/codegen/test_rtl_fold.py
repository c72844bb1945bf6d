"""codegen/rtl fold handling: one fold file format keyed by ONNX node (preset
layer names mapped onto nodes), unknown names and illegal values refused with
one line; the netlist's widths independent of the weight values."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from squeezefpga.cli import main
from squeezefpga.codegen.hwops import FoldError
from squeezefpga.codegen.qonnx import prepare
from squeezefpga.codegen.rtl.project import netlist

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "tests" / "e2e" / "configs" / "tiny_complex.toml"


@pytest.fixture(scope="module")
def model(export_random):
    return export_random(CONFIG)


def _shape(ops) -> list:
    """Everything of a netlist but the ROM contents."""
    return [(type(o).__name__, o.layer, o.params(), [s.to_dict() for _, s in o.ins + o.outs],
             [m.bits for m in o.memories()]) for o in ops]


def test_same_widths_any_weights(model, tmp_path):
    """Weights and biases all zero (the same quantizers): the same netlist, FIFO
    and buffer bits included; only the ROM contents differ."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    m = onnx.load(str(model))
    consts = {n.input[0] for n in m.graph.node if n.op_type == "Conv"
              for n in m.graph.node if n.op_type == "Quant"}
    for i, init in enumerate(m.graph.initializer):
        a = numpy_helper.to_array(init)
        if a.ndim in (1, 4) and a.size > 1 and init.name in consts:
            m.graph.initializer[i].CopyFrom(numpy_helper.from_array(np.zeros_like(a), init.name))
    zero = tmp_path / "zero.onnx"
    onnx.save(m, str(zero))
    a, b = netlist(prepare(model))[0], netlist(prepare(zero))[0]
    assert _shape(a) == _shape(b)
    ra = [o.roms() for o in a if o.roms()]
    assert ra and ra != [o.roms() for o in b if o.roms()]


@pytest.mark.parametrize("entry,msg", [
    ('[nosuch]\npe = 2\n', "no foldable node named 'nosuch'"),
    ('["fire2.squeeze"]\npe = 0\n', "fire2.squeeze.pe = 0 must be a positive integer"),
    ('["fire2.squeeze"]\npe = 99\n', "PE <= COUT"),
    ('["fire2.squeeze"]\nlanes = 2\n', "takes mult/pe/simd"),
    ('["fire2.squeeze"]\nmult = "fast"\n', "fire2.squeeze.mult = 'fast' must be one of 'dsp', 'lut'"),
    ('["fire2.squeeze"]\nmult = 1\n', "fire2.squeeze.mult = 1 must be one of"),
    ('[maxpool1]\nlanes = 999\n', "lanes = 999 must be in 1.."),
])
def test_bad_fold_is_one_line(model, tmp_path, capsys, entry, msg):
    fold = tmp_path / "fold.toml"
    fold.write_text(entry)
    out = tmp_path / "b"
    assert main(["build", str(model), "--out", str(out), "--backend", "rtl",
                 "--rtl-fold", str(fold)]) == 2
    err = capsys.readouterr().err
    assert msg in err and err.count("\n") == 1, err
    assert not out.exists()


def test_preset_names_map_onto_nodes(model, tmp_path, capsys):
    fold = tmp_path / "fold.toml"
    fold.write_text('["fire2.squeeze"]\npe = 2\nsimd = 2\nmult = "dsp"\n[conv1]\npe = 4\n'
                    'mult = "lut"\n')
    assert main(["build", str(model), "--out", str(tmp_path / "b"), "--backend", "rtl",
                 "--rtl-fold", str(fold)]) == 0
    man = json.loads((tmp_path / "b" / "rtl" / "manifest.json").read_text())
    convs = [i for i in man["instances"] if i["module"] == "conv_mvu"]
    assert (convs[0]["params"]["PE"], convs[0]["params"]["SIMD"]) == (4, 1)
    assert (convs[1]["params"]["PE"], convs[1]["params"]["SIMD"]) == (2, 2)
    # mult sets the style; a conv without it takes the default policy
    assert (convs[0]["params"]["MULT_STYLE"], convs[1]["params"]["MULT_STYLE"]) == (1, 0)
    p = convs[2]["params"]
    assert p["MULT_STYLE"] == int(p["IN_W"] <= 4 and p["W_W"] <= 5)
    assert set(man["fold"]) == {convs[0]["layer"], convs[1]["layer"]}
    capsys.readouterr()


def test_fold_dict_checked_too(model):
    with pytest.raises(FoldError, match="no foldable node"):
        netlist(prepare(model), {"Relu_0": {"lanes": 1}})
