"""TOML presets: every shipped preset loads; bad files name the offending key."""
import pytest

from squeezefpga.cli import main
from squeezefpga.quant import presets
from squeezefpga.quant.arch import ConfigError

PRESETS = ["fmnist", "squeezenet1_0", "squeezenet1_1", "squeezenet1_0_simple",
           "squeezenet1_0_complex", "squeezenet1_1_simple", "squeezenet1_1_complex"]


@pytest.mark.parametrize("name", PRESETS)
def test_preset_loads(name):
    cfg = presets.load(name)
    assert cfg.name == name and cfg.fires


def test_paper_bypass_placement():
    simple = [f.bypass for f in presets.load("squeezenet1_0_simple").fires]
    cplx = [f.bypass for f in presets.load("squeezenet1_0_complex").fires]
    assert simple == ["none", "simple"] * 4   # fires 3, 5, 7, 9
    assert cplx == ["complex", "simple"] * 4


def test_v10_fires_come_from_metaparams():
    f = presets.load("squeezenet1_0").fires
    assert (f[4].s1x1, f[4].e1x1, f[4].e3x3) == (48, 192, 192)


def test_fmnist_quant():
    q = presets.load("fmnist").quant
    assert (q.input_bits, q.weight_bits, q.act_bits) == (8, 4, 4)
    assert q.for_layer("conv10")[0] == 8


def _write(tmp_path, text):
    p = tmp_path / "c.toml"
    p.write_text('base = "%s"\n' % (presets.CONFIG_DIR / "fmnist.toml") + text)
    return p


@pytest.mark.parametrize("text,field", [
    ("[net]\ncolour = 3\n", "net.colour"),
    ("[quant]\nweight_bits = 12\n", "quant.weight_bits"),
    ("[quant.overrides.fire9]\nweight_bits = 4\n", "quant.overrides.fire9"),
    ("[quant.overrides.conv1]\nwidth = 4\n", "quant.overrides.conv1.width"),
    ("[net]\nbypass = 'sideways'\n", "net.bypass"),
    ("wat = 1\n", "config.wat"),
    ("[[layers]]\ntype = 'fire'\nname = 'f'\ns1x1 = 4\n", "layers.f"),
    ("[[layers]]\ntype = 'lstm'\nname = 'f'\n", "layers[0].type"),
    ("[net]\nnum_classes = 3\n", "out_channels"),
])
def test_bad_preset_names_field(tmp_path, text, field):
    with pytest.raises(ConfigError, match=field.replace(".", r"\.").replace("[", r"\[")):
        presets.load(_write(tmp_path, text))


def test_bad_preset_cli_one_line(tmp_path, capsys):
    p = _write(tmp_path, "[quant]\nact_bits = 1\n")
    assert main(["params", str(p)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "quant.act_bits" in err[0]


def test_invalid_toml(tmp_path):
    p = tmp_path / "x.toml"
    p.write_text("[net\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        presets.load(p)
