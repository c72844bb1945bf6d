"""codegen/rtl/slices.py: a register slice on every op-to-op stream of at most
MAX_W bits, none on wider ones, wire-only FIFOs looked through; the slices
are netlist ops (budget, manifest) and leave cycles per frame unchanged."""
from __future__ import annotations

from pathlib import Path

import pytest

from squeezefpga.codegen.hwops import AxisFifo, AxisRegister, Stream
from squeezefpga.codegen.hwops.streaming import Requant
from squeezefpga.codegen.qonnx import prepare
from squeezefpga.codegen.rtl import slices
from squeezefpga.codegen.rtl.fold import fold_cycles
from squeezefpga.codegen.rtl.project import netlist

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "tests" / "e2e" / "configs" / "tiny_complex.toml"


@pytest.fixture(scope="module")
def ops(export_random):
    return netlist(prepare(str(export_random(CONFIG))))[0]


def _producers(ops) -> dict:
    return {s.name: o for o in ops for _, s in o.outs}


def test_every_narrow_edge_between_ops_is_sliced(ops):
    prod = _producers(ops)
    rs = [o for o in ops if type(o) is AxisRegister]
    assert rs, "no slice inserted"
    for o in ops:
        if type(o) is AxisRegister or (isinstance(o, AxisFifo) and not o.depth):
            continue
        for _, s in o.ins:
            p = prod.get(s.name)
            if p is None:        # the top's input: its port slice is in templates/io.v
                continue
            if s.width <= slices.MAX_W:
                assert type(p) is AxisRegister, (o.name, s.name, type(p).__name__)
            else:
                assert type(p) is not AxisRegister, (o.name, s.name)
    for r in rs:                 # a slice feeds an op directly, never another slice
        assert type(prod[r.x.name]) is not AxisRegister
        assert r.x.width <= slices.MAX_W and r.cycles() == r.x.beats


def test_wide_edges_and_wires(ops):
    def s(name, lanes, bits):
        return Stream(name, 8, 2, 2, lanes, bits, True, 0)

    a, b, c, d = s("a", 8, 20), s("b", 8, 4), s("c", 8, 4), s("d", 8, 4)
    ops = [Requant("rq", "L", [("s_axis", a)], [("m_axis", b)]),
           AxisFifo("wire", "L", [("s_axis", b)], [("m_axis", c)]),          # depth 0
           Requant("rq2", "L", [("s_axis", c)], [("m_axis", d)])]
    src = s("src", 8, 20)
    ops.insert(0, Requant("rq0", "L", [("s_axis", src)], [("m_axis", a)]))
    out = slices.insert(ops, max_w=64)
    names = [o.name for o in out]
    # a (160 bits) is wider than 64: no slice; b -> the wire FIFO: none (looked
    # through); c, the wire's output, 32 bits: one slice in front of rq2
    assert names == ["rq0", "rq", "wire", "rs_c", "rq2"]
    assert out[-1].x.name == "c_rs" and out[3].x is out[2].y
    assert slices.insert(ops[:2], max_w=0) == ops[:2]


def test_cycles_unchanged_and_counted(export_random):
    model = prepare(str(export_random(CONFIG)))
    ops = netlist(model)[0]
    bare = [o for o in ops if type(o) is not AxisRegister]
    assert fold_cycles(ops) == fold_cycles(bare)
    r = next(o for o in ops if type(o) is AxisRegister)
    w = r.x.width
    assert (r.luts("ecp5"), r.ffs("ecp5")) == (w + 8, 2 * w + 4)
