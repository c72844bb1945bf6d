"""quant/arch.py: metaparameters, shapes and validation."""
import dataclasses
import subprocess
import sys

import pytest

from squeezefpga.quant.arch import (ConfigError, ConvConfig, FireConfig, MetaParams, NetConfig, PoolConfig,
                        QuantSpec, LayerQuant, pool_out)


def test_arch_does_not_import_torch():
    code = "import quant.arch, quant.presets, quant.params, sys; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_metaparams_reproduce_paper_fire_table():
    m = MetaParams()
    paper = [(16, 64, 64), (16, 64, 64), (32, 128, 128), (32, 128, 128), (48, 192, 192),
             (48, 192, 192), (64, 256, 256), (64, 256, 256)]
    assert [m.fire_widths(i) for i in range(8)] == paper


def test_metaparams_non_integer_width_is_refused():
    with pytest.raises(ConfigError, match="sr"):
        MetaParams(base_e=100, sr=0.125).fire_widths(0)


@pytest.mark.parametrize("size,k,s,p,ceil,expected", [
    (111, 3, 2, 0, True, 55), (55, 3, 2, 0, True, 27), (27, 3, 2, 0, True, 13),
    (28, 3, 2, 1, False, 14), (6, 3, 2, 1, True, 4), (5, 2, 2, 1, True, 3), (4, 3, 2, 0, True, 2)])
def test_pool_out_matches_torch(size, k, s, p, ceil, expected):
    import torch
    got = torch.nn.functional.max_pool2d(torch.zeros(1, 1, size, size), k, s, p, ceil_mode=ceil)
    assert pool_out(size, k, s, p, ceil) == expected == got.shape[-1]


def _net(*layers, quant=QuantSpec(), **kw):
    return NetConfig("t", (3, 16, 16), 10, tuple(layers), quant, **kw)


CLS = ConvConfig("conv10", 10, 1)


def test_valid_net_passes():
    _net(ConvConfig("c1", 8, 3), FireConfig("f2", 4, 8, 8), FireConfig("f3", 4, 8, 8, "simple"),
         PoolConfig("p"), CLS).validate()


@pytest.mark.parametrize("layers,field", [
    ((ConvConfig("c1", 8, 3), FireConfig("f2", 16, 8, 8), CLS), "f2.s1x1"),
    ((ConvConfig("c1", 8, 3), FireConfig("f2", 4, 8, 8, "simple"), CLS), "f2.bypass"),
    ((ConvConfig("c1", 8, 3), FireConfig("f2", 4, 8, 8, "weird"), CLS), "f2.bypass"),
    ((ConvConfig("c1", 8, 3), ConvConfig("c2", 5, 1)), "c2.out_channels"),
    ((ConvConfig("c1", 8, 3), FireConfig("f2", 4, 8, 8)), "f2: the last layer"),
    ((ConvConfig("c1", 8, 17), CLS), "c1: input"),
    ((ConvConfig("c1", 8, 3), ConvConfig("c1", 10, 1)), "duplicate"),
    ((ConvConfig("c1", 0, 3), CLS), "c1.out_channels"),
    ((ConvConfig("c1", 8, 3, padding=3), CLS), "c1.padding"),
    ((ConvConfig("c1", 8, 3), PoolConfig("p", 3, 2, 2), CLS), "p.padding"),
])
def test_illegal_layers_name_the_field(layers, field):
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        _net(*layers).validate()


def test_wide_squeeze_override():
    layers = (ConvConfig("c1", 8, 3), FireConfig("f2", 16, 8, 8), CLS)
    _net(*layers, allow_wide_squeeze=True).validate()


@pytest.mark.parametrize("quant,field", [
    (QuantSpec(weight_bits=1), "quant.weight_bits"), (QuantSpec(weight_bits=9), "quant.weight_bits"),
    (QuantSpec(act_bits=17), "quant.act_bits"), (QuantSpec(act_bits=1), "quant.act_bits"),
    (QuantSpec(input_bits=7), "quant.input_bits"), (QuantSpec(bias_bits=33), "quant.bias_bits"),
    (QuantSpec(overrides=(("nope", LayerQuant(weight_bits=4)),)), "quant.overrides.nope"),
    (QuantSpec(overrides=(("c1", LayerQuant(weight_bits=12)),)), "quant.overrides.c1.weight_bits"),
])
def test_bit_widths_out_of_range(quant, field):
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        _net(ConvConfig("c1", 8, 3), CLS, quant=quant).validate()


def test_overrides_resolve_per_layer():
    q = QuantSpec(weight_bits=4, act_bits=4, overrides=(("conv10", LayerQuant(weight_bits=8)),))
    assert q.for_layer("conv10") == (8, 4, 8)
    assert q.for_layer("fire2.squeeze") == (4, 4, 8)


def test_configs_are_frozen():
    c = _net(ConvConfig("c1", 8, 3), CLS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.num_classes = 3
