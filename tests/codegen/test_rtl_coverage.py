"""Every graph the golden model accepts builds to an RTL netlist and gets a
budget; what the RTL cannot take is refused up front by the shared legality
check (sim/golden/legality.py), with golden's message.  The co-simulation of
the same random networks is tests/e2e/test_rtl_random_nets.py."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, example, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from firenets import ISSUE, POOL_WRAP, SIMPLE, G, fire_net, specs  # noqa: E402

from squeezefpga.cli import main  # noqa: E402
from squeezefpga.sim.golden import legality  # noqa: E402
from squeezefpga.sim.golden.graph import UnsupportedModel  # noqa: E402

NETS = settings(max_examples=int(os.environ.get("SQUEEZEFPGA_RTL_NETS", "15")), deadline=None,
                suppress_health_check=list(HealthCheck))


@NETS
@given(spec=specs())
@example(spec=ISSUE)
@example(spec=POOL_WRAP)
@example(spec=SIMPLE)
def test_random_fire_networks_build_and_budget(spec, tmp_path_factory):
    from squeezefpga.codegen.budget.estimate import estimate_ops, model_ops

    path = tmp_path_factory.mktemp("net") / "net.onnx"
    onnx.save(fire_net(spec), str(path))
    try:
        legality.check(path)
    except UnsupportedModel:
        return
    ops, fold, rows = model_ops(path)
    b = estimate_ops("net", ops, fold, "xilinx", False, rows)
    assert b.cycles > 0 and b.total.multipliers > 0


def test_strided_conv_inside_a_branch_refused_up_front(tmp_path, capsys):
    g = G((1, 2, 6, 6))
    x = g.quant(g.input, 0, 8, False)
    a, b = (g.quant(g.conv(x, np.ones((2, 2, 3, 3)), -2, stride=2, pad=1), -1, 6, False)
            for _ in range(2))
    y = g.quant(g.node("GlobalAveragePool", [g.node("Add", [a, b])]), -1, 8, True)
    path = tmp_path / "m.onnx"
    onnx.save(g.model(g.node("Flatten", [y], axis=1)), str(path))
    with pytest.raises(UnsupportedModel) as e:
        legality.check(path)
    assert "a strided Conv between the fan-out" in str(e.value)
    for cmd in (["build", str(path), "--out", str(tmp_path / "b"), "--backend", "rtl"],
                ["budget", str(path)], ["golden", str(path)]):
        assert main(cmd) == 2, cmd
        assert str(e.value) in capsys.readouterr().err, cmd
    assert not (tmp_path / "b").exists()


def _ops(spec, tmp_path):
    from squeezefpga.codegen.budget.estimate import model_ops

    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / "net.onnx"
    onnx.save(fire_net(spec), str(path))
    legality.check(path)
    return model_ops(path)[0]


def test_explicit_examples_keep_what_they_stand_for(tmp_path):
    # POOL_WRAP: the global pool's quotient has NB bits with NB + 1 a power of two
    # (global_avgpool.v counts its step 0..NB+1: the width that once wrapped)
    (gap,) = [o for o in _ops(POOL_WRAP, tmp_path) if o.module == "global_avgpool"]
    p = gap.params()
    nb = p["IN_W"] + int(np.ceil(np.log2(p["H"] * p["W"] + 1))) + 1 + max(0, -p["SHIFT"])
    assert nb & (nb + 1) == 0, nb
    # SIMPLE: the Fire's input joins its output in an axis_add
    assert any(o.module == "axis_add" for o in _ops(SIMPLE, tmp_path / "s"))


def _gap_net(tmp_path, shift: int):
    """input -> 1x1 conv -> 6-bit activation at 2^-1 -> GAP -> Quant at 2^(shift - 1)."""
    g = G((1, 2, 4, 4))
    x = g.quant(g.input, 0, 8, False)
    a = g.quant(g.conv(x, np.ones((3, 2, 1, 1)), -2), -1, 6, False)
    y = g.quant(g.node("GlobalAveragePool", [a]), shift - 1, 8, True)
    path = tmp_path / f"gap{shift}.onnx"
    onnx.save(g.model(g.node("Flatten", [y], axis=1)), str(path))
    return path


@pytest.mark.parametrize("shift", [25, -25, 40])
def test_gap_shift_outside_global_avgpool_range_refused_up_front(tmp_path, capsys, shift):
    path = _gap_net(tmp_path, shift)
    with pytest.raises(UnsupportedModel) as e:
        legality.check(path)
    msg = str(e.value)
    assert msg.startswith("node '") and "(GlobalAveragePool)" in msg
    assert f"a shift of {shift}" in msg and "[-24, 24]" in msg and "\n" not in msg
    for cmd in (["build", str(path), "--out", str(tmp_path / "b"), "--backend", "rtl"],
                ["budget", str(path)], ["golden", str(path)]):
        assert main(cmd) == 2, cmd
        assert msg in capsys.readouterr().err, cmd
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("shift", [24, -24])
def test_gap_shift_at_the_range_ends_builds(tmp_path, shift):
    path = _gap_net(tmp_path, shift)
    legality.check(path)
    assert main(["build", str(path), "--out", str(tmp_path / "b"), "--backend", "rtl"]) == 0


@pytest.mark.parametrize("in_w,out_w,signed,pixels", [(4, 8, False, 16), (6, 4, True, 9),
                                                      (3, 3, True, 49), (8, 8, False, 1)])
def test_gap_shift_bound_keeps_every_result(in_w, out_w, signed, pixels):
    """gap_shift moves SHIFT into global_avgpool's range without changing one
    result: every sum of ``pixels`` values of ``in_w`` bits, every shift
    the legality check lets through."""
    from squeezefpga.codegen.hwops.gap import gap_shift
    from squeezefpga.sim.golden.ops import avgpool_from_sum

    lo, hi = (-(1 << (in_w - 1)), (1 << (in_w - 1)) - 1) if signed else (0, (1 << in_w) - 1)
    sums = np.arange(lo * pixels, hi * pixels + 1, dtype=np.int64)
    for shift in range(-24, 25):
        want = avgpool_from_sum(sums, pixels, shift, out_w, signed)
        got = avgpool_from_sum(sums, pixels, gap_shift(shift, in_w, out_w, pixels), out_w, signed)
        assert np.array_equal(want, got), shift


@pytest.mark.verilator
def test_gap_tiny_mean_at_a_large_scale_saturates_in_rtl(tmp_path):
    """A mean of 1/16 code scaled up by 2^20 saturates (127) in golden and RTL
    alike (the requantizer's bound OUT_W + 1 made RTL shift by 9 only: 32)."""
    path = _gap_net(tmp_path, -20)
    x = np.zeros((3, 1, 2, 4, 4), np.float32)
    x[0, 0, 0, 1, 2] = 2      # one pixel, one channel: activation codes sum to 1 over 16
    x[2, 0, 0] = 255          # pixels: 127 at 2^20, 32 at 2^9; all 255 saturates anyway
    xp = tmp_path / "x.npy"
    np.save(xp, x.reshape(3, 2, 4, 4))
    assert main(["cosim", str(path), "--inputs", str(xp), "--check", "rtl"]) == 0
