"""`verilator --lint-only -Wall` is clean on every hw/ module (defaults and
corner parameter sets), and illegal parameters stop elaboration."""
from pathlib import Path

import pytest

from squeezefpga.sim.rtl.runner import HW_DIR, lint

MODULES = sorted(p.stem for p in HW_DIR.glob("*.v"))

# extra legal parameter sets per module (corners of the test grids)
CORNERS = {
    "axis_fifo": [dict(DEPTH=2, RAM_STYLE=1), dict(DATA_W=1, DEPTH=64, RAM_STYLE=2, HALF_RATE=1)],
    "window_gen": [dict(K=1, PAD_T=0, PAD_L=0, PAD_B=0, PAD_R=0, C=5, LANES=8),
                   dict(K=3, S=2, PAD_T=0, PAD_L=0, PAD_B=0, PAD_R=0, H=7, W=9)],
    "conv_mvu": [dict(K=1, CIN=8, COUT=8, SIMD=8, PE=8, USE_BIAS=1, IN_SIGNED=1),
                 dict(CIN=5, COUT=7, SIMD=2, PE=3, NPIX=20), dict(PROD_SHIFT=5, ACC_W=22),
                 dict(MULT_STYLE=1), dict(MULT_STYLE=1, IN_W=9, W_W=3, IN_SIGNED=1, SIMD=3, CIN=3),
                 dict(MULT_STYLE=1, IN_W=1, SIMD=1, ACC_W=20),
                 dict(MULT_STYLE=2, IN_W=4, W_W=4, CIN=3, SIMD=3, COUT=7, PE=7, ACC_W=16),
                 dict(MULT_STYLE=2, IN_W=8, W_W=4, CIN=3, SIMD=1, COUT=8, PE=8, ACC_W=20),
                 dict(CIN=5, COUT=7, SIMD=2, PE=3, WBANK_DEPTH=16)],
    "mvu_wrom": [dict(DEPTH=37, BANK_DEPTH=8), dict(DEPTH=1), dict(WIDTH=1, DEPTH=2),
                 dict(DEPTH=100, BANK_DEPTH=32, STYLE=1, WIDTH=70)],
    "mvu_pack": [dict(SIMD=3, PE=7), dict(SIMD=2, PE=5, IN_W=8), dict(PE=2, IN_W=2, W_W=6)],
    "mvu_dot": [dict(SIMD=1), dict(SIMD=5, MULT_STYLE=1, IN_W=1), dict(SIMD=3, MULT_STYLE=1, IN_W=9),
                dict(SIMD=8, MULT_STYLE=2, IN_SIGNED=1)],
    "mul_lut": [dict(A_W=1, A_SIGNED=1, P_W=5), dict(A_W=5, A_SIGNED=1, B_W=8, P_W=13, PIPE=1),
                dict(A_W=8, B_W=3, B_SIGNED=0, P_W=11, PIPE=1)],
    "requant": [dict(SHIFT=1, IN_W=4, OUT_W=8, OUT_SIGNED=1), dict(SHIFT=-3, IN_SIGNED=0, NARROW=1)],
    "maxpool": [dict(K=3, S=2, CEIL_MODE=1, H=7, W=9, C=5, LANES=2, SIGNED=1),
                dict(K=3, S=1, PAD_T=1, PAD_L=1, PAD_B=1, PAD_R=1, C=1, LANES=1)],
    "global_avgpool": [dict(SHIFT=-2, IN_SIGNED=1, OUT_SIGNED=1, NARROW=1),
                       dict(H=1, W=1, C=1, LANES=1, SHIFT=3)],
    "axis_concat": [dict(CA=8, CB=3, LANES=4, SHIFT_B=0, OUT_W=8, SIGNED=1)],
    "axis_add": [dict(SHIFT_A=2, SHIFT_B=0, OUT_W=11, SIGNED=0)],
    "axis_lane_conv": [dict(C=7, IN_LANES=2, OUT_LANES=3), dict(C=4, IN_LANES=4, OUT_LANES=4),
                       dict(C=8, IN_LANES=8, OUT_LANES=2), dict(C=8, IN_LANES=2, OUT_LANES=8)],
    "axis_dma_rx": [dict(DMA_W=64, C=3, LANES=2, PIX=5, VAL_W=5), dict(DMA_W=128, VAL_W=32, C=2, LANES=2, PIX=3)],
    "axis_dma_tx": [dict(DMA_W=64, C=5, LANES=2, PIX=3, VAL_W=6, SIGNED=0), dict(DMA_W=64, VAL_W=32, C=3, LANES=3)],
    "axis_frame_refold": [dict(C=5, PIX=3, IN_LANES=2, IN_FRAME=0, OUT_LANES=3, OUT_FRAME=0),
                          dict(C=4, PIX=1, IN_LANES=3, IN_FRAME=0, OUT_LANES=4, OUT_FRAME=1)],
    "rst_pipe": [dict(STAGES=3)],
    "uart_rx": [dict(CLKS_PER_BIT=4)], "uart_tx": [dict(CLKS_PER_BIT=4)],
    "axis_bytes_to_word": [dict(DATA_W=1), dict(DATA_W=13)],
    "axis_word_to_bytes": [dict(DATA_W=1), dict(DATA_W=13)],
    "frame_loader": [dict(PAYLOAD_BYTES=1), dict(PAYLOAD_BYTES=784)],
    "frame_unloader": [dict(PAYLOAD_BYTES=1)], "heartbeat": [dict(HALF_PERIOD=2)],
    "crc8": [dict(POLY=0x9B)],
}

# one illegal parameter set per module: elaboration must stop with $fatal
ILLEGAL = {
    "axis_register": dict(DATA_W=0),
    "axis_fifo": dict(DEPTH=12),
    "axis_dup": dict(DATA_W=0),
    "axis_lane_conv": dict(IN_LANES=9, C=8),
    "axis_dma_rx": dict(VAL_W=40),
    "axis_frame_refold": dict(IN_FRAME=2),
    "axis_dma_tx": dict(DMA_W=48),
    "window_gen": dict(PAD_T=3, K=3),
    "conv_mvu": dict(ACC_W=10),
    "mul_lut": dict(P_W=7),
    "mvu_pack": dict(IN_W=8, W_W=9),
    "mvu_dot": dict(MULT_STYLE=3),
    "mvu_wrom": dict(DEPTH=16, BANK_DEPTH=16),
    "requant": dict(RELU=2),
    "maxpool": dict(CEIL_MODE=2),
    "global_avgpool": dict(SHIFT=40),
    "axis_concat": dict(CA=6, LANES=4),
    "axis_add": dict(OUT_W=8, IN_W=8),
    "rst_pipe": dict(STAGES=0),
    "uart_rx": dict(CLKS_PER_BIT=3), "uart_tx": dict(CLKS_PER_BIT=3),
    "axis_bytes_to_word": dict(DATA_W=0), "axis_word_to_bytes": dict(DATA_W=0),
    "frame_loader": dict(PAYLOAD_BYTES=0), "frame_unloader": dict(PAYLOAD_BYTES=0),
    "heartbeat": dict(HALF_PERIOD=1), "crc8": dict(POLY=6),
}


def test_every_module_has_checks():
    assert set(ILLEGAL) == set(MODULES), "a module without an illegal-parameter check"


@pytest.mark.verilator
@pytest.mark.parametrize("top", MODULES)
def test_lint_clean(top):
    for params in [{}] + CORNERS.get(top, []):
        res = lint(top, params)
        out = res.stdout + res.stderr
        assert res.returncode == 0 and "%Warning" not in out, f"{top} {params}:\n{out}"


@pytest.mark.verilator
@pytest.mark.parametrize("top", MODULES)
def test_illegal_parameters_stop_elaboration(top):
    res = lint(top, ILLEGAL[top])
    out = res.stdout + res.stderr
    assert res.returncode != 0 and "USERFATAL" in out and top in out, out


@pytest.mark.verilator
def test_conv_mvu_pack_needs_unsigned_narrow_products():
    for params in (dict(MULT_STYLE=2, IN_SIGNED=1, IN_W=4, W_W=4),   # signed activations
                   dict(MULT_STYLE=2, IN_W=16, W_W=8, ACC_W=30)):    # one product per 24 bits
        res = lint("conv_mvu", params)
        out = res.stdout + res.stderr
        assert res.returncode != 0 and "MULT_STYLE 2 needs" in out, (params, out)
