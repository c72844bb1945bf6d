"""Finding where two runs of a network diverge.

A run is a mapping from ONNX tensor name to values: ``QTensor`` (golden) or
any float/int array (qonnx ``execute_onnx`` full context, hls4ml traces...).
Values are compared exactly, as float64 reals.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from .plan import QTensor


@dataclass(frozen=True)
class Divergence:
    """The first tensor that differs, where, and both values."""

    tensor: str
    index: tuple[int, ...] | None   # None when the shapes differ
    a: object
    b: object
    count: int = 0                  # how many elements differ

    def __str__(self) -> str:
        if self.index is None:
            return f"tensor {self.tensor!r}: shapes differ, {self.a} vs {self.b}"
        return (f"tensor {self.tensor!r} differs at index {list(self.index)}: "
                f"{self.a!r} vs {self.b!r} ({self.count} elements differ)")


def as_real(v) -> np.ndarray:
    """float64 real values of a QTensor or array."""
    if isinstance(v, QTensor):
        return v.float()
    return np.asarray(v, dtype=np.float64)


def first_divergence(a: Mapping, b: Mapping, order: Iterable[str] | None = None) -> Divergence | None:
    """The first tensor (in ``order``, default ``a``'s order) present in both
    runs whose values differ; None if all shared tensors are equal."""
    for name in (order if order is not None else a):
        if name not in a or name not in b:
            continue
        d = compare_tensor(name, a[name], b[name])
        if d is not None:
            return d
    return None


def compare_tensor(name: str, a, b) -> Divergence | None:
    x, y = as_real(a), as_real(b)
    if x.shape != y.shape:
        if x.size == y.size:  # e.g. (N, C) vs (N, C, 1, 1): compare the data
            y = y.reshape(x.shape)
        else:
            return Divergence(name, None, x.shape, y.shape)
    diff = ~((x == y) | (np.isnan(x) & np.isnan(y)))
    if not diff.any():
        return None
    idx = tuple(int(i) for i in np.argwhere(diff)[0])
    return Divergence(name, idx, float(x[idx]), float(y[idx]), int(diff.sum()))
