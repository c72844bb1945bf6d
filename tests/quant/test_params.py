"""Parameter counts against the SqueezeNet paper (Table 1) and torchvision."""
import json

import pytest

from squeezefpga.cli import main
from squeezefpga.quant import params, presets

# Table 1 of Iandola et al. 2016, "# parameter before pruning" (weights + biases).
PAPER_V10 = {"conv1": 14_208, "fire2": 11_920, "fire3": 12_432, "fire4": 45_344,
             "fire5": 49_440, "fire6": 104_880, "fire7": 111_024, "fire8": 188_992,
             "fire9": 197_184, "conv10": 513_000}
# Table 1 output sizes (227x227 input, ceil-mode pools).
PAPER_V10_SHAPES = {"conv1": [96, 111, 111], "maxpool1": [96, 55, 55], "fire4": [256, 55, 55],
                    "maxpool4": [256, 27, 27], "fire8": [512, 27, 27], "maxpool8": [512, 13, 13],
                    "conv10": [1000, 13, 13], "global_avgpool": [1000, 1, 1]}
TORCHVISION = {"squeezenet1_0": 1_248_424, "squeezenet1_1": 1_235_496}


def test_v10_matches_paper_table1():
    s = params.summary(presets.load("squeezenet1_0"))
    got = {r["name"]: r["params"] for r in s["layers"]}
    for name, n in PAPER_V10.items():
        assert got[name] == n, name
    shapes = {r["name"]: r["out_shape"] for r in s["layers"]}
    for name, shp in PAPER_V10_SHAPES.items():
        assert shapes[name] == shp, name


@pytest.mark.parametrize("name", sorted(TORCHVISION))
def test_total_params_match_torchvision(name):
    assert params.summary(presets.load(name))["total_params"] == TORCHVISION[name]


@pytest.mark.parametrize("name", sorted(TORCHVISION))
def test_params_equal_brevitas_module(name):
    """The analytic count equals the real Brevitas module's parameter count."""
    from squeezefpga.quant.model import build
    cfg = presets.load(name)
    model = build(cfg)
    n = sum(p.numel() for n_, p in model.named_parameters() if n_.endswith(("weight", "bias")))
    assert n == params.summary(cfg)["total_params"]


def test_v11_macs_match_torchvision_gflops():
    # torchvision reports 0.35 GFLOPS (multiply-adds) for squeezenet1_1 at 224x224.
    assert round(params.summary(presets.load("squeezenet1_1"))["total_macs"] / 1e9, 2) == 0.35


def test_conv_macs_hand_computed():
    rows = {r.name: r for r in params.count(presets.load("fmnist"))}
    assert rows["conv1"].macs == 64 * 1 * 9 * 28 * 28
    # fire4 at 7x7: squeeze 128->32, expand 32->128 (1x1) and 32->128 (3x3)
    assert rows["fire4"].macs == (128 * 32 + 32 * 128 + 32 * 128 * 9) * 49


def test_complex_bypass_adds_1x1_conv_params():
    plain = {r.name: r.params for r in params.count(presets.load("squeezenet1_0"))}
    cplx = {r.name: r.params for r in params.count(presets.load("squeezenet1_0_complex"))}
    assert cplx["fire2"] - plain["fire2"] == 96 * 128 + 128
    assert cplx["fire3"] == plain["fire3"]  # simple bypass: no parameters


def test_params_cli_json(capsys):
    assert main(["params", "squeezenet1_1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"layers", "total_params", "total_macs"}
    assert set(out["layers"][0]) == {"name", "out_shape", "params", "macs"}
    assert out["total_params"] == TORCHVISION["squeezenet1_1"]


def test_params_cli_table(capsys):
    assert main(["params", "configs/fmnist.toml"]) == 0
    assert "fire5" in capsys.readouterr().out
