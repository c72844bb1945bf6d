"""Golden model speed: golden vs qonnx execute_onnx vs onnxruntime (float copy).

    .venv/bin/python bench/golden_speed.py [--model M.onnx] [--batch 256]

Runs the same model and inputs through the golden plan, qonnx ``execute_onnx``
(frame by frame, as the exported graph has batch 1; timed on --qonnx-frames
frames) and onnxruntime on a float copy of the network (weights dequantized,
activation Quant nodes removed, batch dimension made dynamic), in one process,
and prints images/s and the ratios.  The three are timed interleaved, --repeat
rounds, best of each (the numbers are noisy on a shared machine).  It also
checks golden == qonnx on the timed frames and golden's fast engine == its
int64 reference engine on the whole batch (exit 1 on any mismatch).  Without --model it uses the shipped
models/fmnist/*.onnx, or else exports a random-weight fmnist preset.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from squeezefpga.sim.golden import load  # noqa: E402
from squeezefpga.sim.golden.graph import QONNX_DOMAINS, read_graph  # noqa: E402
from squeezefpga.sim.golden.quantizer import parse_quant  # noqa: E402


def float_copy(model: onnx.ModelProto) -> onnx.ModelProto:
    """The network without quantization: Quant(const) -> dequantized constant,
    Quant(tensor) -> pass-through; batch dimension dynamic."""
    g = read_graph(model)
    rename, inits, nodes = {}, [], []
    for n in model.graph.node:
        if n.op_type == "Quant" and n.domain in QONNX_DOMAINS:
            q = parse_quant(n, g)
            if n.input[0] in g.constants:
                v = np.ldexp(q.quantize_float(g.constants[n.input[0]]).astype(np.float32), q.exp)
                inits.append(numpy_helper.from_array(v.astype(np.float32), n.output[0]))
            else:
                rename[n.output[0]] = rename.get(n.input[0], n.input[0])
            continue
        n2 = onnx.NodeProto()
        n2.CopyFrom(n)
        n2.input[:] = [rename.get(i, i) for i in n.input]
        nodes.append(n2)
    out = model.graph.output[0].name
    if out in rename:
        nodes.append(helper.make_node("Identity", [rename[out]], [out]))
    used = {i for n in nodes for i in n.input}
    inits += [t for t in model.graph.initializer if t.name in used]
    inp = onnx.ValueInfoProto()
    inp.CopyFrom(model.graph.input[0])
    outp = onnx.ValueInfoProto()
    outp.CopyFrom(model.graph.output[0])
    for vi in (inp, outp):
        vi.type.tensor_type.shape.dim[0].dim_param = "N"
    graph = helper.make_graph(nodes, "float_copy", [inp], [outp], inits)
    opsets = [o for o in model.opset_import if o.domain in ("", "ai.onnx")]
    return helper.make_model(graph, opset_imports=opsets)


def default_model(tmp: Path) -> Path:
    shipped = sorted((ROOT / "models" / "fmnist").glob("*.onnx"))
    if shipped:
        return shipped[0]
    import torch
    from brevitas.export import export_qonnx
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.util.cleanup import cleanup_model
    from squeezefpga.quant import export as qexport
    from squeezefpga.quant import presets

    print("no shipped model in models/fmnist/: exporting a random-weight fmnist preset")
    cfg = presets.load("fmnist")
    m = qexport.random_model(cfg, seed=3)
    export_qonnx(m, torch.zeros(1, *cfg.input_shape), export_path=str(tmp / "raw.onnx"), dynamo=False)
    path = tmp / "fmnist_random.onnx"
    cleanup_model(ModelWrapper(str(tmp / "raw.onnx"))).save(str(path))
    return path


def inputs(shape, batch: int) -> np.ndarray:
    subset = ROOT / "data" / "fmnist_subset.npz"
    if subset.is_file() and tuple(shape) == (1, 28, 28):
        imgs = np.load(subset)["images"].astype(np.float32)
        return np.resize(imgs, (batch, *shape))
    return np.random.default_rng(0).integers(0, 256, (batch, *shape)).astype(np.float32)


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--qonnx-frames", type=int, default=16)
    a = ap.parse_args(argv)
    import onnxruntime as ort
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(a.model) if a.model else default_model(Path(tmp))
        plan = load(path)
        x = inputs(plan.input_shape[1:], a.batch)
        mw = ModelWrapper(str(path))
        iname, oname = mw.graph.input[0].name, mw.graph.output[0].name
        sess = ort.InferenceSession(float_copy(onnx.load(str(path))).SerializeToString(),
                                    providers=["CPUExecutionProvider"])
        y_gold = plan(x)
        y_ref = plan(x, engine="int64")
        t_ref = best_of(lambda: plan(x, engine="int64"), 1)
        nq = min(a.qonnx_frames, a.batch)
        y_q = np.concatenate([execute_onnx(mw, {iname: x[i:i + 1]})[oname] for i in range(nq)])
        sess.run(None, {iname: x})
        t_gold = t_q = t_ort = float("inf")
        for _ in range(a.repeat):  # interleaved: load changes hit all three alike
            t_gold = min(t_gold, best_of(lambda: plan(x), 1))
            t_q = min(t_q, best_of(lambda: [execute_onnx(mw, {iname: x[i:i + 1]}) for i in range(nq)], 1))
            t_ort = min(t_ort, best_of(lambda: sess.run(None, {iname: x}), 1))
    gold, qonnx_ips, ort_ips = a.batch / t_gold, nq / t_q, a.batch / t_ort
    print(f"model {path.name}, batch {a.batch}, {len(plan.steps)} steps, best of {a.repeat} interleaved rounds")
    print(f"golden            {gold:10.1f} images/s")
    print(f"golden int64 ref  {a.batch / t_ref:10.1f} images/s  (the reference engine, timed once)")
    print(f"qonnx execute_onnx{qonnx_ips:10.1f} images/s  (timed on {nq} frames)")
    print(f"onnxruntime float {ort_ips:10.1f} images/s")
    print(f"golden / qonnx    {gold / qonnx_ips:10.1f} x   (target >= 100)")
    print(f"golden / ort float{gold / ort_ips:10.2f} x   (target >= 0.5)")
    same = np.array_equal(y_gold[:nq], y_q.astype(np.float64))
    exact = np.array_equal(y_gold, y_ref)
    print(f"golden == qonnx on the timed frames: {same}")
    print(f"golden fast == golden int64 on all {a.batch} frames: {exact}")
    same = same and exact
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
