"""The integer execution plan and its results.

A ``Plan`` is a list of ``Step``s over named integer tensors.  Every tensor
the plan computes is an int64 array ``q`` plus a power-of-two exponent ``e``
(value ``q * 2**e``) and a static inclusive range [lo, hi] that the compiler
proved; ``TensorInfo`` records them.  ``LayerBound`` exposes the exact
worst-case accumulator of every Conv and Add (for hardware bit widths).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

INT64_LIMIT = 1 << 63


@dataclass(frozen=True)
class TensorInfo:
    """Static facts about one integer tensor."""

    name: str
    exp: int
    lo: int
    hi: int
    bits: int | None = None      # set when a Quant produced it
    signed: bool | None = None

    def __post_init__(self):
        if not (-INT64_LIMIT <= self.lo <= self.hi < INT64_LIMIT):
            raise OverflowError(f"tensor {self.name!r}: range [{self.lo}, {self.hi}] exceeds int64")


@dataclass(frozen=True)
class LayerBound:
    """Exact worst-case accumulator of one layer, at exponent ``acc_exp``.

    ``acc_min``/``acc_max`` bound the final accumulator (bias included) over
    all inputs in the proven input range; ``channel_min``/``channel_max`` do
    the same per output channel (Conv) ; ``dot_bound`` bounds every partial
    sum of products (what the BLAS engine must hold exactly); ``engine`` is
    how the plan sums: float32 / float64 (exact below 2**24 / 2**53) or int64.
    """

    node: str
    op: str
    acc_exp: int
    acc_min: int
    acc_max: int
    channel_min: tuple[int, ...] = ()
    channel_max: tuple[int, ...] = ()
    dot_bound: int = 0
    engine: str = "int64"

    @property
    def bits(self) -> int:
        """Two's-complement width that holds every accumulator value."""
        return max(int(self.acc_max).bit_length(), int(-self.acc_min - 1).bit_length()) + 1

    def to_dict(self) -> dict:
        return {"node": self.node, "op": self.op, "acc_exp": self.acc_exp,
                "acc_min": self.acc_min, "acc_max": self.acc_max, "bits": self.bits,
                "dot_bound": self.dot_bound, "engine": self.engine}


@dataclass(frozen=True)
class Step:
    """One executable operation: ``output = fn(*input arrays)``."""

    node: str
    op: str
    inputs: tuple[str, ...]
    output: str
    fn: Callable[..., np.ndarray]
    params: dict = field(default_factory=dict, compare=False)  # what the fast engine needs


@dataclass(frozen=True)
class QTensor:
    """Integer codes and their power-of-two exponent."""

    values: np.ndarray
    exp: int

    def float(self) -> np.ndarray:
        """The exact real values as float64 (exact while |values| < 2**53)."""
        return np.ldexp(self.values.astype(np.float64), self.exp)


class Plan:
    """A compiled QONNX graph.  ``plan(x)`` runs float NCHW in, float out."""

    def __init__(self, *, steps, tensors, input_name, input_shape, input_step, output_name,
                 bounds):
        self.steps: list[Step] = steps
        self.tensors: dict[str, TensorInfo] = tensors
        self.input_name: str = input_name
        self.input_shape: tuple = input_shape
        self.input_step: Step | None = input_step   # the single input Quant, if one
        self.output_name: str = output_name
        self.bounds: list[LayerBound] = bounds
        self._fast: dict[bool, object] = {}

    def fast_program(self, skip_input: bool = False):
        """The float engine (``fast.py``), built on first use."""
        if skip_input not in self._fast:
            from .fast import build
            self._fast[skip_input] = build(self, skip_input)
        return self._fast[skip_input]

    @property
    def output(self) -> TensorInfo:
        return self.tensors[self.output_name]

    @property
    def order(self) -> list[str]:
        """Names of the computed tensors, in execution order."""
        return [s.output for s in self.steps]

    def comparable(self, significand_bits: int = 24) -> list[str]:
        """Computed tensors, in order, whose proven range a float with that
        many significand bits holds exactly (float32: 24).  A float path
        (qonnx, torch) can only be compared exactly on these: it rounds wider
        accumulators, e.g. a conv summed with a fine-grained bias."""
        lim = 1 << significand_bits
        return [n for n in self.order if max(-self.tensors[n].lo, self.tensors[n].hi) <= lim]

    def batch(self, x: np.ndarray) -> np.ndarray:
        """``x`` as (N, C, H, W), checked against the model's input shape."""
        x = given = np.asarray(x)
        want = tuple(self.input_shape[1:])
        if x.ndim == len(want):
            x = x[None]
        if x.ndim != len(want) + 1 or any(d is not None and d != s for d, s in zip(want, x.shape[1:])):
            raise ValueError(f"input shape {given.shape} does not match the model's "
                             f"(N, {', '.join(map(str, want))}) or ({', '.join(map(str, want))})")
        return x

    def _execute(self, env: dict, steps, keep: bool) -> dict[str, QTensor]:
        last_use = {}
        for i, s in enumerate(steps):
            for name in s.inputs:
                last_use[name] = i
        for i, s in enumerate(steps):
            env[s.output] = s.fn(*(env[n] for n in s.inputs))
            if not keep:
                for name in s.inputs:
                    if last_use[name] == i and name != self.output_name:
                        env.pop(name, None)
        names = self.order if keep else [self.output_name]
        return {n: QTensor(env[n], self.tensors[n].exp) for n in names if n in env}

    def run(self, x, keep: bool = False, engine: str = "fast") -> dict[str, QTensor]:
        """Run on float input; the output (or, with ``keep``, every tensor) by name.

        ``engine``: "fast" (floats holding exact integers, ``fast.py``) or
        "int64" (the reference steps).  ``keep`` always uses the reference.
        """
        x = self.batch(x)
        if keep or engine == "int64":
            return self._execute({self.input_name: x}, self.steps, keep)
        if engine != "fast":
            raise ValueError(f"engine must be 'fast' or 'int64', got {engine!r}")
        out = self.fast_program()({self.input_name: x})
        return {self.output_name: QTensor(out, self.output.exp)}

    def run_int(self, x_int, keep: bool = False, engine: str = "fast"):
        """Integer I/O: ``x_int`` are the codes of the input quantizer's output.

        Returns the output's integer codes (at ``self.output.exp``), or with
        ``keep`` the dict of every tensor as ``run`` does.
        """
        if self.input_step is None:
            raise ValueError("run_int needs exactly one Quant on the graph input")
        x = self.batch(x_int)
        if x.dtype.kind not in "iu":
            raise TypeError(f"run_int takes integer codes, got dtype {x.dtype}")
        info = self.tensors[self.input_step.output]
        if x.size and (x.min() < info.lo or x.max() > info.hi):
            raise ValueError(f"input codes outside [{info.lo}, {info.hi}]")
        env = {self.input_step.output: x.astype(np.int64)}
        if not keep and engine == "fast":
            return self.fast_program(skip_input=True)(env)
        if engine not in ("fast", "int64"):
            raise ValueError(f"engine must be 'fast' or 'int64', got {engine!r}")
        steps = [s for s in self.steps if s is not self.input_step]
        out = self._execute(env, steps, keep)
        return out if keep else out[self.output_name].values

    def __call__(self, x, engine: str = "fast") -> np.ndarray:
        """Float NCHW in, the model output as exact float64 values out."""
        return self.run(x, engine=engine)[self.output_name].float()

    def describe(self) -> str:
        lines = [f"input {self.input_name} {self.input_shape}"]
        for s in self.steps:
            t = self.tensors[s.output]
            lines.append(f"{s.node:24s} {s.op:18s} -> {s.output} exp={t.exp} range=[{t.lo}, {t.hi}]")
        for b in self.bounds:
            lines.append(f"bound {b.node}: acc in [{b.acc_min}, {b.acc_max}] ({b.bits} bits, {b.engine})")
        return "\n".join(lines)
