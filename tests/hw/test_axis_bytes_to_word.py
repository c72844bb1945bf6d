"""axis_bytes_to_word: bytes (least significant first) to DATA_W-bit words
under the 9 pause combinations, padding bits of the last byte dropped, a
tlast inside a word ending it early; one byte per cycle; mid-frame reset."""
from pathlib import Path

import cocotb
import pytest

from squeezefpga.sim.rtl import axis_tb as tb
from squeezefpga.sim.rtl.runner import run


def case_maker(data_w: int):
    nb = (data_w + 7) // 8

    def case(rng):
        ins, outs = [], []
        if nb > 1:   # a frame cut short inside its last word: upper bytes read as zero
            v = rng.getrandbits(8 * (nb - 1))
            ins.append(list(v.to_bytes(nb - 1, "little")))
            outs.append([v & ((1 << data_w) - 1)])
        for words in (1, 3, 17):   # the long frame last: stream_checks resets inside it
            vals = [rng.getrandbits(data_w) for _ in range(words)]
            raw = b"".join(v.to_bytes(nb, "little") for v in vals)
            # the padding bits of each word's last byte are noise the module drops
            noisy = bytearray(raw)
            if data_w % 8:
                for w in range(words):
                    noisy[w * nb + nb - 1] |= rng.getrandbits(8) & ~((1 << (data_w % 8)) - 1)
            ins.append(list(noisy))
            outs.append(vals)
        return ins, outs
    return case


@cocotb.test()
async def pack(dut):
    p = tb.tb_params()
    w, nb = p["DATA_W"], (p["DATA_W"] + 7) // 8
    await tb.start_clock_and_reset(dut)

    def rate(mon, case):   # one byte per cycle: the words span the bytes' cycles
        n_bytes, n_words = sum(map(len, case[0])), sum(map(len, case[1]))
        assert mon.span() <= n_bytes, f"{n_words} words took {mon.span()} cycles"

    await tb.stream_checks(dut, case_maker(w), seed=w, fmt=(1, w, False), rate=rate)


@pytest.mark.verilator
@pytest.mark.parametrize("data_w", [1, 8, 13, 24])
def test_axis_bytes_to_word(data_w):
    run("axis_bytes_to_word", "test_axis_bytes_to_word", Path(__file__).parent,
        {"DATA_W": data_w})
