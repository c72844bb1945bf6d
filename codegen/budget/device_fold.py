"""Device-aware automatic fold: the fastest pipeline that fits a device, or the
smallest that meets a frame rate.

``auto_fold`` balances the pipeline to a target of cycles per frame; every
target it can tell apart is in ``candidate_targets`` (fastest first).  A fold
*fits* a device when each estimated resource (block RAM in RAMB18 / DP16KD
equivalents, URAM, DSPs, LUT-RAM bits; ``Budget.fit``) is at most
``utilization`` (default 85 %) of what the part has, leaving room for the
logic the budget does not count and for place and route; on ECP5 the LUTs also
within ``Device.pnr_luts`` (50 %: a place-and-route margin; fmnist's fold
there met 125 MHz, 130.87 MHz at session 8's RTL, docs/timing.md).

* ``--device NAME``: the smallest target whose fold fits, found by bisection
  over the candidates (fewer cycles need more multipliers and wider ROMs, so
  fitting is monotone in the target up to the few memories whose geometry
  crosses a block-RAM threshold); the faster candidate next to it does not
  fit.  Each probe is the netlist of that fold estimated with the budget.
* ``--target-fps F --clock-mhz C``: the largest candidate target within
  ``C * 1e6 / F`` cycles per frame, i.e. the fewest multipliers that meet the
  rate; with a device it must also fit.
* Even the slowest fold does not fit (or the rate is out of reach): a
  ``CliError`` naming the binding resource, needed vs available.

DSPs against LUTs: each probe starts from the default product style
(``hwops.conv.default_mult``: narrow products in LUTs) and ``balance``
moves convolutions between DSP and LUT products while that makes the fold
fit: DSPs over the limit -> the layers that save the most DSPs per LUT added
go to LUTs; LUTs over -> the LUT layers that save the most LUTs per DSP added
go to DSPs.  The fold records the moved layers (``mult`` entries).

On Xilinx parts a convolution may also pack products into DSPs (``mult =
"pack"``: 2 or 3 narrow products per DSP48, unsigned activations), and
``balance`` spends the DSPs the part has: per convolution the product style
(LUT, packed DSP, DSP) with the fewest LUTs while the DSPs stay within the
limit, chosen greedily from the fewest-DSP style by LUTs saved per DSP added
(``spend_dsps``), even when the fold fits already.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..errors import CliError
from ..hwops.conv import ConvMvu
from ..hwops.devices import DEFAULT_UTILIZATION, Device
from ..rtl.fold import candidate_targets
from .estimate import Budget, estimate_ops, op_budget

NAMES = {"bram18_equiv": "block RAM (RAMB18 / DP16KD)", "uram": "URAM",
         "dsp": "DSPs", "lutram_bits": "LUT-RAM bits", "luts": "LUTs"}


@dataclass
class FoldChoice:
    """How the automatic fold was chosen (recorded in the manifest and budget)."""
    target: int                  # auto-fold target, cycles per frame
    cycles: int                  # the fold's cycles per frame (<= target)
    candidates: int              # targets the search could choose from
    probes: int                  # folds estimated
    device: str | None = None
    utilization: float | None = None
    lut_limit: float | None = None   # the LUTs' share when below utilization (pnr_luts)
    target_fps: float | None = None
    clock_mhz: float | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def line(self) -> str:
        why = (f"fewest multipliers for {self.target_fps:g} frames/s at {self.clock_mhz:g} MHz"
               if self.target_fps else "fastest fold that fits")
        where = f" on {self.device} at {self.utilization:.0%} of each resource" if self.device else ""
        if self.lut_limit is not None:
            where += f" ({self.lut_limit:.0%} of the LUTs: place-and-route margin)"
        return (f"fold: {why}{where}: target {self.target:,} cycles/frame "
                f"({self.probes} of {self.candidates} candidate targets estimated)")


def fits(b: Budget, dev: Device, utilization: float) -> tuple[bool, str, dict]:
    """(fits within ``utilization`` and the device's LUT margin, binding
    resource, the fit report)."""
    f = b.fit(dev, dev.limits(utilization))
    return f["fits"], f["binding"], f


def _styles(op: ConvMvu) -> tuple[str, ...]:
    return ("lut", "dsp", "pack") if op.pack else ("lut", "dsp")


def spend_dsps(b: Budget, dev: Device, utilization: float) -> Budget:
    """``b`` with each convolution's product style chosen for the fewest LUTs with
    the DSPs within ``utilization`` of ``dev`` (module docstring); ``b`` itself
    when nothing changes.  Starts from every convolution's fewest-DSP style and
    takes, while the DSPs allow, the change that saves the most LUTs per DSP
    added (a change that adds none first)."""
    family = dev.family
    convs = [i for i, op in enumerate(b.ops) if isinstance(op, ConvMvu)]
    cost = {}
    for i in convs:
        for m in _styles(b.ops[i]):
            ob = op_budget(b.ops[i].with_mult(m), family, b.uram)
            cost[i, m] = (ob.dsp, ob.luts)
    cap = dev.dsp * utilization
    cur = {i: min(_styles(b.ops[i]), key=lambda m, i=i: cost[i, m]) for i in convs}
    used = (b.fit(dev, utilization)["used"]["dsp"]
            - sum(cost[i, b.ops[i].mult][0] for i in convs) + sum(cost[i, cur[i]][0] for i in convs))
    while True:
        best = None
        for i in convs:
            d0, l0 = cost[i, cur[i]]
            for m in _styles(b.ops[i]):
                d, l = cost[i, m]
                if l < l0 and used + d - d0 <= cap:
                    r = (l0 - l) / max(d - d0, 0.5)
                    if best is None or r > best[0]:
                        best = (r, i, m)
        if best is None:
            break
        _, i, m = best
        used += cost[i, m][0] - cost[i, cur[i]][0]
        cur[i] = m
    if all(cur[i] == b.ops[i].mult for i in convs):
        return b
    ops = list(b.ops)
    fold = {k: dict(v) for k, v in b.fold.items()}
    for i in convs:
        op = ops[i] = b.ops[i].with_mult(cur[i])
        entry = fold.setdefault(op.layer, {})
        entry.pop("mult", None)
        if cur[i] != ConvMvu.default_mult(op.in_w, op.w_w):
            entry["mult"] = cur[i]
    out = estimate_ops(b.config, ops, fold, b.family, b.uram, b.rows)
    out.choice = b.choice
    return out


def balance(b: Budget, dev: Device, utilization: float) -> Budget:
    """``b`` with convolutions moved between DSP and LUT products until it fits
    ``dev`` (see the module docstring); ``b`` itself when it fits already or
    moving does not help.  Xilinx: ``spend_dsps``."""
    if dev.family == "xilinx":
        return spend_dsps(b, dev, utilization)
    lim = dev.limits(utilization)
    f = b.fit(dev, lim)
    if f["fits"] or f["binding"] not in ("dsp", "luts"):
        return b
    family = dev.family
    src, dst = ("dsp", "lut") if f["binding"] == "dsp" else ("lut", "dsp")
    give, take = ("dsp", "luts") if src == "dsp" else ("luts", "dsp")
    used = dict(f["used"])
    cap = {r: f["available"][r] * lim[r] for r in ("dsp", "luts")}
    moves = []
    for i, op in enumerate(b.ops):
        if isinstance(op, ConvMvu) and op.mult == src:
            new = op.with_mult(dst)
            was, now = op_budget(op, family, b.uram), op_budget(new, family, b.uram)
            saved = getattr(was, give) - getattr(now, give)
            cost = getattr(now, take) - getattr(was, take)
            if saved > 0:
                moves.append((saved / max(cost, 1), i, new, saved, cost))
    moves.sort(key=lambda m: -m[0])
    ops = list(b.ops)
    fold = {k: dict(v) for k, v in b.fold.items()}
    for _, i, new, saved, cost in moves:
        if used[give] <= cap[give]:
            break
        if used[take] + cost > cap[take]:
            continue
        ops[i] = new
        used[give] -= saved
        used[take] += cost
        fold.setdefault(new.layer, {})["mult"] = dst
    if ops == list(b.ops):
        return b
    out = estimate_ops(b.config, ops, fold, b.family, b.uram, b.rows)
    out.choice = b.choice
    return out


def _refuse(b: Budget, dev: Device, utilization: float, what: str) -> CliError:
    _, res, f = fits(b, dev, utilization)
    need, have, share = f["used"][res], f["available"][res], dev.limits(utilization)[res]
    why = (f"--utilization {utilization:g}" if share == utilization else
           f"{dev.name}'s place-and-route margin for its LUTs")
    return CliError(f"{dev.name}: {what} ({b.cycles:,} cycles/frame) does not fit: "
                    f"{NAMES[res]} needs {need:,}, {share:.0%} of {have:,} is "
                    f"{int(have * share):,} ({why})")


def choose(evaluate: Callable[[int | None], Budget], dev: Device | None = None,
           utilization: float = DEFAULT_UTILIZATION, target_fps: float | None = None,
           clock_mhz: float = 200.0) -> tuple[Budget, FoldChoice]:
    """(budget, choice) of the fold for ``dev`` and / or ``target_fps``;
    ``evaluate(target)``: the budget of the automatic fold to ``target``
    cycles per frame (None: the fastest)."""
    if not 0 < utilization <= 1:
        raise CliError(f"--utilization {utilization:g}: a fraction in (0, 1]")
    seen: dict[int | None, Budget] = {}

    def at(t):
        if t not in seen:
            seen[t] = evaluate(t)
            if dev is not None:
                seen[t] = balance(seen[t], dev, utilization)
        return seen[t]

    cands = candidate_targets(at(None).ops)

    def done(t: int) -> tuple[Budget, FoldChoice]:
        b = at(t)
        lut = dev.limits(utilization)["luts"] if dev else utilization
        return b, FoldChoice(t, b.cycles, len(cands), len(seen), dev.name if dev else None,
                             utilization if dev else None,
                             lut if lut < utilization else None, target_fps,
                             clock_mhz if target_fps else None)

    ok = (lambda t: fits(at(t), dev, utilization)[0]) if dev else (lambda t: True)
    if target_fps is not None:
        if target_fps <= 0 or clock_mhz <= 0:
            raise CliError("--target-fps and --clock-mhz must be positive")
        limit = int(clock_mhz * 1e6 // target_fps)
        within = [t for t in cands if t <= limit]
        if not within:
            raise CliError(f"{target_fps:g} frames/s at {clock_mhz:g} MHz needs at most "
                           f"{limit:,} cycles per frame; the fastest fold takes {cands[0]:,}")
        if not ok(within[-1]):
            raise _refuse(at(within[-1]), dev, utilization,
                          f"the smallest fold for {target_fps:g} frames/s")
        return done(within[-1])
    if dev is None or ok(cands[0]):
        return done(cands[0])
    if not ok(cands[-1]):
        raise _refuse(at(cands[-1]), dev, utilization, "even the smallest fold")
    lo, hi = 0, len(cands) - 1          # cands[lo] does not fit, cands[hi] does
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(cands[mid]) else (mid, hi)
    return done(cands[hi])


def model_evaluator(model_path, family: str, uram: bool = False, model=None):
    """``evaluate(target)`` for a QONNX model (prepared once): the budget of the
    RTL ``build --backend rtl`` writes with the automatic fold to ``target``."""
    from pathlib import Path

    from ..qonnx import prepare
    from ..rtl.project import netlist
    from .estimate import estimate_ops
    from .onnx_input import node_layers

    model = model if model is not None else prepare(model_path)
    rows = node_layers(model_path)

    def evaluate(target):
        ops, _, _, fold = netlist(model, None, target)
        return estimate_ops(Path(model_path).stem, ops, fold, family, uram, rows)
    return evaluate


def config_evaluator(cfg, family: str, uram: bool = False):
    """``evaluate(target)`` for a network config (its weightless graph)."""
    from .estimate import estimate

    return lambda target: estimate(cfg, None, family, target, uram)

