"""Sweeps: the budget over a grid of configuration changes.

``--sweep key=v1,v2,...`` (repeatable; the grid is the product).  Keys:

* ``sr``, ``pct_3x3``, ``base_e``, ``incr_e``, ``freq``: the paper's
  metaparameters (only for presets whose Fires take their widths from them);
* ``FIRE.s1x1``, ``FIRE.e1x1``, ``FIRE.e3x3``: one named Fire's widths;
* ``bypass``: ``net.bypass`` (none/simple/complex; per-Fire settings cleared);
* ``weight_bits``, ``act_bits``, ``bias_bits``, ``input_bits``, ``out_bits``;
* ``target_cycles``: the auto-fold target (cycles per frame).

A point whose configuration is illegal is kept as a row with its reason.
"""
from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass

from squeezefpga.quant.arch import ConfigError
from squeezefpga.quant.presets import from_tree

from ..errors import CliError
from ..hwops.devices import Device
from ..hwops.base import FoldError
from .estimate import Budget, estimate

META = {"sr": float, "pct_3x3": float, "base_e": int, "incr_e": int, "freq": int}
QUANT = ("weight_bits", "act_bits", "bias_bits", "input_bits", "out_bits")
FIRE_KEYS = ("s1x1", "e1x1", "e3x3")
KEYS_HELP = ", ".join(list(META) + ["FIRE.s1x1", "FIRE.e1x1", "FIRE.e3x3", "bypass"]
                      + list(QUANT) + ["target_cycles"])


def _typed(key: str, raw: str):
    kind = "str" if key == "bypass" else ("float" if META.get(key) is float else "int")
    try:
        return raw if kind == "str" else (float(raw) if kind == "float" else int(raw))
    except ValueError:
        raise CliError(f"--sweep {key}: value '{raw}' is not a{'n' if kind == 'int' else ''} "
                       f"{kind}") from None


def parse_sweeps(specs: list[str], tree: dict) -> list[tuple[str, list]]:
    """[(key, values)] from ``key=v1,v2`` strings; unknown keys are CliErrors."""
    fires = {l.get("name") for l in tree.get("layers", []) if l.get("type") == "fire"}
    out = []
    for spec in specs:
        key, sep, vals = spec.partition("=")
        key = key.strip()
        if not sep or not vals.strip():
            raise CliError(f"--sweep '{spec}': expected key=v1,v2,...")
        if key in META:
            if any(l.get("type") == "fire" and "s1x1" in l for l in tree.get("layers", [])):
                raise CliError(f"--sweep {key}: this config gives explicit Fire widths, the "
                               f"metaparameters do not apply (sweep FIRE.s1x1/e1x1/e3x3)")
        elif "." in key:
            fire, _, field = key.partition(".")
            if field not in FIRE_KEYS:
                raise CliError(f"--sweep {key}: unknown key (known: {KEYS_HELP})")
            if fire not in fires:
                raise CliError(f"--sweep {key}: no Fire named '{fire}' (known: "
                               f"{', '.join(sorted(fires))})")
        elif key not in QUANT and key not in ("bypass", "target_cycles"):
            raise CliError(f"--sweep {key}: unknown key (known: {KEYS_HELP})")
        out.append((key, [_typed(key, v.strip()) for v in vals.split(",")]))
    return out


def apply(tree: dict, point: dict) -> dict:
    """A copy of ``tree`` with one sweep point's changes (target_cycles excluded)."""
    t = copy.deepcopy(tree)
    base_cfg = None
    for key, v in point.items():
        if key in META:
            t.setdefault("metaparams", {})[key] = v
        elif key in QUANT:
            t.setdefault("quant", {})[key] = v
        elif key == "bypass":
            t.setdefault("net", {})["bypass"] = v
            for l in t.get("layers", []):
                l.pop("bypass", None)
        elif "." in key:
            fire, _, field = key.partition(".")
            layer = next(l for l in t["layers"] if l.get("name") == fire)
            if "s1x1" not in layer:  # widths from the metaparameters: make them explicit
                base_cfg = base_cfg or from_tree(tree)
                f = next(x for x in base_cfg.fires if x.name == fire)
                layer.update(s1x1=f.s1x1, e1x1=f.e1x1, e3x3=f.e3x3)
            layer[field] = v
    return t


@dataclass
class Point:
    label: str
    values: dict
    budget: Budget | None = None
    error: str | None = None

    def row(self, devs: list[Device], clock_mhz: float) -> dict:
        r = {"point": self.label, **{k: v for k, v in self.values.items()}}
        if self.budget is None:
            return {**r, "status": "illegal", "reason": self.error}
        t = self.budget.total.as_dict()
        r.update(status="ok", reason="", onchip_bits=self.budget.onchip_bits,
                 **{f"total_{k}": t[k] for k in ("weight_bits", "bias_bits", "buffer_bits",
                                                 "fifo_bits")},
                 **{k: t[k] for k in ("bram18_equiv", "uram", "lutram_bits", "dsp",
                                      "multipliers", "cycles_per_frame")},
                 fps=round(clock_mhz * 1e6 / self.budget.cycles, 1))
        for d in devs:
            f = self.budget.fit(d)
            r[f"fits_{d.name}"] = f["fits"]
        return r


def run_sweep(tree: dict, sweeps: list[tuple[str, list]], family: str, uram: bool = False,
              fold: dict | None = None, target: int | None = None) -> list[Point]:
    keys = [k for k, _ in sweeps]
    points = []
    for combo in itertools.product(*[vals for _, vals in sweeps]):
        values = dict(zip(keys, combo))
        label = " ".join(f"{k}={v}" for k, v in values.items())
        p = Point(label, values)
        try:
            cfg = from_tree(apply(tree, values))
            p.budget = estimate(cfg, fold, family, values.get("target_cycles", target), uram)
        except (ConfigError, FoldError) as e:
            p.error = str(e)
        points.append(p)
    return points


def format_rows(rows: list[dict], keys: list[str]) -> str:
    """The sweep as a terminal table: swept values, totals, fits per device."""
    shown = ("onchip_bits", "bram18_equiv", "dsp", "cycles_per_frame", "fps")
    fits = list(dict.fromkeys(k for r in rows for k in r if k.startswith("fits_")))
    lines = ["".join(f"{k:>14}" for k in keys) + "".join(f"{k:>17}" for k in shown)
             + "".join(f"{k[5:]:>11}" for k in fits)]
    for r in rows:
        line = "".join(f"{str(r[k]):>14}" for k in keys)
        if r["status"] != "ok":
            lines.append(f"{line}  ILLEGAL: {r['reason']}")
            continue
        line += "".join(f"{r[k]:>17,}" for k in shown)
        lines.append(line + "".join(f"{'yes' if r[k] else 'no':>11}" for k in fits))
    return "\n".join(lines)
