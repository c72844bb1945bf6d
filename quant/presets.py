"""TOML presets -> NetConfig (no torch).

A preset file has the tables ``[net]``, ``[quant]`` (with optional
``[quant.overrides.NAME]``), optional ``[metaparams]`` and an array
``[[layers]]`` whose entries have ``type = "conv" | "pool" | "fire"``.
A Fire without explicit widths takes them from the metaparameters, by its
position among the Fires.  ``net.bypass`` places bypasses as the paper does:
"simple" on every Fire whose input and output channel counts match, "complex"
adds a 1x1 bypass convolution on the others; a Fire's own ``bypass`` wins.
A file may start with ``base = "other.toml"``: tables are merged key by key,
arrays (``layers``) are replaced whole.

Unknown keys are errors that name the key.
"""
from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from .arch import (BYPASS_MODES, ConfigError, ConvConfig, FireConfig, LayerQuant, MetaParams,
                   NetConfig, PoolConfig, QuantSpec)

CONFIG_DIR = Path(str(resources.files("squeezefpga.configs")))  # package data

_NET_KEYS = {"name", "input_shape", "num_classes", "dropout", "bypass", "shared_quant",
             "allow_wide_squeeze"}
_QUANT_KEYS = {"input_bits", "weight_bits", "act_bits", "bias_bits", "out_bits", "overrides"}
_OVERRIDE_KEYS = {"weight_bits", "act_bits", "bias_bits"}
_META_KEYS = {"base_e", "incr_e", "freq", "pct_3x3", "sr"}
_LAYER_KEYS = {
    "conv": {"type", "name", "out_channels", "kernel", "stride", "padding", "relu"},
    "pool": {"type", "name", "kernel", "stride", "padding", "ceil_mode"},
    "fire": {"type", "name", "s1x1", "e1x1", "e3x3", "bypass", "shared_quant"},
}
_TOP_KEYS = {"base", "net", "quant", "metaparams", "layers"}


def resolve(path_or_name: str | Path) -> Path:
    """A file path, or the name of a preset in configs/ (with or without .toml)."""
    p = Path(path_or_name)
    if p.is_file():
        return p
    for cand in (CONFIG_DIR / p.name, CONFIG_DIR / f"{p.name}.toml"):
        if cand.is_file():
            return cand
    raise ConfigError(f"config '{path_or_name}': no such file or preset in {CONFIG_DIR}")


def read_tree(path_or_name: str | Path) -> dict[str, Any]:
    """The merged TOML tree of a preset (after following ``base``)."""
    path = resolve(path_or_name)
    try:
        tree = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"config '{path}': not valid TOML: {e}") from None
    base = tree.pop("base", None)
    if base is not None:
        parent = read_tree(path.parent / base if (path.parent / base).is_file() else base)
        tree = _merge(parent, tree)
    return tree


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load(path_or_name: str | Path) -> NetConfig:
    """Load and validate a preset."""
    return from_tree(read_tree(path_or_name))


def _check_keys(section: str, d: dict, allowed: set[str]) -> None:
    if not isinstance(d, dict):
        raise ConfigError(f"{section}: expected a table, got {type(d).__name__}")
    unknown = sorted(set(d) - allowed)
    if unknown:
        raise ConfigError(f"{section}.{unknown[0]}: unknown key (allowed: {', '.join(sorted(allowed))})")


def _req(section: str, d: dict, key: str):
    if key not in d:
        raise ConfigError(f"{section}.{key}: missing")
    return d[key]


def from_tree(tree: dict[str, Any]) -> NetConfig:
    """Build a validated NetConfig from a parsed TOML tree."""
    tree = dict(tree)
    tree.pop("base", None)
    _check_keys("config", tree, _TOP_KEYS)
    net = tree.get("net", {})
    _check_keys("net", net, _NET_KEYS)
    meta_d = tree.get("metaparams", {})
    _check_keys("metaparams", meta_d, _META_KEYS)
    meta = MetaParams(**meta_d)
    quant_d = dict(tree.get("quant", {}))
    _check_keys("quant", quant_d, _QUANT_KEYS)
    overrides = []
    for name, o in quant_d.pop("overrides", {}).items():
        _check_keys(f"quant.overrides.{name}", o, _OVERRIDE_KEYS)
        overrides.append((name, LayerQuant(**o)))
    quant = QuantSpec(**quant_d, overrides=tuple(overrides))

    pattern = net.get("bypass", "none")
    if pattern not in BYPASS_MODES:
        raise ConfigError(f"net.bypass = '{pattern}' is not one of {', '.join(BYPASS_MODES)}")
    shared = bool(net.get("shared_quant", False))
    shape = tuple(_req("net", net, "input_shape"))
    if len(shape) != 3:
        raise ConfigError(f"net.input_shape = {list(shape)} must be [C, H, W]")

    layers = []
    fire_index = 0
    channels = shape[0]
    raw_layers = tree.get("layers", [])
    if not isinstance(raw_layers, list):
        raise ConfigError("layers: expected an array of tables [[layers]]")
    for i, ld in enumerate(raw_layers):
        kind = ld.get("type") if isinstance(ld, dict) else None
        if kind not in _LAYER_KEYS:
            raise ConfigError(f"layers[{i}].type = {kind!r} is not one of conv, pool, fire")
        section = f"layers.{ld.get('name', i)}"
        _check_keys(section, ld, _LAYER_KEYS[kind])
        args = {k: v for k, v in ld.items() if k != "type"}
        _req(section, args, "name")
        try:
            if kind == "conv":
                layer = ConvConfig(**args)
            elif kind == "pool":
                layer = PoolConfig(**args)
            else:
                if not {"s1x1", "e1x1", "e3x3"} <= set(args):
                    given = {k for k in ("s1x1", "e1x1", "e3x3") if k in args}
                    if given:
                        raise ConfigError(f"{section}: give all of s1x1, e1x1, e3x3 or none "
                                          f"(got only {', '.join(sorted(given))})")
                    args["s1x1"], args["e1x1"], args["e3x3"] = meta.fire_widths(fire_index)
                args.setdefault("shared_quant", shared)
                if "bypass" not in args:
                    args["bypass"] = _paper_bypass(pattern, channels,
                                                   args["e1x1"] + args["e3x3"])
                layer = FireConfig(**args)
                fire_index += 1
        except TypeError as e:
            raise ConfigError(f"{section}: {e}") from None
        if not isinstance(layer, PoolConfig):
            channels = layer.out_channels
        layers.append(layer)

    cfg = NetConfig(
        name=str(net.get("name", "net")),
        input_shape=shape,
        num_classes=_req("net", net, "num_classes"),
        layers=tuple(layers),
        quant=quant,
        dropout=float(net.get("dropout", 0.0)),
        allow_wide_squeeze=bool(net.get("allow_wide_squeeze", False)),
    )
    return cfg.validate()


def _paper_bypass(pattern: str, cin: int, cout: int) -> str:
    if pattern == "none":
        return "none"
    if cin == cout:
        return "simple"
    return "complex" if pattern == "complex" else "none"
