"""axis_word_to_bytes: DATA_W-bit words to bytes (least significant first,
zero padding above DATA_W, tlast on the last byte) under the 9 pause
combinations; one byte per cycle without bubbles between words; mid-frame
reset."""
from pathlib import Path

import cocotb
import pytest

from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl.runner import run


def case_maker(data_w: int):
    nb = (data_w + 7) // 8

    def case(rng):
        ins, outs = [], []
        for words in (1, 2, 11):
            vals = [rng.getrandbits(data_w) for _ in range(words)]
            ins.append(vals)
            outs.append(list(b"".join(v.to_bytes(nb, "little") for v in vals)))
        return ins, outs
    return case


@cocotb.test()
async def unpack(dut):
    w = tb.tb_params()["DATA_W"]
    await tb.start_clock_and_reset(dut)
    await tb.stream_checks(dut, case_maker(w), seed=w, fmt=(1, 8, False))


@pytest.mark.verilator
@pytest.mark.parametrize("data_w", [1, 8, 13, 24])
def test_axis_word_to_bytes(data_w):
    run("axis_word_to_bytes", "test_axis_word_to_bytes", Path(__file__).parent,
        {"DATA_W": data_w})
