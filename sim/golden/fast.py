"""The fast engine: the same plan, computed on floats that hold integers exactly.

The compiler proves the range of every tensor and the bound of every partial
sum (``plan.tensors``, ``LayerBound.dot_bound``).  A float32 (float64) array
holds integer codes exactly while every value, and every partial sum an op
forms, stays within 2**24 (2**53) in magnitude; multiplying by a power of two
is exact (no value here comes near under/overflow, ``MAX_EXP``), and
``np.rint``/``floor``/``ceil`` are exact roundings of exact values (rint ties to
even, as ROUND does).  So this engine computes bit-for-bit what the int64
reference steps compute, with BLAS GEMMs and in-place float passes:

* activations are channels-last (NHWC) float arrays, so a 1x1 conv is one
  GEMM on the input itself and a kxk conv one GEMM on an NHWC im2col;
* ``Conv -> [Relu] -> [Quant] -> [MaxPool]`` (each the only user of the one
  before, none the graph output) is one step: GEMM with the weights
  pre-scaled by the requantize shift, max-pool (it commutes with the
  monotone per-channel epilogue), then bias, round, clip (Relu = clip at 0);
* ``Relu -> Quant`` becomes one requantize with a clip at 0;
* anything whose proven range or bound does not fit float64, and every op
  without a float kernel, runs the reference int64 step (``fallback``).

Tests check this engine equals the int64 reference bit for bit
(``plan.run(x, engine="int64")``).
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import blas, ops

F32_EXACT, F64_EXACT = 1 << 24, 1 << 53
CHUNK = 16   # images per pass through the program
THREADS = int(os.environ.get("GOLDEN_THREADS", min(os.cpu_count() or 1, 8)))  # chunks run in parallel
MAX_EXP = 60  # power-of-two scales beyond 2**+-60 are left to the int64 path


def exact_dtype(mag: int):
    """The narrowest float type holding every integer of magnitude <= ``mag``."""
    return np.float32 if mag <= F32_EXACT else np.float64 if mag <= F64_EXACT else None


def _mag(*ranges) -> int:
    return max(max(-int(lo), int(hi), 0) for lo, hi in ranges)


_ROUND = {"ROUND": np.rint, "FLOOR": np.floor, "CEIL": np.ceil}


# ---- runtime values: (array, nhwc) ------------------------------------------
def plain(v) -> np.ndarray:
    a, nhwc = v
    return a.transpose(0, 3, 1, 2) if nhwc else a


def nhwc_array(v, dt) -> np.ndarray:
    """A C-contiguous NHWC array of type ``dt``."""
    a, nhwc = v
    if not nhwc:
        if a.ndim != 4:
            raise ValueError(f"a 4-D (N, C, H, W) tensor is needed, got shape {a.shape}")
        a = a.transpose(0, 2, 3, 1)
    return np.ascontiguousarray(a, dtype=dt)


def im2col(x: np.ndarray, kh: int, kw: int, stride, pads):
    """NHWC patches as a (N*OH*OW, kh*kw*C) matrix (kh, then kw, then C)."""
    n, h, w, c = x.shape
    t, l, b, r = (int(p) for p in pads)
    sh, sw = (int(s) for s in stride)
    if t or l or b or r:
        xp = np.zeros((n, h + t + b, w + l + r, c), x.dtype)
        xp[:, t:t + h, l:l + w] = x
    else:
        xp = x
    oh, ow = (xp.shape[1] - kh) // sh + 1, (xp.shape[2] - kw) // sw + 1
    if oh <= 0 or ow <= 0:
        raise ValueError("kernel larger than the padded input")
    if kh == kw == 1:
        v = xp[:, : (oh - 1) * sh + 1 : sh, : (ow - 1) * sw + 1 : sw]
        return np.ascontiguousarray(v).reshape(-1, c), oh, ow
    cols = np.empty((n, oh, ow, kh * kw * c), x.dtype)
    for i in range(kh):
        for j in range(kw):
            k = (i * kw + j) * c
            cols[..., k:k + c] = xp[:, i : i + (oh - 1) * sh + 1 : sh, j : j + (ow - 1) * sw + 1 : sw]
    return cols.reshape(-1, kh * kw * c), oh, ow


def _span(size: int, out: int, k: int, s: int, pad: int) -> tuple[int, int]:
    """Output indices [o0, o1] whose kernel tap ``k`` lands inside the input."""
    return max(0, -(-(pad - k) // s)), min(out - 1, (size - 1 + pad - k) // s)


def _pool_axis(x: np.ndarray, axis: int, k: int, s: int, pad: int, out_len: int) -> np.ndarray:
    """Running max over the ``k`` taps of one axis (stride ``s``, ``pad`` before)."""
    taps = []
    for i in range(k):
        o0, o1 = _span(x.shape[axis], out_len, i, s, pad)
        if o0 <= o1:
            src = [slice(None)] * x.ndim
            src[axis] = slice(o0 * s + i - pad, o1 * s + i - pad + 1, s)
            taps.append((o0 == 0 and o1 == out_len - 1, o0, o1, x[tuple(src)]))
    taps.sort(key=lambda tp: not tp[0])  # a tap covering every output first
    if taps[0][0]:
        out = taps.pop(0)[3].copy()
    else:
        shape = list(x.shape)
        shape[axis] = out_len
        out = np.full(shape, -np.inf, x.dtype)
    for _, o0, o1, src in taps:
        dst = [slice(None)] * x.ndim
        dst[axis] = slice(o0, o1 + 1)
        np.maximum(out[tuple(dst)], src, out=out[tuple(dst)])
    return out


def maxpool(x: np.ndarray, kernel, stride, pads, ceil: bool) -> np.ndarray:
    """ONNX MaxPool of a float NHWC array, rows then columns (max is separable);
    padding never wins (it is never read)."""
    n, h, w, c = x.shape
    (kh, kw), (sh, sw) = kernel, stride
    t, l, b, r = pads
    oh = ops.pool_out_size(h, kh, sh, t, b, ceil)
    ow = ops.pool_out_size(w, kw, sw, l, r, ceil)
    if oh <= 0 or ow <= 0:
        raise ValueError("pooling window larger than the padded input")
    return _pool_axis(_pool_axis(x, 1, kh, sh, t, oh), 2, kw, sw, l, ow)


def epilogue(y: np.ndarray, bias, mode, lo, hi) -> np.ndarray:
    """In place: ``+ bias``, round by ``mode``, clip to [lo, hi] (None: skipped)."""
    if bias is not None:
        y += bias
    if mode is not None:
        _ROUND[mode](y, out=y)
    if lo is not None:
        np.maximum(y, lo, out=y)
    if hi is not None:
        np.minimum(y, hi, out=y)
    return y


def fallback(step, relu_first: bool = False):
    """The reference int64 step on plain-layout int64 inputs."""
    def run(*vals):
        args = [np.asarray(plain(v)).astype(np.int64) for v in vals]
        if relu_first:
            args[0] = np.maximum(args[0], 0)
        return step.fn(*args), False
    return run


class Program:
    """Fast steps ``(inputs, output, fn)``; ``fn`` maps values to a value."""

    def __init__(self, steps, output: str):
        self.steps, self.output = steps, output
        last = {}
        for i, (ins, _, _) in enumerate(steps):
            for n in ins:
                last[n] = i
        self.free = [[n for n in ins if last[n] == i and n != output] for i, (ins, _, _) in enumerate(steps)]

    def __call__(self, env: dict, chunk: int = CHUNK) -> np.ndarray:
        """``env``: the starting tensors as plain arrays (batch first); the
        output as int64 codes.  Runs ``chunk`` images at a time (cache-sized
        GEMMs and passes) on ``THREADS`` threads (env GOLDEN_THREADS), each
        with single-threaded BLAS."""
        n = len(next(iter(env.values())))
        parts = [{k: v[i:i + chunk] for k, v in env.items()} for i in range(0, max(n, 1), chunk)]
        with blas.single_thread():
            if len(parts) == 1 or THREADS == 1:
                outs = [self._run(p) for p in parts]
            else:  # numpy releases the GIL in GEMMs and ufuncs
                with ThreadPoolExecutor(min(THREADS, len(parts))) as pool:
                    outs = list(pool.map(self._run, parts))
        return outs[0] if len(outs) == 1 else np.concatenate(outs)

    def _run(self, env: dict) -> np.ndarray:
        env = {k: (v, False) for k, v in env.items()}
        for (ins, out, fn), free in zip(self.steps, self.free):
            env[out] = fn(*(env[n] for n in ins))
            for n in free:
                del env[n]
        return np.ascontiguousarray(plain(env[self.output]), dtype=np.int64)


def build(plan, skip_input: bool = False) -> Program:
    from .fast_build import Builder

    return Builder(plan, skip_input).build()
