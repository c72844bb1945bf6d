"""codegen/qonnx/config_graph.py: the graph of a NetConfig is the random-weight
export of that config, structurally; it runs exactly; the RTL budget path takes it."""
import dataclasses
from pathlib import Path

import numpy as np
import pytest
from onnx import helper

from squeezefpga.codegen.qonnx.config_graph import codes, config_graph, save_config_graph
from squeezefpga.codegen.qonnx.exponent_sites import compare_sites, exponent_sites, site_shift
from squeezefpga.codegen.qonnx.graph import quant_params
from squeezefpga.quant import presets
from squeezefpga.quant.arch import LayerQuant, PoolConfig

ROOT = Path(__file__).resolve().parents[3]
SMALL = (3, 32, 32)   # the ImageNet presets at a size that exports in seconds


def _preset(path: Path, shape=None):
    cfg = presets.load(path)
    return dataclasses.replace(cfg, input_shape=shape).validate() if shape else cfg


def _variants():
    """Every Fire option the presets lack: shared quantizers, act/bias/weight overrides
    (on a shared expand and a complex bypass), padded floor pool, ReLU classifier."""
    cfg = presets.load(ROOT / "tests/e2e/configs/tiny_complex.toml")
    layers = []
    for l in cfg.layers:
        if l.name == "fire2":
            l = dataclasses.replace(l, shared_quant=True)
        elif l.name == "maxpool1":
            l = PoolConfig("maxpool1", 3, 2, 1, False)
        elif l.name == "conv10":
            l = dataclasses.replace(l, relu=True)
        layers.append(l)
    quant = dataclasses.replace(cfg.quant, overrides=(
        ("fire2.expand1x1", LayerQuant(act_bits=6)), ("fire2.expand3x3", LayerQuant(act_bits=3)),
        ("fire3.bypass", LayerQuant(weight_bits=3, act_bits=5, bias_bits=12)),
        ("conv1", LayerQuant(bias_bits=16))))
    return dataclasses.replace(cfg, name="variants", layers=tuple(layers), quant=quant).validate()


CASES = {p.stem: (p, SMALL if p.stem.startswith("squeezenet") else None)
         for p in sorted((ROOT / "configs").glob("*.toml"))}
CASES.update({f"validate_{p.stem}": (p, (1, 14, 14))
              for p in sorted((ROOT / "configs/validate").glob("*.toml")) if p.stem != "set"})
CASES.update({f"e2e_{p.stem}": (p, None) for p in sorted((ROOT / "tests/e2e/configs").glob("*.toml"))})
CASES["variants"] = (None, None)


def case_config(name: str):
    path, shape = CASES[name]
    return _variants() if path is None else _preset(path, shape)


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """exported(case) -> the random-weight export of that case (made once a session)."""
    from squeezefpga.quant.export import check_frames, export_checked, random_model

    done: dict[str, Path] = {}
    root = tmp_path_factory.mktemp("exports")

    def get(name: str) -> Path:
        if name not in done:
            cfg = case_config(name)
            done[name] = export_checked(random_model(cfg, 0), cfg, root / f"{name}.onnx",
                                        check_frames(cfg, 3, 0)).path
        return done[name]
    return get


def structure(model) -> list:
    """Everything but the values: per node its name, op, domain, attributes, inputs
    (initializer shapes, the Quant bit widths and zero points) and output shapes."""
    out = []
    for n in model.graph.node:
        ins = []
        for i, t in enumerate(n.input):
            init = model.get_initializer(t)
            if init is None:
                ins.append((t, model.get_tensor_shape(t)))
            elif n.op_type == "Quant" and i >= 2:   # zero point, bit width
                ins.append((t, init.shape, float(init)))
            else:
                ins.append((t, init.shape, init.dtype.str))
        attrs = sorted((a.name, helper.get_attribute_value(a)) for a in n.attribute)
        out.append((n.name, n.op_type, n.domain, attrs, ins,
                    [(o, model.get_tensor_shape(o)) for o in n.output]))
    return out


# each export takes seconds: the quick loop keeps one ImageNet preset (ceil pools,
# strided 7x7 conv, ReLU classifier, simple and complex bypasses), the rest are slow
FAST = [n if not n.startswith("squeezenet") or n == "squeezenet1_0_complex"
        else pytest.param(n, marks=pytest.mark.slow) for n in CASES]


@pytest.mark.parametrize("name", FAST)
def test_same_structure_as_random_export(name, exported):
    from qonnx.core.modelwrapper import ModelWrapper

    mine, ref = config_graph(case_config(name)), ModelWrapper(str(exported(name)))
    assert structure(mine) == structure(ref)
    assert [(t.name, t.type) for t in mine.graph.input] == [(t.name, t.type) for t in ref.graph.input]
    assert [(t.name, t.type) for t in mine.graph.output] == \
        [(t.name, t.type) for t in ref.graph.output]
    assert sorted(i.name for i in mine.graph.initializer) == \
        sorted(i.name for i in ref.graph.initializer)
    # the nominal rule: no join aligns, no conv shifts its products or bias
    assert all(site_shift(s) == 0 and s.get("bias_shift", 0) == 0 for s in exponent_sites(mine))
    assert [r["node"] for r in compare_sites(mine, ref)] == [s["node"] for s in exponent_sites(ref)]


@pytest.mark.parametrize("name", ["fmnist", "e2e_tiny_simple", "variants", "squeezenet1_0_complex",
                                  "squeezenet1_1"])
def test_golden_equals_qonnx(name, tmp_path):
    import squeezefpga.sim.golden as golden
    from squeezefpga.quant.export import check_frames, qonnx_forward

    cfg = case_config(name)
    path = save_config_graph(cfg, tmp_path / "g.onnx", seed=5)
    x = check_frames(cfg, 3, 1)
    y = golden.load(str(path))(x)
    assert np.array_equal(y, qonnx_forward(config_graph(cfg, seed=5), x))
    assert len(np.unique(y)) > 3           # not a saturated, constant network


def test_values_are_codes_with_both_extremes():
    model = config_graph(case_config("variants"), seed=1)
    init = {i.name for i in model.graph.initializer}
    seen = 0
    for n in model.graph.node:
        if n.op_type == "Quant" and n.input[0] in init:
            q = quant_params(model, n)
            v = model.get_initializer(n.input[0]) / 2.0 ** q.exp
            assert np.array_equal(v, np.round(v))
            assert v.min() == q.qmin and v.max() == q.qmax, n.name
            seen += 1
    assert seen == 2 * len(case_config("variants").quantized_layer_names())


def test_codes_cover_the_range():
    rng = np.random.default_rng(0)
    c = codes(rng, (7, 5), -7, 7)
    assert set(np.unique(c)) == set(range(-7, 8))
    assert sorted(codes(rng, (2,), -128, 127).tolist()) == [-128, 127]
    assert codes(rng, (1,), 0, 3).tolist() == [3]


def test_seeded_and_deterministic():
    cfg = case_config("e2e_tiny_simple")
    a, b, c = (config_graph(cfg, seed=s).model.SerializeToString() for s in (3, 3, 4))
    assert a == b and a != c


CORE = {"ConvMvu", "WindowGen", "MaxPool", "AxisConcat", "AxisAdd", "AxisDup", "GlobalAvgPool"}


def test_rtl_budget_path_accepts_it(tmp_path, exported):
    """What ``budget MODEL.onnx`` runs: onnx_input reads back the config, the RTL
    netlist builds with the same compute ops on the same nodes as from the export
    (the export adds align steps where its exponents differ at a join)."""
    from squeezefpga.codegen.budget.onnx_input import load_onnx, node_layers
    from squeezefpga.codegen.qonnx import prepare
    from squeezefpga.codegen.rtl.project import netlist

    def ops(path):
        insts = netlist(prepare(path))[0]
        return [(type(i).__name__, i.layer) for i in insts if type(i).__name__ in CORE]

    for name in ("fmnist", "variants", "e2e_tiny_complex"):
        cfg = case_config(name)
        path = save_config_graph(cfg, tmp_path / f"{name}.onnx")
        back = load_onnx(path)
        assert back.layers == load_onnx(exported(name)).layers
        assert back.quant == load_onnx(exported(name)).quant
        assert node_layers(path) == node_layers(exported(name))
        assert ops(path) == ops(exported(name))


@pytest.mark.parametrize("name", ["fmnist", "variants", "squeezenet1_1_complex"])
def test_clean_by_construction(name):
    """qonnx's clean-up leaves the graph unchanged (budget CONFIG skips that pass)."""
    from squeezefpga.codegen.qonnx import cleanup

    _, changed = cleanup.apply(config_graph(case_config(name)))
    assert not changed
