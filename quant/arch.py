"""The one description of a quantized SqueezeNet, shared by every stage.

Frozen dataclasses only; this module must never import torch so that codegen/
and sim/ can read a network description without the training stack.

A network is a sequence of layers (stem convolutions, max-pools, Fire modules,
the classifier convolution) followed by a global average pool and the output
quantizer.  ``NetConfig.validate`` checks the whole description and raises
``ConfigError`` with the offending field named.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Literal, Union

Bypass = Literal["none", "simple", "complex"]
BYPASS_MODES: tuple[str, ...] = ("none", "simple", "complex")

# Legal bit-width ranges, inclusive.  One place only: validation and the CLI
# error messages read them from here.
WEIGHT_BITS = (2, 8)
ACT_BITS = (2, 16)
BIAS_BITS = (2, 32)
INPUT_BITS = (8, 16)  # the input must hold raw bytes 0..255 exactly


class ConfigError(ValueError):
    """An illegal network description; the message names the field."""


@dataclass(frozen=True)
class ConvConfig:
    """A plain convolution (stem or classifier), always followed by ReLU."""

    name: str
    out_channels: int
    kernel: int
    stride: int = 1
    padding: int = 0
    relu: bool = True


@dataclass(frozen=True)
class PoolConfig:
    """A max-pool; ``ceil_mode`` follows torch/ONNX semantics."""

    name: str
    kernel: int = 3
    stride: int = 2
    padding: int = 0
    ceil_mode: bool = False


@dataclass(frozen=True)
class FireConfig:
    """A Fire module: squeeze 1x1 -> (expand 1x1 | expand 3x3) -> concat.

    ``bypass``: "none"; "simple" adds the Fire's input to its output (needs
    equal channel counts); "complex" adds a 1x1 convolution of the input.
    ``shared_quant``: both expand branches use one activation quantizer, so
    the concat joins two tensors of one scale; otherwise each branch learns
    its own power-of-two scale.
    """

    name: str
    s1x1: int
    e1x1: int
    e3x3: int
    bypass: Bypass = "none"
    shared_quant: bool = False

    @property
    def out_channels(self) -> int:
        return self.e1x1 + self.e3x3


Layer = Union[ConvConfig, PoolConfig, FireConfig]


@dataclass(frozen=True)
class LayerQuant:
    """Per-layer override of the network-wide bit widths (None = inherit)."""

    weight_bits: int | None = None
    act_bits: int | None = None
    bias_bits: int | None = None


@dataclass(frozen=True)
class QuantSpec:
    """Bit widths of the fixed-point (power-of-two scale) quantizers.

    input: unsigned, scale 1, so raw pixel bytes are represented exactly.
    weights: signed narrow-range; activations after ReLU: unsigned;
    complex-bypass outputs: signed; biases: signed with their own
    power-of-two scale; ``out_bits``: signed quantizer after the global pool.
    ``overrides`` maps a quantized layer name (e.g. ``conv1``,
    ``fire2.expand3x3``, ``conv10``) to a ``LayerQuant``.
    """

    input_bits: int = 8
    weight_bits: int = 4
    act_bits: int = 4
    bias_bits: int = 8
    out_bits: int = 8
    overrides: tuple[tuple[str, LayerQuant], ...] = ()

    def for_layer(self, name: str) -> tuple[int, int, int]:
        """(weight_bits, act_bits, bias_bits) in force for one quantized layer."""
        o = dict(self.overrides).get(name, LayerQuant())
        return (
            o.weight_bits if o.weight_bits is not None else self.weight_bits,
            o.act_bits if o.act_bits is not None else self.act_bits,
            o.bias_bits if o.bias_bits is not None else self.bias_bits,
        )


@dataclass(frozen=True)
class MetaParams:
    """The SqueezeNet paper's microarchitecture metaparameters (section 5).

    Fire i (0-based) has e_i = base_e + incr_e * floor(i / freq) expand filters,
    of which pct_3x3 are 3x3, and s1x1 = sr * e_i squeeze filters.
    """

    base_e: int = 128
    incr_e: int = 128
    freq: int = 2
    pct_3x3: float = 0.5
    sr: float = 0.125

    def fire_widths(self, index: int) -> tuple[int, int, int]:
        """(s1x1, e1x1, e3x3) of the index-th Fire module."""
        e = self.base_e + self.incr_e * (index // self.freq)
        e3 = _exact_int(e * self.pct_3x3, f"pct_3x3 * e_{index}")
        s = _exact_int(e * self.sr, f"sr * e_{index}")
        return s, e - e3, e3


def _exact_int(v: float, what: str) -> int:
    r = round(v)
    if abs(v - r) > 1e-9:
        raise ConfigError(f"metaparams: {what} = {v} is not an integer")
    return int(r)


@dataclass(frozen=True)
class NetConfig:
    """A whole network: input, layers, classes and quantization."""

    name: str
    input_shape: tuple[int, int, int]  # (C, H, W)
    num_classes: int
    layers: tuple[Layer, ...]
    quant: QuantSpec = field(default_factory=QuantSpec)
    dropout: float = 0.0
    allow_wide_squeeze: bool = False  # permit s1x1 >= e1x1 + e3x3

    @property
    def fires(self) -> tuple[FireConfig, ...]:
        return tuple(l for l in self.layers if isinstance(l, FireConfig))

    def quantized_layer_names(self) -> list[str]:
        """Names of every weight layer, as used by QuantSpec.overrides."""
        names = []
        for l in self.layers:
            if isinstance(l, ConvConfig):
                names.append(l.name)
            elif isinstance(l, FireConfig):
                names += [f"{l.name}.squeeze", f"{l.name}.expand1x1", f"{l.name}.expand3x3"]
                if l.bypass == "complex":
                    names.append(f"{l.name}.bypass")
        return names

    def validate(self) -> "NetConfig":
        """Check everything; return self so calls can be chained."""
        c, h, w = self.input_shape
        _positive("net.input_shape", c, h, w)
        _positive("net.num_classes", self.num_classes)
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"net.dropout = {self.dropout} must be in [0, 1)")
        if not self.layers:
            raise ConfigError("layers: the network has no layers")
        seen: set[str] = set()
        for layer in self.layers:
            if layer.name in seen:
                raise ConfigError(f"layers: duplicate layer name '{layer.name}'")
            seen.add(layer.name)
            c, h, w = layer_output_shape(layer, (c, h, w))
        last = self.layers[-1]
        if not isinstance(last, ConvConfig) or last.kernel != 1:
            raise ConfigError(f"layers.{last.name}: the last layer must be the 1x1 classifier conv")
        if last.out_channels != self.num_classes:
            raise ConfigError(
                f"layers.{last.name}.out_channels = {last.out_channels} must equal "
                f"net.num_classes = {self.num_classes}")
        self._validate_fires()
        self._validate_quant()
        return self

    def _validate_fires(self) -> None:
        cin = self.input_shape[0]
        for layer in self.layers:
            if isinstance(layer, FireConfig):
                if layer.bypass not in BYPASS_MODES:
                    raise ConfigError(f"layers.{layer.name}.bypass = '{layer.bypass}' "
                                      f"is not one of {', '.join(BYPASS_MODES)}")
                if not self.allow_wide_squeeze and layer.s1x1 >= layer.out_channels:
                    raise ConfigError(
                        f"layers.{layer.name}.s1x1 = {layer.s1x1} must be < e1x1 + e3x3 = "
                        f"{layer.out_channels} (set net.allow_wide_squeeze = true to override)")
                if layer.bypass == "simple" and cin != layer.out_channels:
                    raise ConfigError(
                        f"layers.{layer.name}.bypass = 'simple' needs equal input and output "
                        f"channels, got {cin} -> {layer.out_channels}")
            if not isinstance(layer, PoolConfig):
                cin = layer.out_channels

    def _validate_quant(self) -> None:
        q = self.quant
        _bits("quant.input_bits", q.input_bits, INPUT_BITS)
        _bits("quant.weight_bits", q.weight_bits, WEIGHT_BITS)
        _bits("quant.act_bits", q.act_bits, ACT_BITS)
        _bits("quant.bias_bits", q.bias_bits, BIAS_BITS)
        _bits("quant.out_bits", q.out_bits, ACT_BITS)
        known = set(self.quantized_layer_names())
        for name, o in q.overrides:
            if name not in known:
                raise ConfigError(f"quant.overrides.{name}: no quantized layer of that name "
                                  f"(known: {', '.join(sorted(known))})")
            for fname, rng in (("weight_bits", WEIGHT_BITS), ("act_bits", ACT_BITS),
                               ("bias_bits", BIAS_BITS)):
                v = getattr(o, fname)
                if v is not None:
                    _bits(f"quant.overrides.{name}.{fname}", v, rng)

    def replace(self, **changes) -> "NetConfig":
        return dataclasses.replace(self, **changes)


def _positive(what: str, *values: int) -> None:
    for v in values:
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise ConfigError(f"{what} must be positive integers, got {v!r}")


def _bits(what: str, v: int, rng: tuple[int, int]) -> None:
    if not isinstance(v, int) or isinstance(v, bool) or not rng[0] <= v <= rng[1]:
        raise ConfigError(f"{what} = {v!r} is out of range [{rng[0]}, {rng[1]}]")


def conv_out(size: int, kernel: int, stride: int, padding: int) -> int:
    """Output length of a convolution (floor mode)."""
    return (size + 2 * padding - kernel) // stride + 1


def pool_out(size: int, kernel: int, stride: int, padding: int, ceil_mode: bool) -> int:
    """Output length of a max-pool, exactly as torch and ONNX define it.

    In ceil mode the last window must start inside the input or the left
    padding; a window starting in the right padding is dropped.
    """
    span = size + 2 * padding - kernel
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def layer_output_shape(layer: Layer, shape: tuple[int, int, int]) -> tuple[int, int, int]:
    """Output (C, H, W) of one layer; raises ConfigError if it does not fit."""
    c, h, w = shape
    if isinstance(layer, ConvConfig):
        _positive(f"layers.{layer.name}.out_channels/kernel/stride", layer.out_channels,
                  layer.kernel, layer.stride)
        if layer.padding < 0 or layer.padding >= layer.kernel:
            raise ConfigError(f"layers.{layer.name}.padding = {layer.padding} must be in "
                              f"[0, kernel)")
        ho, wo = (conv_out(s, layer.kernel, layer.stride, layer.padding) for s in (h, w))
        c = layer.out_channels
    elif isinstance(layer, PoolConfig):
        _positive(f"layers.{layer.name}.kernel/stride", layer.kernel, layer.stride)
        if layer.padding < 0 or 2 * layer.padding > layer.kernel:
            raise ConfigError(f"layers.{layer.name}.padding = {layer.padding} must be in "
                              f"[0, kernel/2]")
        ho, wo = (pool_out(s, layer.kernel, layer.stride, layer.padding, layer.ceil_mode)
                  for s in (h, w))
    elif isinstance(layer, FireConfig):
        _positive(f"layers.{layer.name}.s1x1/e1x1/e3x3", layer.s1x1, layer.e1x1, layer.e3x3)
        ho, wo, c = h, w, layer.out_channels
    else:  # pragma: no cover - typing guard
        raise ConfigError(f"unknown layer {layer!r}")
    if ho <= 0 or wo <= 0:
        raise ConfigError(f"layers.{layer.name}: input {h}x{w} is too small "
                          f"(output would be {ho}x{wo})")
    return c, ho, wo


def layer_shapes(cfg: NetConfig) -> list[tuple[Layer, tuple[int, int, int], tuple[int, int, int]]]:
    """[(layer, input CHW, output CHW)] for every layer, in order."""
    out = []
    shape = cfg.input_shape
    for layer in cfg.layers:
        nxt = layer_output_shape(layer, shape)
        out.append((layer, shape, nxt))
        shape = nxt
    return out


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def log2_exact(v: float) -> int | None:
    """k if v == 2**k exactly, else None."""
    if v <= 0:
        return None
    m, e = math.frexp(v)
    return e - 1 if m == 0.5 else None
