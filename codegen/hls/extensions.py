"""hls4ml extensions, registered through its public APIs only.

* ``StreamMaxPool2D``: io_stream max-pool for any kernel, stride, padding and
  ceil_mode (hls4ml's own asserts pool == stride in io_stream and ignores
  ceil_mode).  ONNX op ``StreamMaxPool`` (see codegen/qonnx/ops.py).
* ``QuantGlobalAvgPool2D``: channels-last global average pool fused with its
  quantizer, one exact rounding (hls4ml's ONNX handler averages the wrong
  axes on channels-last data and rounds the mean twice).

``register()`` is idempotent: ONNX handlers via ``register_onnx_layer_handler``,
layers via ``register_layer``, templates and C++ sources via the backend's
``register_template`` / ``register_source``.  The C++ and the config/call
templates are files in ``templates/``.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

TEMPLATES = Path(str(resources.files(__package__))) / "templates"
BACKENDS = ("Vivado", "Vitis")
_done = False


def _tpl(name: str) -> str:
    return (TEMPLATES / name).read_text()


def register() -> None:
    global _done
    if _done:
        return
    import hls4ml
    from hls4ml.backends.template import FunctionCallTemplate, LayerConfigTemplate
    from hls4ml.converters.onnx_to_hls import get_onnx_attribute, register_onnx_layer_handler
    from hls4ml.model.layers import Layer, register_layer
    from hls4ml.model.attributes import Attribute

    pool_attrs = ("in_height", "in_width", "n_filt", "pool_height", "pool_width", "stride_height",
                  "stride_width", "pad_top", "pad_left", "pad_bottom", "pad_right", "out_height",
                  "out_width")

    class StreamMaxPool2D(Layer):
        _expected_attributes = [Attribute(a) for a in pool_attrs]

        def initialize(self):
            shape = [self.attributes["out_height"], self.attributes["out_width"], self.attributes["n_filt"]]
            self.add_output_variable(shape)

    gap_attrs = ("in_height", "in_width", "n_filt", "exp", "bits", "signed", "narrow", "rounding_mode")

    class QuantGlobalAvgPool2D(Layer):
        _expected_attributes = [Attribute(a, value_type=None) for a in gap_attrs]

        def initialize(self):
            self.add_output_variable([self.attributes["n_filt"]])

    def parse_stream_maxpool(node, input_names, input_shapes, graph):
        _, h, w, c = input_shapes[0]
        k, s = get_onnx_attribute(node, "kernel_shape"), get_onnx_attribute(node, "strides")
        p = get_onnx_attribute(node, "pads") or [0, 0, 0, 0]
        ceil = bool(get_onnx_attribute(node, "ceil_mode") or 0)
        return {"name": node.name, "class_name": "StreamMaxPool2D", "inputs": input_names[:1],
                "outputs": list(node.output), "data_format": "channels_last",
                "in_height": h, "in_width": w, "n_filt": c, "pool_height": k[0], "pool_width": k[1],
                "stride_height": s[0], "stride_width": s[1], "pad_top": p[0], "pad_left": p[1],
                "pad_bottom": p[2], "pad_right": p[3],
                "out_height": pool_out(h, k[0], s[0], p[0], p[2], ceil),
                "out_width": pool_out(w, k[1], s[1], p[1], p[3], ceil)}

    def parse_quant_gap(node, input_names, input_shapes, graph):
        _, h, w, c = input_shapes[0]
        layer = {"name": node.name, "class_name": "QuantGlobalAvgPool2D", "inputs": input_names[:1],
                 "outputs": list(node.output), "data_format": "channels_last",
                 "in_height": h, "in_width": w, "n_filt": c}
        for a in ("exp", "bits", "signed", "narrow", "rounding_mode"):
            v = get_onnx_attribute(node, a)
            layer[a] = v.decode() if isinstance(v, bytes) else v
        return layer

    class MaxPoolConfig(LayerConfigTemplate):
        def __init__(self):
            super().__init__(StreamMaxPool2D)
            self.template = _tpl("stream_maxpool_config.tpl")

        def format(self, node):
            return self.template.format(**self._default_config_params(node))

    class MaxPoolCall(FunctionCallTemplate):
        def __init__(self):
            super().__init__(StreamMaxPool2D, include_header=["nnet_utils/nnet_stream_maxpool.h"])
            self.template = _tpl("stream_maxpool_call.tpl")

        def format(self, node):
            return self.template.format(**self._default_function_params(node))

    class GapConfig(LayerConfigTemplate):
        def __init__(self):
            super().__init__(QuantGlobalAvgPool2D)
            self.template = _tpl("quant_gap_config.tpl")

        def format(self, node):
            params = self._default_config_params(node)
            params.update(gap_params(node))
            return self.template.format(**params)

    class GapCall(FunctionCallTemplate):
        def __init__(self):
            super().__init__(QuantGlobalAvgPool2D, include_header=["nnet_utils/nnet_quant_gap.h"])
            self.template = _tpl("quant_gap_call.tpl")

        def format(self, node):
            return self.template.format(**self._default_function_params(node))

    register_layer("StreamMaxPool2D", StreamMaxPool2D)
    register_layer("QuantGlobalAvgPool2D", QuantGlobalAvgPool2D)
    register_onnx_layer_handler("StreamMaxPool", parse_stream_maxpool)
    register_onnx_layer_handler("QuantGlobalAveragePool", parse_quant_gap)
    for b in BACKENDS:
        backend = hls4ml.backends.get_backend(b)
        for t in (MaxPoolConfig, MaxPoolCall, GapConfig, GapCall):
            backend.register_template(t)
        for src in ("nnet_stream_maxpool.h", "nnet_quant_gap.h"):
            backend.register_source(TEMPLATES / src)
    _done = True


def pool_out(size: int, k: int, s: int, p0: int, p1: int, ceil_mode: bool) -> int:
    from ..qonnx.ops import pool_out as f

    return f(size, k, s, p0, p1, ceil_mode)


def gap_params(node) -> dict:
    """Integer constants of the exact pooled-mean division (see nnet_quant_gap.h)."""
    inp = node.get_input_variable().type.precision
    out = node.get_output_variable().type.precision
    e_in = inp.integer - inp.width
    e_out = int(node.get_attr("exp"))
    h, w = node.get_attr("in_height"), node.get_attr("in_width")
    lo = -(1 << (inp.width - 1)) if inp.signed else 0
    hi = (1 << (inp.width - (1 if inp.signed else 0))) - 1
    acc_bits = max((abs(lo) * h * w).bit_length(), (hi * h * w).bit_length()) + 1
    sh_num, sh_den = max(0, e_in - e_out), max(0, e_out - e_in)
    num_bits = max(acc_bits + sh_num, (h * w).bit_length() + sh_den + 1) + 2
    bits, signed, narrow = int(node.get_attr("bits")), bool(node.get_attr("signed")), bool(node.get_attr("narrow"))
    qmin = -(1 << (bits - 1)) + narrow if signed else 0
    qmax = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1 - narrow
    if out.width != bits or bool(out.signed) != signed or out.integer - out.width != e_out:
        raise ValueError(f"layer {node.name}: result precision {out} is not the quantizer's "
                         f"({'' if signed else 'u'}fixed<{bits},{bits + e_out}>)")
    return {"in_bits": inp.width, "in_signed": "true" if inp.signed else "false",
            "acc_bits": acc_bits, "num_bits": num_bits, "sh_num": sh_num, "sh_den": sh_den,
            "floor_mode": "true" if node.get_attr("rounding_mode") == "FLOOR" else "false",
            "qmin": qmin, "qmax": qmax, "out_bits": bits}
