"""codegen/qonnx/exponent_sites.py: the exponents at every conv and join, as golden has them."""
from pathlib import Path

import pytest

from squeezefpga.codegen.qonnx.config_graph import save_config_graph
from squeezefpga.codegen.qonnx.exponent_sites import compare_sites, exponent_sites, site_shift
from squeezefpga.quant import presets

TRAINED = Path(__file__).resolve().parents[3] / "models" / "fmnist" / "fmnist.onnx"


@pytest.mark.parametrize("which", ["trained", "config"])
def test_sites_agree_with_golden(which, tmp_path):
    """Accumulator and join exponents are golden's; shifts are what the netlist carries."""
    from qonnx.core.modelwrapper import ModelWrapper

    import squeezefpga.sim.golden as golden

    path = TRAINED if which == "trained" else save_config_graph(presets.load("fmnist"),
                                                                 tmp_path / "g.onnx")
    model = ModelWrapper(str(path))
    tensors = golden.load(str(path)).tensors
    sites = exponent_sites(model)
    assert [s["op"] for s in sites].count("Conv") == 14 and len(sites) == 20
    for s in sites:
        out = model.get_node_from_name(s["node"]).output[0]
        if s["op"] == "Conv":
            assert tensors[out].exp == min(s["e_x"] + s["e_w"], s["e_b"])
            assert min(s["prod_shift"], s["bias_shift"]) == 0
        else:
            assert tensors[out].exp == min(s["e_in"])
        assert site_shift(s) >= 0
    if which == "trained":   # the trained model's biases are finer than its products
        assert max(site_shift(s) for s in sites) > 0
    else:
        assert all(site_shift(s) == 0 for s in sites)


def test_compare_pairs_sites_by_node(tmp_path):
    from qonnx.core.modelwrapper import ModelWrapper

    nominal = ModelWrapper(str(save_config_graph(presets.load("fmnist"), tmp_path / "g.onnx")))
    rows = compare_sites(nominal, ModelWrapper(str(TRAINED)))
    assert [r["node"] for r in rows] == [s["node"] for s in exponent_sites(nominal)]
    assert all(r["nominal"] == 0 for r in rows)
    actual = {r["node"]: r["actual"] for r in rows}
    # a join's shift is the spread of its input exponents (committed model: both Adds
    # join a Concat at 2**-1 with one at 2**-2)
    for r in rows:
        if r["op"] in ("Add", "Concat"):
            assert r["actual"] == max(r["actual_e_in"]) - min(r["actual_e_in"]), r
    assert actual["Add_0"] == 1 and actual["Add_1"] == 1
