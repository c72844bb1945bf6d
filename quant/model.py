"""Brevitas SqueezeNet built from a NetConfig.

Every quantizer is per-tensor fixed point (power-of-two scale, zero-point 0):
- input: unsigned, constant scale 1, so raw bytes 0..255 pass exactly;
- weights: signed narrow range; biases: signed with their own power-of-two
  scale (internal scaling, independent of the input scale);
- activations after ReLU: unsigned; complex-bypass outputs: signed;
- after the global average pool: signed ``quant.out_bits``.
Training may start with BatchNorm after every convolution (``build(cfg,
batchnorm=True)``, used in the float warm-up); ``fold_batchnorm`` folds each BN
into its convolution's float weight and bias and removes it, so the exported
network never contains one.
Concat/Add act on dequantized tensors, so inputs of different scales join
exactly (the union of two power-of-two grids is the finer grid).  With
``FireConfig.shared_quant`` both expand branches use one quantizer.
"""
from __future__ import annotations

import torch
import torch.nn as nn
from brevitas.core.scaling import ScalingImplType
from brevitas.nn import QuantConv2d, QuantIdentity, QuantReLU
from brevitas.quant import (Int8ActPerTensorFixedPoint, Int8BiasPerTensorFixedPointInternalScaling,
                            Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint)

from .arch import ConvConfig, FireConfig, NetConfig, PoolConfig


class InputQuant(Uint8ActPerTensorFixedPoint):
    """Unsigned input quantizer with the constant scale 1 (raw bytes)."""

    scaling_impl_type = ScalingImplType.CONST
    scaling_const = 255.0
    max_val = 255.0


def _conv(cfg: NetConfig, name: str, cin: int, cout: int, k: int, stride: int = 1,
          padding: int = 0) -> QuantConv2d:
    wb, _, bb = cfg.quant.for_layer(name)
    return QuantConv2d(cin, cout, k, stride=stride, padding=padding, bias=True,
                       weight_quant=Int8WeightPerTensorFixedPoint, weight_bit_width=wb,
                       bias_quant=Int8BiasPerTensorFixedPointInternalScaling, bias_bit_width=bb)


def _relu(cfg: NetConfig, name: str) -> QuantReLU:
    _, ab, _ = cfg.quant.for_layer(name)
    return QuantReLU(act_quant=Uint8ActPerTensorFixedPoint, bit_width=ab)


class ConvBN(nn.Module):
    """A quantized conv with an optional float BatchNorm (training warm-up only)."""

    def __init__(self, conv: QuantConv2d, batchnorm: bool):
        super().__init__()
        self.conv = conv
        self.bn = nn.BatchNorm2d(conv.out_channels) if batchnorm else None

    def forward(self, x):
        x = self.conv(x)
        return self.bn(x) if self.bn is not None else x

    @torch.no_grad()
    def fold(self) -> None:
        if self.bn is None:
            return
        bn = self.bn
        k = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        self.conv.weight.mul_(k.view(-1, 1, 1, 1))
        self.conv.bias.copy_((self.conv.bias - bn.running_mean) * k + bn.bias)
        self.bn = None


class ConvReLU(nn.Module):
    def __init__(self, cfg: NetConfig, layer: ConvConfig, cin: int, batchnorm: bool):
        super().__init__()
        self.conv = ConvBN(_conv(cfg, layer.name, cin, layer.out_channels, layer.kernel,
                                 layer.stride, layer.padding), batchnorm)
        self.act = _relu(cfg, layer.name) if layer.relu else None

    def forward(self, x):
        x = self.conv(x)
        return self.act(x) if self.act is not None else x


class Fire(nn.Module):
    def __init__(self, cfg: NetConfig, f: FireConfig, cin: int, batchnorm: bool):
        super().__init__()
        n = f.name
        self.bypass = f.bypass
        self.squeeze = ConvBN(_conv(cfg, f"{n}.squeeze", cin, f.s1x1, 1), batchnorm)
        self.squeeze_act = _relu(cfg, f"{n}.squeeze")
        self.expand1x1 = ConvBN(_conv(cfg, f"{n}.expand1x1", f.s1x1, f.e1x1, 1), batchnorm)
        self.expand1x1_act = _relu(cfg, f"{n}.expand1x1")
        self.expand3x3 = ConvBN(_conv(cfg, f"{n}.expand3x3", f.s1x1, f.e3x3, 3, padding=1),
                                batchnorm)
        if f.shared_quant:
            self.expand3x3_act = QuantReLU(act_quant=self.expand1x1_act.act_quant)
        else:
            self.expand3x3_act = _relu(cfg, f"{n}.expand3x3")
        if f.bypass == "complex":
            self.bypass_conv = ConvBN(_conv(cfg, f"{n}.bypass", cin, f.out_channels, 1), batchnorm)
            _, ab, _ = cfg.quant.for_layer(f"{n}.bypass")
            self.bypass_quant = QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=ab)

    def forward(self, x):
        s = self.squeeze_act(self.squeeze(x))
        y = torch.cat([self.expand1x1_act(self.expand1x1(s)),
                       self.expand3x3_act(self.expand3x3(s))], dim=1)
        if self.bypass == "simple":
            y = y + x
        elif self.bypass == "complex":
            y = y + self.bypass_quant(self.bypass_conv(x))
        return y


class QuantSqueezeNet(nn.Module):
    """Input quant -> layers -> global average pool -> output quant -> flatten."""

    def __init__(self, cfg: NetConfig, batchnorm: bool = False):
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        self.input_quant = QuantIdentity(act_quant=InputQuant)
        layers = nn.ModuleDict()
        cin = cfg.input_shape[0]
        for layer in cfg.layers:
            if isinstance(layer, ConvConfig):
                if layer is cfg.layers[-1] and cfg.dropout > 0:
                    layers[f"{layer.name}_dropout"] = nn.Dropout(cfg.dropout)
                # No BN on the classifier: its outputs are the logits.
                bn = batchnorm and layer is not cfg.layers[-1]
                layers[layer.name] = ConvReLU(cfg, layer, cin, bn)
                cin = layer.out_channels
            elif isinstance(layer, PoolConfig):
                layers[layer.name] = nn.MaxPool2d(layer.kernel, layer.stride, layer.padding,
                                                  ceil_mode=layer.ceil_mode)
            else:
                layers[layer.name] = Fire(cfg, layer, cin, batchnorm)
                cin = layer.out_channels
        self.layers = layers
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.output_quant = QuantIdentity(act_quant=Int8ActPerTensorFixedPoint,
                                          bit_width=cfg.quant.out_bits)
        self._init_weights()

    def _init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, QuantConv2d):
                nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
        # The input is raw bytes (0..255): scale the first conv's weights so its
        # output starts at a normal magnitude (normalization is learned here).
        first = self.first_conv()
        with torch.no_grad():
            first.weight.mul_(1.0 / 255.0)

    @property
    def has_batchnorm(self) -> bool:
        return any(m.bn is not None for m in self.modules() if isinstance(m, ConvBN))

    def fold_batchnorm(self) -> None:
        """Fold every BatchNorm into its conv (float weights/biases) and drop it."""
        for m in self.modules():
            if isinstance(m, ConvBN):
                m.fold()

    def first_conv(self) -> QuantConv2d:
        return next(m for m in self.modules() if isinstance(m, QuantConv2d))

    def forward(self, x):
        x = self.input_quant(x)
        for layer in self.layers.values():
            x = layer(x)
        return self.output_quant(self.pool(x)).flatten(1)


def build(cfg: NetConfig, batchnorm: bool = False) -> QuantSqueezeNet:
    return QuantSqueezeNet(cfg, batchnorm)


@torch.no_grad()
def calibrate(model: QuantSqueezeNet, batches) -> None:
    """Run batches in train mode so activation scales leave their init stats."""
    was = model.training
    model.train()
    for x in batches:
        model(x)
    model.train(was)
