"""Property: every random Fire network the golden model accepts builds to RTL
and co-simulates exactly against golden under random backpressure.

The networks (tests/codegen/firenets.py) cover bypass none/simple/complex,
complex bypasses whose raw accumulator joins the Add, standalone requantizers
on concat outputs (signed/unsigned, finer/coarser scale, narrower/wider),
unequal join scales and widths, weights 2-8 bits, activations 2-16 bits,
signed streams through max-pool and the joins, a raw accumulator into the
global average pool, fan-out of three, odd input sizes, ceil/floor pools,
strides, padding and signed/unsigned inputs.  Each network is also read by
``budget`` from the same netlist.

CI runs a few derandomized examples (the "repeatable" profile, about a
minute); ``HYPOTHESIS_PROFILE=explore SQUEEZEFPGA_RTL_NETS=200`` explores.
Failing cases found so far stay as explicit ``@example``\\ s.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, example, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "codegen"))
from firenets import ISSUE, POOL_WRAP, SIMPLE, fire_net, specs  # noqa: E402

pytestmark = [pytest.mark.verilator, pytest.mark.slow]

NETS = settings(max_examples=int(os.environ.get("SQUEEZEFPGA_RTL_NETS", "4")), deadline=None,
                suppress_health_check=list(HealthCheck))

def run_net(spec: dict, tmp: Path, frames: int = 2) -> None:
    import squeezefpga.cli.checks.rtl  # noqa: F401
    from squeezefpga.cli import main
    from squeezefpga.sim.golden import legality
    from squeezefpga.sim.golden.cosim import run_cosim
    from squeezefpga.sim.golden.graph import UnsupportedModel

    path = tmp / "net.onnx"
    onnx.save(fire_net(spec), str(path))
    try:
        legality.check(path)
    except UnsupportedModel:
        return                      # refused up front, by every command alike
    i = spec["input"]
    lo, hi = (-(1 << (i["bits"] - 1)), 1 << (i["bits"] - 1)) if i["signed"] else (0, 1 << i["bits"])
    rng = np.random.default_rng(spec["seed"])
    x = rng.integers(lo, hi, (frames, i["c"], i["h"], i["w"])).astype(np.float32)
    rep = run_cosim(path, x, ["rtl"])
    assert rep["mismatches"]["rtl"] == 0, rep["checks"]["rtl"]["first_divergence"]
    assert main(["budget", str(path), "--json"]) == 0


@pytest.fixture(scope="module")
def rtl_cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("SQUEEZEFPGA_RTL_CACHE", str(tmp_path_factory.mktemp("rtl-cache")))
    yield
    mp.undo()


def test_issue_network(tmp_path, rtl_cache):
    run_net(ISSUE, tmp_path)


@NETS
@given(spec=specs())
@example(spec=POOL_WRAP)
@example(spec=SIMPLE)
def test_random_fire_networks(spec, tmp_path_factory, rtl_cache):
    run_net(spec, tmp_path_factory.mktemp("net"))
