import pytest
from graphs import Net

from squeezefpga.codegen.errors import ModelError
from squeezefpga.codegen.qonnx import cleanup, validate


def _check(n, out):
    return validate.apply(cleanup.apply(n.model(out))[0])


def test_supported_graph_passes_unchanged():
    n = Net()
    assert _check(n, n.act(n.conv(n.input(), 1, 2), -1))[1] is False


def test_unsupported_op_named():
    n = Net()
    out = n.op("Sigmoid", [n.input()], name="sig")
    with pytest.raises(ModelError, match=r"^node 'Sigmoid_0' \(Sigmoid\): op is not supported"):
        _check(n, out)


def test_float_scale_named():
    n = Net()
    out = n.quant(n.op("Relu", [n.input()]), 0, 4, scale=0.3, name="q")
    with pytest.raises(ModelError, match=r"^node 'Quant_\d+' \(Quant\): scale 0.3\d* is not a power of two"):
        _check(n, out)


def test_ceil_rounding_has_no_ap_fixed_form():
    n = Net()
    out = n.quant(n.op("Relu", [n.input()]), -1, 4, mode="CEIL", name="q")
    with pytest.raises(ModelError, match="rounding_mode CEIL"):
        _check(n, out)
