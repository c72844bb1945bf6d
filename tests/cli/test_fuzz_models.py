"""Fuzz: mutated QONNX models (attributes, shapes, initializers, bit widths,
scales, op types) through golden, build (RTL generation, no simulation) and
budget: a one-line refusal with exit 2, or a result (exact against qonnx
execution), never a traceback; and what one refuses, all refuse.

CI-sized by default (25 examples, derandomized by the suite's "repeatable"
profile); SQUEEZEFPGA_FUZZ_EXAMPLES=500 HYPOTHESIS_PROFILE=explore for a long
random run."""
from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx import helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "codegen"))
from graphs import Net  # noqa: E402

from squeezefpga.cli import main  # noqa: E402

FUZZ = settings(max_examples=int(os.environ.get("SQUEEZEFPGA_FUZZ_EXAMPLES", "25")),
                deadline=None, suppress_health_check=list(HealthCheck))


def base_model() -> onnx.ModelProto:
    """input Quant -> Conv 3x3 -> Relu/Quant -> MaxPool -> Conv 1x1 -> Relu/Quant
    -> GlobalAveragePool -> Quant -> Flatten (2x6x6 in, 3 classes)."""
    n = Net((1, 2, 6, 6))
    x = n.act(n.conv(n.input(), 2, 4, k=3, pad=1, seed=1), -1)
    x = n.op("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2])
    x = n.act(n.conv(x, 4, 3, k=1, seed=2), -1)
    x = n.quant(n.op("GlobalAveragePool", [x]), -2, 6)
    out = n.op("Flatten", [x], axis=1)
    return n.model(out, [1, 3]).model


QUANTS_ATTRS = {"signed": [0, 1], "narrow": [0, 1],
                "rounding_mode": ["ROUND", "FLOOR", "CEIL", "HALF_EVEN", "BOGUS"]}
NODE_ATTRS = {"kernel_shape": [[1, 1], [2, 2], [3, 3], [7, 7], [0, 0]],
              "pads": [[0, 0, 0, 0], [1, 1, 1, 1], [2, 0, 0, 2], [-1, 0, 0, 0], [5, 5, 5, 5]],
              "strides": [[1, 1], [2, 2], [3, 1], [0, 1]], "group": [1, 2],
              "dilations": [[1, 1], [2, 2]], "axis": [0, 1, 2, -1], "auto_pad": ["SAME_UPPER"]}
OPS = ["Sigmoid", "Relu", "Identity", "MaxPool", "AveragePool", "Add", "Concat", "Conv",
       "GlobalAveragePool", "Flatten", "Reshape", "Mul"]


def _set_attr(node, name, value) -> None:
    for a in list(node.attribute):
        if a.name == name:
            node.attribute.remove(a)
    node.attribute.append(helper.make_attribute(name, value))


@st.composite
def mutation(draw):
    kind = draw(st.sampled_from(["bits", "scale", "zero", "qattr", "attr", "shape", "init", "op"]))
    return kind, draw(st.integers(0, 10**6)), draw(st.integers(0, 10**6))


def mutate(m: onnx.ModelProto, kind: str, a: int, b: int) -> str:
    g = m.graph
    quants = [n for n in g.node if n.op_type == "Quant"]
    inits = {t.name: t for t in g.initializer}
    pick = lambda seq, k: seq[k % len(seq)]  # noqa: E731

    def set_init(name, value):
        inits[name].CopyFrom(numpy_helper.from_array(np.asarray(value, np.float32), name))

    q = pick(quants, a)
    if kind == "bits":
        v = pick([-1, 0, 1, 2, 3, 8, 16, 24, 31, 32, 33, 40, 2.5], b)
        set_init(q.input[3], v)
    elif kind == "scale":
        v = pick([0.3, -1.0, 0.0, np.inf, np.nan, 2.0 ** -30, 2.0 ** 20, 1e-45, [0.5, 0.5]], b)
        set_init(q.input[1], v)
    elif kind == "zero":
        set_init(q.input[2], pick([1.0, -3.0, 0.5], b))
    elif kind == "qattr":
        name = pick(sorted(QUANTS_ATTRS), b)
        _set_attr(q, name, pick(QUANTS_ATTRS[name], a // 7))
    elif kind == "attr":
        node = pick([n for n in g.node if n.op_type != "Quant"], a)
        name = pick(sorted(NODE_ATTRS), b)
        _set_attr(node, name, pick(NODE_ATTRS[name], a // 5))
    elif kind == "shape":
        dims = g.input[0].type.tensor_type.shape.dim
        dims[b % 4].dim_value = pick([1, 2, 3, 5, 9, 16], a)
        del g.value_info[:]
    elif kind == "init":
        t = pick([t for t in g.initializer if len(t.dims) > 1] or list(g.initializer), a)
        arr = numpy_helper.to_array(t)
        new = pick([arr[:1], arr.reshape(-1), np.full_like(arr, np.nan), arr * 1e30,
                    np.zeros((0,), np.float32), arr[..., :1]], b)
        t.CopyFrom(numpy_helper.from_array(np.asarray(new, np.float32), t.name))
    else:
        node = pick(list(g.node), a)
        node.op_type = pick(OPS, b)
    return f"{kind}({a},{b})"


def cli(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(list(argv))
        except SystemExit as e:   # argparse
            rc = e.code
    return rc, out.getvalue(), err.getvalue()


def refusal_or_result(cmd: str, rc: int, err: str) -> bool:
    lines = [l for l in err.strip().splitlines() if l.strip()]
    assert "Traceback" not in err, err
    if rc == 2:
        assert len(lines) == 1 and lines[0].startswith(f"squeezefpga {cmd}: error: "), lines
        return False
    assert rc == 0, (cmd, rc, err[-2000:])
    return True


@FUZZ
@given(st.lists(mutation(), min_size=1, max_size=2))
def test_mutated_models_are_refused_in_one_line_or_run_exactly(muts):
    m = base_model()
    what = [mutate(m, *mu) for mu in muts]
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "m.onnx"
        onnx.save(m, str(model))
        ok = {}
        rc, _, err = cli("golden", str(model), "--bounds")
        ok["golden"] = refusal_or_result("golden", rc, err)
        out = Path(tmp) / "deep" / "b"
        rc, _, err = cli("build", str(model), "--out", str(out), "--backend", "rtl")
        ok["build"] = refusal_or_result("build", rc, err)
        assert (out / "rtl" / "manifest.json").is_file() if ok["build"] else \
            not (Path(tmp) / "deep").exists()
        rc, _, err = cli("budget", str(model), "--json")
        ok["budget"] = refusal_or_result("budget", rc, err)
        assert len(set(ok.values())) == 1, (what, ok)
        if ok["golden"]:
            rc, _, err = cli("cosim", str(model), "--frames", "2", "--data", "random",
                             "--check", "qonnx")
            assert rc == 0, (what, err)
