"""Exact integer reference operators (the contract for every hardware path).

Every function here is pure NumPy on integer arrays (NCHW, int64 in and out).
A value ``v`` at exponent ``e`` means the real number ``v * 2**e``; exponents
are plain Python ints.  No floating-point arithmetic decides any result,
except in ``conv2d(..., exact_float=...)`` where the caller has *proved* that
every partial sum is an integer the float type holds exactly.

Rounding modes (``mode``):
  * ``"ROUND"``: to nearest, ties to even (numpy/torch ``round``).
  * ``"FLOOR"``: towards -infinity.
  * ``"CEIL"``:  towards +infinity.
"""
from __future__ import annotations

import numpy as np

MODES = ("ROUND", "FLOOR", "CEIL")


def _i64(x) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype.kind not in "iub":
        raise TypeError(f"integer array expected, got dtype {a.dtype}")
    return a.astype(np.int64, copy=False)


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"rounding mode must be one of {MODES}, got {mode!r}")


def int_range(bits: int, signed: bool, narrow: bool = False) -> tuple[int, int]:
    """The inclusive integer range of a ``bits``-wide (signed) quantizer."""
    if bits < 1 or (signed and bits < 2):
        raise ValueError(f"unsupported bit width {bits} (signed={signed})")
    if signed:
        return -(1 << (bits - 1)) + int(narrow), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1 - int(narrow)


def div_round(num, den: int, mode: str = "ROUND") -> np.ndarray:
    """``num / den`` rounded to an integer by ``mode``; ``den`` > 0, exact."""
    _check_mode(mode)
    num = _i64(num)
    den = int(den)
    if den <= 0:
        raise ValueError("den must be positive")
    if den == 1:
        return num.copy()
    if den >= 1 << 62:  # 2 * r below could overflow: use Python ints
        return _object_round(num, den, mode)
    q = num // den  # floor division (numpy floors for negative numbers too)
    if mode == "FLOOR":
        return q
    r = num - q * den  # 0 <= r < den
    if mode == "CEIL":
        return q + (r != 0)
    twice = 2 * r
    up = (twice > den) | ((twice == den) & (q % 2 != 0))
    return q + up


def round_shift(x, shift: int, mode: str = "ROUND") -> np.ndarray:
    """``x * 2**-shift`` rounded by ``mode``; ``shift <= 0`` is an exact left shift."""
    _check_mode(mode)
    x = _i64(x)
    shift = int(shift)
    if shift <= 0:
        return np.left_shift(x, -shift)
    if shift >= 62:  # 1 << shift would overflow the tie test: use Python ints
        return _object_round(x, 1 << shift, mode)
    q = np.right_shift(x, shift)  # floor
    if mode == "FLOOR":
        return q
    r = x - np.left_shift(q, shift)  # 0 <= r < 2**shift
    if mode == "CEIL":
        return q + (r != 0)
    half = 1 << (shift - 1)
    up = (r > half) | ((r == half) & ((q & 1) != 0))
    return q + up


def _object_round(x: np.ndarray, den: int, mode: str) -> np.ndarray:
    """``div_round`` with arbitrary-precision Python ints (huge denominators)."""
    def one(v: int) -> int:
        q, r = divmod(int(v), den)
        if mode == "FLOOR" or r == 0:
            return q
        if mode == "CEIL":
            return q + 1
        return q + (2 * r > den or (2 * r == den and q % 2 != 0))
    return np.array([one(v) for v in x.ravel()], dtype=np.int64).reshape(x.shape)


def saturate(x, bits: int, signed: bool, narrow: bool = False) -> np.ndarray:
    """Clip to the integer range of a ``bits``-wide (signed, narrow) quantizer."""
    lo, hi = int_range(bits, signed, narrow)
    return np.clip(_i64(x), lo, hi)


def requantize(acc, shift: int, bits: int, signed: bool, narrow: bool = False,
               mode: str = "ROUND", relu: bool = False) -> np.ndarray:
    """Optional ReLU, then ``round_shift`` by ``shift``, then ``saturate``."""
    acc = _i64(acc)
    if relu:
        acc = np.maximum(acc, 0)
    return saturate(round_shift(acc, shift, mode), bits, signed, narrow)


def _pad_nchw(x: np.ndarray, pads, value: int) -> np.ndarray:
    t, l, b, r = (int(p) for p in pads)
    if t == l == b == r == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)), constant_values=value)


def im2col(x: np.ndarray, kh: int, kw: int, stride, pads) -> tuple[np.ndarray, int, int]:
    """Patches of ``x`` as a (N*OH*OW, C*kh*kw) matrix (C-major, then kh, kw)."""
    sh, sw = (int(s) for s in stride)
    xp = _pad_nchw(x, pads, 0)
    n, c, h, w = xp.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    if oh <= 0 or ow <= 0:
        raise ValueError("kernel larger than the padded input")
    if kh == kw == 1:
        cols = xp[:, :, : (oh - 1) * sh + 1 : sh, : (ow - 1) * sw + 1 : sw]
        return cols.transpose(0, 2, 3, 1).reshape(n * oh * ow, c), oh, ow
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))
    win = win[:, :, ::sh, ::sw][:, :, :oh, :ow]  # (N, C, OH, OW, kh, kw)
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * kh * kw), oh, ow


def conv2d(x, w, bias=None, stride=(1, 1), pads=(0, 0, 0, 0),
           exact_float: type | None = None) -> np.ndarray:
    """Integer convolution: int64 accumulators (N, M, OH, OW).

    ``w`` is (M, C, kh, kw); ``pads`` are ONNX order (top, left, bottom,
    right); ``bias`` (M,) is already at the accumulator exponent.  With
    ``exact_float=np.float32`` / ``np.float64`` the products are summed by
    BLAS in that float type: only valid when the caller has proved that
    ``sum(|w|) * max|x|`` over every output stays below 2**24 / 2**53, so that
    every partial sum is an exactly representable integer.
    """
    x, w = np.asarray(x), np.asarray(w)
    m, c, kh, kw = w.shape
    if x.ndim != 4 or x.shape[1] != c:
        raise ValueError(f"input shape {x.shape} does not match weights {w.shape}")
    n = x.shape[0]
    if exact_float is None:
        cols, oh, ow = im2col(_i64(x), kh, kw, stride, pads)
        acc = cols @ _i64(w).reshape(m, -1).T
    else:
        cols, oh, ow = im2col(x.astype(exact_float, copy=False), kh, kw, stride, pads)
        acc = (cols @ w.reshape(m, -1).astype(exact_float).T).astype(np.int64)
    if bias is not None:
        acc += _i64(bias).reshape(1, m)
    return acc.reshape(n, oh, ow, m).transpose(0, 3, 1, 2)


def pool_out_size(size: int, kernel: int, stride: int, pad_begin: int, pad_end: int,
                  ceil_mode: bool) -> int:
    """ONNX/torch MaxPool output length, dropping ceil-mode windows that start
    in the end padding."""
    span = size + pad_begin + pad_end - kernel
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + pad_begin:
        out -= 1
    return out


def maxpool2d(x, kernel, stride, pads=(0, 0, 0, 0), ceil_mode: bool = False) -> np.ndarray:
    """ONNX/torch MaxPool; padding never wins (it is below every value)."""
    x = _i64(x)
    kh, kw = (int(k) for k in kernel)
    sh, sw = (int(s) for s in stride)
    t, l, b, r = (int(p) for p in pads)
    n, c, h, w = x.shape
    oh = pool_out_size(h, kh, sh, t, b, ceil_mode)
    ow = pool_out_size(w, kw, sw, l, r, ceil_mode)
    if oh <= 0 or ow <= 0:
        raise ValueError("pooling window larger than the padded input")
    # pad so every window, including partial ceil-mode ones, lies inside
    need_h = (oh - 1) * sh + kh - (h + t)
    need_w = (ow - 1) * sw + kw - (w + l)
    low = np.iinfo(np.int64).min
    xp = _pad_nchw(x, (t, l, max(need_h, 0), max(need_w, 0)), low)
    out = None
    for i in range(kh):
        for j in range(kw):
            v = xp[:, :, i : i + (oh - 1) * sh + 1 : sh, j : j + (ow - 1) * sw + 1 : sw]
            out = v.copy() if out is None else np.maximum(out, v, out=out)
    return out


def global_avgpool(x, shift: int, bits: int, signed: bool, mode: str = "ROUND",
                   narrow: bool = False) -> np.ndarray:
    """``saturate(round(sum_hw(x) / (H*W) * 2**-shift))`` per (N, C), exactly.

    Returns (N, C, 1, 1).  The sum is exact in int64 and the division is an
    exact rational rounding: no intermediate truncation.
    """
    x = _i64(x)
    n, c, h, w = x.shape
    return avgpool_from_sum(x.sum(axis=(2, 3)), h * w, shift, bits, signed, mode,
                            narrow).reshape(n, c, 1, 1)


def avgpool_from_sum(s, hw: int, shift: int, bits: int, signed: bool, mode: str = "ROUND",
                     narrow: bool = False) -> np.ndarray:
    """``global_avgpool`` given the exact int64 sums ``s`` over ``hw`` pixels."""
    s, hw, shift = _i64(s), int(hw), int(shift)
    if shift >= 0:
        q = div_round(s, hw << shift, mode)
    else:
        q = div_round(np.left_shift(s, -shift), hw, mode)
    return saturate(q, bits, signed, narrow)


def align(a, a_exp: int, b, b_exp: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Both tensors at the finer exponent ``min(a_exp, b_exp)`` (exact left shifts)."""
    e = min(int(a_exp), int(b_exp))
    return round_shift(a, e - a_exp), round_shift(b, e - b_exp), e


def concat(a, a_exp: int, b, b_exp: int, axis: int = 1) -> tuple[np.ndarray, int]:
    """Channel concatenation of two tensors, aligned to the finer exponent."""
    a2, b2, e = align(a, a_exp, b, b_exp)
    return np.concatenate([a2, b2], axis=axis), e


def add(a, a_exp: int, b, b_exp: int) -> tuple[np.ndarray, int]:
    """Elementwise sum of two tensors, aligned to the finer exponent."""
    a2, b2, e = align(a, a_exp, b, b_exp)
    return a2 + b2, e
