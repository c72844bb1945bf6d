"""quant/loop.py: device plumbing, augmentation, losses, schedule (no training)."""
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from squeezefpga.quant import loop
from squeezefpga.quant.train import TrainOptions, _lr_at, lr_schedule


def test_resolve_device(monkeypatch):
    assert loop.resolve_device("cpu") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert loop.resolve_device("auto") == torch.device("cpu")
    with pytest.raises(ValueError, match="--device cuda: CUDA is not available"):
        loop.resolve_device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert loop.resolve_device("auto") == torch.device("cuda")


def test_augment_is_a_shift_or_flipped_shift():
    x = torch.arange(6 * 2 * 5 * 7, dtype=torch.float32).view(6, 2, 5, 7) + 1
    gen = loop.generator(torch.device("cpu")).manual_seed(3)
    y = loop.augment(x, gen, pad=2)
    assert y.shape == x.shape
    xp = F.pad(x, (2, 2, 2, 2))
    for i in range(len(x)):
        cands = [c for dy in range(5) for dx in range(5)
                 for c in (xp[i, :, dy:dy + 5, dx:dx + 7], xp[i, :, dy:dy + 5, dx:dx + 7].flip(-1))]
        assert any(torch.equal(y[i], c) for c in cands)
    again = loop.augment(x, loop.generator(torch.device("cpu")).manual_seed(3), pad=2)
    assert torch.equal(y, again)


def test_augment_pad_scales_with_height():
    assert loop.augment_pad(28) == 2 and loop.augment_pad(224) == 16 and loop.augment_pad(8) == 1


def test_loss_options_change_the_loss():
    torch.manual_seed(0)
    logits, y = torch.randn(8, 5), torch.randint(0, 5, (8,))
    ce = F.cross_entropy(logits, y)
    assert torch.equal(loop.LossSpec()(logits, y, torch.randn(8, 5)), ce)  # distill off
    assert not torch.isclose(loop.LossSpec(label_smoothing=0.1)(logits, y), ce)
    kd = loop.LossSpec(distill=0.5)
    assert torch.isclose(kd(logits, y, logits.clone()), 0.5 * ce)  # teacher == student: KL 0
    assert kd(logits, y, torch.randn(8, 5)) > 0.5 * ce


def test_qat_lr_restarts_the_schedule_only_in_qat():
    opts = TrainOptions(config_tree={}, out=Path("x"), epochs=4, float_epochs=2, lr=1e-3)
    base, spe = lr_schedule(opts, 10), 10
    assert [base(s) for s in range(40)] == [_lr_at(s, 40, 1e-3, 5) for s in range(40)]
    low = lr_schedule(TrainOptions(**{**opts.__dict__, "qat_lr": 1e-4}), spe)
    assert [low(s) for s in range(20)] == [base(s) for s in range(20)]
    assert low(20) == pytest.approx(1e-4) and low(30) == pytest.approx(0.5e-4)
    assert math.isclose(low(39), 0.5e-4 * (1 + math.cos(math.pi * 19 / 20)))


def test_device_split_and_evaluate():
    import numpy as np
    imgs = np.arange(4 * 1 * 2 * 2, dtype=np.uint8).reshape(4, 1, 2, 2)
    d = loop.DeviceSplit.of(imgs, np.array([0, 1, 1, 0]), torch.device("cpu"))
    x, y = d.batch(torch.tensor([2, 0]))
    assert x.dtype == torch.float32 and x[0, 0, 0, 0] == 8 and y.tolist() == [1, 0]

    class Last(torch.nn.Module):  # predicts class 1 when the last pixel is odd
        def forward(self, x):
            odd = x[:, 0, 1, 1] % 2
            return torch.stack([1 - odd, odd], 1)
    assert loop.evaluate(Last(), d, batch=3) == 0.5


def test_to_cpu_nested():
    state = {"a": torch.ones(2, requires_grad=True), "b": [torch.zeros(1), 3], "c": "s"}
    out = loop.to_cpu(state)
    assert not out["a"].requires_grad and out["b"][1] == 3 and out["c"] == "s"
    assert all(t.device.type == "cpu" for t in (out["a"], out["b"][0]))
