"""The estimator's arithmetic on a tiny hand-computed network."""
from squeezefpga.codegen.budget import estimate
from squeezefpga.codegen.budget.report import paper_table, weight_counts
from squeezefpga.codegen.hwops.devices import DEVICES
from squeezefpga.quant import presets

TINY = {
    "net": {"name": "tiny", "input_shape": [1, 8, 8], "num_classes": 2},
    "quant": {"input_bits": 8, "weight_bits": 4, "act_bits": 4, "bias_bits": 8, "out_bits": 8},
    "layers": [
        {"type": "conv", "name": "conv1", "out_channels": 4, "kernel": 3, "padding": 1},
        {"type": "fire", "name": "fire2", "s1x1": 2, "e1x1": 4, "e3x3": 4},
        {"type": "conv", "name": "conv10", "out_channels": 2, "kernel": 1},
    ],
}
ONES = {n: {"pe": 1, "simd": 1} for n in ("conv1", "fire2.squeeze", "fire2.expand1x1",
                                         "fire2.expand3x3", "conv10")}


def _rows(b):
    return {r["name"]: r for r in b.as_dict()["layers"]}


def test_tiny_network_by_hand():
    b = estimate(presets.from_tree(TINY), dict(ONES))
    r = _rows(b)
    assert r["conv1"]["weight_bits"] == 4 * 1 * 9 * 4
    assert r["fire2"]["weight_bits"] == (2 * 4 + 4 * 2 + 4 * 2 * 9) * 4
    assert r["conv10"]["weight_bits"] == 2 * 8 * 4
    assert r["conv1"]["bias_bits"] == 4 * 8
    # conv1: window_gen (3 + 1) rows x 8 px x 1 ch x 8 bits; conv ibuf (NF = 4 > 1) 9 x 8 bits
    assert r["conv1"]["buffer_bits"] == 4 * 8 * 8 + 9 * 8
    # cycles: 64 px * NF * SF; expand3x3: 64 * 4 * 9 * 2 = 4608 is the slowest
    assert r["conv1"]["cycles_per_frame"] == 64 * 4 * 9
    assert r["fire2"]["cycles_per_frame"] == 64 * 4 * 9 * 2
    assert b.cycles == 4608
    # fire2 FIFOs: three conv output FIFOs (16 x (ACC_W + 1)) + the branch balance FIFO
    # (rtl/fifos.size): the 3x3 branch needs 2 rows = 16 px more of the squeeze output
    # (2 ch, 1 lane, 4 bits) than the 1x1 one, (16 + 1) px x 2 beats + 2 = 36 -> 64 x 5
    # bits; + the frame-overlap FIFO in front of the expand3x3 window
    # (fifos.frame_fifo_beats): 2 rows' excess, 18 beats -> 32 x 5 bits
    # ACC_W: the worst case of n products of unsigned 4-bit x signed 4-bit ([-120, 105]
    # each) + an 8-bit bias: squeeze n = 4 -> [-608, 547], 11 bits; expand1x1 n = 2 ->
    # [-368, 337], 10 bits; expand3x3 n = 18 -> [-2288, 2017], 13 bits
    acc = {"squeeze": 11, "expand1x1": 10, "expand3x3": 13}
    # + one input row in front of each multi-pass engine (NF > 1 with PE = 1): squeeze
    # 8 px x 4 ch + 2 -> 64 beats, expands 8 px x 2 ch + 2 -> 32 beats, all 4 bits + tlast
    rows = (64 + 32 + 32) * 5
    # + each requant's output FIFO (requant.v OUT_DEPTH 8): 1 lane x 4 bits + tlast
    outs = 3 * 8 * 5
    assert r["fire2"]["fifo_bits"] == (sum(16 * (a + 1) for a in acc.values()) + 64 * 5 + 32 * 5
                                       + rows + outs)
    # 4-bit x 4-bit products: LUTs by the default policy (hwops.conv.default_mult)
    assert r["fire2"]["multipliers"] == r["fire2"]["lut_multipliers"] == 3
    assert r["fire2"]["dsp"] == 0 and r["fire2"]["luts"] > 3 * 10


def test_totals_and_device_fit():
    b = estimate(presets.from_tree(TINY), dict(ONES))
    d = b.as_dict([DEVICES["xc7z020"], DEVICES["lfe5u-85f"]])
    t = d["total"]
    assert t["weight_bits"] == sum(r["weight_bits"] for r in d["layers"])
    assert t["cycles_per_frame"] == max(r["cycles_per_frame"] for r in d["layers"])
    assert set(d["layers"][0]) >= {"name", "weight_bits", "buffer_bits", "fifo_bits",
                                   "bram18_equiv", "uram", "lutram_bits", "dsp",
                                   "cycles_per_frame"}
    z = d["devices"]["xc7z020"]
    assert z["fits"] and z["utilization"]["dsp"] == round(t["dsp"] / 220, 4)
    assert d["devices"]["lfe5u-85f"]["fits"]


def test_does_not_fit_names_binding_resource():
    b = estimate(presets.load("squeezenet1_0"))
    f = b.fit(DEVICES["xc7z020"])
    assert not f["fits"] and f["binding"] in ("dsp", "bram18_equiv", "luts")
    assert f["utilization"][f["binding"]] > 1


def test_paper_sanity_table():
    cfg = presets.load("squeezenet1_0")
    w, bias = weight_counts(cfg)
    assert w + bias == 1_248_424  # the paper's parameter count
    text = paper_table(cfg)
    assert "4.747" in text and "1.187" in text and "0.593" in text
