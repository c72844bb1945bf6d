"""NCHW numpy tensors <-> channels-last AXI-Stream beats.

Stream convention of every hw/ module: pixels in raster order (row by row),
each pixel's C channels folded over ceil(C / LANES) beats of LANES lanes,
lane i of beat f holding channel f*LANES + i at bits [i*W +: W] (two's
complement when signed); lanes past C in the last beat are zero.  (ROM
contents are the op classes' business: codegen/hwops.)
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from squeezefpga.quant.arch import ceil_div


def rand_tensor(rng: np.random.Generator, shape, bits: int, signed: bool) -> np.ndarray:
    lo, hi = (-(1 << (bits - 1)), 1 << (bits - 1)) if signed else (0, 1 << bits)
    return rng.integers(lo, hi, size=shape, dtype=np.int64)


def pack_lanes(values: Sequence[int], width: int) -> int:
    mask = (1 << width) - 1
    word = 0
    for i, v in enumerate(values):
        word |= (int(v) & mask) << (i * width)
    return word


def unpack_lanes(word: int, lanes: int, width: int, signed: bool) -> list[int]:
    mask = (1 << width) - 1
    out = []
    for i in range(lanes):
        v = (int(word) >> (i * width)) & mask
        if signed and v >> (width - 1):
            v -= 1 << width
        out.append(v)
    return out


def _chw(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim == 4:
        assert x.shape[0] == 1, "one image per frame"
        x = x[0]
    assert x.ndim == 3
    return x


def pixel_beats(vec: np.ndarray, lanes: int, width: int) -> list[int]:
    """One pixel's channel vector -> ceil(C/lanes) folded beats."""
    c = len(vec)
    padded = np.zeros(ceil_div(c, lanes) * lanes, dtype=np.int64)
    padded[:c] = vec
    return [pack_lanes(padded[f * lanes:(f + 1) * lanes], width)
            for f in range(len(padded) // lanes)]


def image_to_beats(x: np.ndarray, lanes: int, width: int) -> list[int]:
    """(1,C,H,W) or (C,H,W) -> channels-last beats of one frame."""
    x = _chw(x)
    _, h, w = x.shape
    beats: list[int] = []
    for y in range(h):
        for xx in range(w):
            beats += pixel_beats(x[:, y, xx], lanes, width)
    return beats


def beats_to_image(beats: Sequence[int], c: int, h: int, w: int,
                   lanes: int, width: int, signed: bool) -> np.ndarray:
    """Inverse of image_to_beats -> (1,C,H,W) int64."""
    cf = ceil_div(c, lanes)
    assert len(beats) == h * w * cf, f"{len(beats)} beats for {h}x{w}x{cf}"
    out = np.zeros((1, c, h, w), dtype=np.int64)
    for p in range(h * w):
        vals: list[int] = []
        for f in range(cf):
            vals += unpack_lanes(beats[p * cf + f], lanes, width, signed)
        out[0, :, p // w, p % w] = vals[:c]
    return out


def window_beats(x: np.ndarray, k: int, stride: int, pads: Sequence[int],
                 lanes: int, width: int) -> tuple[list[int], list[int]]:
    """Window stream of window_gen built from the golden im2col: for every
    output pixel (raster order) its k*k window of the zero-padded image in
    order (ky, kx, channel fold).  pads = (top, left, bottom, right).
    Returns (beats, pad_flags): pad_flags[i] = 1 when beat i is padding."""
    from squeezefpga.sim.golden import ops

    x = _chw(x)[None]
    c = x.shape[1]
    cols, _, _ = ops.im2col(x, k, k, (stride, stride), tuple(pads))
    inside, _, _ = ops.im2col(np.ones((1, 1) + x.shape[2:], dtype=np.int64),
                              k, k, (stride, stride), tuple(pads))
    cf = ceil_div(c, lanes)
    beats: list[int] = []
    flags: list[int] = []
    for row, ins in zip(cols, inside):
        win = row.reshape(c, k, k)
        for ky in range(k):
            for kx in range(k):
                beats += pixel_beats(win[:, ky, kx], lanes, width)
                flags += [int(ins[ky * k + kx] == 0)] * cf
    return beats, flags
