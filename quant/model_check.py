"""Acceptance checks of an exported model, independent of Brevitas and golden.

* ``qcdq_predict``: run the QONNX export with onnxruntime after qonnx's
  ``QuantToQCDQ`` lowering (standard QuantizeLinear/Clip/DequantizeLinear
  nodes), the lowering a user of a stock ONNX runtime would take.
* ``bit_width_violations``: the W4A4 rule of the committed fmnist model:
  every conv weight at most ``weight_bits`` except the classifier's (the last
  conv, at most ``classifier_bits``); every activation Quant at most
  ``act_bits`` except the input bytes and the output (at most ``io_bits``).
* ``parameter_count``: conv weights and biases.

``python -m squeezefpga.quant.model_check MODEL.onnx [--data DIR]`` prints all
three on the Fashion-MNIST test set (or DIR's ``val/`` image folder).
No torch import.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class BitRule:
    weight_bits: int = 4       # conv weights but the classifier's
    classifier_bits: int = 8   # the last conv's weights
    act_bits: int = 4          # activations between layers
    io_bits: int = 8           # the input bytes and the network output


def _wrapper(model):
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.util.cleanup import cleanup_model

    return cleanup_model(ModelWrapper(str(model)) if isinstance(model, (str, Path)) else model)


def qcdq_session(model):
    """An onnxruntime session of ``model`` lowered by QuantToQCDQ; refuses a
    graph that keeps a Quant node (bit widths outside QCDQ's 2..8)."""
    import onnxruntime as ort
    from qonnx.transformation.qonnx_to_qcdq import QuantToQCDQ

    m = _wrapper(model).transform(QuantToQCDQ())
    left = [n.name for n in m.graph.node if n.op_type == "Quant"]
    if left:
        raise ValueError(f"QuantToQCDQ left Quant node {left[0]} (bit width outside 2..8)")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    return ort.InferenceSession(m.model.SerializeToString(), opts,
                                providers=["CPUExecutionProvider"])


def qcdq_predict(model, images: np.ndarray) -> np.ndarray:
    """Float model outputs, shape (N, classes), one image per run (the export's
    batch dimension is fixed at 1)."""
    sess = qcdq_session(model)
    name = sess.get_inputs()[0].name
    x = images.astype(np.float32)
    return np.stack([sess.run(None, {name: x[i:i + 1]})[0].reshape(-1) for i in range(len(x))])


def _quant_bits(m, node) -> int:
    return int(np.asarray(m.get_initializer(node.input[3])).reshape(()))


def bit_width_violations(model, rule: BitRule = BitRule()) -> list[str]:
    """One line per Quant node that breaks ``rule``, named by node."""
    m = _wrapper(model)
    graph_in = {i.name for i in m.graph.input}
    convs = [n for n in m.graph.node if n.op_type == "Conv"]
    out = []
    for n in m.graph.node:
        if n.op_type != "Quant":
            continue
        bits = _quant_bits(m, n)
        users = m.find_consumers(n.output[0]) or []
        if m.get_initializer(n.input[0]) is not None:      # a parameter
            for u in users:
                if u.op_type == "Conv" and u.input[1] == n.output[0]:
                    cap = rule.classifier_bits if u is convs[-1] or u.name == convs[-1].name \
                        else rule.weight_bits
                    if bits > cap:
                        out.append(f"{n.name}: {bits}-bit weights of {u.name} (at most {cap})")
            continue
        edge = n.input[0] in graph_in or not _conv_downstream(m, n.output[0])
        cap = rule.io_bits if edge else rule.act_bits
        if bits > cap:
            where = "input/output" if edge else "activation"
            out.append(f"{n.name}: {bits}-bit {where} (at most {cap})")
    return out


def _conv_downstream(m, tensor: str) -> bool:
    seen, todo = set(), [tensor]
    while todo:
        t = todo.pop()
        for u in m.find_consumers(t) or []:
            if u.op_type == "Conv":
                return True
            if u.name not in seen:
                seen.add(u.name)
                todo.extend(u.output)
    return False


def parameter_count(model) -> int:
    """Elements of every conv's weight and bias (before quantization)."""
    m = _wrapper(model)
    producers = {o: n for n in m.graph.node for o in n.output}
    total = 0
    for c in (n for n in m.graph.node if n.op_type == "Conv"):
        for t in c.input[1:]:
            src = producers.get(t)
            arr = m.get_initializer(src.input[0] if src is not None and src.op_type == "Quant" else t)
            if arr is None:
                raise ValueError(f"{c.name}: parameter {t} is not a constant")
            total += int(np.asarray(arr).size)
    return total


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m squeezefpga.quant.model_check",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("model")
    p.add_argument("--data", help="Fashion-MNIST IDX directory or an image folder (DIR/val/)")
    p.add_argument("--limit", type=int, help="first N test images only")
    a = p.parse_args(argv)
    from .data import DataError, load_split

    try:
        if not Path(a.model).is_file():
            raise OSError(f"{a.model}: no such file")
        m = _wrapper(a.model)
        shape = tuple(d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim[1:])
        split = load_split("test", a.data, shape)
        bad = bit_width_violations(m)
        params = parameter_count(m)
        x, y = split.images[:a.limit], split.labels[:a.limit]
        acc = float((qcdq_predict(m, x).argmax(1) == y).mean())
    except (OSError, ValueError, DataError) as e:
        print(f"model_check: {e}", file=sys.stderr)
        return 2
    print(f"{a.model}: onnxruntime QCDQ accuracy {acc:.4f} on {len(y)} images, "
          f"{params:,} parameters, bit widths {'ok' if not bad else 'BAD'}")
    for line in bad:
        print("  " + line)
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
