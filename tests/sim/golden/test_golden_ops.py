"""squeezefpga.sim.golden.ops against exact rational references and torch (float64)."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from squeezefpga.sim.golden import ops


def ref_round(q: Fraction, mode: str) -> int:
    if mode == "FLOOR":
        return math.floor(q)
    if mode == "CEIL":
        return math.ceil(q)
    return round(q)  # Fraction.__round__: half to even


MODES = list(ops.MODES)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-(2**62), 2**62), min_size=1, max_size=20),
       st.integers(-1, 70), st.sampled_from(MODES))
def test_round_shift_matches_rational(xs, shift, mode):
    if shift < 0:
        xs = [v >> 2 for v in xs]  # keep the exact left shift inside int64
    got = ops.round_shift(np.array(xs, dtype=np.int64), shift, mode)
    want = [ref_round(Fraction(v, 2**shift) if shift >= 0 else Fraction(v * 2**-shift), mode)
            for v in xs]
    assert got.tolist() == want


def test_round_shift_ties_half_to_even():
    x = np.array([-7, -6, -5, -3, -2, -1, 1, 2, 3, 5, 6, 7], dtype=np.int64)  # /2
    assert ops.round_shift(x, 1).tolist() == [-4, -3, -2, -2, -1, 0, 0, 1, 2, 2, 3, 4]
    assert ops.round_shift(x, 1, "FLOOR").tolist() == [-4, -3, -3, -2, -1, -1, 0, 1, 1, 2, 3, 3]
    assert ops.round_shift(x, 1, "CEIL").tolist() == [-3, -3, -2, -1, -1, 0, 1, 1, 2, 3, 3, 4]
    # ties at larger shifts, positive and negative, even and odd quotients
    x = np.array([12, 20, -12, -20, 13, -13], dtype=np.int64)  # /8 = 1.5 2.5 ...
    assert ops.round_shift(x, 3).tolist() == [2, 2, -2, -2, 2, -2]
    assert ops.round_shift(np.array([5]), 0).tolist() == [5]
    assert ops.round_shift(np.array([-5]), -3).tolist() == [-40]


def test_round_shift_agrees_with_numpy_round():
    rng = np.random.default_rng(0)
    x = rng.integers(-5000, 5000, size=5000)
    for s in range(0, 8):
        assert np.array_equal(ops.round_shift(x, s), np.round(x / 2.0**s).astype(np.int64))


def test_round_shift_rejects_floats_and_bad_mode():
    with pytest.raises(TypeError):
        ops.round_shift(np.array([1.5]), 1)
    with pytest.raises(ValueError):
        ops.round_shift(np.array([1]), 1, "HALF_UP")


@pytest.mark.parametrize("bits,signed,narrow,lo,hi", [
    (4, True, False, -8, 7), (4, True, True, -7, 7), (4, False, False, 0, 15),
    (4, False, True, 0, 14), (8, False, False, 0, 255), (2, True, False, -2, 1)])
def test_saturate_ranges(bits, signed, narrow, lo, hi):
    x = np.arange(-300, 300)
    got = ops.saturate(x, bits, signed, narrow)
    assert got.min() == lo and got.max() == hi
    assert np.array_equal(got, np.clip(x, lo, hi))
    assert ops.int_range(bits, signed, narrow) == (lo, hi)


def test_requantize_relu_round_saturate():
    acc = np.array([-100, -3, 3, 5, 6, 7, 100, 10**6])
    assert ops.requantize(acc, 1, 4, False).tolist() == [0, 0, 2, 2, 3, 4, 15, 15]
    assert ops.requantize(acc, 1, 4, True).tolist() == [-8, -2, 2, 2, 3, 4, 7, 7]
    assert ops.requantize(acc, 1, 4, True, narrow=True, relu=True).tolist() == [0, 0, 2, 2, 3, 4, 7, 7]
    assert ops.requantize(acc, 1, 4, True, mode="FLOOR").tolist() == [-8, -2, 1, 2, 3, 3, 7, 7]
    assert ops.requantize(acc, -1, 8, True).tolist() == [-128, -6, 6, 10, 12, 14, 127, 127]


def torch_conv(x, w, b, stride, pads):
    t, l, bo, r = pads
    xt = F.pad(torch.from_numpy(x).double(), (l, r, t, bo))
    bt = None if b is None else torch.from_numpy(b).double()
    y = F.conv2d(xt, torch.from_numpy(w).double(), bt, stride=stride)
    return y.numpy()


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.integers(1, 5), st.integers(1, 6), st.integers(1, 9),
       st.integers(1, 9), st.integers(1, 3), st.integers(1, 3), st.integers(1, 2),
       st.integers(1, 2), st.lists(st.integers(0, 2), min_size=4, max_size=4),
       st.booleans(), st.integers(0, 2**31 - 1))
def test_conv2d_matches_torch(n, c, m, h, w, kh, kw, sh, sw, pads, with_bias, seed):
    if h + pads[0] + pads[2] < kh or w + pads[1] + pads[3] < kw:
        return
    rng = np.random.default_rng(seed)
    x = rng.integers(-128, 128, size=(n, c, h, w))
    wt = rng.integers(-8, 8, size=(m, c, kh, kw))
    b = rng.integers(-1000, 1000, size=m) if with_bias else None
    got = ops.conv2d(x, wt, b, (sh, sw), pads)
    assert got.dtype == np.int64
    assert np.array_equal(got, torch_conv(x, wt, b, (sh, sw), pads).astype(np.int64))
    for ft in (np.float32, np.float64):
        assert np.array_equal(ops.conv2d(x, wt, b, (sh, sw), pads, exact_float=ft), got)


def test_conv2d_large_accumulators_exact_in_int64():
    rng = np.random.default_rng(1)
    x = rng.integers(-(2**30), 2**30, size=(1, 8, 5, 5))
    w = rng.integers(-(2**20), 2**20, size=(3, 8, 3, 3))
    got = ops.conv2d(x, w, None, (1, 1), (1, 1, 1, 1))
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))).astype(object)
    want = np.zeros((1, 3, 5, 5), dtype=object)
    for o in range(3):
        for i in range(5):
            for j in range(5):
                want[0, o, i, j] = int((xp[0, :, i:i + 3, j:j + 3] * w[o].astype(object)).sum())
    assert got.tolist() == want.tolist()


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 11), st.integers(1, 11), st.integers(1, 4), st.integers(1, 3),
       st.integers(0, 2), st.booleans(), st.integers(0, 2**31 - 1))
def test_maxpool_matches_torch(h, w, k, s, p, ceil_mode, seed):
    if p > k // 2 or h + 2 * p < k or w + 2 * p < k:
        return
    x = np.random.default_rng(seed).integers(-50, 0, size=(2, 3, h, w))  # all negative: padding must not win
    got = ops.maxpool2d(x, (k, k), (s, s), (p, p, p, p), ceil_mode)
    want = F.max_pool2d(torch.from_numpy(x).double(), k, s, p, ceil_mode=ceil_mode).numpy()
    assert got.shape == want.shape
    assert np.array_equal(got, want.astype(np.int64))


def test_maxpool_ceil_mode_drops_window_in_padding():
    # 5 wide, k2 s2 p1 ceil: ceil((5+2-2)/2) + 1 = 4 windows, the last would
    # start at padded index 6 = in the right padding -> dropped -> 3.
    x = np.arange(25).reshape(1, 1, 5, 5) - 100
    got = ops.maxpool2d(x, (2, 2), (2, 2), (1, 1, 1, 1), True)
    assert got.shape == (1, 1, 3, 3) and got[0, 0, 2, 2] == x[0, 0, 4, 4]
    # 6 wide, k3 s2 p1 ceil: the 4th window starts on the last real column: kept
    assert ops.maxpool2d(x[..., :1], (3, 3), (2, 2), (1, 1, 1, 1), True).shape == (1, 1, 3, 1)
    assert ops.maxpool2d(np.zeros((1, 1, 6, 6), np.int64), (3, 3), (2, 2), (1,) * 4, True).shape == (1, 1, 4, 4)
    assert ops.maxpool2d(np.zeros((1, 1, 7, 7), np.int64), (3, 3), (2, 2), (0,) * 4, True).shape == (1, 1, 3, 3)
    assert ops.maxpool2d(np.zeros((1, 1, 8, 8), np.int64), (3, 3), (2, 2), (0,) * 4, True).shape == (1, 1, 4, 4)
    assert ops.maxpool2d(np.zeros((1, 1, 8, 8), np.int64), (3, 3), (2, 2), (0,) * 4, False).shape == (1, 1, 3, 3)


def ref_gap(x, shift, bits, signed, mode):
    n, c, h, w = x.shape
    lo, hi = ops.int_range(bits, signed)
    out = np.zeros((n, c, 1, 1), dtype=np.int64)
    for i in range(n):
        for j in range(c):
            q = Fraction(int(x[i, j].sum()), h * w) / Fraction(2) ** shift
            out[i, j, 0, 0] = min(max(ref_round(q, mode), lo), hi)
    return out


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 7), st.integers(1, 7), st.integers(-3, 6), st.integers(2, 8),
       st.booleans(), st.sampled_from(MODES), st.integers(0, 2**31 - 1))
def test_global_avgpool_matches_rational(h, w, shift, bits, signed, mode, seed):
    x = np.random.default_rng(seed).integers(-300, 300, size=(2, 3, h, w))
    got = ops.global_avgpool(x, shift, bits, signed, mode)
    assert np.array_equal(got, ref_gap(x, shift, bits, signed, mode))


def test_global_avgpool_ties():
    # 3x3 mean: sum 45/9 = 5 -> shift 1: 2.5 -> 2 (even); sum 63: 7/2 = 3.5 -> 4
    x = np.stack([np.full((3, 3), 5), np.full((3, 3), 7), np.full((3, 3), -5)])[None]
    assert ops.global_avgpool(x, 1, 8, True).ravel().tolist() == [2, 4, -2]
    assert ops.global_avgpool(x, 1, 8, True, "FLOOR").ravel().tolist() == [2, 3, -3]
    assert ops.global_avgpool(x, 1, 8, True, "CEIL").ravel().tolist() == [3, 4, -2]
    # a non-uniform tie: sum 9 over 2x3 = 1.5 -> 2; sum 15 -> 2.5 -> 2
    y = np.array([[[[1, 2, 1], [2, 1, 2]], [[5, 2, 2], [2, 2, 2]]]])
    assert ops.global_avgpool(y, 0, 8, False).ravel().tolist() == [2, 2]
    assert ops.global_avgpool(y, -1, 2, False).ravel().tolist() == [3, 3]  # saturates


def test_align_concat_add():
    a = np.array([[[[1, -2]]]])
    b = np.array([[[[3, 5]]]])
    a2, b2, e = ops.align(a, -1, b, -3)
    assert e == -3 and a2.ravel().tolist() == [4, -8] and b2.ravel().tolist() == [3, 5]
    s, e = ops.add(a, -1, b, -3)
    assert e == -3 and s.ravel().tolist() == [7, -3]
    c, e = ops.concat(a, 2, b, 2)
    assert e == 2 and c.shape == (1, 2, 1, 2) and c.ravel().tolist() == [1, -2, 3, 5]
    c, e = ops.concat(a, 0, b, 1)
    assert e == 0 and c.ravel().tolist() == [1, -2, 6, 10]
