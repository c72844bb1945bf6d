import numpy as np
from graphs import Net

from squeezefpga.codegen.hls.precision import derive
from squeezefpga.codegen.qonnx import prepare


def _one_conv(w_codes, b_code):
    n = Net((1, 2, 3, 3))
    x = n.input()
    w = np.asarray(w_codes, np.float64).reshape(1, 2, 1, 1) * 2.0 ** -2
    ins = [x, n.quant(w, -2, 4, True, True), n.quant(np.array([b_code * 2.0 ** -4]), -4, 8, True)]
    c = n.op("Conv", ins, name="conv", kernel_shape=[1, 1], pads=[0] * 4, strides=[1, 1], group=1,
             dilations=[1, 1])
    return prepare(n.model(n.act(c, -1)))


def test_accumulator_is_the_proven_minimum():
    # products at 2**-2, bias at 2**-4 -> accumulator at 2**-4, products << 2;
    # max = 3*255 << 2 + 5 = 3065, min = -2*255 << 2 + 5 = -2035: 13 bits signed
    layers, types = derive(_one_conv([3, -2], 5))
    p = layers["Conv2D_Conv_0"]["Precision"]
    assert p["accum"] == "fixed<13,9,TRN,WRAP>" == p["result"]
    assert p["weight"] == "fixed<4,2,TRN,WRAP>" and p["bias"] == "fixed<8,4,TRN,WRAP>"
    assert next(iter(layers.values()))["Precision"]["result"] == "ufixed<8,8,RND_CONV,SAT>"  # input


def test_one_bit_less_would_not_hold_the_bound():
    layers, _ = derive(_one_conv([3, -2], 6))      # max 3066 still 12 bits + sign
    assert layers["Conv2D_Conv_0"]["Precision"]["accum"].startswith("fixed<13,")
    layers, _ = derive(_one_conv([4, -2], 0))      # max 4080 -> 12 bits + sign
    assert layers["Conv2D_Conv_0"]["Precision"]["accum"].startswith("fixed<13,")
    layers, _ = derive(_one_conv([1, 1], 0))       # unsigned: max 510 << 2 = 2040, 11 bits
    assert layers["Conv2D_Conv_0"]["Precision"]["accum"] == "ufixed<11,7,TRN,WRAP>"


def test_every_layer_has_every_precision_explicit():
    layers, _ = derive(_one_conv([3, -2], 5))
    for name, cfg in layers.items():
        assert "result" in cfg["Precision"] and "auto" not in str(cfg), name
