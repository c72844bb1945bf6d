"""Tiny Brevitas models exported to QONNX: golden == qonnx == torch, exactly."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn as nn  # noqa: E402
from brevitas.core.scaling import ScalingImplType  # noqa: E402
from brevitas.nn import QuantConv2d, QuantIdentity, QuantReLU  # noqa: E402
from brevitas.quant import (Int8ActPerTensorFixedPoint, Int8BiasPerTensorFixedPointInternalScaling,  # noqa: E402
                            Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint)
from qgraph import assert_three_way, export_brevitas  # noqa: E402


class InQ(Uint8ActPerTensorFixedPoint):
    scaling_impl_type = ScalingImplType.CONST
    scaling_const = 255.0
    max_val = 255.0


def qconv(cin, cout, k, pad=0, wbits=4, bbits=16):
    return QuantConv2d(cin, cout, k, padding=pad, weight_quant=Int8WeightPerTensorFixedPoint,
                       weight_bit_width=wbits, bias_quant=Int8BiasPerTensorFixedPointInternalScaling,
                       bias_bit_width=bbits)


class Mini(nn.Module):
    """conv -> relu (two scales) -> concat -> ceil maxpool -> bypass add -> GAP -> signed quant."""

    def __init__(self, cin=1):
        super().__init__()
        self.q = QuantIdentity(act_quant=InQ, return_quant_tensor=False)
        self.c = qconv(cin, 4, 3, pad=1)
        self.r = QuantReLU(act_quant=Uint8ActPerTensorFixedPoint, bit_width=4)
        self.c2 = qconv(4, 4, 1, bbits=8)
        self.r2 = QuantReLU(act_quant=Uint8ActPerTensorFixedPoint, bit_width=3)
        self.c3 = qconv(4, 8, 1, bbits=8)
        self.r3 = QuantReLU(act_quant=Uint8ActPerTensorFixedPoint, bit_width=5)
        self.p = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.g = nn.AdaptiveAvgPool2d(1)
        self.oq = QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=8)

    def forward(self, x):
        a = self.r(self.c(self.q(x)))
        z = torch.cat([a, self.r2(self.c2(a))], 1)
        z = self.p(z)
        z = z + self.r3(self.c3(self.p(a)))
        return self.oq(self.g(z)).flatten(1)


def calibrated(module, shape, seed, scale=255.0):
    torch.manual_seed(seed)
    module.train()
    with torch.no_grad():
        for _ in range(3):
            module(torch.rand(8, *shape) * scale)
    return module.eval()


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    shape = (2, 9, 11)
    m = calibrated(Mini(cin=2), shape, seed=0)
    return m, export_brevitas(m, shape, tmp_path_factory.mktemp("mini") / "mini.onnx"), shape


def test_mini_random_inputs(mini):
    m, mw, shape = mini
    x = np.random.default_rng(0).integers(0, 256, size=(6, *shape)).astype(np.float32)
    plan, _ = assert_three_way(m, mw, x)
    ops = [s.op for s in plan.steps]
    assert {"Concat", "Add", "MaxPool", "GlobalAveragePool+Quant", "Flatten"} <= set(ops)


def test_mini_saturating_and_tie_inputs(mini):
    m, mw, shape = mini
    rng = np.random.default_rng(1)
    x = rng.integers(-300, 600, size=(4, *shape)).astype(np.float32)  # saturates at 0 and 255
    x[0] = rng.integers(0, 255, size=shape) + 0.5                     # every pixel a tie
    x[1] = np.where(rng.random(shape) < 0.5, 254.5, -0.5)            # ties at the rails
    x[2] = np.full(shape, 1e6)
    assert_three_way(m, mw, x)


class GapOnly(nn.Module):
    def __init__(self):
        super().__init__()
        self.q = QuantIdentity(act_quant=InQ, return_quant_tensor=False)
        self.g = nn.AdaptiveAvgPool2d(1)
        self.oq = QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=8)

    def forward(self, x):
        return self.oq(self.g(self.q(x))).flatten(1)


def test_global_avgpool_means_exactly_at_half_ulp(tmp_path):
    shape = (6, 4, 4)
    m = calibrated(GapOnly(), shape, seed=2, scale=15.0)  # small inputs -> fine output scale
    mw = export_brevitas(m, shape, tmp_path / "gap.onnx")
    from squeezefpga.sim.golden import load

    e = load(mw).output.exp
    assert -3 <= e <= 0, e  # so that sum/16 can sit at (k + 1/2) * 2**e with integer pixels
    rng = np.random.default_rng(3)
    x = np.zeros((5, 6, 16))
    for f in range(5):
        for c in range(6):
            k = int(rng.integers(-2, 100)) if f else c
            total = (2 * k + 1) * 2 ** (e + 3)  # mean = (k + 1/2) * 2**e exactly
            total = max(total, 2 ** (e + 3))
            q, r = divmod(total, 16)
            x[f, c] = q
            x[f, c, :r] += 1
            rng.shuffle(x[f, c])
    x = x.reshape(5, *shape).astype(np.float32)
    _, y = assert_three_way(m, mw, x)
    codes = np.ldexp(y, -e)
    assert np.all(codes % 2 == 0) or np.all(np.abs(codes) >= 127)  # ties went to even codes
